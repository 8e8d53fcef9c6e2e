package catalog

import "net/http"

// resourceLibraryEntries are the failures of bearer requests that are not
// about the token's validity (an empty Bearer header, a token of another
// issuer) and those of package resource talking to Lucid (keys,
// introspection credentials). See entries_mistakes.go.
var resourceLibraryEntries = []Entry{
	{Name: BearerEmpty, Error: "invalid_request", Status: http.StatusBadRequest, Title: "Bearer scheme without a token",
		Description: "The Authorization header names the Bearer scheme but no token follows it; send Authorization: Bearer <token>.",
		Causes: []string{
			"The application built the header from a variable that was empty: the token was never obtained, was cleared at sign-out, or was read from the wrong field of the token response.",
			"A template or configuration writes 'Bearer ' followed by a placeholder that was not filled in.",
		},
		ClientFix: []string{
			"Check that the access token is present before the call, and get one first when it is not.",
			"Read the token from the access_token member of the token response.",
		},
		Spec: "RFC 6750 §2.1", SpecURL: rfc6750 + "#section-2.1", Endpoints: []Endpoint{UserInfo, Resource}},
	{Name: AccessTokenForeignIssuer, Error: "invalid_token", Status: http.StatusUnauthorized, Title: "Access token of another issuer",
		Description: "The access token says it was issued by {iss}, not by {expected}; only tokens of {expected} are accepted here, so it was not checked further.",
		Causes: []string{
			"The application obtained the token from another provider, another Lucid environment (staging instead of production) or another tenant of a hosted service.",
			"The application talks to more than one authorization server and sent the token of the wrong one.",
			"The API is configured with the wrong issuer URL.",
		},
		ClientFix: []string{
			"Get a token from the issuer named as expected in the description and send that one.",
		},
		OperatorFix: []string{
			"If the API should accept this issuer's tokens, configure it with that issuer; an API trusts one issuer per Verifier.",
		},
		Spec: "RFC 9068 §4", SpecURL: "https://www.rfc-editor.org/rfc/rfc9068#section-4", Endpoints: []Endpoint{UserInfo, Resource}},
	{Name: ResourceKeysUnavailable, Error: "temporarily_unavailable", Status: http.StatusServiceUnavailable, Title: "Signing keys unavailable to the API",
		Description: "This API could not get the authorization server's signing keys to check the access token ({reason}); the token was not judged, retry after {retry_after}.",
		Causes: []string{
			"The token is signed with a key the API has not seen yet (the authorization server rotated its keys), and fetching the key set from its jwks_uri failed.",
			"The authorization server cannot be reached from the API (network, DNS, TLS), timed out, or answered with an error.",
		},
		ClientFix: []string{
			"Retry the same request with the same token after the number of seconds in the Retry-After header; the token may well be valid.",
		},
		OperatorFix: []string{
			"Check the network path from the API to the jwks_uri of the authorization server's discovery document; the API's log has the cause under the trace id.",
			"In Go, `errors.Is(err, resource.ErrUnavailable)` tells this failure apart from a token that is invalid.",
		},
		Spec: "RFC 7517 §5", SpecURL: "https://www.rfc-editor.org/rfc/rfc7517#section-5", Endpoints: []Endpoint{Resource}},
	{Name: ResourceIntrospectionRefused, Error: "server_error", Status: http.StatusInternalServerError, Title: "The API's introspection was refused",
		Description: "The authorization server refused this API's introspection request (it answered {status}); the API's own credentials must be fixed, the token was not judged.",
		Causes: []string{
			"The client id or secret the API uses for introspection is wrong, or the secret expired or was rotated.",
			"The API's client was deleted or disabled at the authorization server.",
		},
		ClientFix: []string{
			"Nothing to change in the client; give the API's operator the trace_id.",
		},
		OperatorFix: []string{
			"Check the credentials given to resource.WithIntrospection; the API's log names the authorization server's trace id of the refusal (lucid_trace_id), which `lucid explain` tells in full.",
		},
		Spec: "RFC 7662 §2.1", SpecURL: "https://www.rfc-editor.org/rfc/rfc7662#section-2.1", Endpoints: []Endpoint{Resource}},
}
