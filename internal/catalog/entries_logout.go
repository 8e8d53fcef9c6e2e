package catalog

import "net/http"

// Outbox is where the outbox's delivery attempts fail. No request is
// behind them: each attempt has a trace id of its own, under which
// `lucid explain` and GET /admin/failures/{trace_id} find its story, and
// GET /admin/outbox lists the items with the trace id of their last
// failed attempt.
const Outbox Endpoint = "outbox"

const (
	bcl       = "https://openid.net/specs/openid-connect-backchannel-1_0.html"
	bclRetry  = bcl + "#BCResponse"
	bclSpec   = "OpenID Back-Channel Logout 1.0 §2.8"
	outboxFix = "Look at the item with GET /admin/outbox?state=dead (or pending): its last_error and last_trace_id say what each attempt met; `lucid explain TRACE_ID` tells the whole story."
)

// logoutEntries are the failures of back- and front-channel logout and the outbox that delivers it.
var logoutEntries = []Entry{
	{Name: OutboxGaveUp, Error: "server_error", Status: http.StatusBadGateway, Title: "Delivery given up",
		Description: "Lucid gave up delivering a {kind} to {target} after {attempts} attempts over {since}; the last attempt failed: {last}. The item is kept as dead and will not be attempted again.",
		Causes: []string{
			"The receiver was down, unreachable or answering errors for longer than all the attempts together (outbox.max_attempts, with waits from outbox.backoff_base doubling up to outbox.backoff_cap).",
			"The receiver's URL is wrong or no longer served: it answers 404 or 405 every time.",
			"The receiver refuses what Lucid sends, for example a logout token it cannot verify because it does not have Lucid's current keys.",
		},
		ClientFix: []string{
			"Make the registered endpoint answer 200 to a valid request, and fetch Lucid's keys from its jwks_uri to verify what it receives.",
		},
		OperatorFix: []string{
			outboxFix,
			"If receivers are often down for longer than the attempts last, raise outbox.max_attempts or outbox.backoff_cap.",
		},
		Spec: bclSpec, SpecURL: bclRetry, Endpoints: []Endpoint{Outbox}},
	{Name: OutboxKindUnknown, Error: "server_error", Status: http.StatusInternalServerError, Title: "No handler for this kind of delivery",
		Description: "No handler of this Lucid delivers outbox items of kind {kind}; item {id} was given up on at once.",
		Causes: []string{
			"Another Lucid sharing the database, of a newer version, enqueued a kind of delivery this version does not know (during a rolling upgrade, or after a rollback).",
			"The item was written into the database by hand or by another tool.",
		},
		ClientFix: []string{"Nothing: the client did nothing wrong, and the delivery meant for it is lost until the operator acts."},
		OperatorFix: []string{
			"Run the same Lucid version on every replica that shares the database; items enqueued by a newer version are delivered by that version.",
			outboxFix,
		},
		Spec: bclSpec, SpecURL: bclRetry, Endpoints: []Endpoint{Outbox}},
	{Name: OutboxDeliveryFailed, Error: "server_error", Status: http.StatusBadGateway, Title: "Delivery attempt failed",
		Description: "Attempt {attempt} of {max} to deliver a {kind} to {target} failed: {reason}. {next}",
		Causes: []string{
			"The receiver failed in a way the kind of delivery has no entry of its own for.",
		},
		ClientFix:   []string{"Make the receiving endpoint answer 200 to a valid request; Lucid retries until then."},
		OperatorFix: []string{outboxFix},
		Spec:        bclSpec, SpecURL: bclRetry, Endpoints: []Endpoint{Outbox}},
	{Name: OutboxNotDead, Error: "invalid_request", Status: http.StatusConflict, Title: "Outbox item is not dead",
		Description: "Outbox item {id} is {state}, not dead; only an item Lucid gave up on is retried by hand.",
		Causes: []string{
			"The item is still pending: the worker will try it again at its next attempt (GET /admin/outbox lists when).",
			"The item was delivered, or another operator already retried it.",
		},
		ClientFix:   []string{"Retry only the items the outbox lists as dead."},
		OperatorFix: []string{"List the dead items with `GET /admin/outbox?state=dead` and retry one of those (or `lucid outbox retry ID`).", "A pending item needs no retry; a delivered one reached its receiver. To send again what a receiver lost, repeat the action that caused it (a logout, a decision)."},
		Spec:        "RFC 9110 §15.5.10", SpecURL: "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.10", Endpoints: []Endpoint{Admin}},
	{Name: BackchannelLogoutRejected, Error: "server_error", Status: http.StatusBadGateway, Title: "Back-channel logout refused by the client",
		Description: "Client {client_id} answered HTTP {status} to the logout token Lucid POSTed to its backchannel_logout_uri {target} (attempt {attempt}); a receiver that logged the session out answers 200. It said: {body}",
		Causes: []string{
			"The client's logout endpoint could not verify the logout token: it does not fetch Lucid's keys from the jwks_uri, expects another issuer or audience, or rejects the typ logout+jwt.",
			"The endpoint is not deployed at that URL, or expects another method or content type than a form POST with logout_token.",
			"The endpoint failed (5xx) or answered with a redirect to a sign-in page instead of handling the request.",
		},
		ClientFix: []string{
			"Accept POST application/x-www-form-urlencoded with a logout_token, verify it as OpenID Back-Channel Logout 1.0 §2.6 says (signature from the jwks_uri, iss, aud, iat, the events claim, sid or sub, no nonce), end the matching sessions and answer 200.",
			"Answer 400 only for a token that fails verification, and make the endpoint reachable without a browser session or CSRF token.",
		},
		OperatorFix: []string{outboxFix, "Lucid retries with backoff until outbox.max_attempts; a client that fixed its endpoint gets the next attempt."},
		Spec:        "OpenID Back-Channel Logout 1.0 §2.8", SpecURL: bclRetry, Endpoints: []Endpoint{Outbox}},
	{Name: BackchannelLogoutUnreachable, Error: "server_error", Status: http.StatusBadGateway, Title: "Back-channel logout endpoint unreachable",
		Description: "Lucid could not POST the logout token for client {client_id} to {target} (attempt {attempt}): {reason}.",
		Causes: []string{
			"The client's server is down, or nothing listens at the host and port of its backchannel_logout_uri.",
			"The host name does not resolve, or a firewall drops Lucid's connections.",
			"The endpoint took longer than the attempt's time limit to answer.",
		},
		ClientFix: []string{
			"Keep the backchannel_logout_uri reachable from Lucid's servers and answer within a few seconds; update the registration when the URL changes.",
		},
		OperatorFix: []string{outboxFix, "Check that Lucid's servers may connect out to the client's host (DNS, firewall, egress proxy rules); outbox.timeout bounds one attempt."},
		Spec:        "OpenID Back-Channel Logout 1.0 §2.5", SpecURL: bcl + "#BCRequest", Endpoints: []Endpoint{Outbox}},
	{Name: BackchannelLogoutAddressRefused, Error: "server_error", Status: http.StatusBadGateway, Title: "Back-channel logout to a local address refused",
		Description: "Lucid refused to POST the logout token for client {client_id} to {target}: {reason}. The delivery was given up on at once.",
		Causes: []string{
			"The backchannel_logout_uri names, or resolves to, a loopback, private or link-local address: a URL that anyone registering a client could use to reach Lucid's own network.",
			"The backchannel_logout_uri uses plain http, which is accepted at registration only for development on a loopback host.",
		},
		ClientFix: []string{
			"Register an https backchannel_logout_uri on a public host name.",
		},
		OperatorFix: []string{
			"For development and tests only, set outbox.allow_local (LUCID_OUTBOX_ALLOW_LOCAL=true) to deliver over http and to local addresses.",
			outboxFix,
		},
		Spec: "OpenID Back-Channel Logout 1.0 §2.5", SpecURL: bcl + "#BCRequest", Endpoints: []Endpoint{Outbox}},
}
