package catalog

import "net/http"

const rfc9126 = "https://www.rfc-editor.org/rfc/rfc9126"

// parEntries: see entries_sender.go. Pushed authorization requests
// (RFC 9126): the request_uri a push hands out is short-lived, single use
// and its client's alone, and a client (or the server) can require it.
// A pushed request that fails the authorization endpoint's own checks is
// answered at the push with those checks' entries, as JSON.
var parEntries = []Entry{
	{Name: PARRequestURIUnknown, Error: "invalid_request_uri", Status: http.StatusBadRequest, Page: true, Title: "Unknown request_uri",
		Description: "No pushed authorization request has the request_uri {request_uri}; it was never issued here, or it expired so long ago that it was forgotten.",
		Causes: []string{
			"The request_uri was copied wrong or cut short on its way into the authorization URL.",
			"The request was pushed to another server or environment than the one the browser was sent to.",
			"The request_uri is more than an hour past its expiry, after which Lucid forgets it.",
		},
		ClientFix: []string{
			"Push the authorization request again and send the browser to the authorization endpoint with the request_uri from that answer, unchanged and at once.",
			"Push to the pushed_authorization_request_endpoint of the same issuer whose authorization endpoint the browser goes to.",
		},
		Spec: "RFC 9126 §4", SpecURL: rfc9126 + "#section-4", Endpoints: []Endpoint{Authorize}},
	{Name: PARRequestURIExpired, Error: "invalid_request_uri", Status: http.StatusBadRequest, Page: true, Title: "request_uri expired",
		Description: "The pushed authorization request behind this request_uri expired {ago} ago; a request_uri lives {lifetime}.",
		Causes: []string{
			"The browser reached the authorization endpoint long after the push, for example because the push happened when a page was rendered and the person clicked later.",
			"The client caches request_uri values and reuses them.",
			"The clocks of Lucid's replicas disagree.",
		},
		ClientFix: []string{
			"Push the request right before redirecting the browser, and push a new one for every authorization.",
		},
		OperatorFix: []string{
			"If clients need longer between push and redirect, raise `lifetimes.pushed_request` (at most 10m).",
		},
		Spec: "RFC 9126 §2.2", SpecURL: rfc9126 + "#section-2.2", Endpoints: []Endpoint{Authorize}},
	{Name: PARRequestURIUsed, Error: "invalid_request_uri", Status: http.StatusBadRequest, Page: true, Title: "request_uri already used",
		Description: "The request_uri was already used {ago} ago; each pushed authorization request starts one authorization only.",
		Causes: []string{
			"The person reloaded the authorization page or went back to it with the browser's history.",
			"The client sends the same request_uri for several sign-ins.",
			"Someone else who saw the authorization URL used it first.",
		},
		ClientFix: []string{
			"Push a new authorization request for every redirect to the authorization endpoint, and start the sign-in again from the application.",
		},
		Spec: "RFC 9126 §4", SpecURL: rfc9126 + "#section-4", Endpoints: []Endpoint{Authorize}},
	{Name: PARRequestURIOtherClient, Error: "invalid_request_uri", Status: http.StatusBadRequest, Page: true, Title: "request_uri belongs to another client",
		Description: "The request_uri was pushed by another client than {client_id}, the client_id of this authorization request; it was not used.",
		Causes: []string{
			"The client_id in the authorization URL differs from the client that authenticated at the push, for example a production id with a test client's request_uri.",
			"An application serves several clients and mixed up which request_uri belongs to which.",
		},
		ClientFix: []string{
			"Send the browser with the client_id that authenticated the push, together with that push's request_uri.",
		},
		Spec: "RFC 9126 §4", SpecURL: rfc9126 + "#section-4", Endpoints: []Endpoint{Authorize}},
	{Name: PARRequiredByClient, Error: "invalid_request", Status: http.StatusBadRequest, Title: "This client must push its authorization requests",
		Description: "Client {client_id} is registered to send authorization requests only through the pushed authorization request endpoint; this one came with its parameters in the URL.",
		Causes: []string{
			"The client is registered with require_pushed_authorization_requests, but its library is not configured to use PAR.",
			"A link to the authorization endpoint was built by hand, bypassing the client's library.",
		},
		ClientFix: []string{
			"POST the authorization parameters to the pushed_authorization_request_endpoint from the discovery document, then redirect the browser with only client_id and the request_uri of the answer.",
		},
		OperatorFix: []string{
			"If the client cannot use PAR yet, turn the requirement off for it with `lucid client update ID --require-par=false`.",
		},
		Spec: "RFC 9126 §6", SpecURL: rfc9126 + "#section-6", Endpoints: []Endpoint{Authorize}},
	{Name: PARRequiredByServer, Error: "invalid_request", Status: http.StatusBadRequest, Title: "This server accepts only pushed authorization requests",
		Description: "This server takes authorization requests only through its pushed authorization request endpoint; this one came with its parameters in the URL.",
		Causes: []string{
			"The server requires PAR for every client (require_pushed_authorization_requests in the discovery document), and this client's library does not push.",
			"A link to the authorization endpoint was built by hand, bypassing the client's library.",
		},
		ClientFix: []string{
			"POST the authorization parameters to the pushed_authorization_request_endpoint from the discovery document, then redirect the browser with only client_id and the request_uri of the answer.",
		},
		OperatorFix: []string{
			"The requirement is `require_pushed_authorization_requests` (or `LUCID_REQUIRE_PUSHED_AUTHORIZATION_REQUESTS`); to require PAR of some clients only, turn it off and use `lucid client update ID --require-par`.",
		},
		Spec: "RFC 9126 §5", SpecURL: rfc9126 + "#section-5", Endpoints: []Endpoint{Authorize}},
	{Name: PARRequestURIPushed, Error: "invalid_request", Status: http.StatusBadRequest, Title: "request_uri inside a pushed request",
		Description: "A pushed authorization request cannot carry a request_uri; push the parameters themselves.",
		Causes: []string{
			"The client pushes a request_uri it got from an earlier push, or one pointing to a request object it hosts.",
			"The client library adds request_uri to every authorization request, the push included.",
		},
		ClientFix: []string{
			"Push the authorization parameters (or a signed request object in the request parameter) without request_uri; the answer gives the request_uri to send the browser with.",
		},
		Spec: "RFC 9126 §2.1", SpecURL: rfc9126 + "#section-2.1", Endpoints: []Endpoint{PAR}},
}
