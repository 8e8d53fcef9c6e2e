package store

import (
	"context"
	"time"
)

// IdentityStore holds the links between Lucid accounts and their
// identities at upstream providers, and the upstream subjects an operator
// blocked. A link is keyed by the upstream's configured id, its issuer and
// the subject the upstream gave: never by e-mail, which an upstream may
// let people choose.
type IdentityStore interface {
	// ProvisionUser creates the user and its first link in one
	// transaction (just-in-time provisioning). ErrConflict, creating
	// nothing, when the username or e-mail is taken or the identity is
	// linked already; the caller re-reads the link to tell which.
	ProvisionUser(ctx context.Context, u *User, link *IdentityLink) error
	// LinkIdentity links an identity to an existing user; ErrConflict
	// when the identity is linked already (to anyone), ErrNotFound when
	// the user does not exist.
	LinkIdentity(ctx context.Context, link *IdentityLink) error
	// GetIdentityLink finds the link of an upstream identity.
	GetIdentityLink(ctx context.Context, upstreamID, issuer, subject string) (*IdentityLink, error)
	// ListIdentityLinks returns a user's links, oldest first.
	ListIdentityLinks(ctx context.Context, userID string) ([]*IdentityLink, error)
	// TouchIdentityLink records a sign-in through the link.
	TouchIdentityLink(ctx context.Context, upstreamID, issuer, subject string, now time.Time) error
	// UnlinkIdentity removes one of the user's links; ErrNotFound when the
	// user has no such link.
	UnlinkIdentity(ctx context.Context, userID, upstreamID, subject string) error
	// BlockSubject refuses an upstream subject from now on (insert or
	// replace); UnblockSubject lifts it, ErrNotFound when not blocked.
	BlockSubject(ctx context.Context, b *SubjectBlock) error
	UnblockSubject(ctx context.Context, upstreamID, subject string) error
	// GetSubjectBlock returns the block of a subject, ErrNotFound when none.
	GetSubjectBlock(ctx context.Context, upstreamID, subject string) (*SubjectBlock, error)
	// ListSubjectBlocks returns every block, newest first.
	ListSubjectBlocks(ctx context.Context) ([]*SubjectBlock, error)
}

// IdentityLink ties a Lucid account to one identity at an upstream.
type IdentityLink struct {
	UpstreamID string `json:"upstream_id"`
	Issuer     string `json:"issuer"`
	Subject    string `json:"subject"`
	UserID     string `json:"user_id"`
	// Email is what the upstream said at the last sign-in, for people
	// reading the list; it decides nothing.
	Email      string    `json:"email,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at,omitzero"`
}

// SubjectBlock is an upstream subject an operator refused.
type SubjectBlock struct {
	UpstreamID string    `json:"upstream_id"`
	Subject    string    `json:"subject"`
	Reason     string    `json:"reason,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}
