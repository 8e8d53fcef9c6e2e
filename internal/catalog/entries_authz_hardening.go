package catalog

import "net/http"

const rfc7523bis = "https://datatracker.ietf.org/doc/draft-ietf-oauth-rfc7523bis/"

// authzHardeningEntries: see entries_hardening.go. They close authorization
// gaps: audiences an assertion shares with another server, key set URLs
// that point into Lucid's own network, scopes outside a token's audience.
var authzHardeningEntries = []Entry{
	{Name: AssertionAudienceMultiple, Error: "invalid_client", Status: http.StatusUnauthorized, Title: "Client assertion names more than one audience",
		Description: "The client assertion's aud has {count} values ({aud}); Lucid accepts a single value, {accepted}.",
		Causes: []string{
			"The assertion is built once and sent to several servers, so its aud lists all of them; any of those servers could replay it here.",
			"The client library puts both the issuer and the token endpoint URL into aud, following older advice.",
		},
		ClientFix: []string{
			"Sign a separate assertion for each server, with aud set to that server's issuer as a single string.",
			"Copy the issuer from the discovery document and use it alone as aud.",
		},
		Spec: "draft-ietf-oauth-rfc7523bis", SpecURL: rfc7523bis, Endpoints: []Endpoint{Token, Introspect, Revoke}},
	{Name: JWTBearerAudienceMultiple, Error: "invalid_grant", Status: http.StatusBadRequest, Title: "Assertion names more than one audience",
		Description: "The assertion's aud has {count} values ({aud}); Lucid accepts a single value, {accepted}.",
		Causes: []string{
			"The workload's token was requested for several audiences at once, so every one of those services could replay it here.",
		},
		ClientFix: []string{
			"Request a token from your issuer for Lucid's audience alone (for a Kubernetes projected token, one audience per token).",
		},
		OperatorFix: []string{
			"If the issuer cannot mint single-audience tokens, give it a dedicated audience for Lucid and set audience for it in `trusted_issuers`.",
		},
		Spec: "draft-ietf-oauth-rfc7523bis", SpecURL: rfc7523bis, Endpoints: []Endpoint{Token}},
	{Name: RegistrationJWKSURIRefused, Error: "invalid_client_metadata", Status: http.StatusBadRequest, Title: "jwks_uri cannot be fetched from here",
		Description: "The jwks_uri {jwks_uri} is refused: {reason}.",
		Causes: []string{
			"The jwks_uri uses http; Lucid fetches key sets only over https.",
			"The jwks_uri names localhost or a loopback, private, link-local or unique-local address, which Lucid does not fetch from.",
		},
		ClientFix: []string{
			"Publish the key set at a public https URL and register that URL, or register the keys themselves in jwks.",
		},
		OperatorFix: []string{
			"For local development only, `key_fetch.allow_local: true` (or `LUCID_KEY_FETCH_ALLOW_LOCAL=true`) lets Lucid fetch key sets over http and from local addresses.",
		},
		Spec: "RFC 7591 §2", SpecURL: rfc7591 + "#section-2", Endpoints: []Endpoint{Register}},
	{Name: ScopeNotInAudience, Error: "invalid_scope", Status: http.StatusBadRequest, Title: "Scope belongs to an API outside the token's audience",
		Description: "The scope {scope} belongs to {owner}, which is not among the token's audiences ({audience}); a token carries only the scopes of the APIs it is for.",
		Causes: []string{
			"The request names a resource for one API and a scope of another.",
			"The request names no resource and the client's audiences do not include the API that defines the scope.",
		},
		ClientFix: []string{
			"Ask for one token per API: send the resource of the API that defines the scope, with only that API's scopes.",
		},
		OperatorFix: []string{
			"`lucid api list` shows which API defines each scope; allow the client that API's audience if it should reach it.",
		},
		Spec: "RFC 8707 §2.2", SpecURL: "https://www.rfc-editor.org/rfc/rfc8707#section-2.2", Endpoints: []Endpoint{Token}},
}
