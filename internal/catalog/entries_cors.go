package catalog

const fetchCORS = "https://fetch.spec.whatwg.org/#http-cors-protocol"

// corsEntries: see entries_mistakes.go. A page in a browser calls the
// token, revocation or userinfo endpoint from an origin its client has not
// registered. The answer carries the CORS headers for that origin, so the
// page can read this entry instead of an opaque network error.
var corsEntries = []Entry{
	{Name: CORSOriginNotAllowed, Error: "unauthorized_client", Status: bad, Title: "Web origin not allowed for this client",
		Description: "A page at {origin} called this endpoint for client {client_id}, and {origin} is not one of the client's web origins ({registered}). Browsers may call Lucid only from the origins a client registers; nothing was issued or changed.",
		Causes: []string{
			"The single-page app runs at an origin that was never registered for the client: a new domain, a preview deployment, or a development server on another port.",
			"The origin differs in scheme, host or port from the registered one (http and https, www and bare domain, localhost and 127.0.0.1, port 3000 and 5173): origins are compared exactly.",
			"The client registered redirect URIs but no web origins; a redirect URI alone does not let its pages call the token endpoint.",
			"The app uses the client_id of another registration, made for a server-side application that never calls Lucid from a browser.",
		},
		ClientFix: []string{
			"Have the exact origin the browser shows (scheme, host and port, no path, such as https://app.example.com) added to the client's web origins, or add it to web_origins in your dynamic client registration.",
			"To allow the origins of the client's redirect URIs, register the web origin + instead of listing them again.",
			"If the app should not call Lucid from the browser, call the token endpoint from its backend instead; requests without an Origin header are not affected.",
		},
		OperatorFix: []string{
			"Add the origin with `lucid client update CLIENT_ID --web-origin https://app.example.com`, or web_origins in PATCH /admin/clients/CLIENT_ID; `--web-origin +` allows the origins of the client's redirect URIs.",
			"Check the client's web origins with `lucid client show CLIENT_ID`; the failure story under the trace id names the origin that was refused.",
		},
		Spec: "Fetch Standard, CORS protocol", SpecURL: fetchCORS, Endpoints: []Endpoint{Token, Revoke, UserInfo}},
}
