package catalog

import (
	"slices"
	"strconv"
	"strings"
)

// Alias is an error code a developer may paste from another provider or a
// specification, with the Lucid entries that describe the same failure.
// `lucid explain CODE` answers with it. Each alias either leads to entries
// (its Names, and for an RFC code every entry whose Error is that code) or
// says in NotApplicable why Lucid has none: the code belongs to a feature
// Lucid does not have. TestAliasesResolve keeps the two apart.
type Alias struct {
	Code string
	// Also is another spelling of the same condition, matched like Code:
	// Entra's condition name (IdsLocked) beside its number (AADSTS50053).
	Also    string
	Source  string // "RFC 6749", "Microsoft Entra ID", "Okta", "Keycloak", ...
	Meaning string // what the code says, in Lucid's words; may be empty when the entries say it
	Names   []Name
	// NotApplicable says why no Lucid entry corresponds.
	NotApplicable string
}

// Sources of aliases.
const (
	srcEntra    = "Microsoft Entra ID"
	srcOkta     = "Okta"
	srcKeycloak = "Keycloak"
)

// aliasTable holds every alias: the specifications' codes, then each
// provider's. For an RFC error code, Explain adds every entry whose Error
// is that code, so those aliases list no Names of their own.
var aliasTable = slices.Concat(specAliases, cibaAliases, entraAliases, oktaAliases, oktaConditions, keycloakAliases)

// to and na build the rows of the providers' tables: a code that maps to
// entries, and a code of a feature Lucid does not have.
func to(code, source string, names ...Name) Alias {
	return Alias{Code: code, Source: source, Names: names}
}

func na(code, source, reason string) Alias {
	return Alias{Code: code, Source: source, NotApplicable: reason}
}

// Why a code has no Lucid entry: the features Lucid does not have. Each
// reason is Lucid's own statement about itself, so it stays true only as
// long as the feature is missing; TestAliasesResolve fails when an entry
// appears for a code marked with one.
const (
	naTenants              = "Lucid serves one issuer with one set of users: it has no tenants, directories, guest accounts or cross-tenant policies, so a request cannot reach the wrong tenant."
	naConditionalAccess    = "Lucid has no conditional access: no policy on device, location, risk, security defaults or sign-in frequency decides whether a token is issued."
	naMFA                  = "Lucid asks for a second factor (authenticator app, passkey, recovery code) and sets one up as steps of its own sign-in pages, by authn.second_factor, the client's require_second_factor and acr_values; it has no risk-based prompts, no push or SMS factors and no separate security-info registration, so the other provider's interrupts and enrolment conditions have no failure here."
	naSAML                 = "Lucid speaks OAuth 2 and OpenID Connect only; it has no SAML, neither as identity provider nor as an assertion grant."
	naWSFed                = "Lucid has no WS-Federation or WS-Trust."
	naFederation           = "Lucid does not sign users in through another identity provider: there is no social login, upstream provider or account linking."
	naOnPremises           = "Lucid has no on-premises directory, pass-through authentication agent or password synchronisation; it checks passwords itself."
	naDesktopSSO           = "Lucid has no Kerberos or Windows integrated (seamless) single sign-on."
	naDevice               = "Lucid knows nothing of the user's device: there is no device registration, join, compliance, device-bound key or platform broker."
	naDeviceFlow           = "Lucid runs as one deployment: a device code is answered by whichever replica receives it, with no datacenter to redirect to."
	naPasswordLifecycle    = "Lucid has no password expiry, self-service password change, reset, recovery or activation: the operator sets passwords with `lucid user`."
	naCloud                = "Lucid is one server at one issuer URL: there are no national clouds, regions, data centres or shared multi-tenant endpoints such as /common."
	naAdminConsent         = "Lucid has no administrator consent: each user consents for themself, and the operator decides which scopes each client may request."
	naAccountChooser       = "Lucid has no account chooser: a browser holds at most one Lucid session, and id_token_hint naming another user is answered with login_required."
	naInterrupt            = "This is an informational step of the other provider's sign-in pages, not a failure; Lucid's pages have no such step."
	naConsumerAccounts     = "Lucid has no separate personal (consumer) accounts beside its users."
	naClaimRules           = "Lucid has no configurable claim rules or claims transformations: the claims it releases follow from the scopes."
	naPairwise             = "Lucid has no pairwise subject identifiers: a user's sub is the same for every client."
	naAssignment           = "Lucid does not assign users or groups to applications: any active user may sign in to any client that asks."
	naCertificates         = "Lucid has no certificate-based sign-in for people and checks no revocation lists; clients authenticate with certificates only by mutual TLS (RFC 8705)."
	naAgeGroups            = "Lucid records no age or legal age group for its users."
	naEncryption           = "Lucid does not encrypt the tokens it issues; they are signed only."
	naAppSigningKeys       = "Lucid signs every token with its own keys; there are no signing keys per application."
	naLogoutExpiry         = "Lucid's RP-initiated logout carries no signed logout message with a lifetime of its own, so nothing of this kind can expire."
	naLoopDetection        = "Lucid does not detect a client that repeats the same request in a loop; it limits failed sign-ins and open registrations only."
	naFeatureSwitch        = "Lucid has no per-environment feature switches; a feature it lacks is refused with the entry for that request (grant_type_unsupported, request_uri_unsupported, ...)."
	naLoginHint            = "Lucid does not refuse a login_hint for being combined with other parameters."
	naSessionIDs           = "Lucid takes no session id as a request parameter: the browser's session is its cookie."
	naQueryLength          = "Lucid has no entry for a long query string: the HTTP server refuses an over-long request line or header before Lucid reads it."
	naEmail                = "Lucid does not require user names to be e-mail addresses."
	naFederatedCredentials = "Lucid has no federated identity credentials for its clients; a client proves itself with a secret or its own keys."
	naVendorService        = "This is a failure of a service inside the other provider, with no counterpart in Lucid."
	naRAR                  = "Lucid's rich authorization requests (RFC 9396) have no such condition: scope and authorization_details may be combined, only the code flow exists, and a token with authorization details is minted like any other."
	naPAR                  = "Lucid does not support pushed authorization requests (RFC 9126)."
	naJIT                  = "Lucid does not create users on the fly (just-in-time provisioning): the operator creates them with `lucid user` or the admin API."
	naACR                  = "Lucid's authentication levels are its acr values (urn:lucid:acr:1fa, urn:lucid:acr:mfa, phr); it has no attestation policies for authenticators."
	naPolicy               = "Lucid has no access policies or rules evaluated per request: what a client may do is its registration (grant types, scopes, audiences)."
	naUserTypes            = "Lucid has one kind of user and one kind of client registration; there are no user types, classifications or application types with endpoint rules."
	naAuthServers          = "Lucid is one authorization server: there are no custom, organisation or associated authorization servers to choose between or trust."
	naInteractionCode      = "Lucid has no interaction code flow: its own sign-in pages run in the browser between /authorize and the redirect."
	naDirectAuth           = "Lucid has no direct authentication API (one-time codes, out-of-band pushes, WebAuthn challenges at the token endpoint): users sign in on Lucid's pages."
	naNativeSSO            = "Lucid does not support native single sign-on between applications (device_secret, web SSO tokens)."
	naPasswordGrant        = "Lucid does not offer the resource owner password grant; its grant type is answered with grant_type_unsupported."
	naIdPInitiated         = "Lucid has no IdP-initiated login: there is no initiate_login_uri for clients."
	naState                = "Lucid does not inspect state: it returns the value unchanged to the client, which checks it."
	naImplicit             = "Lucid has only the authorization code flow (response_type=code), where nonce is optional; it has no implicit or hybrid flow that would require one."
	naGroups               = "Lucid has no groups and no groups claim."
	naHooks                = "Lucid calls out to no other service while issuing tokens or creating users: there are no inline hooks or callouts."
	naJKU                  = "Lucid ignores a jku header: it takes a client's keys only from the jwks or jwks_uri registered for the client."
	naScopeResponseRules   = "Lucid has no rules that tie one scope to a response type or to another scope."
	naBrowserRules         = "Lucid has no rules of its own for calls from web pages: once a page's origin is among the client's web origins, the page may use every grant type, scope and client authentication the client may, and nothing requires a browser client's codes or tokens to be redeemed from a page."
)

// means gives a row a meaning in Lucid's words.
func (a Alias) means(m string) Alias { a.Meaning = m; return a }

// entra is a row of Entra's table: AADSTS number, condition name (may be
// empty), entries.
func entra(number int, name string, names ...Name) Alias {
	return Alias{Code: "AADSTS" + strconv.Itoa(number), Also: name, Source: srcEntra, Names: names}
}

func entraNA(number int, name, reason string) Alias {
	return Alias{Code: "AADSTS" + strconv.Itoa(number), Also: name, Source: srcEntra, NotApplicable: reason}
}

var specAliases = []Alias{
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
		Meaning: "The server does not accept request objects (the request parameter). Lucid accepts signed request objects; it refuses unsigned ones and algorithms it does not offer, each with its own invalid_request_object entry.",
		Names:   []Name{RequestObjectUnsigned, RequestObjectAlgNotAllowed}},
	{Code: "request_uri_not_supported", Source: "OpenID Connect Core",
		Meaning: "The server does not accept the request_uri parameter. Lucid answers it for a request_uri that its pushed authorization request endpoint did not issue.",
		Names:   []Name{RequestURIUnsupp}},
	{Code: "invalid_request_object", Source: "OpenID Connect Core",
		Meaning: "The request object is invalid: unreadable, signed wrongly, for another client or server, expired, or used before."},
	{Code: "invalid_request_uri", Source: "OpenID Connect Core",
		Meaning: "The request_uri cannot be fetched or its content is invalid. Lucid answers it for a request_uri of its pushed authorization request endpoint that is unknown, expired, used or another client's.",
		Names:   []Name{PARRequestURIUnknown, PARRequestURIExpired, PARRequestURIUsed, PARRequestURIOtherClient}},
	{Code: "registration_not_supported", Source: "OpenID Connect Core",
		Meaning:       "The server does not support the registration parameter of the authorization request.",
		NotApplicable: "Lucid ignores the registration parameter: clients are registered by the operator, or at the registration endpoint (RFC 7591) when the operator enables it."},
	{Code: "unmet_authentication_requirements", Source: "OpenID Connect Unmet Authentication Requirements",
		Meaning: "The server cannot authenticate the user in the way the request demands, for example at a required authentication level (acr_values).",
		Names:   []Name{ACRUnmet, ACRValuesUnsupported}},

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
		Meaning: "Device authorization grant: the person has not yet approved or denied the device, so the client keeps polling.",
		Names:   []Name{DeviceAuthorizationPending}},
	{Code: "slow_down", Source: "RFC 8628",
		Meaning: "Device authorization grant: the client polls faster than its interval and must add 5 seconds to it for this and every later poll.",
		Names:   []Name{DeviceSlowDown}},
	{Code: "expired_token", Source: "RFC 8628",
		Meaning: "Device authorization grant: the device_code expired before the person approved it and the device redeemed it. Lucid also names an expired user code on the verification page with this code.",
		Names:   []Name{DeviceCodeExpired, DeviceUserCodeExpired}},
	{Code: "invalid_target", Source: "RFC 8707",
		Meaning: "The resource indicator or audience names a target that is malformed, unknown, not allowed for the client, or not part of what was authorized. Lucid names each of these with its own entry."},
	{Code: "invalid_dpop_proof", Source: "RFC 9449",
		Meaning: "The DPoP proof JWT sent with the request is missing, malformed, badly signed, or does not match the request's method, URL or access token. Lucid names each of these with its own entry."},
	{Code: "use_dpop_nonce", Source: "RFC 9449",
		Meaning: "The server wants a server-provided nonce in the DPoP proof; the client must retry with the nonce from the DPoP-Nonce response header. Lucid names each of these with its own entry."},

	// ---- Lucid's admin API (HTTP semantics, not OAuth codes) ----
	{Code: "not_found", Source: "Lucid (RFC 9110 404)",
		Meaning: "The admin API has no object with that id, or there is no page at the URL."},
	{Code: "conflict", Source: "Lucid (RFC 9110 409)",
		Meaning: "The admin API already has an object with that unique value."},
}

var oktaAliases = []Alias{
	// ---- Okta ----
	{Code: "E0000004", Source: srcOkta,
		Meaning: "Authentication failed, usually because the username or password is wrong.",
		Names:   []Name{SignInFailed}},
	{Code: "E0000011", Source: srcOkta,
		Meaning: "The token sent with an API request is not valid: unknown, expired or revoked. Lucid's counterparts are the admin API credential and access tokens.",
		Names:   []Name{AdminUnauthorized, AccessTokenMalformed, AccessTokenSignature, AccessTokenExpired, AccessTokenRevoked, AccessTokenDamaged, AccessTokenIsIDToken}},
	{Code: "E0000069", Source: srcOkta,
		Meaning: "The user is locked out after too many failed sign-ins.",
		Names:   []Name{AccountLocked}},
}

var keycloakAliases = []Alias{
	// ---- Keycloak (error_description phrases) ----
	{Code: "Code not valid", Source: srcKeycloak,
		Meaning: "The authorization code cannot be exchanged: it is unknown, expired, already used, damaged on its way, another kind of credential, or was issued for another client or session.",
		Names:   []Name{CodeUnknown, CodeExpired, CodeReused, CodeInvalidated, CodeOtherClient, CodeDamaged, CodeIsRefreshToken, CodeIsToken}},
	{Code: "Invalid client credentials", Source: srcKeycloak,
		Meaning: "Client authentication failed, typically because the client secret is wrong or the client is unknown.",
		Names:   []Name{ClientSecretWrong, ClientSecretExpired, ClientSecretIDSent, ClientSecretRetired, ClientSecretWhitespace, ClientUnknown}},
	{Code: "Invalid client or Invalid client credentials", Source: srcKeycloak,
		Meaning: "Keycloak's description when client authentication fails at the token endpoint. It comes with error unauthorized_client rather than invalid_client, but it is a credential problem: usually a wrong or expired client secret, or a client id Keycloak does not know.",
		Names:   []Name{ClientSecretWrong, ClientSecretExpired, ClientSecretIDSent, ClientSecretRetired, ClientSecretWhitespace, ClientUnknown, ClientCredentialsMissing}},
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
	for _, e := range byError[strings.ToLower(a.Code)] {
		if !seen[e.Name] {
			seen[e.Name] = true
			out = append(out, e)
		}
	}
	return out
}

// byError holds the entries of each RFC error code (lower case), in name
// order; aliasByCode the rows of aliasTable by code and other spelling
// (lower case). Both are built once: the tables never change.
var (
	byError = func() map[string][]*Entry {
		m := map[string][]*Entry{}
		for _, e := range All() {
			if e.Error != "" {
				k := strings.ToLower(e.Error)
				m[k] = append(m[k], e)
			}
		}
		return m
	}()
	aliasByCode = func() map[string][]int {
		m := map[string][]int{}
		for i, a := range aliasTable {
			m[strings.ToLower(a.Code)] = append(m[strings.ToLower(a.Code)], i)
			if a.Also != "" && !strings.EqualFold(a.Also, a.Code) {
				m[strings.ToLower(a.Also)] = append(m[strings.ToLower(a.Also)], i)
			}
		}
		return m
	}()
)
