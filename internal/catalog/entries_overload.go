package catalog

import "net/http"

// overloadEntries: see entries_hardening.go. Shedding load, and the
// resource library's side of an introspection endpoint that cannot answer.
var overloadEntries = []Entry{
	{Name: ServerOverloaded, Error: "temporarily_unavailable", Status: http.StatusServiceUnavailable, Title: "Server busy",
		Description: "Lucid is already serving as many {class} requests as it takes at once, so it refused this one before doing any work; retry after {retry_after}.",
		Causes: []string{
			"More requests arrived at once than this Lucid process is configured to serve for this kind of endpoint, for example a burst of token requests from many clients or a client retrying in a tight loop.",
			"The requests it is serving are slow because the database is slow, so they hold their places longer.",
		},
		ClientFix: []string{
			"Retry after the number of seconds in the Retry-After header, with a growing, randomised delay if it happens again.",
			"Reuse access tokens until they expire instead of asking for a new one per call.",
		},
		OperatorFix: []string{
			"Shed requests are counted in `lucid_failures_total` and logged in aggregate (\"shedding load\"), not stored one by one: storing each would add to the load being shed.",
			"Raise the class's limit under `in_flight` (`LUCID_IN_FLIGHT_TOKEN`…) only if the machine has idle CPU while shedding; otherwise add replicas.",
			"If the database is slow, look there first: `timeouts.query` bounds each database call.",
		},
		Spec: "RFC 9110 §15.6.4", SpecURL: "https://www.rfc-editor.org/rfc/rfc9110#section-15.6.4",
		Endpoints: []Endpoint{Token, Authorize, SignIn, EndSession, Introspect, Revoke, UserInfo, Register, Admin}},
	{Name: IntrospectionUnavailable, Error: "temporarily_unavailable", Status: http.StatusServiceUnavailable, Title: "Token check unavailable",
		Description: "This API could not check the access token because the authorization server's introspection endpoint did not answer usefully ({reason}); the token was not judged, retry after {retry_after}.",
		Causes: []string{
			"The authorization server is overloaded or its database is unavailable, so it answered 503.",
			"The authorization server cannot be reached from this API (network, DNS, TLS), or it timed out.",
		},
		ClientFix: []string{
			"Retry the same request with the same token after the number of seconds in the Retry-After header; the token may well be valid.",
		},
		OperatorFix: []string{
			"Check the authorization server's health and the network path from the API to its introspection endpoint.",
			"In Go, `errors.Is(err, resource.ErrUnavailable)` tells this failure apart from a token that is invalid.",
		},
		Spec: "RFC 7662 §2.3", SpecURL: "https://www.rfc-editor.org/rfc/rfc7662#section-2.3",
		Endpoints: []Endpoint{Resource}},
}
