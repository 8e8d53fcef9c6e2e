package store

import "time"

// Outbox states. An item is pending until it is delivered or given up on
// (dead); a dead item is kept for the operator to see.
const (
	OutboxPending   = "pending"
	OutboxDelivered = "delivered"
	OutboxDead      = "dead"
)

// OutboxDeliveredKeep is how long DeleteExpired keeps a delivered item;
// dead items are kept as long as failure stories (keepFailures).
const OutboxDeliveredKeep = 24 * time.Hour

// OutboxItem is one durable delivery (internal/outbox): a back-channel
// logout token to POST, later a CIBA ping, an e-mail, a webhook. What to
// deliver is fixed at enqueue time; the columns that the claim, delivery
// and retry change are the truth for State, NextAttempt, Attempts,
// LastError, LastTraceID, FinishedAt, Lease and LeaseUntil.
type OutboxItem struct {
	ID   string `json:"id"`
	Kind string `json:"kind"` // which handler delivers it
	// Target is where it goes (a URL, an address), for the operator.
	Target   string `json:"target"`
	ClientID string `json:"client_id,omitempty"` // the client it concerns, if any
	// Payload is the kind's own data; it may hold secrets (a bearer token
	// to present), so it is never shown.
	Payload   []byte    `json:"payload"`
	CreatedAt time.Time `json:"created_at"`

	State       string    `json:"state"`
	NextAttempt time.Time `json:"next_attempt"`
	// Attempts counts the claims: an attempt that crashed its replica
	// counts too, so a poison item cannot be retried forever.
	Attempts    int        `json:"attempts"`
	LastError   string     `json:"last_error,omitempty"`
	LastTraceID string     `json:"last_trace_id,omitempty"`
	FinishedAt  *time.Time `json:"finished_at,omitempty"` // delivered or dead
	// Lease is the token of the claim that holds the item until
	// LeaseUntil; only that claim may settle it.
	Lease      string    `json:"-"`
	LeaseUntil time.Time `json:"lease_until,omitzero"`
}

// OutboxRetry is the outcome of a failed attempt: try again at Next, or,
// when Dead, never again.
type OutboxRetry struct {
	Now     time.Time
	Next    time.Time
	Error   string
	TraceID string
	Dead    bool
}

// OutboxCounts are the items of each state.
type OutboxCounts struct {
	Pending, Delivered, Dead int
}
