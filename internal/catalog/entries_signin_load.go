package catalog

import "net/http"

// signInLoadEntries: see entries_hardening.go.
var signInLoadEntries = []Entry{
	{Name: SignInBusy, Error: "temporarily_unavailable", Status: http.StatusServiceUnavailable, Page: true, Title: "Too many sign-ins at once",
		Description: "Too many sign-ins are being checked right now; submit the form again in a few seconds.",
		Causes: []string{
			"Many people signed in at the same moment, more than this server checks passwords at once.",
			"Someone is flooding the sign-in form to exhaust the server's memory or processors; every password check costs tens of megabytes and milliseconds of a processor, so Lucid checks only a few at a time and refuses the rest before checking them.",
		},
		ClientFix: []string{
			"Nothing to change in the application; the user submits the form again after the time in Retry-After.",
		},
		OperatorFix: []string{
			"If real users see this, raise `password.hash_slots` (`LUCID_PASSWORD_HASH_SLOTS`; each slot may hold 19 MiB while it checks a password) or `password.hash_wait`, or add replicas.",
			"`lucid explain TRACE_ID` names the network; a flood from a few networks is what `lockout.network_per_hour` limits.",
		},
		Spec: "RFC 9110 §15.6.4", SpecURL: "https://www.rfc-editor.org/rfc/rfc9110#section-15.6.4", Endpoints: []Endpoint{SignIn}},
}
