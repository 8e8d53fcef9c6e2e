package catalog

import "net/http"

// credentialKindEntries: see entries_mistakes.go. Lucid's credentials carry
// a prefix per kind and a check (package credential), so a value sent
// where it does not belong is told apart on sight: damaged on the way, or
// one of Lucid's of another kind. The last two are also the reasons a
// token response names in refresh_token_withheld when it holds no refresh
// token, and the answer to a later refresh that has none to send.
var credentialKindEntries = []Entry{
	{Name: CodeDamaged, Error: "invalid_grant", Status: http.StatusBadRequest, Title: "Authorization code damaged on the way",
		Description: "The code has the form of this server's authorization codes, but {damage}. Send the code parameter of the redirect exactly as it arrived.",
		Causes: []string{
			"The code was cut short: copied by hand, stored in a column that is too short, or split at a line end.",
			"The client decoded the redirect's query and then URL-encoded or decoded the code once more (a + turns into a space, %xx escapes are left in).",
			"The whole query string, or the code with quotes or a line break around it, was sent as the code.",
		},
		ClientFix: []string{
			"Read the code parameter from the redirect with your framework's query parser and send it unchanged as the code form parameter; encode the token request's form once.",
			"Lucid's codes begin with lc_ac_ and are 55 characters of letters, digits, - and _.",
		},
		Spec: "RFC 6749 §4.1.3", SpecURL: rfc6749 + "#section-4.1.3", Endpoints: []Endpoint{Token}},
	{Name: CodeIsRefreshToken, Error: "invalid_grant", Status: http.StatusBadRequest, Title: "A refresh token was sent as the authorization code",
		Description: "The code parameter holds a refresh token of this server, not an authorization code. To use a refresh token, send grant_type=refresh_token with it in refresh_token.",
		Causes: []string{
			"The client refreshes through its code-exchange function, which sends grant_type=authorization_code.",
			"The stored code and refresh token were mixed up, for example kept under the same key.",
		},
		ClientFix: []string{
			"Refresh with grant_type=refresh_token and refresh_token=<the refresh token>; authorization codes come only from the redirect, and each is used once.",
		},
		Spec: "RFC 6749 §6", SpecURL: rfc6749 + "#section-6", Endpoints: []Endpoint{Token}},
	{Name: CodeIsToken, Error: "invalid_grant", Status: http.StatusBadRequest, Title: "A token was sent as the authorization code",
		Description: "The code parameter holds {kind} of this server, not an authorization code. The code is the code parameter of the redirect to your redirect_uri.",
		Causes: []string{
			"The client already exchanged the code and now sends a token from that answer (the access token or the ID token) as a code.",
			"The client reads the wrong member of the callback or of the token response.",
		},
		ClientFix: []string{
			"Send the code query parameter of the redirect; tokens are what the token endpoint returns, and you already hold them.",
			"If you need new tokens, use your refresh token (grant_type=refresh_token) or start a new authorization request.",
		},
		Spec: "RFC 6749 §4.1.3", SpecURL: rfc6749 + "#section-4.1.3", Endpoints: []Endpoint{Token}},
	{Name: RefreshDamaged, Error: "invalid_grant", Status: http.StatusBadRequest, Title: "Refresh token damaged",
		Description: "The refresh token has the form of this server's refresh tokens, but {damage}. Send the refresh_token member of the last token response exactly as it was.",
		Causes: []string{
			"The stored token was truncated, for example by a database column or cookie that is too short (Lucid's refresh tokens are 55 characters).",
			"The token was encoded or decoded once too often, or stored with quotes or a line break around it.",
		},
		ClientFix: []string{
			"Store the refresh token as an opaque string of at least 64 characters and send it unchanged; Lucid's refresh tokens begin with lc_rt_.",
			"If the stored token is lost, start a new sign-in.",
		},
		Spec: "RFC 6749 §6", SpecURL: rfc6749 + "#section-6", Endpoints: []Endpoint{Token}},
	{Name: RefreshIsCode, Error: "invalid_grant", Status: http.StatusBadRequest, Title: "An authorization code was sent as the refresh token",
		Description: "The refresh_token parameter holds an authorization code of this server, not a refresh token. Exchange a code with grant_type=authorization_code; the refresh token is a member of that exchange's answer.",
		Causes: []string{
			"The client stored the code from the redirect where the refresh token belongs.",
			"The code exchange's answer held no refresh token, and the client fell back to the code.",
		},
		ClientFix: []string{
			"Exchange the code with grant_type=authorization_code, then keep the refresh_token member of the answer; if it has none, its refresh_token_withheld member says why.",
		},
		Spec: "RFC 6749 §6", SpecURL: rfc6749 + "#section-6", Endpoints: []Endpoint{Token}},
	{Name: RefreshIsToken, Error: "invalid_grant", Status: http.StatusBadRequest, Title: "An access or ID token was sent as the refresh token",
		Description: "The refresh_token parameter holds {kind} of this server, not a refresh token. {grant}",
		Causes: []string{
			"The token response held no refresh token (it names the reason in refresh_token_withheld), and the client sent the access token in its place.",
			"The client stores all tokens under one key, or reads the wrong member of the token response.",
		},
		ClientFix: []string{
			"Send the refresh_token member of the token response. If there is none, ask for the offline_access scope in the authorization request (the client must be allowed it) or sign the user in again when the access token expires.",
		},
		Spec: "RFC 6749 §6", SpecURL: rfc6749 + "#section-6", Endpoints: []Endpoint{Token}},
	{Name: RefreshNotRequested, Error: "invalid_grant", Status: http.StatusBadRequest, Title: "No refresh token: offline_access was not requested",
		Description: "There is no refresh token to use: client {client_id} gets one only when its authorization request asks for the offline_access scope, and a grant without it has none.",
		Causes: []string{
			"The authorization request's scope does not include offline_access, so the token response held no refresh token and said so in refresh_token_withheld.",
			"The client then refreshes with an empty refresh_token, or with the text undefined or null that its language made of a missing value.",
		},
		ClientFix: []string{
			"Add offline_access to the scope of the authorization request, and keep the refresh_token member of the code exchange's answer.",
			"Without offline_access, start a new authorization request when the access token expires (prompt=none keeps it silent while the session lasts).",
		},
		OperatorFix: []string{
			"To give this client refresh tokens without offline_access, set always_issue_refresh_token on it.",
		},
		Spec: "OIDC Core §11", SpecURL: oidc + "#OfflineAccess", Endpoints: []Endpoint{Token}},
	{Name: RefreshScopeNotAllowed, Error: "invalid_grant", Status: http.StatusBadRequest, Title: "No refresh token: offline_access is not allowed to this client",
		Description: "There is no refresh token to use: client {client_id} is not allowed the offline_access scope, so its grants carry no refresh token.",
		Causes: []string{
			"The client's registration does not list offline_access among its scopes, so it cannot ask for it, and its token responses say so in refresh_token_withheld.",
		},
		ClientFix: []string{
			"Start a new authorization request when the access token expires, or ask the operator to allow offline_access.",
		},
		OperatorFix: []string{
			"Add offline_access to the client's scopes (`lucid client update` or the admin API) if it should keep access while the user is away.",
		},
		Spec: "OIDC Core §11", SpecURL: oidc + "#OfflineAccess", Endpoints: []Endpoint{Token}},
	{Name: AccessTokenDamaged, Error: "invalid_token", Status: http.StatusUnauthorized, Title: "Access token damaged",
		Description: "The access token has the form of this server's opaque access tokens, but {damage}. Send the access_token member of the token response unchanged after the word Bearer.",
		Causes: []string{
			"The token was cut short, for example by a header or cookie size limit or a column that is too short.",
			"The token was stored or sent with quotes, whitespace or a line break around it, or URL-encoded in the header.",
		},
		ClientFix: []string{
			"Send Authorization: Bearer followed by one space and the token exactly as the token response gave it; Lucid's opaque access tokens begin with lc_at_ and are 55 characters.",
		},
		Spec: "RFC 6750 §3.1", SpecURL: rfc6750 + "#section-3.1", Endpoints: []Endpoint{UserInfo}},
	{Name: AccessTokenIsIDToken, Error: "invalid_token", Status: http.StatusUnauthorized, Title: "An ID token was sent as the access token",
		Description: "The bearer token is an ID token of this server (typ JWT), not an access token (typ at+jwt). Send the access_token member of the token response.",
		Causes: []string{
			"The client sends the id_token member of the token response because it is a JWT and looks like what an API wants.",
			"A library exposes the ID token as the user's token, and the application forwards it.",
		},
		ClientFix: []string{
			"Send the access_token member as the bearer token; the ID token tells the client who signed in and is not meant for APIs or userinfo.",
		},
		Spec: "RFC 9068 §2.1", SpecURL: "https://www.rfc-editor.org/rfc/rfc9068#section-2.1", Endpoints: []Endpoint{UserInfo}},
	{Name: AccessTokenWrongKind, Error: "invalid_token", Status: http.StatusUnauthorized, Title: "A refresh token or code was sent as the access token",
		Description: "The bearer token is {kind} of this server, not an access token. Send the access_token member of the token response.",
		Causes: []string{
			"The client sends the refresh token, which only the token endpoint takes, as its bearer token.",
			"The client sends the authorization code or its registration access token where the access token belongs.",
		},
		ClientFix: []string{
			"Send the access_token member of the token response; keep the refresh token for grant_type=refresh_token at the token endpoint.",
		},
		Spec: "RFC 6750 §3.1", SpecURL: rfc6750 + "#section-3.1", Endpoints: []Endpoint{UserInfo}},
}
