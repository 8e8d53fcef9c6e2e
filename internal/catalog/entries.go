package catalog

import (
	"net/http"
	"slices"
)

const (
	rfc6749 = "https://www.rfc-editor.org/rfc/rfc6749"
	rfc6750 = "https://www.rfc-editor.org/rfc/rfc6750"
	rfc7636 = "https://www.rfc-editor.org/rfc/rfc7636"
	rfc7523 = "https://www.rfc-editor.org/rfc/rfc7523"
	oidc    = "https://openid.net/specs/openid-connect-core-1_0.html"
	logout  = "https://openid.net/specs/openid-connect-rpinitiated-1_0.html"
	bcp     = "https://www.rfc-editor.org/rfc/rfc9700"
)

const (
	bad    = http.StatusBadRequest
	unauth = http.StatusUnauthorized
)

// entries is the catalog, one table assembled from a slice per feature
// (each in its own file). Descriptions use {placeholders} filled per request.
var entries = slices.Concat(coreEntries, m2mEntries, registrationEntries, exchangeEntries, hardeningEntries, mistakeEntries, senderEntries, protocolEntries, healthEntries, grantEntries, peopleEntries, federationEntries, operationsEntries)

// coreEntries cover the core: requests, the authorization code flow,
// client authentication, tokens at userinfo, sign-in and the admin API.
var coreEntries = []Entry{
	// ---- Request shape ----
	{Name: ParameterMissing, Error: "invalid_request", Status: bad, Title: "A required parameter is missing",
		Description: "The request has no {parameter} parameter, which this endpoint requires.",
		Causes: []string{
			"The request was built by hand and leaves out a parameter this endpoint or grant needs, such as code or redirect_uri at the token endpoint or response_type at the authorization endpoint.",
			"A configured value was empty (for example an unset environment variable), so the library silently dropped the parameter.",
			"The parameter was sent where Lucid does not read it, such as a JSON body, a header, or the query string of a POST to the token endpoint.",
		},
		ClientFix: []string{
			"Add the parameter named in the description; the linked specification section lists every parameter the request needs.",
			"Send token, introspection and revocation parameters in a form-encoded POST body.",
			"Log the outgoing request without its secrets and check that every configured value is non-empty.",
		},
		Spec: "RFC 6749 §5.2", SpecURL: rfc6749 + "#section-5.2", Endpoints: []Endpoint{Authorize, Token, Introspect, Revoke}},
	{Name: ParameterDuplicated, Error: "invalid_request", Status: bad, Title: "A parameter is given more than once",
		Description: "The {parameter} parameter appears more than once; OAuth parameters must not be repeated.",
		Causes: []string{
			"The client appends parameters to a configured URL that already carries them, for example an authorization URL that already contains client_id or scope.",
			"A library adds a parameter such as client_id or scope and the application adds it a second time.",
			"Several scopes were sent as repeated scope parameters instead of one space-separated value.",
		},
		ClientFix: []string{
			"Send each parameter exactly once; remove from configured base URLs any parameter the library adds itself.",
			"Put all scopes in one scope value, separated by single spaces.",
		},
		Spec: "RFC 6749 §3.1", SpecURL: rfc6749 + "#section-3.1", Endpoints: []Endpoint{Authorize, Token, Introspect, Revoke}},
	{Name: ParameterMalformed, Error: "invalid_request", Status: bad, Title: "A parameter is malformed",
		Description: "The {parameter} parameter is malformed: {expected}.",
		Causes: []string{
			"The value does not have the form the specification defines; the description says which form was expected.",
			"The value was URL-encoded twice, or not at all, so it arrived altered.",
			"Whitespace or a line break was copied into the value from a configuration file.",
		},
		ClientFix: []string{
			"Send the value in the form named after the colon in the description.",
			"Let the HTTP library form-encode parameters exactly once, and trim configured values.",
		},
		Spec: "RFC 6749 §5.2", SpecURL: rfc6749 + "#section-5.2", Endpoints: []Endpoint{Authorize, Token, Introspect, Revoke}},
	{Name: MethodNotAllowed, Error: "invalid_request", Status: http.StatusMethodNotAllowed, Title: "HTTP method not allowed",
		Description: "This endpoint accepts {allowed}, not {method}.",
		Causes: []string{
			"The endpoint was called with a method it does not accept, for example GET on the token endpoint (opened in a browser, or curl without a body), where only POST is accepted.",
			"A redirect between the client and Lucid (http to https, or an added trailing slash) made the client repeat the POST as a GET.",
		},
		ClientFix: []string{
			"Use a method named in the description; token, introspection and revocation requests are POST.",
			"Call the endpoint URL exactly as the discovery document gives it, with https, so no redirect happens on the way.",
		},
		OperatorFix: []string{
			"If a reverse proxy sits in front of Lucid, make sure it forwards POST requests unchanged instead of redirecting them.",
		},
		Spec: "RFC 6749 §3.2", SpecURL: rfc6749 + "#section-3.2", Endpoints: []Endpoint{Token, Introspect, Revoke, Authorize, UserInfo, EndSession, Register}},
	{Name: ContentTypeInvalid, Error: "invalid_request", Status: bad, Title: "The body is not form-encoded",
		Description: "The request body has Content-Type {content_type}; this endpoint reads only application/x-www-form-urlencoded.",
		Causes: []string{
			"The client sends a JSON body (Content-Type application/json); OAuth token, introspection and revocation requests are form-encoded.",
			"The client sends multipart/form-data, as some HTTP libraries do when given a form object.",
			"The request has no Content-Type header at all.",
		},
		ClientFix: []string{
			"Send Content-Type application/x-www-form-urlencoded with a body of key=value pairs joined by &.",
			"In JavaScript pass a URLSearchParams object as the body, not JSON.stringify output or FormData.",
		},
		Spec: "RFC 6749 §4.1.3", SpecURL: rfc6749 + "#section-4.1.3", Endpoints: []Endpoint{Token, Introspect, Revoke}},
	{Name: SecretInQuery, Error: "invalid_request", Status: bad, Title: "A secret was sent in the URL query",
		Description: "The parameter {parameter} was sent in the URL query string. Secrets belong in the POST body, where they are not written to access logs.",
		Causes: []string{
			"The client builds the token request URL with client_secret, code, code_verifier, refresh_token or client_assertion in the query string, as if it were a GET request.",
			"The token endpoint URL configured in the client already contains credentials.",
		},
		ClientFix: []string{
			"Move the parameter into the form-encoded POST body, or send client credentials in the Authorization Basic header.",
			"Treat the value as exposed, because URLs end up in proxy and server access logs; replace the secret, and discard the code or token.",
		},
		OperatorFix: []string{
			"If a client secret was sent this way, issue a new one and retire the old one, for example with `lucid client rotate-secret CLIENT_ID`.",
		},
		Spec: "RFC 6749 §3.2", SpecURL: rfc6749 + "#section-3.2", Endpoints: []Endpoint{Token}},
	{Name: BodyTooLarge, Error: "invalid_request", Status: http.StatusRequestEntityTooLarge, Title: "The request body is too large",
		Description: "The request body is larger than the {limit} bytes this endpoint accepts.",
		Causes: []string{
			"A client assertion or parameter is much larger than needed, for example a JWT with an embedded certificate chain.",
			"A file or unrelated payload was posted to an OAuth endpoint by mistake.",
			"A bug in the client repeats parameters until the body overflows.",
		},
		ClientFix: []string{
			"Send only the parameters the endpoint defines and keep client assertions small (no x5c chain).",
		},
		Spec: "RFC 6749 §5.2", SpecURL: rfc6749 + "#section-5.2", Endpoints: []Endpoint{Token, Introspect, Revoke, Authorize, Register, UserInfo}},
	{Name: GrantTypeMissing, Error: "invalid_request", Status: bad, Title: "grant_type is missing",
		Description: "The token request has no grant_type. Supported grant types: {supported}.",
		Causes: []string{
			"The token request was built by hand and grant_type was left out.",
			"The parameters were sent as JSON or in the URL query, so the form body that Lucid reads had no grant_type.",
		},
		ClientFix: []string{
			"Add grant_type to the form body, for example grant_type=authorization_code or grant_type=refresh_token.",
		},
		Spec: "RFC 6749 §4.1.3", SpecURL: rfc6749 + "#section-4.1.3", Endpoints: []Endpoint{Token}},
	{Name: GrantTypeUnsupported, Error: "unsupported_grant_type", Status: bad, Title: "Grant type not supported",
		Description: "The grant_type {grant_type} is not supported by this server. Supported grant types: {supported}.",
		Causes: []string{
			"The client uses a grant this server does not implement, such as the resource owner password grant or the device authorization grant.",
			"The grant_type value is misspelled, or a URN-style grant type is shortened or encoded twice.",
		},
		ClientFix: []string{
			"Use one of the grant types listed in the description; the discovery document lists them under grant_types_supported.",
			"To sign a user in, use authorization_code with PKCE instead of the password grant.",
		},
		Spec: "RFC 6749 §5.2", SpecURL: rfc6749 + "#section-5.2", Endpoints: []Endpoint{Token}},
	{Name: GrantTypeNotAllowed, Error: "unauthorized_client", Status: bad, Title: "Grant type not allowed for this client",
		Description: "The client {client_id} is not allowed to use grant_type {grant_type}. Its registered grant types: {allowed}.",
		Causes: []string{
			"The client's registration does not include this grant type; for example refresh_token was never enabled for it.",
			"The application is configured with the client_id of another registration, made for a different kind of application.",
		},
		ClientFix: []string{
			"Use one of the client's registered grant types listed in the description, or ask the operator to add the one you need.",
		},
		OperatorFix: []string{
			"If the client should use this grant, add it to the registration, for example `lucid client update CLIENT_ID --grant-type GRANT_TYPE`.",
		},
		Spec: "RFC 6749 §5.2", SpecURL: rfc6749 + "#section-5.2", Endpoints: []Endpoint{Token}},
	{Name: MaxAgeInvalid, Error: "invalid_request", Status: bad, Title: "max_age is not a non-negative integer",
		Description: "max_age must be a non-negative whole number of seconds; got {value}.",
		Causes: []string{
			"max_age was sent as a duration string such as 1h or 3600s instead of a number of seconds.",
			"max_age was negative, fractional, or empty because a configured value was not set.",
		},
		ClientFix: []string{
			"Send max_age as a whole number of seconds, such as max_age=3600, or leave it out.",
		},
		Spec: "OIDC Core §3.1.2.1", SpecURL: oidc + "#AuthRequest", Endpoints: []Endpoint{Authorize}},
	{Name: PromptUnknown, Error: "invalid_request", Status: bad, Title: "Unknown prompt value",
		Description: "prompt contains {value}, which is not one of none, login, consent, select_account.",
		Causes: []string{
			"The value is misspelled, or is a value from another provider or a newer specification that Lucid does not implement, such as create.",
			"Several values were joined with commas or a literal plus sign instead of spaces.",
		},
		ClientFix: []string{
			"Use only none, login, consent and select_account, separated by single spaces.",
		},
		Spec: "OIDC Core §3.1.2.1", SpecURL: oidc + "#AuthRequest", Endpoints: []Endpoint{Authorize}},
	{Name: PromptNoneCombined, Error: "invalid_request", Status: bad, Title: "prompt=none combined with another value",
		Description: "prompt is {value}: none cannot be combined with any other prompt value.",
		Causes: []string{
			"The client adds prompt=none for silent renewal on top of a prompt value it always sends, such as login or consent.",
			"The prompt value is assembled from several settings, such as a default and a per-request value, and the combination was never checked.",
		},
		ClientFix: []string{
			"Send prompt=none on its own for silent requests, and other prompt values only on interactive requests.",
		},
		Spec: "OIDC Core §3.1.2.1", SpecURL: oidc + "#AuthRequest", Endpoints: []Endpoint{Authorize}},
	{Name: ResponseModeUnknown, Error: "invalid_request", Status: bad, Title: "Unknown response_mode",
		Description: "response_mode {value} is not supported. Supported: query, fragment, form_post, and their JWT-secured forms jwt, query.jwt, fragment.jwt, form_post.jwt.",
		Causes: []string{
			"The client asks for a response mode Lucid does not implement, such as web_message.",
			"The value is misspelled, for example form-post instead of form_post, or jwt.query instead of query.jwt.",
		},
		ClientFix: []string{
			"Use one of the modes in response_modes_supported of the discovery document, or leave response_mode out to get the default for the response type.",
		},
		Spec: "OAuth 2.0 Multiple Response Types §2.1", SpecURL: "https://openid.net/specs/oauth-v2-multiple-response-types-1_0.html#ResponseModes", Endpoints: []Endpoint{Authorize}},
	{Name: RequestURIUnsupp, Error: "request_uri_not_supported", Status: bad, Title: "request_uri from elsewhere is not supported",
		Description: "Lucid accepts only the request_uri values its own pushed authorization request endpoint issues (urn:ietf:params:oauth:request_uri:...); it does not fetch authorization requests from other locations.",
		Causes: []string{
			"The client hosts a request object at a URL of its own and sends that URL as request_uri.",
			"The client configuration was copied from another provider and sends a request_uri that provider issued.",
		},
		ClientFix: []string{
			"Push the authorization request to the pushed_authorization_request_endpoint from the discovery document and send the request_uri of its answer, or send the parameters directly.",
		},
		Spec: "RFC 9126 §4", SpecURL: "https://www.rfc-editor.org/rfc/rfc9126#section-4", Endpoints: []Endpoint{Authorize}},

	// ---- Client identity and authentication ----
	{Name: ClientUnknown, Error: "invalid_client", Status: unauth, Title: "Unknown client",
		Description: "No client with client_id {client_id} is registered here.",
		Causes: []string{
			"The client_id is misspelled, truncated, or has whitespace around it.",
			"The client is registered on another Lucid server or environment (for example staging instead of production), or it was deleted.",
			"The application sends a client name or a secret id where the client_id belongs.",
		},
		ClientFix: []string{
			"Copy the client_id exactly from the registration and compare it with what the request sends, character for character.",
			"Check that the application talks to the issuer for its environment.",
		},
		OperatorFix: []string{
			"Check whether the client exists with `lucid client list`; register it if it is missing with `lucid client create`.",
		},
		Spec: "RFC 6749 §5.2", SpecURL: rfc6749 + "#section-5.2", Endpoints: []Endpoint{Token, Introspect, Revoke}},
	{Name: ClientDisabled, Error: "invalid_client", Status: unauth, Title: "Client disabled",
		Description: "The client {client_id} has been disabled by an administrator.",
		Causes: []string{
			"An administrator disabled the client, for example after a suspected secret leak or when the application was retired.",
			"An application that was meant to be decommissioned is still running.",
		},
		ClientFix: []string{
			"Contact the operator of this Lucid server; requests from this client fail until it is enabled again.",
		},
		OperatorFix: []string{
			"If the client should work again, enable it with `lucid client enable CLIENT_ID`; if it was disabled because of a leak, rotate its secret first.",
		},
		Spec: "RFC 6749 §5.2", SpecURL: rfc6749 + "#section-5.2", Endpoints: []Endpoint{Token, Introspect, Revoke}},
	{Name: ClientCredentialsMissing, Error: "invalid_client", Status: unauth, Title: "No client credentials",
		Description: "The client {client_id} is confidential (token_endpoint_auth_method {method}) but the request carries no credentials.",
		Causes: []string{
			"The client sends only client_id, as a public client would, but it is registered as confidential.",
			"The secret setting in the application is empty (for example an unset environment variable), so the library skipped client authentication.",
			"A proxy between the client and Lucid removed the Authorization header.",
		},
		ClientFix: []string{
			"Authenticate with the registered method named in the description, client_secret_basic (Authorization Basic header), client_secret_post (client_secret in the body) or private_key_jwt (client_assertion).",
			"Check that the running application has actually loaded its secret or private key.",
			"If the application cannot keep a secret (a single-page or mobile app), ask the operator to register it as a public client that uses PKCE.",
		},
		OperatorFix: []string{
			"If a reverse proxy sits in front of Lucid, check that it forwards the Authorization header.",
			"For a browser or mobile application, make the client public with `lucid client update CLIENT_ID --auth-method none`.",
		},
		Spec: "RFC 6749 §2.3", SpecURL: rfc6749 + "#section-2.3", Endpoints: []Endpoint{Token, Introspect, Revoke}},
	{Name: ClientCredentialsTwice, Error: "invalid_request", Status: bad, Title: "Client credentials sent in more than one way",
		Description: "The request authenticates the client in more than one way ({methods}); use exactly one.",
		Causes: []string{
			"The library sends an Authorization Basic header and the application also puts client_secret in the body.",
			"A client_assertion is sent together with a client secret.",
		},
		ClientFix: []string{
			"Use only the method the client is registered for and remove the other; set the library's authentication style explicitly (in golang.org/x/oauth2, Endpoint.AuthStyle) instead of relying on auto-detection.",
		},
		Spec: "RFC 6749 §2.3", SpecURL: rfc6749 + "#section-2.3", Endpoints: []Endpoint{Token, Introspect, Revoke}},
	{Name: ClientBasicMalformed, Error: "invalid_client", Status: unauth, Title: "Malformed Basic authorization header",
		Description: "The Authorization: Basic header cannot be read: {reason}.",
		Causes: []string{
			"The value after Basic is not valid base64, or the decoded value has no colon between client_id and secret.",
			"The client_id or secret contains reserved characters that were not form-URL-encoded before base64 encoding, as RFC 6749 §2.3.1 requires.",
			"The request carries more than one Authorization header, for example one added by a proxy and one by the application.",
		},
		ClientFix: []string{
			"Build the header as Basic followed by base64 of urlencode(client_id) + ':' + urlencode(client_secret).",
			"Send exactly one Authorization header.",
		},
		Spec: "RFC 6749 §2.3.1", SpecURL: rfc6749 + "#section-2.3.1", Endpoints: []Endpoint{Token, Introspect, Revoke}},
	{Name: ClientSecretWrong, Error: "invalid_client", Status: unauth, Title: "Client secret is wrong",
		Description: "The client secret presented for {client_id} does not match any of its active secrets.",
		Causes: []string{
			"The application still uses a secret that was rotated or removed long ago; a recent one is reported as client_secret_retired, until Lucid forgets it.",
			"The secret was copied with characters missing or changed; whitespace around an otherwise right secret is reported as client_secret_whitespace.",
			"Reserved characters in the secret were not form-URL-encoded in the Basic header, so Lucid decoded a different value.",
			"The secret belongs to another client or another environment.",
		},
		ClientFix: []string{
			"Copy the current secret again, without surrounding whitespace, and check that the running application loaded it.",
			"With client_secret_basic, form-URL-encode client_id and secret before base64 encoding them.",
		},
		OperatorFix: []string{
			"`lucid explain TRACE_ID` shows how many active secrets the client has; if the owner lost the secret, issue a new one with `lucid client rotate-secret CLIENT_ID`.",
		},
		Spec: "RFC 6749 §2.3.1", SpecURL: rfc6749 + "#section-2.3.1", Endpoints: []Endpoint{Token, Introspect, Revoke}},
	{Name: ClientSecretExpired, Error: "invalid_client", Status: unauth, Title: "Client secret expired",
		Description: "The client secret presented for {client_id} expired at {expired_at}.",
		Causes: []string{
			"The secret was created with an expiry date and that date has passed.",
			"A secret rotation was started but the application was never switched to the new secret before the old one expired.",
		},
		ClientFix: []string{
			"Get a current secret from the operator and deploy it; plan the next rotation before its expiry.",
		},
		OperatorFix: []string{
			"Issue a new secret and hand it to the client's owner, for example with `lucid client rotate-secret CLIENT_ID`.",
		},
		Spec: "RFC 6749 §2.3.1", SpecURL: rfc6749 + "#section-2.3.1", Endpoints: []Endpoint{Token, Introspect, Revoke}},
	{Name: ClientAuthMethodMismatch, Error: "invalid_client", Status: unauth, Title: "Wrong client authentication method",
		Description: "The client {client_id} is registered for {registered} but authenticated with {used}.",
		Causes: []string{
			"The library sends the secret in the body (client_secret_post) while the client is registered for client_secret_basic, or the other way round.",
			"The client moved to private_key_jwt but its registration still names a secret method, or the other way round.",
		},
		ClientFix: []string{
			"Configure the library to authenticate with the registered method named in the description.",
		},
		OperatorFix: []string{
			"If the client's method should change, update its registration, for example `lucid client update CLIENT_ID --auth-method METHOD`.",
		},
		Spec: "RFC 7591 §2", SpecURL: "https://www.rfc-editor.org/rfc/rfc7591#section-2", Endpoints: []Endpoint{Token, Introspect, Revoke}},
	{Name: ClientPublicSecret, Error: "invalid_client", Status: unauth, Title: "Public client presented a secret",
		Description: "The client {client_id} is public (token_endpoint_auth_method none) but presented a client secret.",
		Causes: []string{
			"The client is registered as public, but the application still sends a client_secret, often an empty or placeholder value.",
			"The application kept a secret from an earlier confidential registration.",
		},
		ClientFix: []string{
			"Remove client_secret and any Authorization Basic header; send client_id alone and protect the code with PKCE.",
			"If the application runs on a server and can keep a secret, ask the operator to make it a confidential client.",
		},
		OperatorFix: []string{
			"For a server-side application, make the client confidential, for example `lucid client update CLIENT_ID --auth-method client_secret_basic`, and issue it a secret.",
		},
		Spec: "RFC 6749 §2.1", SpecURL: rfc6749 + "#section-2.1", Endpoints: []Endpoint{Token}},
	{Name: ClientIDMismatch, Error: "invalid_request", Status: bad, Title: "client_id differs from the authenticated client",
		Description: "The client_id parameter ({given}) differs from the client that authenticated ({client_id}).",
		Causes: []string{
			"The application is configured with the credentials of one client and the client_id of another.",
			"The sub of the client assertion names a different client than the client_id parameter.",
		},
		ClientFix: []string{
			"Use the same client in the client_id parameter and in the credentials (the Basic user name or the assertion's sub), or leave the client_id parameter out when the credentials already name the client.",
		},
		Spec: "RFC 6749 §3.2.1", SpecURL: rfc6749 + "#section-3.2.1", Endpoints: []Endpoint{Token}},
	{Name: AssertionTypeInvalid, Error: "invalid_client", Status: unauth, Title: "Unsupported client_assertion_type",
		Description: "client_assertion_type is {value}; the only supported type is urn:ietf:params:oauth:client-assertion-type:jwt-bearer.",
		Causes: []string{
			"client_assertion_type is misspelled or names another assertion type, such as the SAML 2.0 bearer type.",
			"The value was URL-encoded twice, so Lucid received %3A where the colons belong.",
		},
		ClientFix: []string{
			"Send client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer, form-encoded once.",
		},
		Spec: "RFC 7523 §2.2", SpecURL: rfc7523 + "#section-2.2", Endpoints: []Endpoint{Token, Introspect, Revoke}},
	{Name: AssertionMalformed, Error: "invalid_client", Status: unauth, Title: "Client assertion is not a valid JWT",
		Description: "The client_assertion cannot be parsed as a signed JWT: {reason}.",
		Causes: []string{
			"client_assertion is not a compact JWS of three base64url parts, for example an unsigned JWT, an encrypted JWT of five parts, or plain JSON.",
			"The JWT was altered when it was copied, for example padding or whitespace was added.",
			"The header uses alg none, or lists critical (crit) extensions that Lucid does not understand.",
		},
		ClientFix: []string{
			"Sign the assertion as a compact JWS with the client's private key and send it exactly as the signing library produced it.",
			"Decode the header and payload locally and check that both are valid JSON with the expected claims.",
		},
		Spec: "RFC 7523 §3", SpecURL: rfc7523 + "#section-3", Endpoints: []Endpoint{Token, Introspect, Revoke}},
	{Name: AssertionIssuerMismatch, Error: "invalid_client", Status: unauth, Title: "Client assertion iss or sub is not the client_id",
		Description: "The client assertion has iss {iss} and sub {sub}; {rule}.",
		Causes: []string{
			"The iss or sub claim holds a URL, a service name or a key id instead of the client_id.",
			"The assertion was made for another client or for another provider that uses different identifiers.",
			"The iss and sub claims name two different clients, for example after one was copied from another client's configuration.",
		},
		ClientFix: []string{
			"Set both iss and sub to the client_id exactly, and send the client_id parameter with the same value so that Lucid knows which client is meant.",
		},
		Spec: "RFC 7523 §3", SpecURL: rfc7523 + "#section-3", Endpoints: []Endpoint{Token, Introspect, Revoke}},
	{Name: AssertionAudienceInvalid, Error: "invalid_client", Status: unauth, Title: "Client assertion audience is not this server",
		Description: "The client assertion's aud is {aud}; accepted values are {accepted}.",
		Causes: []string{
			"The aud claim names another provider's token endpoint, or the URL of another environment.",
			"The aud claim differs from the accepted value in a detail such as a trailing slash, http instead of https, a port or a path.",
		},
		ClientFix: []string{
			"Set aud to one of the accepted values in the description; copy the issuer or token_endpoint from the discovery document.",
		},
		Spec: "RFC 7523 §3", SpecURL: rfc7523 + "#section-3", Endpoints: []Endpoint{Token, Introspect, Revoke}},
	{Name: AssertionExpiryMissing, Error: "invalid_client", Status: unauth, Title: "Client assertion has no exp",
		Description: "The client assertion has no exp claim; an expiry is required.",
		Causes: []string{
			"The code that builds the assertion does not set exp; some JWT libraries leave it out unless asked.",
			"The expiry was written under another name, such as expires_at, or into the JWT header instead of the claims.",
		},
		ClientFix: []string{
			"Set exp to a short time after iat, for example one to five minutes.",
		},
		Spec: "RFC 7523 §3", SpecURL: rfc7523 + "#section-3", Endpoints: []Endpoint{Token, Introspect, Revoke}},
	{Name: AssertionExpired, Error: "invalid_client", Status: unauth, Title: "Client assertion expired",
		Description: "The client assertion expired at {exp}, {ago} ago (server time {now}).",
		Causes: []string{
			"The assertion was created once and reused or cached for longer than its lifetime.",
			"The client's clock is behind the server's clock.",
			"The assertion was created long before the request was sent, for example before a slow retry loop.",
		},
		ClientFix: []string{
			"Create a fresh assertion for every token request, including retries.",
			"Synchronize the client's clock with NTP; the description shows the server's time for comparison.",
		},
		Spec: "RFC 7523 §3", SpecURL: rfc7523 + "#section-3", Endpoints: []Endpoint{Token, Introspect, Revoke}},
	{Name: AssertionLifetimeTooLong, Error: "invalid_client", Status: unauth, Title: "Client assertion lives too long",
		Description: "The client assertion lives {lifetime}, from its iat (or from now when it has none) to its exp at {exp}: more than the {max} Lucid allows; use a short-lived assertion.",
		Causes: []string{
			"The exp claim is set hours or days ahead so that one assertion can be reused.",
			"The exp claim is written in milliseconds instead of seconds, which puts it far in the future.",
			"The client's clock is ahead of the server's clock.",
		},
		ClientFix: []string{
			"Create a fresh assertion per request with exp no further ahead than the limit in the description; a minute or two is enough.",
			"Write exp, iat and nbf as whole seconds since the Unix epoch.",
		},
		Spec: "RFC 7523 §3", SpecURL: rfc7523 + "#section-3", Endpoints: []Endpoint{Token, Introspect, Revoke}},
	{Name: AssertionIssuedInFuture, Error: "invalid_client", Status: unauth, Title: "Client assertion issued in the future",
		Description: "The client assertion's {claim} is {time}, {ahead} after the server time {now}: the client's clock is {ahead} ahead (Lucid allows {skew}), or {claim} is not set to the current time.",
		Causes: []string{
			"The client's clock is ahead of the server's clock; when it is, exp is ahead by as much, so an assertion of the longest allowed lifetime also looks too long-lived.",
			"The iat or nbf claim is written in milliseconds instead of seconds.",
		},
		ClientFix: []string{
			"Synchronize the client's clock with NTP; the description shows the server's time for comparison.",
			"Write iat and nbf as whole seconds since the Unix epoch.",
		},
		OperatorFix: []string{
			"Check that the Lucid host's own clock is synchronized; the server time in the description comes from it.",
		},
		Spec: "RFC 7523 §3", SpecURL: rfc7523 + "#section-3", Endpoints: []Endpoint{Token, Introspect, Revoke}},
	{Name: AssertionReplayed, Error: "invalid_client", Status: unauth, Title: "Client assertion replayed",
		Description: "A client assertion with jti {jti} was already used; every assertion must carry a fresh jti.",
		Causes: []string{
			"The client caches an assertion and sends it again.",
			"The client derives jti from something that repeats, such as a constant or a timestamp in seconds.",
			"A retry after a network timeout sent the same assertion a second time.",
			"Someone replayed an intercepted assertion.",
		},
		ClientFix: []string{
			"Create a new assertion with a random jti (for example 16 random bytes, base64url-encoded) for every request, including retries.",
		},
		Spec: "RFC 7523 §3", SpecURL: rfc7523 + "#section-3", Endpoints: []Endpoint{Token, Introspect, Revoke}},
	{Name: AssertionJTIMissing, Error: "invalid_client", Status: unauth, Title: "Client assertion has no jti",
		Description: "The client assertion has no jti claim; Lucid needs it to refuse replays.",
		Causes: []string{
			"The code that builds the assertion does not set jti.",
			"The id was written under another name or into the JWT header instead of the claims.",
		},
		ClientFix: []string{
			"Add a jti claim with a fresh random value to every assertion.",
		},
		Spec: "RFC 7523 §3", SpecURL: rfc7523 + "#section-3", Endpoints: []Endpoint{Token, Introspect, Revoke}},
	{Name: AssertionAlgNotAllowed, Error: "invalid_client", Status: unauth, Title: "Client assertion algorithm not allowed",
		Description: "The client assertion is signed with {alg}; allowed for private_key_jwt: {allowed}.",
		Causes: []string{
			"The assertion is signed with an HMAC algorithm such as HS256, which belongs to client_secret_jwt and is not accepted for private_key_jwt.",
			"The signing library chose a default algorithm that is not on the allowed list, or alg is none.",
		},
		ClientFix: []string{
			"Sign with one of the algorithms listed in the description, using the private key whose public key is registered for the client.",
		},
		Spec: "RFC 7523 §3", SpecURL: rfc7523 + "#section-3", Endpoints: []Endpoint{Token, Introspect, Revoke}},
	{Name: AssertionKeyUnknown, Error: "invalid_client", Status: unauth, Title: "Client assertion key not registered",
		Description: "The client assertion names kid {kid}, which is not among the keys registered for {client_id}.",
		Causes: []string{
			"The client rotated its key pair but the new public key is not yet registered, or not yet published at its jwks_uri.",
			"The kid in the assertion header is computed differently from the kid of the registered key (for example a thumbprint instead of a name).",
			"The assertion was signed with the key of another client or environment.",
		},
		ClientFix: []string{
			"Publish the new public key at your jwks_uri, or give it to the operator, before signing with it.",
			"Put the kid of the registered key in the assertion header.",
		},
		OperatorFix: []string{
			"Register the client's current public keys, for example `lucid client update CLIENT_ID --jwks-file FILE` or `--jwks-uri URL`.",
		},
		Spec: "RFC 7523 §3", SpecURL: rfc7523 + "#section-3", Endpoints: []Endpoint{Token, Introspect, Revoke}},
	{Name: AssertionSignatureInvalid, Error: "invalid_client", Status: unauth, Title: "Client assertion signature invalid",
		Description: "The client assertion's signature does not verify with the key {kid} registered for {client_id}.",
		Causes: []string{
			"The assertion was signed with a private key that does not belong to the public key registered under that kid.",
			"The assertion was changed after signing, for example re-encoded or edited.",
			"The client replaced its key but kept the old kid, so the registered key under that kid is the old one.",
		},
		ClientFix: []string{
			"Sign with the private key whose public key is registered under this kid, and check the signature locally against your published JWK set.",
			"Send the assertion exactly as the signing library produced it.",
		},
		OperatorFix: []string{
			"If the client has new keys, register them, for example `lucid client update CLIENT_ID --jwks-file FILE` or `--jwks-uri URL`.",
		},
		Spec: "RFC 7523 §3", SpecURL: rfc7523 + "#section-3", Endpoints: []Endpoint{Token, Introspect, Revoke}},
	{Name: ClientJWKSMissing, Error: "invalid_client", Status: unauth, Title: "Client has no registered keys",
		Description: "The client {client_id} authenticated with private_key_jwt but has neither jwks nor jwks_uri registered.",
		Causes: []string{
			"The client was switched to private_key_jwt without registering its public keys.",
			"The client's registered keys were removed.",
		},
		ClientFix: []string{
			"Give the operator your public keys as a JWK set, or the HTTPS URL where you publish them.",
		},
		OperatorFix: []string{
			"Register the client's keys with `lucid client update CLIENT_ID --jwks-file FILE` or `--jwks-uri URL`.",
		},
		Spec: "RFC 7591 §2", SpecURL: "https://www.rfc-editor.org/rfc/rfc7591#section-2", Endpoints: []Endpoint{Token, Introspect, Revoke}},
	{Name: ClientJWKSUnreachable, Error: "invalid_client", Status: unauth, Title: "Client jwks_uri unusable",
		Description: "Lucid could not fetch a usable key set from the jwks_uri registered for {client_id}. What went wrong is in the server's log, under this trace id.",
		Causes: []string{
			"The jwks_uri does not answer, times out, or returns an error status.",
			"The jwks_uri is not https, or its host resolves to a loopback, private or link-local address, which Lucid does not fetch from.",
			"The jwks_uri returns something other than a JWK set, such as an HTML error or login page.",
			"The TLS connection to the jwks_uri fails (an expired or untrusted certificate), or a firewall keeps Lucid from reaching the client's host.",
		},
		ClientFix: []string{
			"Serve the JWK set at the jwks_uri over HTTPS as JSON with status 200, reachable from the Lucid server.",
		},
		OperatorFix: []string{
			"`lucid explain TRACE_ID` shows the jwks_uri and why the fetch failed; fetch it from the Lucid host and allow outbound access if a firewall blocks it.",
			"If the client cannot host its keys reliably, register them directly with `lucid client update CLIENT_ID --jwks-file FILE`.",
		},
		Spec: "RFC 7591 §2", SpecURL: "https://www.rfc-editor.org/rfc/rfc7591#section-2", Endpoints: []Endpoint{Token, Introspect, Revoke}},

	// ---- Authorization request ----
	{Name: AuthorizeClientIDMissing, Error: "invalid_request", Status: bad, Page: true, Title: "client_id is missing",
		Description: "The authorization request has no client_id, so Lucid cannot tell which application sent you here.",
		Causes: []string{
			"A link or button sends the user to the authorization endpoint without client_id, often a hard-coded URL.",
			"The application's client_id setting is empty, so the library left the parameter out.",
			"The user opened an authorization URL from a bookmark or typed it in.",
		},
		ClientFix: []string{
			"Include client_id in every authorization request, and check that the running application has it configured.",
		},
		Spec: "RFC 6749 §4.1.1", SpecURL: rfc6749 + "#section-4.1.1", Endpoints: []Endpoint{Authorize}},
	{Name: AuthorizeClientUnknown, Error: "invalid_request", Status: bad, Page: true, Title: "Unknown application",
		Description: "No client with client_id {client_id} is registered here, so Lucid will not redirect back to it.",
		Causes: []string{
			"The client_id is misspelled, truncated, or has whitespace around it.",
			"The application sends users to another Lucid server or environment than the one its client is registered on.",
			"The client was deleted.",
		},
		ClientFix: []string{
			"Copy the client_id exactly from the registration, and check that the application uses the issuer for its environment.",
		},
		OperatorFix: []string{
			"Check whether the client exists with `lucid client list`; register it if it is missing with `lucid client create`.",
		},
		Spec: "RFC 6749 §4.1.2.1", SpecURL: rfc6749 + "#section-4.1.2.1", Endpoints: []Endpoint{Authorize}},
	{Name: AuthorizeClientDisabled, Error: "unauthorized_client", Status: bad, Page: true, Title: "Application disabled",
		Description: "The client {client_id} has been disabled by an administrator.",
		Causes: []string{
			"An administrator disabled the client, for example after a suspected secret leak or when the application was retired.",
			"An application that was meant to be decommissioned still sends users to sign in.",
		},
		ClientFix: []string{
			"Contact the operator of this Lucid server; users cannot sign in to this application until it is enabled again.",
		},
		OperatorFix: []string{
			"If the client should work again, enable it with `lucid client enable CLIENT_ID`.",
		},
		Spec: "RFC 6749 §4.1.2.1", SpecURL: rfc6749 + "#section-4.1.2.1", Endpoints: []Endpoint{Authorize}},
	{Name: RedirectURINotRegistered, Error: "invalid_request", Status: bad, Page: true, Title: "redirect_uri is not registered",
		Description: "The redirect_uri {redirect_uri} is not registered for client {client_id}. Lucid compares redirect URIs exactly, character for character.",
		Causes: []string{
			"The URI differs from the registered one in a detail such as a trailing slash, http instead of https, localhost instead of 127.0.0.1, the port, the letter case of the path, or an added query string.",
			"The application runs in a new place (a preview deployment, another port) whose callback URL was never registered.",
			"The framework derives the redirect URI from the incoming request, and a reverse proxy in front of the application changed its scheme or host.",
			"Someone crafted the authorization link to send codes to a site they control.",
		},
		ClientFix: []string{
			"Configure the redirect URI explicitly and send it exactly as registered instead of deriving it from the request.",
			"If the URI is right and belongs to your application, ask the operator to register it.",
		},
		OperatorFix: []string{
			"If the URI belongs to the application, register it with `lucid client update CLIENT_ID --redirect-uri URI`.",
		},
		Spec: "RFC 6749 §3.1.2.3", SpecURL: rfc6749 + "#section-3.1.2.3", Endpoints: []Endpoint{Authorize}},
	{Name: RedirectURIMalformed, Error: "invalid_request", Status: bad, Page: true, Title: "redirect_uri is malformed",
		Description: "The redirect_uri {redirect_uri} is not usable: {reason}.",
		Causes: []string{
			"The redirect_uri is a relative path such as /callback instead of an absolute URI.",
			"The redirect_uri contains a fragment (#).",
			"The redirect_uri was not URL-encoded in the authorization URL, so part of it was read as other parameters.",
		},
		ClientFix: []string{
			"Send an absolute URI with scheme and host and without a fragment, URL-encoded as a query parameter value.",
		},
		Spec: "RFC 6749 §3.1.2", SpecURL: rfc6749 + "#section-3.1.2", Endpoints: []Endpoint{Authorize}},
	{Name: RedirectURIRequired, Error: "invalid_request", Status: bad, Page: true, Title: "redirect_uri is required",
		Description: "The request has no redirect_uri and client {client_id} has {count} registered, so Lucid cannot choose one.",
		Causes: []string{
			"The client has several redirect URIs registered and the request leaves redirect_uri out.",
		},
		ClientFix: []string{
			"Always send redirect_uri in the authorization request.",
		},
		OperatorFix: []string{
			"Register the application's callback URL with `lucid client update CLIENT_ID --redirect-uri URI`.",
		},
		Spec: "RFC 6749 §3.1.2.3", SpecURL: rfc6749 + "#section-3.1.2.3", Endpoints: []Endpoint{Authorize}},
	{Name: ResponseTypeUnsupported, Error: "unsupported_response_type", Status: bad, Title: "response_type not supported",
		Description: "response_type {value} is not supported; this server supports: {supported}.",
		Causes: []string{
			"The client asks for the implicit or hybrid flow (response_type token, id_token, or code id_token), which this server does not offer.",
			"The value is misspelled, or several values are joined with a comma instead of a space.",
		},
		ClientFix: []string{
			"Use response_type=code with PKCE; the discovery document lists the supported values under response_types_supported.",
		},
		Spec: "RFC 6749 §4.1.2.1", SpecURL: rfc6749 + "#section-4.1.2.1", Endpoints: []Endpoint{Authorize}},
	{Name: ResponseTypeNotAllowed, Error: "unauthorized_client", Status: bad, Title: "response_type not allowed for this client",
		Description: "The client {client_id} is not allowed to use response_type {value}.",
		Causes: []string{
			"The client's registration does not include this response type.",
			"The application uses the client_id of another registration.",
		},
		ClientFix: []string{
			"Use a response type registered for the client, normally code.",
		},
		OperatorFix: []string{
			"If the client should use this response type, add it, for example `lucid client update CLIENT_ID --response-type TYPE`.",
		},
		Spec: "RFC 6749 §4.1.2.1", SpecURL: rfc6749 + "#section-4.1.2.1", Endpoints: []Endpoint{Authorize}},
	{Name: PKCEChallengeMissing, Error: "invalid_request", Status: bad, Title: "PKCE code_challenge is required",
		Description: "The client {client_id} must use PKCE: send code_challenge and code_challenge_method=S256.",
		Causes: []string{
			"The client library does not use PKCE unless it is turned on.",
			"The authorization URL is built by hand without code_challenge.",
		},
		ClientFix: []string{
			"For each authorization request generate a random code_verifier, send code_challenge=BASE64URL(SHA256(code_verifier)) with code_challenge_method=S256, and send the code_verifier with the token request. In golang.org/x/oauth2 use GenerateVerifier, S256ChallengeOption and VerifierOption.",
		},
		OperatorFix: []string{
			"PKCE can be turned off for a confidential client that cannot send it yet, with `lucid client update CLIENT_ID --require-pkce=false`; public clients always need it.",
		},
		Spec: "RFC 7636 §4.4.1", SpecURL: rfc7636 + "#section-4.4.1", Endpoints: []Endpoint{Authorize}},
	{Name: PKCEMethodUnsupported, Error: "invalid_request", Status: bad, Title: "PKCE method not supported",
		Description: "code_challenge_method {value} is not supported; use S256.",
		Causes: []string{
			"The client sends code_challenge_method=plain, which Lucid refuses because a plain challenge protects nothing once it is seen.",
			"The method is misspelled or in the wrong letter case, such as s256 or SHA256.",
		},
		ClientFix: []string{
			"Send code_challenge_method=S256 with a SHA-256 based code_challenge.",
		},
		Spec: "RFC 7636 §4.4.1", SpecURL: rfc7636 + "#section-4.4.1", Endpoints: []Endpoint{Authorize}},
	{Name: PKCEChallengeMalformed, Error: "invalid_request", Status: bad, Title: "PKCE code_challenge malformed",
		Description: "code_challenge must be the 43-character base64url SHA-256 of the verifier; got {length} characters{detail}.",
		Causes: []string{
			"The client sent the code_verifier itself, or the hex form of its hash, as the code_challenge.",
			"The challenge uses standard base64 (with +, / or = padding) instead of base64url without padding.",
			"The challenge was truncated or encoded incorrectly in the URL.",
		},
		ClientFix: []string{
			"Send BASE64URL(SHA256(ASCII(code_verifier))) without padding, which is always 43 characters.",
		},
		Spec: "RFC 7636 §4.2", SpecURL: rfc7636 + "#section-4.2", Endpoints: []Endpoint{Authorize}},
	{Name: ScopeUnknown, Error: "invalid_scope", Status: bad, Title: "Unknown scope",
		Description: "The scope {scope} is not known to this server.",
		Causes: []string{
			"The scope is misspelled, or is another provider's scope (for example offline instead of offline_access, or a provider-specific API URL).",
			"Scopes were separated by commas or a literal plus sign, so several scopes were read as one unknown scope.",
		},
		ClientFix: []string{
			"Request only scopes listed in scopes_supported of the discovery document, or scopes of a registered API, separated by single spaces.",
		},
		OperatorFix: []string{
			"`lucid api list` shows the scopes each registered API defines; a scope no API defines is unknown to the authorization endpoint.",
		},
		Spec: "RFC 6749 §3.3", SpecURL: rfc6749 + "#section-3.3", Endpoints: []Endpoint{Authorize, Token}},
	{Name: ScopeNotAllowed, Error: "invalid_scope", Status: bad, Title: "Scope not allowed for this client",
		Description: "The client {client_id} may not request scope {scope}. Its allowed scopes: {allowed}.",
		Causes: []string{
			"The client asks for a scope its registration does not allow, for example offline_access for a client that was not meant to get refresh tokens.",
			"A new release of the application requests a scope that was never added to its registration.",
		},
		ClientFix: []string{
			"Request only the allowed scopes listed in the description, or ask the operator to allow the new one.",
		},
		OperatorFix: []string{
			"If the client should have the scope, allow it, for example `lucid client update CLIENT_ID --scope SCOPE`.",
		},
		Spec: "RFC 6749 §3.3", SpecURL: rfc6749 + "#section-3.3", Endpoints: []Endpoint{Authorize, Token}},
	{Name: LoginRequired, Error: "login_required", Status: bad, Title: "Sign-in required",
		Description: "prompt=none was requested but the browser has no signed-in session at Lucid.",
		Causes: []string{
			"A silent request (prompt=none, for example from a hidden iframe or a background renewal) ran while the user had no session at Lucid, or the session had expired.",
			"The browser blocks third-party cookies, so a silent request from an iframe on another site arrived without Lucid's session cookie.",
			"The user signed out of Lucid.",
		},
		ClientFix: []string{
			"Treat login_required as the signal to start an interactive sign-in, the same request without prompt=none.",
			"Prefer refresh tokens to iframe-based silent renewal, which third-party cookie blocking breaks.",
		},
		OperatorFix: []string{
			"If sessions end sooner than users expect, raise `lifetimes.session`.",
		},
		Spec: "OIDC Core §3.1.2.6", SpecURL: oidc + "#AuthError", Endpoints: []Endpoint{Authorize}},
	{Name: LoginRequiredMaxAge, Error: "login_required", Status: bad, Title: "Sign-in too old for max_age",
		Description: "prompt=none was requested with max_age={max_age}, but the user signed in {age} ago.",
		Causes: []string{
			"The application demands a recent sign-in with max_age and the user's sign-in is older, so Lucid cannot answer without asking the user.",
			"max_age=0 was sent together with prompt=none; that combination always needs the user to sign in again.",
		},
		ClientFix: []string{
			"Repeat the request without prompt=none; the user is asked to sign in again.",
		},
		Spec: "OIDC Core §3.1.2.1", SpecURL: oidc + "#AuthRequest", Endpoints: []Endpoint{Authorize}},
	{Name: ConsentRequired, Error: "consent_required", Status: bad, Title: "Consent required",
		Description: "prompt=none was requested but the user has not consented to {scope} for this client.",
		Causes: []string{
			"The user has not consented to these scopes for this client yet, so a silent request cannot go on.",
			"The application now asks for a scope the user did not consent to before.",
			"The user withdrew consent for the application.",
		},
		ClientFix: []string{
			"Repeat the request interactively, without prompt=none, so the user can consent.",
		},
		OperatorFix: []string{
			"For a first-party application you trust, consent can be skipped, for example `lucid client update CLIENT_ID --skip-consent`.",
		},
		Spec: "OIDC Core §3.1.2.6", SpecURL: oidc + "#AuthError", Endpoints: []Endpoint{Authorize}},
	{Name: IDTokenHintInvalid, Error: "invalid_request", Status: bad, Title: "id_token_hint is not valid",
		Description: "id_token_hint is not an ID token issued by this server: {reason}.",
		Causes: []string{
			"The hint is an ID token from another provider or another Lucid server, or it is an access token.",
			"The hint was signed with a key Lucid no longer publishes, because it is older than the key retention.",
			"The hint was issued to another client.",
			"The token was truncated or altered when it was stored.",
		},
		ClientFix: []string{
			"Send the ID token Lucid issued to this client, unchanged, or leave id_token_hint out.",
		},
		OperatorFix: []string{
			"If valid hints fail after a key rotation, keep retired keys published longer by raising `lifetimes.key_publish`.",
		},
		Spec: "OIDC Core §3.1.2.1", SpecURL: oidc + "#AuthRequest", Endpoints: []Endpoint{Authorize}},
	{Name: IDTokenHintOtherUser, Error: "login_required", Status: bad, Title: "id_token_hint names another user",
		Description: "id_token_hint names a different user than the one signed in to this browser; the user must sign in again.",
		Causes: []string{
			"Another user has signed in to Lucid in this browser since the application received the ID token.",
			"An application that handles several accounts sent the stored ID token of a different account.",
		},
		ClientFix: []string{
			"Start an interactive sign-in; if the application handles several accounts, send the hint of the account the user chose.",
		},
		Spec: "OIDC Core §3.1.2.1", SpecURL: oidc + "#AuthRequest", Endpoints: []Endpoint{Authorize}},
	{Name: ConsentDenied, Error: "access_denied", Status: bad, Title: "The user denied consent",
		Description: "The user declined to grant {client_id} access.",
		Causes: []string{
			"The user chose not to grant access on the consent page.",
			"The user did not recognize the application, or the scopes it asked for looked like more than it needs.",
		},
		ClientFix: []string{
			"Handle access_denied as a normal outcome; tell the user what the access is for and offer to try again.",
			"Ask only for the scopes the application needs.",
		},
		Spec: "RFC 6749 §4.1.2.1", SpecURL: rfc6749 + "#section-4.1.2.1", Endpoints: []Endpoint{Authorize, SignIn}},
	{Name: SignInCancelled, Error: "access_denied", Status: bad, Title: "The user cancelled sign-in",
		Description: "The user cancelled sign-in and returned to the application.",
		Causes: []string{
			"The user chose to cancel on the sign-in page.",
			"The user started signing in by mistake, or wanted to use another account or application.",
		},
		ClientFix: []string{
			"Return the user to a neutral page with a way to sign in again; this is not a fault to report.",
		},
		Spec: "RFC 6749 §4.1.2.1", SpecURL: rfc6749 + "#section-4.1.2.1", Endpoints: []Endpoint{Authorize, SignIn}},
	{Name: AuthorizationRequestExpired, Error: "access_denied", Status: bad, Title: "Sign-in took too long",
		Description: "The authorization request expired after {lifetime} before the user finished signing in.",
		Causes: []string{
			"The user left the sign-in page open, for example in another tab or overnight, and continued later.",
			"The browser restored an old sign-in tab after a restart and the user submitted it.",
		},
		ClientFix: []string{
			"Start a new authorization request when this arrives; the user usually only has to sign in again.",
		},
		OperatorFix: []string{
			"If users routinely need more time, raise `lifetimes.auth_request`.",
		},
		Spec: "RFC 6749 §4.1.2.1", SpecURL: rfc6749 + "#section-4.1.2.1", Endpoints: []Endpoint{Authorize, SignIn}},

	// ---- Sign-in and consent pages ----
	{Name: SignInFailed, Error: "access_denied", Status: http.StatusUnauthorized, Page: true, Title: "Wrong username or password",
		Description: "The username or password is not correct.",
		Causes: []string{
			"The password was mistyped, or typed with caps lock on.",
			"The username or email is misspelled, or the account exists on another system.",
			"The account has been disabled; the page does not say so, to avoid telling strangers which accounts exist.",
		},
		ClientFix: []string{
			"Nothing to change in the application; the user has to enter the right username and password.",
		},
		OperatorFix: []string{
			"`lucid explain TRACE_ID` shows the actual reason (unknown username, wrong password or disabled account).",
			"If the account was disabled by mistake, enable it with `lucid user enable NAME`; if the user forgot the password, set a new one with `lucid user set-password NAME --password-stdin`.",
		},
		Spec: "RFC 6749 §10.5", SpecURL: rfc6749 + "#section-10.5", Endpoints: []Endpoint{SignIn}},
	{Name: AccountLocked, Error: "access_denied", Status: http.StatusTooManyRequests, Page: true, Title: "Too many failed sign-ins",
		Description: "Too many failed attempts. Try again after {until}.",
		Causes: []string{
			"The password was entered wrongly several times in a row (5 times with the default settings).",
			"Someone else is trying to guess the password for this account.",
			"A script, device or saved credential keeps signing in with an old password.",
		},
		ClientFix: []string{
			"Nothing to change in the application; the user waits until the time shown, or asks the operator for help.",
		},
		OperatorFix: []string{
			"If the owner is locked out, unlock the account with `lucid user unlock NAME`, and set a new password if someone else may know it.",
			"Tune `lockout.threshold`, `lockout.base` and `lockout.max` if lockouts are too frequent or too lenient.",
		},
		Spec: "RFC 6749 §10.10", SpecURL: rfc6749 + "#section-10.10", Endpoints: []Endpoint{SignIn}},
	{Name: SignInThrottled, Error: "temporarily_unavailable", Status: http.StatusTooManyRequests, Page: true, Title: "Too many failed sign-ins from this network",
		Description: "Too many failed sign-ins came from your network (the limit is {limit} an hour). Try again in {retry_after}.",
		Causes: []string{
			"Someone on this network is trying passwords against several accounts (password spraying or credential stuffing).",
			"Many people share one public address (an office, a school, a mobile carrier) and together mistyped their passwords often.",
			"A script or device keeps signing in with an old password.",
		},
		ClientFix: []string{
			"Nothing to change in the application; the user waits for the time shown, or signs in from another network.",
		},
		OperatorFix: []string{
			"The failure log (`lucid explain TRACE_ID`) names the network; if it is a shared address of your own users, raise `lockout.network_per_hour` (or `LUCID_LOCKOUT_NETWORK_PER_HOUR`).",
			"Behind a reverse proxy, list it in `trusted_proxies`, or every user counts as the proxy's network; behind one that cannot pass on client addresses, set `lockout.network_per_hour: 0` to turn this limit off (the per-account lockout stays).",
			"Each replica counts on its own; the limit across replicas is the setting times the number of replicas.",
		},
		Spec: "RFC 6749 §10.10", SpecURL: rfc6749 + "#section-10.10", Endpoints: []Endpoint{SignIn}},
	{Name: CSRFTokenInvalid, Error: "invalid_request", Status: http.StatusForbidden, Page: true, Title: "The form expired or was not sent from this site",
		Description: "The form's security token is missing or does not match this browser; start again from the application.",
		Causes: []string{
			"The browser's Lucid cookie changed while the form was open, for example because cookies were cleared or the user signed in again in another tab.",
			"The form was submitted from a page cached by the browser or a proxy.",
			"Another site tried to submit the form on the user's behalf (cross-site request forgery).",
		},
		ClientFix: []string{
			"Start every sign-in and sign-out from the application, and never cache, copy or embed Lucid's forms in other sites.",
		},
		OperatorFix: []string{
			"If many users see this, check that nothing in front of Lucid caches its pages, and that `cookies.domain` and `cookies.secure` fit the issuer URL.",
		},
		Spec: "RFC 6749 §10.12", SpecURL: rfc6749 + "#section-10.12", Endpoints: []Endpoint{SignIn, EndSession}},
	{Name: InteractionUnknown, Error: "invalid_request", Status: bad, Page: true, Title: "Sign-in link no longer valid",
		Description: "This sign-in page belongs to an authorization request that is unknown or already finished; start again from the application.",
		Causes: []string{
			"The user opened an old sign-in link, for example from the history or a bookmark, after the request had finished or expired.",
			"The user went back after signing in and submitted the form again.",
			"The sign-in link was opened in another browser or on another device than the one that started it.",
			"The browser session that signed in ended before the user finished consenting.",
		},
		ClientFix: []string{
			"Start every sign-in from the application; do not bookmark, link to or share Lucid's sign-in URLs.",
		},
		Spec: "RFC 6749 §4.1.1", SpecURL: rfc6749 + "#section-4.1.1", Endpoints: []Endpoint{SignIn}},
	{Name: SessionCookieAbsent, Error: "invalid_request", Status: bad, Page: true, Title: "The browser did not send Lucid's cookie",
		Description: "The browser did not send the cookie Lucid set when sign-in started; cookies may be blocked for this site.",
		Causes: []string{
			"The browser blocks cookies for Lucid's site, through privacy settings or because Lucid is shown inside an iframe of another site.",
			"Lucid's cookies are marked Secure but the browser reached Lucid over plain http, so it did not send them.",
			"The cookie domain does not match the host the browser used to reach Lucid.",
			"The sign-in link was opened in another browser or a private window.",
		},
		ClientFix: []string{
			"Open Lucid in the top-level window through a redirect or a popup, not in an iframe.",
		},
		OperatorFix: []string{
			"Make `cookies.secure` and `cookies.domain` fit the URL users reach Lucid at; behind a TLS-terminating proxy, list the proxy in `trusted_proxies` so Lucid sees https.",
		},
		Spec: "RFC 6749 §10.12", SpecURL: rfc6749 + "#section-10.12", Endpoints: []Endpoint{SignIn}},

	// ---- Authorization code grant ----
	{Name: CodeUnknown, Error: "invalid_grant", Status: bad, Title: "Authorization code unknown",
		Description: "The authorization code was not issued by this server, or was removed long after it expired.",
		Causes: []string{
			"The code was issued by another Lucid server or environment with a different database.",
			"The code expired long ago and has been cleaned up.",
			"The value sent is not a code at all, for example the state parameter or another provider's code.",
			"A value without Lucid's prefix (lc_ac_) was altered on the way; a code of Lucid's form that was altered, or a token of this server sent as the code, has its own entry (authorization_code_damaged, authorization_code_is_token, authorization_code_is_refresh_token).",
		},
		ClientFix: []string{
			"Send the code parameter from the redirect unchanged, to the token endpoint of the issuer that issued it, right after the redirect.",
		},
		OperatorFix: []string{
			"If Lucid runs as several instances, check that they all use the same database.",
		},
		Spec: "RFC 6749 §5.2", SpecURL: rfc6749 + "#section-5.2", Endpoints: []Endpoint{Token}},
	{Name: CodeExpired, Error: "invalid_grant", Status: bad, Title: "Authorization code expired",
		Description: "The authorization code expired {ago} ago; codes live {lifetime}. Exchange the code right after the redirect.",
		Causes: []string{
			"The client waited too long between the redirect and the token request, for example because it did other slow work first.",
			"The code was exchanged by hand while debugging, or a breakpoint paused the callback.",
			"The token request was retried long after the first attempt.",
		},
		ClientFix: []string{
			"Exchange the code as soon as the redirect arrives, before any other work.",
			"If the exchange fails, start a new authorization instead of retrying the same code later.",
		},
		OperatorFix: []string{
			"If a legitimate client needs more time, raise `lifetimes.code` a little; keep it short (the default is 60 seconds).",
		},
		Spec: "RFC 6749 §4.1.2", SpecURL: rfc6749 + "#section-4.1.2", Endpoints: []Endpoint{Token}},
	{Name: CodeReused, Error: "invalid_grant", Status: bad, Title: "Authorization code already redeemed",
		Description: "The authorization code was already redeemed at {redeemed_at}; every token issued from it has now been revoked.",
		Causes: []string{
			"The client retried the token request after a timeout, although the first request had succeeded.",
			"The browser's back button or a page reload replayed the callback URL, so the application exchanged the same code again.",
			"Two parts or instances of the application handle the same callback and both exchange the code.",
			"An attacker replayed an intercepted code.",
		},
		ClientFix: []string{
			"Exchange each code exactly once; mark the authorization state as used before exchanging, so a repeated callback is ignored.",
			"After a successful exchange, redirect away from the callback URL so that a reload does not replay it.",
			"After a failed or timed-out exchange, start a new authorization instead of sending the code again.",
		},
		OperatorFix: []string{
			"If an attack is suspected, `lucid explain TRACE_ID` shows the client and the grant that was revoked.",
		},
		Spec: "RFC 6749 §4.1.2", SpecURL: rfc6749 + "#section-4.1.2", Endpoints: []Endpoint{Token}},
	{Name: CodeInvalidated, Error: "invalid_grant", Status: bad, Title: "Authorization code invalidated",
		Description: "The authorization code was invalidated at {at} by a failed {check} check; start a new authorization.",
		Causes: []string{
			"An earlier token request with this code failed a check such as PKCE, and Lucid invalidated the code so that it cannot be tried again.",
			"The client retried with a corrected code_verifier after a failed attempt.",
		},
		ClientFix: []string{
			"Fix the check named in the description (the first failure's error_code says what was wrong), then start a new authorization.",
		},
		Spec: "RFC 7636 §4.6", SpecURL: rfc7636 + "#section-4.6", Endpoints: []Endpoint{Token}},
	{Name: CodeOtherClient, Error: "invalid_grant", Status: bad, Title: "Authorization code issued to another client",
		Description: "The authorization code was issued to a different client than {client_id}.",
		Causes: []string{
			"The application has several client registrations (for example web and mobile) and exchanged the code with the wrong one.",
			"The callback of one application received a code meant for another, for example because both share a redirect URI.",
			"An attacker injected a code that was issued to another client.",
		},
		ClientFix: []string{
			"Exchange the code with the client_id and credentials of the client that started the authorization request.",
		},
		Spec: "RFC 6749 §4.1.3", SpecURL: rfc6749 + "#section-4.1.3", Endpoints: []Endpoint{Token}},
	{Name: RedirectURIMissingCode, Error: "invalid_grant", Status: bad, Title: "redirect_uri missing at exchange",
		Description: "The authorization request included redirect_uri {redirect_uri}, so the token request must send the same value.",
		Causes: []string{
			"The library leaves redirect_uri out of the token request while the authorization request included it.",
			"The part of the application that exchanges the code has an empty redirect URI setting, or follows an example that leaves redirect_uri out.",
		},
		ClientFix: []string{
			"Send redirect_uri in the token request with exactly the value from the authorization request (in golang.org/x/oauth2, set Config.RedirectURL).",
		},
		Spec: "RFC 6749 §4.1.3", SpecURL: rfc6749 + "#section-4.1.3", Endpoints: []Endpoint{Token}},
	{Name: RedirectURIMismatch, Error: "invalid_grant", Status: bad, Title: "redirect_uri differs from the authorization request",
		Description: "redirect_uri {given} differs from {expected}, which was sent in the authorization request.",
		Causes: []string{
			"The token request uses a different value than the authorization request, for example with or without a trailing slash, http instead of https, or another host or port.",
			"The authorization request and the token request come from different instances or environments with different settings.",
			"An attacker injected a code obtained through another redirect URI.",
		},
		ClientFix: []string{
			"Use one configured redirect_uri value for both the authorization request and the token request.",
		},
		Spec: "RFC 6749 §4.1.3", SpecURL: rfc6749 + "#section-4.1.3", Endpoints: []Endpoint{Token}},
	{Name: VerifierMissing, Error: "invalid_grant", Status: bad, Title: "code_verifier missing",
		Description: "The authorization request sent a PKCE code_challenge, so the token request must send code_verifier. The code is now invalidated.",
		Causes: []string{
			"The application lost the code_verifier between the authorization request and the callback, for example because it was kept in a session or cookie that did not survive.",
			"The library sends the code_challenge but is not given the verifier at exchange (in golang.org/x/oauth2, VerifierOption was not passed to Exchange).",
		},
		ClientFix: []string{
			"Store the code_verifier together with the state of the authorization request, send it with the token request, and start a new authorization, since this code is now invalidated.",
		},
		Spec: "RFC 7636 §4.5", SpecURL: rfc7636 + "#section-4.5", Endpoints: []Endpoint{Token}},
	{Name: VerifierUnexpected, Error: "invalid_grant", Status: bad, Title: "code_verifier sent without a challenge",
		Description: "code_verifier was sent but the authorization request had no code_challenge. The code is now invalidated.",
		Causes: []string{
			"The authorization request was sent without code_challenge (for example from a hand-built link) but the application sends a code_verifier at exchange.",
			"An attacker injected a code that was obtained without PKCE; this check prevents that downgrade.",
		},
		ClientFix: []string{
			"Send code_challenge in every authorization request whose code you will exchange with a code_verifier, then start a new authorization.",
		},
		Spec: "OAuth 2.0 Security BCP §4.8.2", SpecURL: bcp + "#section-4.8.2", Endpoints: []Endpoint{Token}},
	{Name: VerifierMalformed, Error: "invalid_grant", Status: bad, Title: "code_verifier malformed",
		Description: "code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~; got {length} characters{detail}. The code is now invalidated.",
		Causes: []string{
			"The code_verifier is shorter than 43 characters, for example a UUID or a short random string.",
			"The code_verifier contains characters outside A-Z a-z 0-9 - . _ ~, such as the +, / and = of standard base64.",
			"The value sent was truncated, or is the code_challenge instead of the code_verifier.",
		},
		ClientFix: []string{
			"Generate the code_verifier from 32 random bytes encoded as base64url without padding (43 characters), then start a new authorization.",
		},
		Spec: "RFC 7636 §4.1", SpecURL: rfc7636 + "#section-4.1", Endpoints: []Endpoint{Token}},
	{Name: VerifierMismatch, Error: "invalid_grant", Status: bad, Title: "code_verifier does not match",
		Description: "The S256 hash of code_verifier does not match the code_challenge of the authorization request. The code is now invalidated.",
		Causes: []string{
			"The application sent the code_verifier of another authorization request, for example because sign-ins in two tabs overwrote the stored value.",
			"The code_challenge was computed incorrectly, for example hex instead of base64url, with padding, or from something other than the verifier's characters.",
			"Someone who intercepted the code does not have the code_verifier.",
		},
		ClientFix: []string{
			"Keep one code_verifier per authorization request, keyed by its state, and send the matching one.",
			"Check the challenge computation (BASE64URL(SHA256(code_verifier)), no padding, 43 characters), then start a new authorization.",
		},
		Spec: "RFC 7636 §4.6", SpecURL: rfc7636 + "#section-4.6", Endpoints: []Endpoint{Token}},
	{Name: GrantUserInactive, Error: "invalid_grant", Status: bad, Title: "User no longer active",
		Description: "The user this grant was issued for has been {state} since it was issued.",
		Causes: []string{
			"An administrator disabled the user after the code or refresh token was issued (the description says disabled).",
			"The user account was deleted (the description says deleted).",
		},
		ClientFix: []string{
			"Sign the user out of the application and discard their tokens; signing in again fails while the account stays disabled.",
		},
		OperatorFix: []string{
			"If the account was disabled by mistake, enable it with `lucid user enable NAME`.",
		},
		Spec: "RFC 6749 §5.2", SpecURL: rfc6749 + "#section-5.2", Endpoints: []Endpoint{Token}},

	// ---- Refresh token grant ----
	{Name: RefreshUnknown, Error: "invalid_grant", Status: bad, Title: "Refresh token unknown",
		Description: "The refresh token was not issued by this server, or was removed long after it expired.",
		Causes: []string{
			"The token was issued by another Lucid server or environment with a different database.",
			"The token expired long ago and has been cleaned up.",
			"The value sent is not a refresh token of this server, for example another provider's.",
			"A value without Lucid's prefix (lc_rt_) was altered; a refresh token of Lucid's form that was altered, or a code or token of this server sent in its place, has its own entry (refresh_token_damaged, refresh_token_is_code, refresh_token_is_token).",
		},
		ClientFix: []string{
			"Store the refresh token unchanged and send it to the issuer that issued it; if refreshing fails, start a new sign-in.",
		},
		OperatorFix: []string{
			"If Lucid runs as several instances, check that they all use the same database.",
		},
		Spec: "RFC 6749 §6", SpecURL: rfc6749 + "#section-6", Endpoints: []Endpoint{Token}},
	{Name: RefreshExpired, Error: "invalid_grant", Status: bad, Title: "Refresh token expired",
		Description: "The refresh token reached its absolute lifetime of {lifetime} at {expired_at}; the user must sign in again.",
		Causes: []string{
			"The user has not signed in interactively for longer than the absolute lifetime of the grant (30 days with the default settings); rotating the refresh token does not extend it.",
			"The application never sends users through a new sign-in, so every grant eventually reaches this limit.",
		},
		ClientFix: []string{
			"Start a new interactive sign-in.",
		},
		OperatorFix: []string{
			"If users must sign in again too often, raise `lifetimes.refresh_absolute`.",
		},
		Spec: "RFC 6749 §6", SpecURL: rfc6749 + "#section-6", Endpoints: []Endpoint{Token}},
	{Name: RefreshIdleExpired, Error: "invalid_grant", Status: bad, Title: "Refresh token expired through inactivity",
		Description: "The refresh token was unused for longer than the idle lifetime of {lifetime} and expired at {expired_at}.",
		Causes: []string{
			"The application was not used for longer than the idle lifetime, for example a mobile app not opened for a week.",
			"The application refreshes only when the user acts, and the user was away longer than the idle lifetime.",
		},
		ClientFix: []string{
			"Start a new interactive sign-in.",
		},
		OperatorFix: []string{
			"If users are signed out after normal breaks, raise `lifetimes.refresh_idle`.",
		},
		Spec: "RFC 6749 §6", SpecURL: rfc6749 + "#section-6", Endpoints: []Endpoint{Token}},
	{Name: RefreshRevoked, Error: "invalid_grant", Status: bad, Title: "Refresh token revoked",
		Description: "The refresh token was revoked at {revoked_at} ({reason}).",
		Causes: []string{
			"The authorization code this grant came from was redeemed a second time, so Lucid revoked everything issued from it.",
			"The user, an administrator or the application itself revoked the grant, for example at sign-out.",
		},
		ClientFix: []string{
			"Discard the stored tokens and start a new sign-in; if the reason is a reused authorization code, fix the double exchange (see authorization_code_reused).",
		},
		Spec: "RFC 7009 §2", SpecURL: "https://www.rfc-editor.org/rfc/rfc7009#section-2", Endpoints: []Endpoint{Token}},
	{Name: RefreshReused, Error: "invalid_grant", Status: bad, Title: "Rotated refresh token reused",
		Description: "The refresh token was already exchanged at {rotated_at}; reusing a rotated refresh token revokes its whole family, so every token of this grant is now revoked.",
		Causes: []string{
			"Two requests (tabs, threads or instances of the application) refreshed at the same time with the same token, and the second counts as reuse (with a reuse grace set by the operator, only when they asked for different scopes or resources, or the second came after the grace or after the new token was used).",
			"The application did not save the new refresh token (a crash or a lost response) and retried with the old one.",
			"An attacker used a stolen refresh token, or the application used it after the attacker had.",
		},
		ClientFix: []string{
			"Refresh one request at a time per grant and share the result between callers.",
			"Save the new refresh token before using the new access token.",
			"Sign the user in again, since the whole grant is now revoked.",
		},
		OperatorFix: []string{
			"If theft is suspected, `lucid explain TRACE_ID` shows the client and the revoked grant.",
			"If users are signed out because several tabs refresh at once and the application cannot make them share one refresh, set `lifetimes.refresh_reuse_grace` to a few seconds: a repeated identical refresh within it gets the same new tokens. It delays the detection of a stolen token by as much.",
		},
		Spec: "OAuth 2.0 Security BCP §4.14.2", SpecURL: bcp + "#section-4.14.2", Endpoints: []Endpoint{Token}},
	{Name: RefreshOtherClient, Error: "invalid_grant", Status: bad, Title: "Refresh token issued to another client",
		Description: "The refresh token was issued to a different client than {client_id}.",
		Causes: []string{
			"The application has several client registrations and refreshed with credentials other than those the token was issued to.",
			"Tokens were moved between applications, for example during a migration.",
		},
		ClientFix: []string{
			"Refresh with the client_id and credentials of the client that received the token.",
		},
		Spec: "RFC 6749 §6", SpecURL: rfc6749 + "#section-6", Endpoints: []Endpoint{Token}},
	{Name: RefreshScopeWidened, Error: "invalid_scope", Status: bad, Title: "Refresh asks for more scope than granted",
		Description: "The refresh request asks for {extra}, which the original grant ({granted}) does not include.",
		Causes: []string{
			"The application asks on refresh for a scope that was not part of the original grant.",
			"The application's scope list changed after the user signed in.",
		},
		ClientFix: []string{
			"Request a subset of the granted scopes, or leave scope out to keep them all; to get new scopes, send the user through a new authorization request.",
		},
		Spec: "RFC 6749 §6", SpecURL: rfc6749 + "#section-6", Endpoints: []Endpoint{Token}},
	{Name: RefreshConsentWithdrawn, Error: "invalid_grant", Status: bad, Title: "Consent withdrawn",
		Description: "The user withdrew consent for this client at {at}; the refresh token no longer works.",
		Causes: []string{
			"The user withdrew the application's access.",
			"An administrator removed the user's consent for this client.",
		},
		ClientFix: []string{
			"Sign the user out and start a new sign-in, which asks for consent again.",
		},
		Spec: "RFC 6749 §6", SpecURL: rfc6749 + "#section-6", Endpoints: []Endpoint{Token}},

	// ---- Resource and userinfo ----
	{Name: BearerMissing, Error: "", Status: unauth, Title: "No access token",
		Description: "The request carries no access token; send it as Authorization: Bearer <token>.",
		Causes: []string{
			"The application did not attach the Authorization header, for example because the call was made before sign-in finished, or with an HTTP client that does not add the token.",
			"A redirect dropped the header; many HTTP clients remove Authorization when a redirect leads to another host.",
			"A proxy between the application and the server removed the Authorization header.",
		},
		ClientFix: []string{
			"Send the header Authorization Bearer followed by the access token on every request.",
			"Call the exact URL of the resource so that no redirect happens on the way.",
		},
		Spec: "RFC 6750 §3.1", SpecURL: rfc6750 + "#section-3.1", Endpoints: []Endpoint{UserInfo, Resource}},
	{Name: BearerInQuery, Error: "invalid_request", Status: bad, Title: "Access token in the URL query",
		Description: "The access token was sent as a URL query parameter, which this server refuses; send it in the Authorization header.",
		Causes: []string{
			"The application appends access_token to the URL, as some older APIs expected.",
			"A tool or SDK is configured for query-string authentication.",
		},
		ClientFix: []string{
			"Send the token in the Authorization header instead; URLs end up in logs, so let the exposed token expire or revoke it.",
		},
		Spec: "RFC 6750 §2.3", SpecURL: rfc6750 + "#section-2.3", Endpoints: []Endpoint{UserInfo, Resource}},
	{Name: BearerTwice, Error: "invalid_request", Status: bad, Title: "Access token sent in more than one way",
		Description: "The access token was sent both in the Authorization header and in the body; use exactly one method.",
		Causes: []string{
			"The HTTP client adds the Authorization header automatically and the application also sends access_token in the body.",
			"Two layers of the application, such as a middleware and the calling code, each add the token in their own way.",
		},
		ClientFix: []string{
			"Send the token only in the Authorization header.",
		},
		Spec: "RFC 6750 §2", SpecURL: rfc6750 + "#section-2", Endpoints: []Endpoint{UserInfo, Resource}},
	{Name: AccessTokenMalformed, Error: "invalid_token", Status: unauth, Title: "Access token malformed",
		Description: "The access token is not a token issued by this server: {reason}.",
		Causes: []string{
			"The application sends the ID token or the refresh token instead of the access token.",
			"The token was issued by another provider.",
			"The token was altered, for example truncated, wrapped in quotes, or sent as Bearer Bearer followed by the token.",
		},
		ClientFix: []string{
			"Send the access_token member of the token response unchanged after the word Bearer.",
		},
		Spec: "RFC 6750 §3.1", SpecURL: rfc6750 + "#section-3.1", Endpoints: []Endpoint{UserInfo, Resource}},
	{Name: AccessTokenSignature, Error: "invalid_token", Status: unauth, Title: "Access token signature invalid",
		Description: "The access token's signature does not verify with any of this server's keys (kid {kid}).",
		Causes: []string{
			"The token was issued by another Lucid server or environment that has different signing keys, or by this server before its database was reset.",
			"The key that signed the token was retired and is no longer published.",
			"The token was altered after it was issued.",
		},
		ClientFix: []string{
			"Get a new token from the issuer you are calling, and keep tokens of different environments apart.",
		},
		OperatorFix: []string{
			"If tokens fail soon after a key rotation, keep retired keys published at least as long as the longest token lifetime (`lifetimes.key_publish`).",
		},
		Spec: "RFC 9068 §4", SpecURL: "https://www.rfc-editor.org/rfc/rfc9068#section-4", Endpoints: []Endpoint{UserInfo, Resource}},
	{Name: AccessTokenExpired, Error: "invalid_token", Status: unauth, Title: "Access token expired",
		Description: "The access token expired at {expired_at}, {ago} ago; refresh it or request a new one.",
		Causes: []string{
			"The access token reached the end of its lifetime and the application did not refresh it.",
			"The application caches tokens for longer than expires_in.",
		},
		ClientFix: []string{
			"Refresh the token shortly before expires_in runs out, and after an invalid_token answer refresh once and retry.",
		},
		OperatorFix: []string{
			"The lifetime is `lifetimes.access_token` (10 minutes by default); keep it short and let clients refresh.",
		},
		Spec: "RFC 6750 §3.1", SpecURL: rfc6750 + "#section-3.1", Endpoints: []Endpoint{UserInfo, Resource}},
	{Name: AccessTokenNotYet, Error: "invalid_token", Status: unauth, Title: "Access token not yet valid",
		Description: "The access token is not valid before {nbf}; check the clocks.",
		Causes: []string{
			"The clock of the server checking the token is behind the clock of the Lucid instance that issued it.",
			"Several Lucid instances run with clocks that disagree.",
		},
		ClientFix: []string{
			"Retry a little later; the fix is on the servers' clocks.",
		},
		OperatorFix: []string{
			"Synchronize the clocks of every Lucid instance and resource server with NTP.",
		},
		Spec: "RFC 9068 §4", SpecURL: "https://www.rfc-editor.org/rfc/rfc9068#section-4", Endpoints: []Endpoint{UserInfo, Resource}},
	{Name: AccessTokenRevoked, Error: "invalid_token", Status: unauth, Title: "Access token revoked",
		Description: "The grant this access token belongs to was revoked at {revoked_at} ({reason}).",
		Causes: []string{
			"The authorization code the grant came from was redeemed a second time, so Lucid revoked every token issued from it.",
			"A rotated refresh token of the grant was reused, which revokes the whole grant.",
			"The user withdrew consent, or an administrator or the application revoked the grant.",
		},
		ClientFix: []string{
			"Discard the tokens of this grant and start a new sign-in; if the reason points to a reused code or refresh token, fix that first.",
		},
		Spec: "RFC 6750 §3.1", SpecURL: rfc6750 + "#section-3.1", Endpoints: []Endpoint{UserInfo, Resource}},
	{Name: AccessTokenIssuer, Error: "invalid_token", Status: unauth, Title: "Access token from another issuer",
		Description: "The access token was issued by {iss}, not by {expected}.",
		Causes: []string{
			"The token was issued by another provider or another Lucid environment.",
			"The server's issuer setting changed (for example from http to https, or to a new host name) after the token was issued.",
		},
		ClientFix: []string{
			"Get a token from the issuer named as expected in the description.",
		},
		OperatorFix: []string{
			"Keep the issuer setting stable; after changing it, every client must obtain new tokens.",
		},
		Spec: "RFC 9068 §4", SpecURL: "https://www.rfc-editor.org/rfc/rfc9068#section-4", Endpoints: []Endpoint{UserInfo, Resource}},
	{Name: AccessTokenAudience, Error: "invalid_token", Status: unauth, Title: "Access token for another audience",
		Description: "The access token is meant for {aud}, not for {expected}.",
		Causes: []string{
			"The token was issued for another resource or API than the one being called.",
			"The token was issued by another server for its own audience.",
		},
		ClientFix: []string{
			"Request a token meant for this resource and send that one.",
		},
		Spec: "RFC 9068 §4", SpecURL: "https://www.rfc-editor.org/rfc/rfc9068#section-4", Endpoints: []Endpoint{UserInfo, Resource}},
	{Name: InsufficientScope, Error: "insufficient_scope", Status: http.StatusForbidden, Title: "Access token lacks a scope",
		Description: "This resource needs scope {required}; the access token has {granted}.",
		Causes: []string{
			"The application did not request the scope this resource needs.",
			"The scope was not part of the user's consent or of the client's allowed scopes, so the token does not carry it.",
			"The token comes from a refresh that asked for fewer scopes.",
		},
		ClientFix: []string{
			"Request the scope named in the description in a new authorization request, then use the new token.",
		},
		OperatorFix: []string{
			"If the client should be able to get the scope, allow it, for example `lucid client update CLIENT_ID --scope SCOPE`.",
		},
		Spec: "RFC 6750 §3.1", SpecURL: rfc6750 + "#section-3.1", Endpoints: []Endpoint{Resource}},
	{Name: UserInfoOpenIDMissing, Error: "insufficient_scope", Status: http.StatusForbidden, Title: "UserInfo needs the openid scope",
		Description: "The UserInfo endpoint needs an access token with the openid scope; this one has {granted}.",
		Causes: []string{
			"The authorization request did not include the openid scope, so it was a plain OAuth request rather than an OpenID Connect sign-in.",
			"The application calls UserInfo with a token it requested for an API, without openid.",
		},
		ClientFix: []string{
			"Include openid in the scope of the authorization request.",
		},
		Spec: "OIDC Core §5.3", SpecURL: oidc + "#UserInfo", Endpoints: []Endpoint{UserInfo}},
	{Name: UserInfoUserInactive, Error: "invalid_token", Status: unauth, Title: "User no longer active",
		Description: "The user this access token was issued for has been disabled or deleted.",
		Causes: []string{
			"An administrator disabled the user after the token was issued.",
			"The user account was deleted.",
		},
		ClientFix: []string{
			"Sign the user out of the application and discard their tokens.",
		},
		OperatorFix: []string{
			"If the account was disabled by mistake, enable it with `lucid user enable NAME`.",
		},
		Spec: "OIDC Core §5.3.3", SpecURL: oidc + "#UserInfoError", Endpoints: []Endpoint{UserInfo}},

	// ---- Logout ----
	{Name: PostLogoutURINotRegistered, Error: "invalid_request", Status: bad, Page: true, Title: "post_logout_redirect_uri is not registered",
		Description: "The post_logout_redirect_uri {uri} is not registered for client {client_id}; Lucid will not redirect there.",
		Causes: []string{
			"The URI was never registered as a post-logout redirect URI; the client's sign-in redirect URIs do not count.",
			"The URI differs from the registered one in a detail such as a trailing slash, the scheme, the host or the port.",
		},
		ClientFix: []string{
			"Send a registered post_logout_redirect_uri exactly as registered.",
		},
		OperatorFix: []string{
			"If the URI belongs to the application, register it with `lucid client update CLIENT_ID --post-logout-redirect-uri URI`.",
		},
		Spec: "OIDC RP-Initiated Logout §3", SpecURL: logout + "#RedirectionAfterLogout", Endpoints: []Endpoint{EndSession}},
	{Name: LogoutHintInvalid, Error: "invalid_request", Status: bad, Page: true, Title: "id_token_hint is not valid",
		Description: "The id_token_hint is not an ID token issued by this server: {reason}.",
		Causes: []string{
			"The hint is not an ID token of this server, for example an access token or a token from another environment.",
			"The hint was signed with a key Lucid no longer publishes.",
			"The token was truncated or altered when it was stored.",
		},
		ClientFix: []string{
			"Send the ID token from the user's sign-in unchanged, or leave id_token_hint out and send client_id.",
		},
		OperatorFix: []string{
			"If valid hints fail after a key rotation, keep retired keys published longer by raising `lifetimes.key_publish`.",
		},
		Spec: "OIDC RP-Initiated Logout §2", SpecURL: logout + "#RPLogout", Endpoints: []Endpoint{EndSession}},
	{Name: LogoutClientMismatch, Error: "invalid_request", Status: bad, Page: true, Title: "client_id does not match id_token_hint",
		Description: "client_id {client_id} differs from the audience of the id_token_hint.",
		Causes: []string{
			"The application sends its own client_id together with an ID token that was issued to another client.",
			"Applications that share storage picked up an ID token stored by another application.",
		},
		ClientFix: []string{
			"Send the ID token that was issued to this client, or a client_id that matches the hint.",
		},
		Spec: "OIDC RP-Initiated Logout §2", SpecURL: logout + "#RPLogout", Endpoints: []Endpoint{EndSession}},

	// ---- Admin API ----
	{Name: AdminUnauthorized, Error: "invalid_token", Status: unauth, Title: "Admin credential missing or wrong",
		Description: "The admin API needs Authorization: Bearer with the admin token configured on the server.",
		Causes: []string{
			"The request has no Authorization Bearer header.",
			"The token differs from the admin token configured on the server, for example an old one after the token was changed.",
		},
		ClientFix: []string{
			"Send Authorization Bearer followed by the admin token configured on the server.",
		},
		OperatorFix: []string{
			"Set the admin token with `admin_token` or `LUCID_ADMIN_TOKEN`, give it only to the tools that need it, and change it if it may have leaked.",
		},
		Spec: "RFC 6750 §3.1", SpecURL: rfc6750 + "#section-3.1", Endpoints: []Endpoint{Admin}},
	{Name: AdminNotFound, Error: "not_found", Status: http.StatusNotFound, Title: "No such object",
		Description: "There is no {kind} with id {id}.",
		Causes: []string{
			"The id is wrong, for example a name or username where the id belongs.",
			"The object was deleted, or exists only on another Lucid server.",
		},
		ClientFix: []string{
			"List the objects of that kind to find the right id.",
		},
		Spec: "RFC 9110 §15.5.5", SpecURL: "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.5", Endpoints: []Endpoint{Admin}},
	{Name: AdminInvalid, Error: "invalid_request", Status: bad, Title: "Invalid input",
		Description: "The field {field} is invalid: {reason}.",
		Causes: []string{
			"A field fails validation; the description names the field and the rule it breaks.",
			"A field has the wrong JSON type or name, for example a string where a list is expected.",
		},
		ClientFix: []string{
			"Correct the field named in the description and send the request again.",
		},
		Spec: "RFC 9110 §15.5.1", SpecURL: "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.1", Endpoints: []Endpoint{Admin}},
	{Name: AdminConflict, Error: "conflict", Status: http.StatusConflict, Title: "Already exists",
		Description: "A {kind} with {field} {value} already exists.",
		Causes: []string{
			"An object with the same unique value already exists.",
			"A create request was retried after it had already succeeded.",
		},
		ClientFix: []string{
			"Use the existing object, or choose another value for the field named in the description; treat a conflict after a retry as success after checking the object.",
		},
		Spec: "RFC 9110 §15.5.10", SpecURL: "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.10", Endpoints: []Endpoint{Admin}},

	// ---- Server side ----
	{Name: ServerError, Error: "server_error", Status: http.StatusInternalServerError, Title: "Unexpected server failure",
		Description: "Lucid failed unexpectedly while handling this request; the operator can look it up by its trace id.",
		Causes: []string{
			"A bug or an unexpected condition inside Lucid.",
			"A failure of the database or the file system that is not a timeout.",
		},
		ClientFix: []string{
			"Retry later with backoff; if it keeps happening, give the operator the trace_id.",
		},
		OperatorFix: []string{
			"Look up the failure with `lucid explain TRACE_ID` and in the server log, where the trace id ties the details together.",
		},
		Spec: "RFC 6749 §5.2", SpecURL: rfc6749 + "#section-5.2", Endpoints: []Endpoint{Authorize, Token, UserInfo, Introspect, Revoke, EndSession, SignIn, Admin, Register}},
	{Name: StorageUnavailable, Error: "temporarily_unavailable", Status: http.StatusServiceUnavailable, Title: "Storage unavailable",
		Description: "Lucid's database did not answer in time; retry shortly.",
		Causes: []string{
			"The database is down, overloaded or unreachable over the network.",
			"A long transaction or lock held the database, so the request timed out.",
		},
		ClientFix: []string{
			"Retry after a short, growing delay.",
		},
		OperatorFix: []string{
			"Check the database's health and the network path to it; `lucid explain TRACE_ID` and the server log show the underlying error.",
		},
		Spec: "RFC 6749 §4.1.2.1", SpecURL: rfc6749 + "#section-4.1.2.1", Endpoints: []Endpoint{Authorize, Token, UserInfo, Introspect, Revoke, EndSession, SignIn, Admin, Register}},
	{Name: SigningKeyMissing, Error: "server_error", Status: http.StatusInternalServerError, Title: "No usable signing key",
		Description: "Lucid has no usable {alg} signing key; the operator must rotate or restore its keys.",
		Causes: []string{
			"No active signing key exists for this algorithm, for example because every key was retired or the database was restored without keys.",
			"The master key changed, so Lucid cannot decrypt the stored private keys.",
		},
		ClientFix: []string{
			"Nothing to change in the client; retry later and give the operator the trace_id.",
		},
		OperatorFix: []string{
			"Create a new signing key with `lucid keys rotate`.",
			"If keys exist but cannot be opened, restore the original master key (`LUCID_MASTER_KEY` or `master_key_file`).",
		},
		Spec: "RFC 7517", SpecURL: "https://www.rfc-editor.org/rfc/rfc7517", Endpoints: []Endpoint{Authorize, Token}},
	{Name: PageNotFound, Error: "not_found", Status: http.StatusNotFound, Title: "Page not found",
		Description: "There is no page at {path}.",
		Causes: []string{
			"The URL was mistyped, or comes from an old link or bookmark.",
			"The client uses an endpoint path from another provider instead of the one in Lucid's discovery document.",
		},
		ClientFix: []string{
			"Use the endpoint URLs from the discovery document at /.well-known/openid-configuration.",
		},
		Spec: "RFC 9110 §15.5.5", SpecURL: "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.5", Endpoints: []Endpoint{Other}},

	// ---- Client authentication (added with internal/clientauth) ----
	{Name: ClientNotIdentified, Error: "invalid_client", Status: unauth, Title: "The request names no client",
		Description: "The request neither authenticates a client nor names one: send Authorization: Basic, client_id with client_secret, a client_assertion, or (public clients) client_id alone.",
		Causes: []string{
			"The token request has neither credentials nor a client_id, for example because the secret was empty and the library then sent nothing.",
			"A proxy between the client and Lucid removed the Authorization header.",
		},
		ClientFix: []string{
			"Authenticate with the client's registered method, or send client_id in the body if the client is public.",
		},
		OperatorFix: []string{
			"If a reverse proxy sits in front of Lucid, check that it forwards the Authorization header.",
		},
		Spec: "RFC 6749 §2.3", SpecURL: rfc6749 + "#section-2.3", Endpoints: []Endpoint{Token, Introspect, Revoke}},
	{Name: ClientJWKSInvalid, Error: "invalid_client", Status: unauth, Title: "Client's registered jwks unusable",
		Description: "The jwks registered for {client_id} cannot be used: {reason}.",
		Causes: []string{
			"The registered value is not a JWK set, that is, not a JSON object with a keys array.",
			"Two usable keys in the set have the same kid, so Lucid cannot tell which one the client means.",
		},
		ClientFix: []string{
			"Give the operator a JWK set of public signing keys, each with its own kid.",
		},
		OperatorFix: []string{
			"Replace the registered keys with `lucid client update CLIENT_ID --jwks-file FILE`.",
		},
		Spec: "RFC 7591 §2", SpecURL: "https://www.rfc-editor.org/rfc/rfc7591#section-2", Endpoints: []Endpoint{Token, Introspect, Revoke}},
	{Name: AssertionKeyNotChosen, Error: "invalid_client", Status: unauth, Title: "Client assertion does not say which key signed it",
		Description: "The client assertion has no kid header and {fitting} of the keys registered for {client_id} fit {alg}; without a kid exactly one key must fit.",
		Causes: []string{
			"The assertion has no kid header and several registered keys fit its algorithm, for example during a key rotation.",
			"The assertion has no kid header and none of the registered keys fits its algorithm.",
		},
		ClientFix: []string{
			"Put the kid of the signing key in the assertion header.",
			"If no registered key fits, sign with an algorithm that matches a registered key, or register a key for the algorithm you use.",
		},
		Spec: "RFC 7515 §4.1.4", SpecURL: "https://www.rfc-editor.org/rfc/rfc7515#section-4.1.4", Endpoints: []Endpoint{Token, Introspect, Revoke}},

	// ---- Admin API (added with internal/admin) ----
	{Name: AdminDisabled, Error: "invalid_token", Status: unauth, Title: "Admin API disabled",
		Description: "The admin API is disabled on this server because no admin token is configured; no credential is accepted until the operator sets one.",
		Causes: []string{
			"The server was started without admin_token or LUCID_ADMIN_TOKEN, which leaves the admin API off.",
			"The request reached another Lucid server than intended, one where the admin API is not enabled.",
		},
		ClientFix: []string{
			"Ask the operator to enable the admin API, or manage clients and users with the lucid command line on the server.",
		},
		OperatorFix: []string{
			"Set a random admin token of at least 32 bytes with `admin_token` or `LUCID_ADMIN_TOKEN` (for example from head -c 32 /dev/urandom | base64) and restart Lucid.",
			"Without an admin token, use `lucid client …`, `lucid user …` and `lucid keys …` against the same database instead.",
		},
		Spec: "RFC 6750 §3.1", SpecURL: rfc6750 + "#section-3.1", Endpoints: []Endpoint{Admin}},
}
