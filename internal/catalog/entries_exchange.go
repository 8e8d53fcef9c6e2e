package catalog

import "net/http"

const rfc8693 = "https://www.rfc-editor.org/rfc/rfc8693"

// exchangeEntries: the token exchange grant (RFC 8693) and the JWT bearer
// authorization grant (RFC 7523 §2.1). RFC 8693 §2.2.2 answers invalid or
// unacceptable subject and actor tokens with invalid_request; RFC 7523
// §3.1 answers every bad assertion with invalid_grant. What the client's
// registration does not allow is unauthorized_client.
var exchangeEntries = []Entry{
	// ---- Token exchange: request shape ----
	{Name: ExchangeTokenTypeUnsupported, Error: "invalid_request", Status: bad, Title: "Token type not accepted for exchange",
		Description: "The {parameter} {value} is not a token type Lucid exchanges. Accepted: {supported}.",
		Causes: []string{
			"The type was sent as a short name such as access_token instead of the full URN.",
			"The client presents a refresh token, a SAML assertion or another server's token, none of which Lucid exchanges.",
		},
		ClientFix: []string{
			"Send urn:ietf:params:oauth:token-type:access_token with an access token from Lucid, or urn:ietf:params:oauth:token-type:id_token with an ID token from Lucid.",
			"To trade another issuer's JWT for a Lucid token, use the JWT bearer grant instead, once the operator trusts that issuer.",
		},
		Spec: "RFC 8693 §3", SpecURL: rfc8693 + "#section-3", Endpoints: []Endpoint{Token}},
	{Name: ExchangeRequestedTypeUnsupported, Error: "invalid_request", Status: bad, Title: "Requested token type not issued",
		Description: "The requested_token_type {value} is not a type Lucid issues by exchange. It issues: {supported}.",
		Causes: []string{
			"The type was sent as a short name such as jwt instead of the full URN.",
			"The client asks for a SAML assertion or another type Lucid does not issue.",
		},
		ClientFix: []string{
			"Leave requested_token_type out to get an access token, or send one of the URNs listed in the description.",
		},
		Spec: "RFC 8693 §2.1", SpecURL: rfc8693 + "#section-2.1", Endpoints: []Endpoint{Token}},
	{Name: ExchangeActorTypeAlone, Error: "invalid_request", Status: bad, Title: "actor_token_type without actor_token",
		Description: "The request has an actor_token_type but no actor_token. Send both for delegation, or neither for impersonation.",
		Causes: []string{
			"The code that builds the request always sets actor_token_type, even when there is no actor token.",
			"The actor token variable was empty, so the library dropped the parameter.",
		},
		ClientFix: []string{
			"Send actor_token_type only together with actor_token.",
		},
		Spec: "RFC 8693 §2.1", SpecURL: rfc8693 + "#section-2.1", Endpoints: []Endpoint{Token}},

	// ---- Token exchange: the presented tokens ----
	{Name: ExchangeTokenInvalid, Error: "invalid_request", Status: bad, Title: "Token to exchange is not valid",
		Description: "The {parameter} is not a valid token from this server: {reason}.",
		Causes: []string{
			"The token was issued by another server, or by another Lucid deployment with its own keys and database.",
			"The value was cut or altered on the way (a missing character, extra whitespace, a quoted string).",
			"The token was signed with a key that Lucid has since retired and stopped publishing.",
		},
		ClientFix: []string{
			"Send the token exactly as Lucid issued it, and only tokens issued by this server.",
		},
		OperatorFix: []string{
			"`lucid explain TRACE_ID` shows which check the token failed.",
		},
		Spec: "RFC 8693 §2.2.2", SpecURL: rfc8693 + "#section-2.2.2", Endpoints: []Endpoint{Token}},
	{Name: ExchangeTokenTypeMismatch, Error: "invalid_request", Status: bad, Title: "Token is not of the stated type",
		Description: "The {parameter} is not a token of type {type}: {reason}.",
		Causes: []string{
			"An ID token was sent with the access token type, or an access token with the ID token type.",
			"An opaque access token was sent with the type urn:ietf:params:oauth:token-type:jwt.",
		},
		ClientFix: []string{
			"Set subject_token_type (or actor_token_type) to the type of the token you send: the access token type for the access_token of a token response, the ID token type for its id_token.",
		},
		Spec: "RFC 8693 §2.1", SpecURL: rfc8693 + "#section-2.1", Endpoints: []Endpoint{Token}},
	{Name: ExchangeTokenExpired, Error: "invalid_request", Status: bad, Title: "Token to exchange has expired",
		Description: "The {parameter} expired at {expired_at}, {ago} ago; only tokens that are still valid can be exchanged.",
		Causes: []string{
			"The service kept the token it received and exchanged it after it expired.",
			"The request waited in a queue, or was retried, for longer than the token lives.",
		},
		ClientFix: []string{
			"Exchange a token when you receive it, and get a fresh token from its owner when it has expired.",
		},
		Spec: "RFC 8693 §2.2.2", SpecURL: rfc8693 + "#section-2.2.2", Endpoints: []Endpoint{Token}},
	{Name: ExchangeTokenRevoked, Error: "invalid_request", Status: bad, Title: "Token to exchange was revoked",
		Description: "The {parameter} was revoked ({reason}); a revoked token cannot be exchanged.",
		Causes: []string{
			"The token's client revoked it, for example when the user signed out.",
			"The whole grant was revoked: the user withdrew consent, or a refresh token or code was replayed.",
		},
		ClientFix: []string{
			"Stop using the token and ask its owner for a new one; the user may have to sign in again.",
		},
		Spec: "RFC 8693 §2.2.2", SpecURL: rfc8693 + "#section-2.2.2", Endpoints: []Endpoint{Token}},
	{Name: ExchangeTokenOtherClient, Error: "invalid_request", Status: bad, Title: "Token belongs to a client this one may not exchange for",
		Description: "The {parameter} was issued to another client, and the client {client_id} may exchange only its own tokens and those of the clients its exchange policy names.",
		Causes: []string{
			"A front end passed its user's token to a backend whose exchange policy does not name the front end.",
			"The token came from a client that was added after the policy was written.",
		},
		ClientFix: []string{
			"Exchange tokens issued to your own client, or ask the operator to let your client exchange the other client's tokens.",
		},
		OperatorFix: []string{
			"`lucid explain TRACE_ID` names the client the token was issued to; allow it with `lucid client update CLIENT_ID --exchange-subject-client OTHER_CLIENT_ID`.",
		},
		Spec: "RFC 8693 §2.2.2", SpecURL: rfc8693 + "#section-2.2.2", Endpoints: []Endpoint{Token}},

	// ---- Token exchange: policy ----
	{Name: ExchangeImpersonationNotAllowed, Error: "unauthorized_client", Status: bad, Title: "Client may not impersonate",
		Description: "The client {client_id} may not exchange tokens by impersonation, that is without an actor_token.",
		Causes: []string{
			"The client's exchange policy allows delegation only, so every exchange must name the actor.",
			"The client has the token exchange grant but no exchange policy yet.",
		},
		ClientFix: []string{
			"Send your own access token as actor_token (delegation) if your policy allows it, or ask the operator to allow impersonation.",
		},
		OperatorFix: []string{
			"Allow impersonation only for a client you trust to act as its users: `lucid client update CLIENT_ID --exchange-impersonation`.",
		},
		Spec: "RFC 8693 §1.1", SpecURL: rfc8693 + "#section-1.1", Endpoints: []Endpoint{Token}},
	{Name: ExchangeDelegationNotAllowed, Error: "unauthorized_client", Status: bad, Title: "Client may not delegate",
		Description: "The client {client_id} may not exchange tokens by delegation, that is with an actor_token.",
		Causes: []string{
			"The client's exchange policy allows impersonation only.",
			"The client has the token exchange grant but no exchange policy yet.",
		},
		ClientFix: []string{
			"Leave actor_token and actor_token_type out if your policy allows impersonation, or ask the operator to allow delegation.",
		},
		OperatorFix: []string{
			"Allow delegation: `lucid client update CLIENT_ID --exchange-delegation`.",
		},
		Spec: "RFC 8693 §1.1", SpecURL: rfc8693 + "#section-1.1", Endpoints: []Endpoint{Token}},
	{Name: ExchangeDelegationTooDeep, Error: "invalid_request", Status: bad, Title: "Delegation chain too long",
		Description: "The new token would name {depth} actors in nested act claims; Lucid allows at most {max}.",
		Causes: []string{
			"Services pass a delegated token along a long chain, each exchanging it again with its own actor token.",
			"Two services exchange each other's delegated tokens in a loop.",
		},
		ClientFix: []string{
			"Exchange the token your caller received from the user rather than a token that was already delegated several times.",
		},
		Spec: "RFC 8693 §4.1", SpecURL: rfc8693 + "#section-4.1", Endpoints: []Endpoint{Token}},
	{Name: ExchangeAudienceNotAllowed, Error: "invalid_target", Status: bad, Title: "Client may not exchange for this target",
		Description: "The client {client_id} may not exchange tokens for the {parameter} {value}. Its exchange audiences: {allowed}.",
		Causes: []string{
			"The client asks for an API that its exchange policy does not list.",
			"The value differs in a character from the registered audience (trailing slash, http versus https, letter case).",
		},
		ClientFix: []string{
			"Use one of the exchange audiences listed in the description, character for character.",
		},
		OperatorFix: []string{
			"Allow the target for exchanges: `lucid client update CLIENT_ID --exchange-audience https://api.example.com`.",
		},
		Spec: "RFC 8693 §2.2.2", SpecURL: rfc8693 + "#section-2.2.2", Endpoints: []Endpoint{Token}},
	{Name: ExchangeAudienceMissing, Error: "invalid_target", Status: bad, Title: "Exchange names no target",
		Description: "The request names no audience or resource, and the client {client_id} has no single exchange audience to default to (it has: {allowed}).",
		Causes: []string{
			"The client may exchange for several APIs and did not say which one the new token is for.",
			"The client has no exchange audience at all.",
		},
		ClientFix: []string{
			"Send audience=API_IDENTIFIER (or resource=API_IDENTIFIER) naming the API you will call with the new token.",
		},
		OperatorFix: []string{
			"Give the client its exchange targets: `lucid client update CLIENT_ID --exchange-audience https://api.example.com`.",
		},
		Spec: "RFC 8693 §2.1", SpecURL: rfc8693 + "#section-2.1", Endpoints: []Endpoint{Token}},
	{Name: ExchangeTargetNotApplicable, Error: "invalid_target", Status: bad, Title: "Target given for a token without one",
		Description: "The request names a {parameter}, but a requested {requested} has no target to choose: an ID token is always for the requesting client, and a refresh token is redeemed at Lucid.",
		Causes: []string{
			"The client sends the same audience or resource with every exchange, whatever token type it asks for.",
		},
		ClientFix: []string{
			"Leave audience and resource out when requested_token_type is the ID token or refresh token type.",
		},
		Spec: "RFC 8693 §2.1", SpecURL: rfc8693 + "#section-2.1", Endpoints: []Endpoint{Token}},
	{Name: ExchangeScopeWidened, Error: "invalid_scope", Status: bad, Title: "Exchange asks for more scope than the subject token has",
		Description: "The scope {scope} is not in the subject_token, which has {granted}; an exchange can only narrow the scope.",
		Causes: []string{
			"The client asks for the scopes it needs downstream without checking what the user granted.",
			"The subject token is an ID token, whose scope for an exchange is openid alone.",
		},
		ClientFix: []string{
			"Ask for a subset of the subject token's scope, or leave scope out to keep what the subject token and your client share.",
			"If the user must grant more, have the front end ask the user for the wider scope first.",
		},
		Spec: "RFC 8693 §2.1", SpecURL: rfc8693 + "#section-2.1", Endpoints: []Endpoint{Token}},
	{Name: ExchangeNeedsUser, Error: "invalid_request", Status: bad, Title: "Token type needs a user as subject",
		Description: "A requested {requested} can only be issued about a user, and the subject_token's subject is not one of Lucid's users.",
		Causes: []string{
			"The subject token was issued with client_credentials or the JWT bearer grant, so its subject is a client or a workload.",
			"The subject token was itself exchanged from an ID token, which leaves no grant to tie a user's tokens to.",
		},
		ClientFix: []string{
			"Request an access token instead, or exchange a token the user's sign-in produced.",
		},
		Spec: "RFC 8693 §2.1", SpecURL: rfc8693 + "#section-2.1", Endpoints: []Endpoint{Token}},
	{Name: ExchangeIDTokenNeedsOpenID, Error: "invalid_scope", Status: bad, Title: "ID token requested without openid",
		Description: "An ID token needs the openid scope, and the scope of this exchange ({granted}) does not include it.",
		Causes: []string{
			"The subject token was granted without openid.",
			"The requesting client is not allowed the openid scope, or the scope parameter left it out.",
		},
		ClientFix: []string{
			"Include openid in the scope parameter, and exchange a subject token that was granted openid.",
		},
		OperatorFix: []string{
			"Allow the scope for the client: `lucid client update CLIENT_ID --scope openid`.",
		},
		Spec: "OIDC Core §3.1.2.1", SpecURL: oidc + "#AuthRequest", Endpoints: []Endpoint{Token}},
	{Name: ExchangeRefreshNotAllowed, Error: "unauthorized_client", Status: bad, Title: "Client may not hold refresh tokens",
		Description: "The client {client_id} may not get a refresh token: it is not registered for the refresh_token grant.",
		Causes: []string{
			"The client was registered for token exchange alone, so it cannot redeem a refresh token later.",
		},
		ClientFix: []string{
			"Request an access token instead, or ask the operator to allow refresh tokens for your client.",
		},
		OperatorFix: []string{
			"Allow refresh tokens: `lucid client update CLIENT_ID --grant-type refresh_token`.",
		},
		Spec: "RFC 8693 §2.1", SpecURL: rfc8693 + "#section-2.1", Endpoints: []Endpoint{Token}},
	{Name: ExchangeRefreshWithActor, Error: "invalid_request", Status: bad, Title: "No refresh token by delegation",
		Description: "Lucid issues refresh tokens by impersonation only: the tokens refreshed later could not carry the act claim that names the actor.",
		Causes: []string{
			"The client asks for long-lived delegated access by combining an actor_token with the refresh token type.",
		},
		ClientFix: []string{
			"Request an access token with the actor_token, and exchange again when it expires.",
		},
		Spec: "RFC 8693 §4.1", SpecURL: rfc8693 + "#section-4.1", Endpoints: []Endpoint{Token}},

	// ---- JWT bearer grant ----
	{Name: JWTBearerMalformed, Error: "invalid_grant", Status: bad, Title: "Assertion is not a usable JWT",
		Description: "The assertion is not a usable signed JWT: {reason}.",
		Causes: []string{
			"The assertion parameter holds something else: an opaque token, a file path, or a JWT wrapped in quotes or whitespace.",
			"The assertion is encrypted (JWE) rather than signed, or its claims have the wrong types.",
		},
		ClientFix: []string{
			"Send the issuer's signed JWT (three base64url parts separated by dots) unchanged in the assertion parameter.",
		},
		Spec: "RFC 7523 §3", SpecURL: rfc7523 + "#section-3", Endpoints: []Endpoint{Token}},
	{Name: JWTBearerAlgNotAllowed, Error: "invalid_grant", Status: bad, Title: "Assertion algorithm not accepted",
		Description: "The assertion is signed with {alg}, which Lucid does not accept for assertions. Accepted: {allowed}.",
		Causes: []string{
			"The assertion is unsigned (alg none) or signed with a shared secret (HS256), which proves nothing about its issuer.",
			"The issuer signs with an RSA key shorter than 2048 bits.",
		},
		ClientFix: []string{
			"Present a token the issuer signed with one of the accepted algorithms; most workload identity issuers sign with RS256 or ES256.",
		},
		Spec: "RFC 7523 §3", SpecURL: rfc7523 + "#section-3", Endpoints: []Endpoint{Token}},
	{Name: JWTBearerIssuerUntrusted, Error: "invalid_grant", Status: bad, Title: "Assertion issuer not trusted",
		Description: "The assertion's issuer {iss} is not one Lucid trusts for the JWT bearer grant.",
		Causes: []string{
			"The operator has not configured this issuer.",
			"The iss claim differs from the configured issuer in a character, such as a trailing slash or another host name for the same cluster.",
			"The workload presents a token from the wrong source, for example another cluster's service account token.",
		},
		ClientFix: []string{
			"Present a token from an issuer the operator trusts, or ask the operator to trust yours and tell them its exact iss value.",
		},
		OperatorFix: []string{
			"Add the issuer, with its jwks_uri or jwks_file, to `trusted_issuers` in the configuration file and restart Lucid.",
		},
		Spec: "RFC 7523 §3", SpecURL: rfc7523 + "#section-3", Endpoints: []Endpoint{Token}},
	{Name: JWTBearerIssuerNotAllowed, Error: "unauthorized_client", Status: bad, Title: "Client may not present this issuer's assertions",
		Description: "The client {client_id} may not present assertions from {iss}. Its allowed issuers: {allowed}.",
		Causes: []string{
			"The issuer is trusted, but the client's JWT bearer policy does not name it.",
			"The workload uses another client's credentials.",
		},
		ClientFix: []string{
			"Authenticate as the client registered for this workload, or ask the operator to allow the issuer for your client.",
		},
		OperatorFix: []string{
			"Allow the issuer for the client: `lucid client update CLIENT_ID --jwt-bearer-issuer ISSUER`.",
		},
		Spec: "RFC 7523 §3", SpecURL: rfc7523 + "#section-3", Endpoints: []Endpoint{Token}},
	{Name: JWTBearerKeysUnavailable, Error: "temporarily_unavailable", Status: http.StatusServiceUnavailable, Title: "Issuer keys unavailable",
		Description: "Lucid could not get the public keys of the issuer {iss}: {reason}. Retry later.",
		Causes: []string{
			"The issuer's jwks_uri does not answer, times out, or returns an error status.",
			"The jwks_uri returns something other than a JWK set.",
			"A firewall or network policy keeps Lucid from reaching the issuer.",
		},
		ClientFix: []string{
			"Retry after a short wait; if the failure persists, tell the operator the trace id.",
		},
		OperatorFix: []string{
			"`lucid explain TRACE_ID` shows the jwks_uri and the error; fetch it from the Lucid host.",
			"If the issuer's keys cannot be reached from Lucid, copy them into a file and set jwks_file for the issuer in `trusted_issuers`.",
		},
		Spec: "RFC 7517 §5", SpecURL: "https://www.rfc-editor.org/rfc/rfc7517#section-5", Endpoints: []Endpoint{Token}},
	{Name: JWTBearerKeyUnknown, Error: "invalid_grant", Status: bad, Title: "Assertion key unknown",
		Description: "The issuer {iss} publishes no key with kid {kid}.",
		Causes: []string{
			"The issuer rotated its keys and Lucid has not fetched the new set yet; it fetches again at most every 30 seconds.",
			"The assertion comes from another issuer that uses the same iss value, such as a second cluster configured alike.",
		},
		ClientFix: []string{
			"Retry in a minute after a key rotation; if it persists, check that the token comes from the issuer the operator trusts.",
		},
		OperatorFix: []string{
			"`lucid explain TRACE_ID` lists the kids Lucid holds for the issuer; with jwks_file, update the file with the issuer's new keys.",
		},
		Spec: "RFC 7515 §4.1.4", SpecURL: "https://www.rfc-editor.org/rfc/rfc7515#section-4.1.4", Endpoints: []Endpoint{Token}},
	{Name: JWTBearerKeyNotChosen, Error: "invalid_grant", Status: bad, Title: "Assertion does not name its key",
		Description: "The assertion has no kid, and {fitting} of the keys of {iss} can verify {alg}; Lucid needs exactly one.",
		Causes: []string{
			"The issuer publishes several keys but does not put a kid in its tokens.",
			"The issuer publishes no key of the kind the assertion's algorithm needs.",
		},
		ClientFix: []string{
			"Present a token whose header names its key with kid; most issuers can be configured to add it.",
		},
		Spec: "RFC 7515 §4.1.4", SpecURL: "https://www.rfc-editor.org/rfc/rfc7515#section-4.1.4", Endpoints: []Endpoint{Token}},
	{Name: JWTBearerSignatureInvalid, Error: "invalid_grant", Status: bad, Title: "Assertion signature invalid",
		Description: "The assertion's signature does not verify with the key {kid} of {iss}.",
		Causes: []string{
			"The token was altered after it was signed.",
			"The token was signed by another party that reuses the issuer's iss and kid.",
			"The header's alg does not match the kind of the key named by kid.",
		},
		ClientFix: []string{
			"Send the token exactly as the issuer produced it.",
		},
		Spec: "RFC 7523 §3", SpecURL: rfc7523 + "#section-3", Endpoints: []Endpoint{Token}},
	{Name: JWTBearerAudienceInvalid, Error: "invalid_grant", Status: bad, Title: "Assertion not meant for Lucid",
		Description: "The assertion's aud is {aud}; Lucid accepts {accepted}.",
		Causes: []string{
			"The workload presents a token minted for another service, such as the cluster's own API server.",
			"The token was requested with an audience other than the one configured for the issuer.",
		},
		ClientFix: []string{
			"Request the token from your issuer with the audience named in the description (for a Kubernetes projected token, set its audience field).",
		},
		OperatorFix: []string{
			"To accept another audience, set audience for the issuer in `trusted_issuers`.",
		},
		Spec: "RFC 7523 §3", SpecURL: rfc7523 + "#section-3", Endpoints: []Endpoint{Token}},
	{Name: JWTBearerExpiryMissing, Error: "invalid_grant", Status: bad, Title: "Assertion has no expiry",
		Description: "The assertion has no exp claim; Lucid accepts only assertions that expire.",
		Causes: []string{
			"The issuer mints tokens that never expire, such as legacy Kubernetes service account secrets.",
		},
		ClientFix: []string{
			"Present a short-lived token, such as a projected service account token, instead of a long-lived secret.",
		},
		Spec: "RFC 7523 §3", SpecURL: rfc7523 + "#section-3", Endpoints: []Endpoint{Token}},
	{Name: JWTBearerExpired, Error: "invalid_grant", Status: bad, Title: "Assertion expired",
		Description: "The assertion expired at {exp}, {ago} ago (the server time is {now}).",
		Causes: []string{
			"The workload reads its token once at start-up and keeps using it after it expired.",
			"The clocks of the issuer and Lucid differ by more than a minute.",
		},
		ClientFix: []string{
			"Read the token again before each exchange; platforms such as Kubernetes rotate the file for you.",
		},
		Spec: "RFC 7523 §3", SpecURL: rfc7523 + "#section-3", Endpoints: []Endpoint{Token}},
	{Name: JWTBearerNotYetValid, Error: "invalid_grant", Status: bad, Title: "Assertion not valid yet",
		Description: "The assertion's {claim} is {time}, {ahead} after the server time {now}: it is not valid yet; the issuer's clock is {ahead} ahead, or {claim} is not the current time.",
		Causes: []string{
			"The issuer's clock runs ahead of Lucid's by more than a minute.",
		},
		ClientFix: []string{
			"Synchronise the clocks of the issuer and the Lucid host with NTP.",
		},
		Spec: "RFC 7519 §4.1.5", SpecURL: "https://www.rfc-editor.org/rfc/rfc7519#section-4.1.5", Endpoints: []Endpoint{Token}},
	{Name: JWTBearerLifetimeTooLong, Error: "invalid_grant", Status: bad, Title: "Assertion lives too long",
		Description: "The assertion is valid for {lifetime}; assertions from {iss} may be valid for at most {max}.",
		Causes: []string{
			"The workload requested a token with a long expiry, such as a day.",
			"The issuer's default token lifetime is longer than the limit the operator set.",
		},
		ClientFix: []string{
			"Request shorter-lived tokens from your issuer, within the limit named in the description.",
		},
		OperatorFix: []string{
			"If longer assertions are acceptable for this issuer, raise max_lifetime for it in `trusted_issuers`.",
		},
		Spec: "RFC 7523 §3", SpecURL: rfc7523 + "#section-3", Endpoints: []Endpoint{Token}},
	{Name: JWTBearerSubjectMissing, Error: "invalid_grant", Status: bad, Title: "Assertion has no subject",
		Description: "The assertion has no sub claim; the sub names the workload the access token is for.",
		Causes: []string{
			"The issuer does not put a subject in its tokens.",
		},
		ClientFix: []string{
			"Present a token that names its subject; service account and CI tokens do.",
		},
		Spec: "RFC 7523 §3", SpecURL: rfc7523 + "#section-3", Endpoints: []Endpoint{Token}},
	{Name: JWTBearerSubjectNotAllowed, Error: "unauthorized_client", Status: bad, Title: "Client may not present assertions about this subject",
		Description: "The client {client_id} may not present assertions about the subject {sub}. Its allowed subjects: {allowed}.",
		Causes: []string{
			"The workload runs under another identity (service account, namespace or repository) than the one its client is registered for.",
			"A subject was renamed and the client's policy still names the old one.",
		},
		ClientFix: []string{
			"Run the workload under the identity its client allows, or ask the operator to allow this subject.",
		},
		OperatorFix: []string{
			"Allow the subject (a trailing * allows a prefix): `lucid client update CLIENT_ID --jwt-bearer-subject SUBJECT`.",
		},
		Spec: "RFC 7523 §3", SpecURL: rfc7523 + "#section-3", Endpoints: []Endpoint{Token}},
	{Name: JWTBearerJTIMissing, Error: "invalid_grant", Status: bad, Title: "Assertion has no jti",
		Description: "The assertion has no jti claim, and assertions from {iss} are accepted once each, by their jti.",
		Causes: []string{
			"The issuer does not put a unique id in its tokens.",
		},
		ClientFix: []string{
			"Present a token that carries a jti, or ask the operator how this issuer is configured.",
		},
		OperatorFix: []string{
			"If the issuer's tokens are meant to be presented many times, set allow_reuse for it in `trusted_issuers`.",
		},
		Spec: "RFC 7523 §3", SpecURL: rfc7523 + "#section-3", Endpoints: []Endpoint{Token}},
	{Name: JWTBearerReplayed, Error: "invalid_grant", Status: bad, Title: "Assertion already used",
		Description: "An assertion from {iss} with jti {jti} was already used; each is accepted once.",
		Causes: []string{
			"The workload presents the same token for every exchange instead of a fresh one.",
			"A retry after a network timeout sent the same assertion again.",
			"Someone replayed an intercepted assertion.",
		},
		ClientFix: []string{
			"Get a fresh token from your issuer for every exchange, including retries.",
		},
		OperatorFix: []string{
			"If the issuer's tokens are meant to be presented many times (Kubernetes service account tokens), set allow_reuse for it in `trusted_issuers`.",
		},
		Spec: "RFC 7523 §3", SpecURL: rfc7523 + "#section-3", Endpoints: []Endpoint{Token}},
}
