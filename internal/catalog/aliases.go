package catalog

import (
	"strings"
)

// Alias is an error code a developer may paste from another provider or a
// specification, with the Lucid entries that describe the same failure.
// `lucid explain CODE` answers with it. Names lists only entries that
// exist; an alias that leads to no entry says in its Meaning why.
type Alias struct {
	Code    string
	Source  string // "RFC 6749", "Microsoft Entra ID", "Okta", "Keycloak", ...
	Meaning string
	Names   []Name
}

// Sources of aliases.
const (
	srcEntra    = "Microsoft Entra ID"
	srcOkta     = "Okta"
	srcKeycloak = "Keycloak"
)

// aliasTable holds the aliases. For an RFC error code, Explain adds every
// entry whose Error is that code, so those aliases list no Names of their own.
var aliasTable = []Alias{
	// ---- RFC 6749 ----
	{Code: "invalid_request", Source: "RFC 6749",
		Meaning: "The request is not shaped as the specification requires: a required parameter is missing or repeated, a value is malformed or unsupported, or the request is otherwise unreadable."},
	{Code: "invalid_client", Source: "RFC 6749",
		Meaning: "Client authentication failed: the client is unknown, sent no credentials or wrong ones, or authenticated in a way that is not allowed for it. The token endpoint answers 401."},
	{Code: "invalid_grant", Source: "RFC 6749",
		Meaning: "The authorization code or refresh token cannot be used: it is unknown, expired, revoked or already used, it was issued to another client, or the redirect_uri or PKCE code_verifier does not match the one it was bound to."},
	{Code: "unauthorized_client", Source: "RFC 6749",
		Meaning: "The client is known but not permitted to use this grant type or response type."},
	{Code: "unsupported_grant_type", Source: "RFC 6749",
		Meaning: "The server does not implement the grant type named in grant_type."},
	{Code: "invalid_scope", Source: "RFC 6749",
		Meaning: "The requested scope is unknown, malformed, not allowed for the client, or wider than the scope originally granted."},
	{Code: "access_denied", Source: "RFC 6749",
		Meaning: "The user or the server refused the request: the user declined or cancelled, the sign-in could not be completed, or the server does not accept client registrations."},
	{Code: "unsupported_response_type", Source: "RFC 6749",
		Meaning: "The server does not issue codes or tokens with the requested response_type."},
	{Code: "server_error", Source: "RFC 6749",
		Meaning: "The server met an unexpected condition. It exists as a code because an authorization endpoint that redirects cannot send an HTTP 500."},
	{Code: "temporarily_unavailable", Source: "RFC 6749",
		Meaning: "The server cannot handle the request right now because of overload or maintenance; retrying later may succeed."},

	// ---- RFC 6750 ----
	{Code: "invalid_token", Source: "RFC 6750",
		Meaning: "The access token presented to a resource is malformed, expired, revoked, or not meant for it. The client may get a new token and retry."},
	{Code: "insufficient_scope", Source: "RFC 6750",
		Meaning: "The access token is valid but does not carry the scope the resource needs; a new token with that scope is required."},

	// ---- OpenID Connect Core ----
	{Code: "login_required", Source: "OpenID Connect Core",
		Meaning: "The user must sign in, but the request used prompt=none, which forbids showing a sign-in page."},
	{Code: "consent_required", Source: "OpenID Connect Core",
		Meaning: "The user must consent, but the request used prompt=none, which forbids showing a consent page."},
	{Code: "interaction_required", Source: "OpenID Connect Core",
		Meaning: "Some user interaction is needed but prompt=none forbids it. Lucid always names the interaction instead, with login_required or consent_required.",
		Names:   []Name{LoginRequired, LoginRequiredMaxAge, IDTokenHintOtherUser, ConsentRequired}},
	{Code: "account_selection_required", Source: "OpenID Connect Core",
		Meaning: "The user must choose an account, but prompt=none forbids showing a chooser. Lucid does not return this code; when id_token_hint names another user than the one signed in, it answers login_required.",
		Names:   []Name{IDTokenHintOtherUser}},
	{Code: "request_not_supported", Source: "OpenID Connect Core",
		Meaning: "The server does not accept request objects (the request parameter)."},
	{Code: "request_uri_not_supported", Source: "OpenID Connect Core",
		Meaning: "The server does not accept the request_uri parameter."},
	{Code: "invalid_request_object", Source: "OpenID Connect Core",
		Meaning: "The request object is invalid. Lucid does not accept request objects at all and answers request_not_supported.",
		Names:   []Name{RequestObjectUnsupp}},
	{Code: "invalid_request_uri", Source: "OpenID Connect Core",
		Meaning: "The request_uri cannot be fetched or its content is invalid. Lucid does not accept request_uri at all and answers request_uri_not_supported.",
		Names:   []Name{RequestURIUnsupp}},
	{Code: "registration_not_supported", Source: "OpenID Connect Core",
		Meaning: "The server does not support the registration parameter of the authorization request. Lucid has no catalog entry for it; clients are registered by the operator, or at the registration endpoint (RFC 7591) when the operator enables it."},
	{Code: "unmet_authentication_requirements", Source: "OpenID Connect Unmet Authentication Requirements",
		Meaning: "The server cannot authenticate the user in the way the request demands, for example at a required authentication level. Lucid has no catalog entry for it."},

	// ---- Other RFCs ----
	{Code: "unsupported_token_type", Source: "RFC 7009",
		Meaning: "The revocation endpoint does not support revoking this type of token. Lucid revokes every token it issues, so it answers this only to a token_type_hint it does not know.",
		Names:   []Name{RevokeTokenTypeUnsupported}},
	{Code: "invalid_redirect_uri", Source: "RFC 7591",
		Meaning: "Dynamic client registration refused a redirect URI. Lucid names each reason with its own entry; its command line and admin API report the same problems as admin_invalid_input.",
		Names:   []Name{AdminInvalid}},
	{Code: "invalid_client_metadata", Source: "RFC 7591",
		Meaning: "Dynamic client registration refused a metadata field. Lucid's entries name the field; its command line and admin API report the same problems as admin_invalid_input.",
		Names:   []Name{AdminInvalid}},
	{Code: "invalid_software_statement", Source: "RFC 7591",
		Meaning: "Dynamic client registration refused a software statement as invalid. Lucid does not use software statements; it refuses one that is not even a JWT with this code."},
	{Code: "unapproved_software_statement", Source: "RFC 7591",
		Meaning: "Dynamic client registration does not trust the software statement's issuer. Lucid trusts no software publisher, so it refuses every well-formed statement with this code."},
	{Code: "authorization_pending", Source: "RFC 8628",
		Meaning: "Device authorization grant: the user has not finished approving the device yet, so the client keeps polling. Lucid does not offer the device grant; its grant type is answered with grant_type_unsupported.",
		Names:   []Name{GrantTypeUnsupported}},
	{Code: "slow_down", Source: "RFC 8628",
		Meaning: "Device authorization grant: the client polls too often and must wait longer between requests. Lucid does not offer the device grant; its grant type is answered with grant_type_unsupported.",
		Names:   []Name{GrantTypeUnsupported}},
	{Code: "expired_token", Source: "RFC 8628",
		Meaning: "Device authorization grant: the device_code expired before the user approved it. Lucid does not offer the device grant; its grant type is answered with grant_type_unsupported.",
		Names:   []Name{GrantTypeUnsupported}},
	{Code: "invalid_target", Source: "RFC 8707",
		Meaning: "The resource indicator names a resource that is unknown, malformed or not allowed. Lucid has no catalog entry for it."},
	{Code: "invalid_dpop_proof", Source: "RFC 9449",
		Meaning: "The DPoP proof JWT sent with the request is missing, malformed, badly signed, or does not match the request's method, URL or access token. Okta and other servers that support DPoP return it. Every Lucid entry with this error is listed with it; none means this Lucid does not check DPoP proofs."},
	{Code: "use_dpop_nonce", Source: "RFC 9449",
		Meaning: "The server wants a server-provided nonce in the DPoP proof; the client must retry with the nonce from the DPoP-Nonce response header. Okta and other servers that support DPoP return it. Every Lucid entry with this error is listed with it; none means this Lucid does not check DPoP proofs."},

	// ---- Lucid's admin API (HTTP semantics, not OAuth codes) ----
	{Code: "not_found", Source: "Lucid (RFC 9110 404)",
		Meaning: "The admin API has no object with that id, or there is no page at the URL."},
	{Code: "conflict", Source: "Lucid (RFC 9110 409)",
		Meaning: "The admin API already has an object with that unique value."},

	// ---- Microsoft Entra ID ----
	{Code: "AADSTS50058", Source: srcEntra,
		Meaning: "A silent sign-in (prompt=none) was sent, but no user is signed in, or the browser did not send the session cookie.",
		Names:   []Name{LoginRequired, LoginRequiredMaxAge}},
	{Code: "AADSTS70008", Source: srcEntra,
		Meaning: "The authorization code or refresh token has expired or was revoked; the user must sign in interactively again.",
		Names:   []Name{CodeExpired, RefreshExpired, RefreshIdleExpired, RefreshRevoked}},
	{Code: "AADSTS7000215", Source: srcEntra,
		Meaning: "The client secret is wrong; a common cause there is sending the secret's id instead of its value.",
		Names:   []Name{ClientSecretWrong}},
	{Code: "AADSTS7000222", Source: srcEntra,
		Meaning: "The client secret has expired; a new one must be created and deployed.",
		Names:   []Name{ClientSecretExpired}},
	{Code: "AADSTS500113", Source: srcEntra,
		Meaning: "The application has no redirect URI registered, so the server has nowhere to send the response.",
		Names:   []Name{RedirectURIRequired, RedirectURINotRegistered}},
	{Code: "AADSTS50011", Source: srcEntra,
		Meaning: "The redirect URI in the request does not match any redirect URI registered for the application.",
		Names:   []Name{RedirectURINotRegistered}},
	{Code: "AADSTS65001", Source: srcEntra,
		Meaning: "Neither the user nor an administrator has consented to the application's permissions; an interactive request is needed.",
		Names:   []Name{ConsentRequired, RefreshConsentWithdrawn}},
	{Code: "AADSTS50126", Source: srcEntra,
		Meaning: "The username or password is wrong.",
		Names:   []Name{SignInFailed}},
	{Code: "AADSTS50053", Source: srcEntra,
		Meaning: "The account is locked, typically after too many failed sign-ins.",
		Names:   []Name{AccountLocked}},
	{Code: "AADSTS50057", Source: srcEntra,
		Meaning: "The user account is disabled. Lucid shows a disabled account as a failed sign-in on its page, and refuses the account's existing grants and tokens.",
		Names:   []Name{SignInFailed, GrantUserInactive, UserInfoUserInactive}},
	{Code: "AADSTS700082", Source: srcEntra,
		Meaning: "The refresh token expired because it was not used for too long.",
		Names:   []Name{RefreshIdleExpired}},
	{Code: "AADSTS54005", Source: srcEntra,
		Meaning: "The authorization code was already redeemed; a code can be exchanged once.",
		Names:   []Name{CodeReused}},
	{Code: "AADSTS9002313", Source: srcEntra,
		Meaning: "The request is malformed or invalid, for example a parameter is missing, repeated, badly encoded, or the body is not form-encoded.",
		Names:   []Name{ParameterMissing, ParameterDuplicated, ParameterMalformed, ContentTypeInvalid}},
	{Code: "AADSTS700016", Source: srcEntra,
		Meaning: "No application with this client id exists in the directory the request went to, often because the request went to the wrong tenant.",
		Names:   []Name{ClientUnknown, AuthorizeClientUnknown}},
	{Code: "AADSTS50148", Source: srcEntra,
		Meaning: "The PKCE code_verifier does not match the code_challenge of the authorization request.",
		Names:   []Name{VerifierMismatch}},
	{Code: "AADSTS501481", Source: srcEntra,
		Meaning: "The PKCE code_verifier does not match the code_challenge of the authorization request.",
		Names:   []Name{VerifierMismatch}},
	{Code: "AADSTS500021", Source: srcEntra,
		Meaning: "Tenant restrictions: a network proxy told the server which tenants users may reach, and the requested tenant is not among them. Lucid has no tenants and no tenant restrictions, so no Lucid entry corresponds."},
	{Code: "AADSTS500022", Source: srcEntra,
		Meaning: "Access to the tenant is denied by tenant restrictions, like AADSTS500021. Lucid has no tenants and no tenant restrictions, so no Lucid entry corresponds."},

	// ---- Okta ----
	{Code: "E0000004", Source: srcOkta,
		Meaning: "Authentication failed, usually because the username or password is wrong.",
		Names:   []Name{SignInFailed}},
	{Code: "E0000011", Source: srcOkta,
		Meaning: "The token sent with an API request is not valid: unknown, expired or revoked. Lucid's counterparts are the admin API credential and access tokens.",
		Names:   []Name{AdminUnauthorized, AccessTokenMalformed, AccessTokenSignature, AccessTokenExpired, AccessTokenRevoked}},
	{Code: "E0000069", Source: srcOkta,
		Meaning: "The user is locked out after too many failed sign-ins.",
		Names:   []Name{AccountLocked}},

	// ---- Keycloak (error_description phrases) ----
	{Code: "Code not valid", Source: srcKeycloak,
		Meaning: "The authorization code cannot be exchanged: it is unknown, expired, already used, or was issued for another client or session.",
		Names:   []Name{CodeUnknown, CodeExpired, CodeReused, CodeInvalidated, CodeOtherClient}},
	{Code: "Invalid client credentials", Source: srcKeycloak,
		Meaning: "Client authentication failed, typically because the client secret is wrong or the client is unknown.",
		Names:   []Name{ClientSecretWrong, ClientSecretExpired, ClientUnknown}},
	{Code: "Invalid redirect uri", Source: srcKeycloak,
		Meaning: "The redirect_uri is not one of the client's valid redirect URIs, or is not a usable URI.",
		Names:   []Name{RedirectURINotRegistered, RedirectURIMalformed}},
	{Code: "Invalid parameter: redirect_uri", Source: srcKeycloak,
		Meaning: "The redirect_uri of the authorization request is missing, malformed or not allowed for the client.",
		Names:   []Name{RedirectURINotRegistered, RedirectURIMalformed, RedirectURIRequired}},
	{Code: "Token is not active", Source: srcKeycloak,
		Meaning: "The token has expired or was revoked, whether it is an access token at userinfo or a refresh token at the token endpoint.",
		Names:   []Name{AccessTokenExpired, AccessTokenRevoked, RefreshExpired, RefreshIdleExpired, RefreshRevoked}},
	{Code: "Session not active", Source: srcKeycloak,
		Meaning: "The user session behind a refresh token has ended (timed out or signed out). Lucid ties refresh tokens to their grant, not to a browser session; the nearest Lucid failures are the grant's own expiry and revocation.",
		Names:   []Name{RefreshIdleExpired, RefreshExpired, RefreshRevoked}},
}

// Aliases returns every alias, in the order of the table.
func Aliases() []Alias {
	out := make([]Alias, len(aliasTable))
	for i, a := range aliasTable {
		a.Names = append([]Name(nil), a.Names...)
		out[i] = a
	}
	return out
}

// Explain answers `lucid explain CODE`: the aliases whose code matches
// (case-insensitively) and the entries they point to, the entry named code,
// and every entry whose RFC error is code. A pasted line such as
// "AADSTS70008: The provided grant has expired" is matched by the code
// before the colon; a bare number is tried as an AADSTS code.
func Explain(code string) (aliases []Alias, entries []*Entry) {
	for _, c := range candidates(code) {
		aliases, entries = explain(c)
		if len(aliases) > 0 || len(entries) > 0 {
			return aliases, entries
		}
	}
	return nil, nil
}

func candidates(code string) []string {
	c := strings.Trim(strings.TrimSpace(code), "\"'`")
	out := []string{c}
	if i := strings.IndexByte(c, ':'); i > 0 {
		out = append(out, strings.TrimSpace(c[:i]))
	}
	if c != "" && strings.Trim(c, "0123456789") == "" {
		out = append(out, "AADSTS"+c)
	}
	return out
}

func explain(code string) ([]Alias, []*Entry) {
	if code == "" {
		return nil, nil
	}
	var (
		as   []Alias
		es   []*Entry
		seen = map[Name]bool{}
	)
	add := func(list ...*Entry) {
		for _, e := range list {
			if !seen[e.Name] {
				seen[e.Name] = true
				es = append(es, e)
			}
		}
	}
	if e, ok := index[Name(strings.ToLower(code))]; ok {
		add(e)
	}
	for _, a := range aliasTable {
		if strings.EqualFold(a.Code, code) {
			a.Names = append([]Name(nil), a.Names...)
			as = append(as, a)
			add(aliasEntries(a)...)
		}
	}
	// An RFC code without an alias of its own still finds its entries.
	add(aliasEntries(Alias{Code: code})...)
	return as, es
}

// aliasEntries are the entries an alias points to: its Names, then the
// entries whose RFC error is its code.
func aliasEntries(a Alias) []*Entry {
	var out []*Entry
	seen := map[Name]bool{}
	for _, n := range a.Names {
		if e, ok := index[n]; ok && !seen[n] {
			seen[n] = true
			out = append(out, e)
		}
	}
	for _, e := range All() {
		if e.Error != "" && strings.EqualFold(e.Error, a.Code) && !seen[e.Name] {
			seen[e.Name] = true
			out = append(out, e)
		}
	}
	return out
}
