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
}
