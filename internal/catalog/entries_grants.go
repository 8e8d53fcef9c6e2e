package catalog

// grantEntries are the failures of the steps every grant that acts for a
// person shares (provider/grants.go), where the refresh grant has its own.
var grantEntries = []Entry{
	{Name: GrantScopeWidened, Error: "invalid_scope", Status: bad, Title: "Token request asks for more scope than granted",
		Description: "This {grant_type} request asks for {extra}, which the person granted ({granted}) does not include.",
		Causes: []string{
			"The client sends a scope parameter with its token request (some libraries repeat the scope of the first request on every poll) that is wider than the scope the person approved.",
			"The client's scope list changed between the start of the flow and the token request.",
		},
		ClientFix: []string{
			"Send the scope of the authorization request, a subset of it, or no scope parameter; to get more scope, start a new authorization.",
		},
		Spec: "RFC 6749 §3.3", SpecURL: rfc6749 + "#section-3.3", Endpoints: []Endpoint{Token}},
}
