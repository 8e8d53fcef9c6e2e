package catalog

import "net/http"

// signInReportEntries: see entries_mistakes.go. Sign-in failures a person
// can report, API scopes in the authorization-code flow, and authorization
// requests told apart where one answer covered several mistakes.
var signInReportEntries = []Entry{
	{Name: SignInAccountDisabled, Error: "access_denied", Status: http.StatusForbidden, Page: true, Title: "Account disabled",
		Description: "This account has been disabled, so it cannot sign in. Ask the people who run this service to enable it again.",
		Causes: []string{
			"An administrator disabled the account, for example when its owner left or while a problem with it is looked into.",
			"The person signs in with an old account that was replaced by a new one.",
		},
		ClientFix: []string{
			"Nothing to change in the application; the user needs the operator to enable the account, or signs in with another one.",
		},
		OperatorFix: []string{
			"Lucid says this only after the password was checked and found right, so strangers cannot learn which accounts exist or are disabled; a wrong password for a disabled account is answered as any wrong password (sign_in_failed).",
			"If the account was disabled by mistake, enable it with `lucid user enable NAME`.",
		},
		Spec: "RFC 6749 §4.1.2.1", SpecURL: rfc6749 + "#section-4.1.2.1", Endpoints: []Endpoint{SignIn}},
	{Name: ScopeNeedsResource, Error: "invalid_scope", Status: http.StatusBadRequest, Title: "API scope requested without its API as resource",
		Description: "The scope {scope} is defined by the API {owner}, which the request does not name as a resource (resources named: {named}). Add resource={owner} to the authorization request: the access token is then for that API and carries its scopes.",
		Causes: []string{
			"The application asks for an API's scope in the authorization-code flow without saying which API the token is for; Lucid does not guess an audience, so that a token never reaches an API its user did not see named.",
			"The application sends audience=API (the name one hosted provider uses) instead of the standard resource parameter (RFC 8707), which Lucid reads.",
			"The request names another API as resource than the one that defines the scope.",
		},
		ClientFix: []string{
			"Send resource=API_IDENTIFIER in the authorization request, once per API, and only scopes of the APIs you name (plus openid, profile, email and the other OpenID scopes). In golang.org/x/oauth2: oauth2.SetAuthURLParam(\"resource\", \"https://api.example.com\").",
			"Ask for one API's scopes per token; with several resources authorized, pick one with resource at the token endpoint.",
		},
		OperatorFix: []string{
			"`lucid api list` shows which API defines each scope; the client needs that API among its audiences (`lucid client update CLIENT_ID --audience URI`).",
		},
		Spec: "RFC 8707 §2", SpecURL: "https://www.rfc-editor.org/rfc/rfc8707#section-2", Endpoints: []Endpoint{Authorize}},
	{Name: AuthorizeClientNoRedirectURIs, Error: "invalid_request", Status: http.StatusBadRequest, Page: true, Title: "Client has no redirect URIs",
		Description: "The client {client_id} has no redirect URI registered, so it cannot use the authorization endpoint: it is not registered for the authorization-code flow (its grant types: {grant_types}).",
		Causes: []string{
			"A machine-to-machine client (client_credentials) is used to sign people in; such clients are created without redirect URIs.",
			"The application's client_id points at the wrong registration, for example its backend's instead of its web front end's.",
			"The client was registered without a callback URL and it was never added.",
		},
		ClientFix: []string{
			"Use the client_id of the registration made for signing people in, or ask the operator to register your callback URL for this client.",
		},
		OperatorFix: []string{
			"Register the callback URL and the code flow: `lucid client update CLIENT_ID --redirect-uri URI --grant-type authorization_code`; or create a separate client for the browser application.",
		},
		Spec: "RFC 6749 §3.1.2.2", SpecURL: rfc6749 + "#section-3.1.2.2", Endpoints: []Endpoint{Authorize}},
	{Name: AuthorizePostParamsInQuery, Error: "invalid_request", Status: http.StatusBadRequest, Page: true, Title: "POST to the authorization endpoint with its parameters in the URL",
		Description: "The authorization request was sent with POST, but its parameters ({parameters}) are in the URL's query, not in the form body. With POST the parameters must be form-encoded in the body; or send the same URL with GET.",
		Causes: []string{
			"A form with method=post has the authorization parameters in its action URL and no fields of its own.",
			"A library or script posts to the authorization URL it built for a redirect (GET), with an empty body.",
		},
		ClientFix: []string{
			"Redirect the browser to the authorization URL (GET), which is what most libraries do; or POST the parameters as application/x-www-form-urlencoded fields of the body, with none in the URL.",
		},
		Spec: "OIDC Core §3.1.2.1", SpecURL: "https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest", Endpoints: []Endpoint{Authorize}},
	{Name: ResourceUnknown, Error: "invalid_target", Status: http.StatusBadRequest, Title: "No API with this identifier",
		Description: "No API with the identifier {resource} is registered here, and it is not one of the client {client_id}'s audiences. Its allowed audiences: {allowed}.",
		Causes: []string{
			"The resource identifier is misspelled, or differs from the registered API in a detail (trailing slash, http versus https, letter case, a path).",
			"The API is registered on another Lucid server or environment.",
			"The client sends its API's name or the URL of one endpoint instead of the API's identifier.",
		},
		ClientFix: []string{
			"Send one of the audiences listed in the description, character for character.",
		},
		OperatorFix: []string{
			"`lucid api list` shows the registered identifiers; register a missing API with `lucid api create URI` and allow it for the client with `lucid client update CLIENT_ID --audience URI`.",
		},
		Spec: "RFC 8707 §2", SpecURL: "https://www.rfc-editor.org/rfc/rfc8707#section-2", Endpoints: []Endpoint{Authorize, Token}},
}
