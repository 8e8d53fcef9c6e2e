package store

import (
	"context"
	"time"
)

// SignInStore keeps each person's latest sign-ins, succeeded and failed,
// for their account page: a few rows per user, the oldest dropped as new
// ones come (RecordSignIn's keep), so the table stays small whatever the
// traffic.
type SignInStore interface {
	// RecordSignIn adds one sign-in of e.UserID and keeps only that
	// user's newest keep, in one transaction.
	RecordSignIn(ctx context.Context, e *SignInEvent, keep int) error
	// ListSignIns returns the user's recorded sign-ins, newest first, at
	// most limit.
	ListSignIns(ctx context.Context, userID string, limit int) ([]*SignInEvent, error)
	// DeleteSignIns removes the user's records (the user is deleted); a
	// user without any is no error.
	DeleteSignIns(ctx context.Context, userID string) error
}

// SignInEvent is one sign-in attempt of a known account.
type SignInEvent struct {
	UserID string    `json:"user_id"`
	At     time.Time `json:"at"`
	// Network is the client network: an IPv4 address, or an IPv6 /64.
	Network string `json:"network,omitempty"`
	// AMR are the methods proven (a success) or tried (a failure).
	AMR []string `json:"amr,omitempty"`
	// Via is the client the sign-in was for ("" for Lucid's own pages).
	Via string `json:"via,omitempty"`
	OK  bool   `json:"ok"`
	// Failure is the catalog entry of a failed attempt.
	Failure string `json:"failure,omitempty"`
}
