package catalog

// m2mEntries: client credentials, resource indicators (RFC 8707),
// introspection (RFC 7662), revocation (RFC 7009) and the resource library.
var m2mEntries = []Entry{
	{Name: ScopeNeedsUser, Error: "invalid_scope", Status: bad, Title: "Scope needs a signed-in user",
		Description: "The scope {scope} is about a user, but grant_type {grant_type} has no user: it acts for the client {client_id} alone.",
		Causes: []string{
			"The client asked for openid, profile, email, address, phone or offline_access with client_credentials; these describe a person.",
			"A scope list shared between a user-facing application and its backend was copied into the backend's token request.",
		},
		ClientFix: []string{
			"Ask only for the API scopes the client itself needs, for example scope=orders:read.",
			"Use the authorization code flow when you need a user's identity or an ID token.",
		},
		Spec: "RFC 6749 §4.4.2", SpecURL: rfc6749 + "#section-4.4.2", Endpoints: []Endpoint{Token}},
	{Name: ResourceInvalid, Error: "invalid_target", Status: bad, Title: "Resource indicator is not an absolute URI",
		Description: "The resource {resource} is not an absolute URI without a fragment, which RFC 8707 requires of a resource indicator.",
		Causes: []string{
			"The client sent an API name or a relative path instead of the API identifier, which is an absolute URI such as https://api.example.com.",
			"The identifier carries a #fragment, or was URL-encoded twice.",
		},
		ClientFix: []string{
			"Send the API identifier exactly as registered (see the audiences of your client), for example resource=https://api.example.com.",
		},
		Spec: "RFC 8707 §2", SpecURL: "https://www.rfc-editor.org/rfc/rfc8707#section-2", Endpoints: []Endpoint{Authorize, Token}},
	{Name: ResourceNotAllowed, Error: "invalid_target", Status: bad, Title: "Client may not get tokens for this resource",
		Description: "The client {client_id} may not get tokens for the resource {resource}. Its allowed audiences: {allowed}.",
		Causes: []string{
			"The client asked for an API it was never granted access to.",
			"The resource identifier differs in a character from the registered audience (trailing slash, http versus https, letter case).",
		},
		ClientFix: []string{
			"Use one of the audiences listed in the description, character for character.",
			"Ask the operator to allow the API for your client.",
		},
		OperatorFix: []string{
			"Allow the audience for the client: `lucid client update CLIENT_ID --audience https://api.example.com`.",
		},
		Spec: "RFC 8707 §2", SpecURL: "https://www.rfc-editor.org/rfc/rfc8707#section-2", Endpoints: []Endpoint{Authorize, Token}},
	{Name: ResourceNoneAllowed, Error: "invalid_target", Status: bad, Title: "Client has no audience for client_credentials",
		Description: "The client {client_id} asked for a token without naming a resource, and has no registered audience to use instead.",
		Causes: []string{
			"The client was created for sign-in flows and never given an API audience.",
		},
		ClientFix: []string{
			"Send resource=API_IDENTIFIER, once the operator has allowed that API for your client.",
		},
		OperatorFix: []string{
			"Register the API and allow it for the client: `lucid api create https://api.example.com`, then `lucid client update CLIENT_ID --audience https://api.example.com`.",
		},
		Spec: "RFC 8707 §2", SpecURL: "https://www.rfc-editor.org/rfc/rfc8707#section-2", Endpoints: []Endpoint{Token}},
	{Name: ConfidentialClientRequired, Error: "invalid_client", Status: unauth, Title: "Endpoint needs a confidential client",
		Description: "The client {client_id} is public, but the {endpoint} endpoint answers only clients that authenticate.",
		Causes: []string{
			"A browser or mobile application calls introspection or revocation without credentials.",
		},
		ClientFix: []string{
			"Call introspection from a backend registered as a confidential client (a resource server usually has its own client).",
			"Public clients revoke their tokens by sending client_id alone; introspection is not for them.",
		},
		Spec: "RFC 7662 §2.1", SpecURL: "https://www.rfc-editor.org/rfc/rfc7662#section-2.1", Endpoints: []Endpoint{Introspect}},
	{Name: TokenParamMissing, Error: "invalid_request", Status: bad, Title: "No token to introspect or revoke",
		Description: "The request to the {endpoint} endpoint has no token parameter.",
		Causes: []string{
			"The token was sent in an Authorization header or a JSON body instead of the form parameter token.",
			"The variable holding the token was empty.",
		},
		ClientFix: []string{
			"POST application/x-www-form-urlencoded with token=THE_TOKEN (and optionally token_type_hint), authenticating as the client.",
		},
		Spec: "RFC 7662 §2.1", SpecURL: "https://www.rfc-editor.org/rfc/rfc7662#section-2.1", Endpoints: []Endpoint{Introspect, Revoke}},
	{Name: RevokeOtherClient, Error: "unauthorized_client", Status: bad, Title: "Token belongs to another client",
		Description: "The token presented for revocation was issued to another client, not to {client_id}; only its own client may revoke it.",
		Causes: []string{
			"Two applications share tokens, and one tries to revoke the other's.",
			"The revocation request authenticates with the wrong client's credentials.",
		},
		ClientFix: []string{
			"Revoke a token with the credentials of the client it was issued to.",
		},
		Spec: "RFC 7009 §2.1", SpecURL: "https://www.rfc-editor.org/rfc/rfc7009#section-2.1", Endpoints: []Endpoint{Revoke}},
	{Name: AccessTokenDenied, Error: "invalid_token", Status: unauth, Title: "Access token revoked by its client",
		Description: "This access token was revoked at the revocation endpoint; it stays refused until it would have expired, at {expires_at}.",
		Causes: []string{
			"The client revoked the token (for example when the user signed out) and something still uses a copy of it.",
			"Two parts of an application share one token, and one of them revoked it.",
		},
		ClientFix: []string{
			"Get a new access token; do not keep using tokens after revoking them.",
		},
		Spec: "RFC 7009 §2", SpecURL: "https://www.rfc-editor.org/rfc/rfc7009#section-2", Endpoints: []Endpoint{UserInfo, Resource}},
	{Name: AccessTokenUnknown, Error: "invalid_token", Status: unauth, Title: "Unknown opaque access token",
		Description: "The access token is not a JWT, and Lucid holds no opaque access token with this value: it was never issued here, or it expired and was removed.",
		Causes: []string{
			"The token was issued by another server or another Lucid deployment with its own database.",
			"The value was cut or altered on the way (a missing character, extra whitespace, a quoted string).",
			"A refresh token or an authorization code was sent where an access token belongs.",
		},
		ClientFix: []string{
			"Send the access_token value of the token response, unchanged.",
			"Check that the token was issued by this server (its issuer) and has not expired.",
		},
		Spec: "RFC 6750 §3.1", SpecURL: rfc6750 + "#section-3.1", Endpoints: []Endpoint{UserInfo, Resource}},
	{Name: AccessTokenInactive, Error: "invalid_token", Status: unauth, Title: "Access token is not active",
		Description: "Lucid's introspection endpoint reports this access token as not active: it was revoked, has expired, or belongs to a client and audience this resource server may not ask about.",
		Causes: []string{
			"The token was revoked (by its client, or with its whole grant after a refresh-token or code replay).",
			"The token expired, or was issued for another API.",
			"The resource server's own client does not list this API among its audiences, so Lucid will not describe tokens for it.",
		},
		ClientFix: []string{
			"Get a new access token for this API and send it unchanged.",
		},
		OperatorFix: []string{
			"Run `lucid explain TRACE_ID` with the trace id of the token request, or check that the resource server's client lists the API: `lucid client update RS_CLIENT_ID --audience API_IDENTIFIER`.",
		},
		Spec: "RFC 7662 §2.2", SpecURL: "https://www.rfc-editor.org/rfc/rfc7662#section-2.2", Endpoints: []Endpoint{Resource}},
	{Name: AssertionSecretTooShort, Error: "invalid_client", Status: unauth, Title: "Client secret too short for the assertion's algorithm",
		Description: "The client {client_id} signed its assertion with {alg}, which needs a key of at least {need} bytes, but its secret is {bytes} bytes.",
		Causes: []string{
			"The client signs with HS384 or HS512 using a secret chosen by hand that is shorter than the hash (48 or 64 bytes).",
			"A secret generated for another authentication method was reused for client_secret_jwt.",
		},
		ClientFix: []string{
			"Sign with HS256, or ask for a longer secret; a secret generated by Lucid for client_secret_jwt is 64 bytes and fits HS512.",
		},
		OperatorFix: []string{
			"Issue a new generated secret: `lucid client rotate-secret CLIENT_ID`.",
		},
		Spec: "RFC 7518 §3.2", SpecURL: "https://www.rfc-editor.org/rfc/rfc7518#section-3.2", Endpoints: []Endpoint{Token, Introspect, Revoke}},
	{Name: RevokeTokenTypeUnsupported, Error: "unsupported_token_type", Status: bad, Title: "Unknown token_type_hint at revocation",
		Description: "The token_type_hint {hint} is not a token type Lucid revokes; use access_token or refresh_token, or leave the hint out.",
		Causes: []string{
			"The client sent a hint from another vocabulary, such as id_token, jwt or a token type URI from token exchange.",
			"A typo in the hint, such as refreshtoken.",
		},
		ClientFix: []string{
			"Send token_type_hint=access_token or token_type_hint=refresh_token, or no hint: Lucid finds the token either way.",
		},
		Spec: "RFC 7009 §2.2.1", SpecURL: "https://www.rfc-editor.org/rfc/rfc7009#section-2.2.1", Endpoints: []Endpoint{Revoke}},
	{Name: ResourceNotGranted, Error: "invalid_target", Status: bad, Title: "Resource not part of the authorization",
		Description: "The resource {resource} was not among those the user authorized ({granted}); a token request may only pick from them.",
		Causes: []string{
			"The authorization request named other resources (or none) than the token request now asks for.",
			"The client reuses a refresh token from one authorization for an API it was never authorized for.",
		},
		ClientFix: []string{
			"Send every resource you will need in the authorization request, then pick among them at the token endpoint.",
			"Start a new authorization that names the resource.",
		},
		Spec: "RFC 8707 §2.2", SpecURL: "https://www.rfc-editor.org/rfc/rfc8707#section-2.2", Endpoints: []Endpoint{Token}},
}
