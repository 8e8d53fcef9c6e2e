package catalog

import "net/http"

const (
	rfc7591 = "https://www.rfc-editor.org/rfc/rfc7591"
	rfc7592 = "https://www.rfc-editor.org/rfc/rfc7592"
)

// registrationEntries: dynamic client registration (RFC 7591) at
// POST /register and client management (RFC 7592) at /register/CLIENT_ID.
var registrationEntries = []Entry{
	// ---- Access to the endpoint ----
	{Name: RegistrationDisabled, Error: "access_denied", Status: http.StatusForbidden, Title: "Client registration is disabled",
		Description: "This server does not accept dynamic client registration: its registration endpoint is turned off.",
		Causes: []string{
			"The operator has not enabled dynamic client registration, which is off unless configured.",
			"The client guessed the registration URL; the discovery document lists registration_endpoint only while registration is on.",
			"Registration was turned off after the client registered, which also ends managing the client through its registration_client_uri.",
		},
		ClientFix: []string{
			"Register only when the discovery document lists registration_endpoint, and use that URL.",
			"Ask the operator to register the client for you, or to enable registration and give you an initial access token.",
		},
		OperatorFix: []string{
			"Enable registration with `registration.mode: initial_token` and at least one token in `registration.initial_access_tokens` (or `LUCID_REGISTRATION_MODE` and `LUCID_REGISTRATION_INITIAL_ACCESS_TOKENS`), then restart Lucid.",
			"Use `registration.mode: open` only where anyone may create clients, such as a development server.",
			"Without registration, create clients with `lucid client create` or POST /admin/clients.",
		},
		Spec: "RFC 7591 §3", SpecURL: rfc7591 + "#section-3", Endpoints: []Endpoint{Register}},
	{Name: RegistrationInitialTokenMissing, Error: "invalid_token", Status: unauth, Title: "Initial access token missing",
		Description: "Registering a client on this server needs an initial access token: send Authorization: Bearer with the token the operator gave you.",
		Causes: []string{
			"The registration request has no Authorization header, or one with another scheme than Bearer.",
			"The registration tool was never configured with the initial access token.",
		},
		ClientFix: []string{
			"Send Authorization Bearer followed by the initial access token with the registration request.",
			"Ask the operator for an initial access token if you have none.",
		},
		OperatorFix: []string{
			"Give developers one of the tokens in `registration.initial_access_tokens`; set `registration.mode: open` only if anyone may register.",
		},
		Spec: "RFC 7591 §3", SpecURL: rfc7591 + "#section-3", Endpoints: []Endpoint{Register}},
	{Name: RegistrationInitialTokenInvalid, Error: "invalid_token", Status: unauth, Title: "Initial access token not accepted",
		Description: "The initial access token is not one this server accepts for registering clients.",
		Causes: []string{
			"The token was mistyped, cut or padded with whitespace when it was copied.",
			"The operator removed or replaced the token.",
			"The token belongs to another server or another environment.",
		},
		ClientFix: []string{
			"Send the initial access token exactly as the operator gave it, after Authorization Bearer.",
			"Ask the operator for a current token.",
		},
		OperatorFix: []string{
			"Check that the token is listed in `registration.initial_access_tokens` (or `LUCID_REGISTRATION_INITIAL_ACCESS_TOKENS`) on every replica, and restart after changing the list.",
		},
		Spec: "RFC 7591 §3", SpecURL: rfc7591 + "#section-3", Endpoints: []Endpoint{Register}},
	{Name: RegistrationRateLimited, Error: "temporarily_unavailable", Status: http.StatusTooManyRequests, Title: "Too many registrations from this network",
		Description: "Open registration accepts {limit} registrations and updates an hour from one network ({network}), and this one has used them; the next is possible in {retry_after}. The Retry-After header gives the same wait in seconds.",
		Causes: []string{
			"A script or test suite registers a new client on every run instead of reusing one.",
			"A registration loop retries without reading the error.",
			"Many developers share one address (an office NAT, a CI provider's egress), and together reached the limit.",
		},
		ClientFix: []string{
			"Register once and keep the client_id, the secret and the registration_access_token; update the registration (PUT to its registration_client_uri) instead of registering again.",
			"Wait for the time in Retry-After before trying again.",
		},
		OperatorFix: []string{
			"Raise `registration.open_per_hour` (or `LUCID_REGISTRATION_OPEN_PER_HOUR`) if legitimate use needs more (0 removes the limit); each replica counts on its own.",
			"Behind a reverse proxy, list it in `trusted_proxies`, or every client counts as the proxy's network.",
			"For automation, switch to `registration.mode: initial_token` and give the tools an initial access token: registrations with a token are not counted.",
		},
		Spec: "RFC 7591 §3", SpecURL: rfc7591 + "#section-3", Endpoints: []Endpoint{Register}},
	{Name: RegistrationTokenMissing, Error: "invalid_token", Status: unauth, Title: "Registration access token missing",
		Description: "Reading, updating or deleting the registration of client {client_id} needs its registration access token: send Authorization: Bearer with the registration_access_token of the registration response.",
		Causes: []string{
			"The request has no Authorization header, or one with another scheme than Bearer.",
			"The client kept its registration_client_uri but not its registration_access_token.",
		},
		ClientFix: []string{
			"Send Authorization Bearer followed by the registration_access_token from the registration response.",
			"Store the registration access token with the client's other credentials when registering.",
		},
		OperatorFix: []string{
			"A client that lost its registration access token cannot manage itself; change it with `lucid client update CLIENT_ID` or the admin API, or delete it so that it can register again.",
		},
		Spec: "RFC 7592 §2", SpecURL: rfc7592 + "#section-2", Endpoints: []Endpoint{Register}},
	{Name: RegistrationTokenInvalid, Error: "invalid_token", Status: unauth, Title: "Registration access token not valid for this client",
		Description: "The registration access token is not valid for client {client_id}: no dynamically registered client with that id holds this token.",
		Causes: []string{
			"The token belongs to another client, or the URL names another client than the one the token was issued for.",
			"The client was deleted, which ends its registration access token.",
			"The client was created by the operator rather than through dynamic registration, so it has no registration access token.",
			"The token was cut or altered when it was stored or copied.",
		},
		ClientFix: []string{
			"Use registration_client_uri and registration_access_token exactly as the registration response gave them.",
			"Register again if the client was deleted.",
		},
		OperatorFix: []string{
			"Look at the client with `lucid client show CLIENT_ID`; clients created with `lucid client create` or the admin API are managed there, not at /register.",
		},
		Spec: "RFC 7592 §2", SpecURL: rfc7592 + "#section-2", Endpoints: []Endpoint{Register}},

	// ---- The request body ----
	{Name: RegistrationRequestMalformed, Error: "invalid_request", Status: bad, Title: "Registration request is not a JSON object",
		Description: "The registration request cannot be read: {reason}.",
		Causes: []string{
			"The body was sent form-encoded or without Content-Type application/json.",
			"The body is empty, is not valid JSON, or is a JSON array or value instead of an object.",
			"Something follows the JSON object in the body, such as a second object.",
		},
		ClientFix: []string{
			"POST (or PUT, to update) one JSON object of client metadata with Content-Type application/json.",
		},
		Spec: "RFC 7591 §3.1", SpecURL: rfc7591 + "#section-3.1", Endpoints: []Endpoint{Register}},

	// ---- Client metadata ----
	{Name: RegistrationMetadataInvalid, Error: "invalid_client_metadata", Status: bad, Title: "A client metadata field is invalid",
		Description: "The client metadata field {field} is invalid: {reason}.",
		Causes: []string{
			"The field has the wrong JSON type, for example a string where RFC 7591 defines an array, or an array where scope is one space-separated string.",
			"The value is valid in the specification but not supported here, such as a token_endpoint_auth_method or id_token_signed_response_alg this server does not offer.",
			"The value breaks a rule of its own, such as a client_name with control characters or a jwks that holds private key material.",
		},
		ClientFix: []string{
			"Correct the field named in the description; the discovery document lists the supported grant types, authentication methods and signing algorithms.",
			"Leave the field out to get the server's default value.",
		},
		Spec: "RFC 7591 §3.2.2", SpecURL: rfc7591 + "#section-3.2.2", Endpoints: []Endpoint{Register}},
	{Name: RegistrationTypesInconsistent, Error: "invalid_client_metadata", Status: bad, Title: "Grant types and response types do not match",
		Description: "The grant_types {grant_types} and response_types {response_types} do not match: {reason}.",
		Causes: []string{
			"The client asked for the response type code without the grant type authorization_code, or the other way round.",
			"The client registered only client_credentials but left response_types at code, which only the authorization code flow uses.",
		},
		ClientFix: []string{
			"For sign-in flows register grant_types authorization_code (and refresh_token if needed) with response_types code.",
			"For a backend that uses only client_credentials, send response_types as an empty array or leave it out.",
		},
		Spec: "RFC 7591 §2.1", SpecURL: rfc7591 + "#section-2.1", Endpoints: []Endpoint{Register}},
	{Name: RegistrationJWKSConflict, Error: "invalid_client_metadata", Status: bad, Title: "Both jwks and jwks_uri given",
		Description: "The registration gives both jwks and jwks_uri; a client registers its keys by value or by reference, not both.",
		Causes: []string{
			"The client sent its keys inline and also the URL where it publishes them.",
			"An update copied the previous registration, which had one of them, and added the other.",
		},
		ClientFix: []string{
			"Send jwks_uri if the keys are published at a URL (this lets you rotate them without updating the registration), otherwise jwks; leave the other out.",
		},
		Spec: "RFC 7591 §2", SpecURL: rfc7591 + "#section-2", Endpoints: []Endpoint{Register}},
	{Name: RegistrationClientIDMismatch, Error: "invalid_client_metadata", Status: bad, Title: "Update names another client",
		Description: "The update's client_id is {given}, but this URL manages client {client_id}; an update must carry the client's own client_id.",
		Causes: []string{
			"The update body has no client_id; RFC 7592 requires it in every update.",
			"The body was built from another client's registration, or the URL was taken from another client.",
		},
		ClientFix: []string{
			"Send the full current metadata with client_id set to the id in registration_client_uri.",
		},
		Spec: "RFC 7592 §2.2", SpecURL: rfc7592 + "#section-2.2", Endpoints: []Endpoint{Register}},
	{Name: RegistrationSecretMismatch, Error: "invalid_client_metadata", Status: bad, Title: "Update carries a client secret that is not current",
		Description: "The update's client_secret is not the current secret of client {client_id}; a client cannot choose its own secret.",
		Causes: []string{
			"The client tried to set a secret of its own choosing.",
			"The client sent an old secret after the operator rotated it.",
			"The client is public (token_endpoint_auth_method none) and has no secret, but the update carries one.",
		},
		ClientFix: []string{
			"Leave client_secret out of the update, or send the current secret unchanged.",
		},
		Spec: "RFC 7592 §2.2", SpecURL: rfc7592 + "#section-2.2", Endpoints: []Endpoint{Register}},
	{Name: RegistrationStatementInvalid, Error: "invalid_software_statement", Status: bad, Title: "Software statement is not a JWT",
		Description: "The software_statement is not a signed JWT in compact form: {reason}.",
		Causes: []string{
			"The field holds a JSON object or a file name instead of the JWT string.",
			"The JWT was cut, wrapped across lines or quoted twice when it was copied.",
		},
		ClientFix: []string{
			"Leave software_statement out: this server does not use software statements; send the metadata as plain fields.",
		},
		Spec: "RFC 7591 §2.3", SpecURL: rfc7591 + "#section-2.3", Endpoints: []Endpoint{Register}},
	{Name: RegistrationStatementUnsupported, Error: "unapproved_software_statement", Status: bad, Title: "Software statements are not accepted",
		Description: "This server does not accept software statements, so it cannot approve the one sent; register with plain metadata fields instead.",
		Causes: []string{
			"The client was built for a federation or an ecosystem whose servers require a statement signed by a software publisher.",
			"A registration library sends a software_statement whenever one is configured.",
		},
		ClientFix: []string{
			"Leave software_statement out and send the metadata it would carry (redirect_uris, client_name and so on) as plain fields.",
		},
		OperatorFix: []string{
			"Lucid has no setting for trusted software publishers; clients that require one must be registered with `lucid client create` or the admin API.",
		},
		Spec: "RFC 7591 §3.1.1", SpecURL: rfc7591 + "#section-3.1.1", Endpoints: []Endpoint{Register}},

	// ---- Redirect URIs ----
	{Name: RegistrationRedirectMissing, Error: "invalid_redirect_uri", Status: bad, Title: "No redirect URI registered",
		Description: "The client registers the grant type authorization_code but no redirect_uris; the authorization response needs at least one redirect URI to go to.",
		Causes: []string{
			"The client left out redirect_uris, so the default grant type authorization_code applies without a place to send codes.",
			"The redirect URIs were sent under another name, such as redirect_uri or callback_url.",
		},
		ClientFix: []string{
			"Send redirect_uris as a JSON array of the exact callback URLs of the application.",
			"For a backend that never signs users in, register grant_types client_credentials instead.",
		},
		Spec: "RFC 7591 §2", SpecURL: rfc7591 + "#section-2", Endpoints: []Endpoint{Register}},
	{Name: RegistrationRedirectMalformed, Error: "invalid_redirect_uri", Status: bad, Title: "Redirect URI is malformed",
		Description: "A redirect URI cannot be registered: {reason}.",
		Causes: []string{
			"The URI is empty, has no host, or is not a valid URI at all.",
			"The URI contains whitespace or a line break copied from a configuration file.",
			"The URI is longer than this server accepts.",
		},
		ClientFix: []string{
			"Register each callback as a complete, valid URI such as https://app.example.com/callback, trimmed of spaces.",
		},
		Spec: "RFC 6749 §3.1.2", SpecURL: rfc6749 + "#section-3.1.2", Endpoints: []Endpoint{Register}},
	{Name: RegistrationRedirectNotAbsolute, Error: "invalid_redirect_uri", Status: bad, Title: "Redirect URI is not absolute",
		Description: "The redirect URI {redirect_uri} is not absolute: it has no scheme, and redirect URIs are compared in full.",
		Causes: []string{
			"A path such as /callback was registered instead of the full URL.",
			"The scheme was left out, as in app.example.com/callback.",
		},
		ClientFix: []string{
			"Register the full URI with its scheme and host, such as https://app.example.com/callback.",
		},
		Spec: "RFC 6749 §3.1.2", SpecURL: rfc6749 + "#section-3.1.2", Endpoints: []Endpoint{Register}},
	{Name: RegistrationRedirectFragment, Error: "invalid_redirect_uri", Status: bad, Title: "Redirect URI has a fragment",
		Description: "The redirect URI {redirect_uri} has a fragment (#...); redirect URIs must not, because the authorization response uses the URI to carry its own parameters.",
		Causes: []string{
			"A single-page application registered its client-side route, such as https://app.example.com/#/callback.",
			"A trailing # was copied along with the URL.",
		},
		ClientFix: []string{
			"Register the URI without the fragment, and let the application route after it receives the response.",
		},
		Spec: "RFC 6749 §3.1.2", SpecURL: rfc6749 + "#section-3.1.2", Endpoints: []Endpoint{Register}},
	{Name: RegistrationRedirectWildcard, Error: "invalid_redirect_uri", Status: bad, Title: "Redirect URI has a wildcard",
		Description: "The redirect URI {redirect_uri} contains a wildcard; redirect URIs are compared exactly, so each one must be registered in full.",
		Causes: []string{
			"The client tried to cover many hosts or paths, such as preview deployments, with one pattern.",
		},
		ClientFix: []string{
			"Register every exact callback URI; update the registration when a new one is needed.",
		},
		Spec: "RFC 9700 §2.1", SpecURL: bcp + "#section-2.1", Endpoints: []Endpoint{Register}},
	{Name: RegistrationRedirectUserInfo, Error: "invalid_redirect_uri", Status: bad, Title: "Redirect URI has user information",
		Description: "The redirect URI {redirect_uri} contains user information (user@host); redirect URIs must not, since such URIs can make one host look like another.",
		Causes: []string{
			"The URI contains credentials or an at sign before the host, as in https://user@app.example.com/callback.",
		},
		ClientFix: []string{
			"Register the URI without anything between the scheme and the host.",
		},
		Spec: "RFC 9700 §4.1", SpecURL: bcp + "#section-4.1", Endpoints: []Endpoint{Register}},
	{Name: RegistrationRedirectHTTP, Error: "invalid_redirect_uri", Status: bad, Title: "Redirect URI uses http on a public host",
		Description: "The redirect URI {redirect_uri} uses plain http on a host that is not loopback; authorization codes must travel over https, except to 127.0.0.1, [::1] or localhost.",
		Causes: []string{
			"A web application registered its development URL, or its production URL without https.",
			"A native application registered http with a host name instead of a loopback address.",
		},
		ClientFix: []string{
			"Use https for web applications.",
			"Native applications use http://127.0.0.1 with a port, or a private-use scheme such as com.example.app:/callback.",
		},
		Spec: "RFC 9700 §2.1", SpecURL: bcp + "#section-2.1", Endpoints: []Endpoint{Register}},
	{Name: RegistrationRedirectScheme, Error: "invalid_redirect_uri", Status: bad, Title: "Redirect URI scheme not allowed",
		Description: "The redirect URI {redirect_uri} uses the scheme {scheme}; use https, http on a loopback address, or a private-use scheme named after a domain the application owns.",
		Causes: []string{
			"A native application registered a short custom scheme such as myapp:, which another application could also claim.",
			"The URI uses a scheme that is dangerous as a redirect target, such as javascript: or data:.",
		},
		ClientFix: []string{
			"Use a private-use scheme in reverse domain order, such as com.example.app:/callback, or https.",
		},
		Spec: "RFC 8252 §7.1", SpecURL: "https://www.rfc-editor.org/rfc/rfc8252#section-7.1", Endpoints: []Endpoint{Register}},
}
