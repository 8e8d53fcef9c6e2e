package store

import "time"

// PushedKeep is how long DeleteExpired keeps a pushed authorization
// request past its expiry, so that a late use is told that its request_uri
// expired (or was used) rather than that it never existed.
const PushedKeep = time.Hour

// PushedRequest is a pushed authorization request (RFC 9126), keyed by the
// SHA-256 of the random part of its request_uri, which the store never sees.
type PushedRequest struct {
	Hash     string `json:"hash"`
	ClientID string `json:"client_id"`
	// Params are the authorization request's parameters as pushed, less
	// the client's authentication (a secret or an assertion is never kept).
	Params    map[string][]string `json:"params"`
	CreatedAt time.Time           `json:"created_at"`
	ExpiresAt time.Time           `json:"expires_at"`
	// UsedAt is set by ConsumePushedRequest: a request_uri is used once.
	UsedAt *time.Time `json:"used_at,omitempty"`
}
