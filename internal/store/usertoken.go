package store

import (
	"context"
	"time"
)

// UserTokenKeep is how long DeleteExpired keeps a user token past its
// expiry, so that a late click is told the link expired rather than that
// it never existed.
const UserTokenKeep = 24 * time.Hour

// Purposes of user tokens.
const (
	PurposePasswordReset = "password_reset"
	PurposeVerifyEmail   = "verify_email"
)

// UserToken is a single-use link sent to a person by e-mail (a password
// reset, an address verification), keyed by the SHA-256 of its secret,
// which the store never sees.
type UserToken struct {
	Hash    string
	Purpose string // PurposePasswordReset or PurposeVerifyEmail
	UserID  string
	// Email is the address the link was sent to: the one a verification
	// proves.
	Email     string
	CreatedAt time.Time
	ExpiresAt time.Time
	// UsedAt is set once the token, or a newer one of the same user and
	// purpose, was used.
	UsedAt *time.Time
}

// UserTokenStore holds the links of account recovery and verification.
type UserTokenStore interface {
	// CreateUserToken stores an unused token; ErrConflict when the hash exists.
	CreateUserToken(ctx context.Context, t *UserToken) error
	// GetUserToken reads a token by its hash (a page showing its form: a
	// read, never a write).
	GetUserToken(ctx context.Context, hash string) (*UserToken, error)
	// UseUserToken marks the token used, only if it is unused, has the
	// purpose and expires after now, and in the same write marks every
	// other unused token of its user and purpose used, so that one link
	// spent ends the others; exactly one of many concurrent calls
	// succeeds. A refused call changes nothing and returns the stored
	// token with ErrAlreadyUsed (the caller tells why from UsedAt and
	// ExpiresAt); ErrNotFound when there is none of that purpose.
	UseUserToken(ctx context.Context, hash, purpose string, now time.Time) (*UserToken, error)
}
