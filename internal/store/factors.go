package store

import (
	"context"
	"time"
)

// FactorStore holds what people authenticate with besides a password:
// an authenticator app's TOTP secret, single-use recovery codes and
// passkeys (WebAuthn credentials). Every single-use rule is a conditional
// write here: a TOTP time step is accepted once (UseTOTPStep), a recovery
// code is spent once (UseRecoveryCode).
type FactorStore interface {
	// CreateTOTP stores the user's TOTP factor; ErrConflict when the user
	// already has one (remove it first).
	CreateTOTP(ctx context.Context, t *TOTP) error
	// GetTOTP reads the user's TOTP factor; ErrNotFound when none.
	GetTOTP(ctx context.Context, userID string) (*TOTP, error)
	// UseTOTPStep records step as the last time step a code was accepted
	// for, only if it is later than the one recorded: of two uses of one
	// code (or of two codes of one step) exactly one succeeds, the other
	// gets ErrAlreadyUsed. ErrNotFound when the user has no TOTP factor.
	UseTOTPStep(ctx context.Context, userID string, step int64, now time.Time) error
	// DeleteTOTP removes the user's TOTP factor; ErrNotFound when none.
	DeleteTOTP(ctx context.Context, userID string) error

	// ReplaceRecoveryCodes replaces every recovery code of the user with
	// the given hashes (unused), in one transaction.
	ReplaceRecoveryCodes(ctx context.Context, userID string, hashes []string, now time.Time) error
	// UseRecoveryCode spends one recovery code: ErrNotFound when the user
	// has no code with this hash, ErrAlreadyUsed when it was spent before;
	// of concurrent uses exactly one succeeds.
	UseRecoveryCode(ctx context.Context, userID, hash string, now time.Time) error
	// CountRecoveryCodes counts the user's unused recovery codes.
	CountRecoveryCodes(ctx context.Context, userID string) (int, error)

	// CreatePasskey stores a registered credential; ErrConflict when its
	// id is taken (by this user or another).
	CreatePasskey(ctx context.Context, k *Passkey) error
	// GetPasskey reads a credential by its id; ErrNotFound when none.
	GetPasskey(ctx context.Context, id string) (*Passkey, error)
	// ListPasskeys returns the user's credentials, oldest first.
	ListPasskeys(ctx context.Context, userID string) ([]*Passkey, error)
	// UsePasskey records a verified use of the credential: its new
	// signature counter and the time; ErrNotFound when it is gone.
	UsePasskey(ctx context.Context, id string, signCount uint32, now time.Time) error
	// DeletePasskey removes one credential of the user; ErrNotFound when
	// the user has no credential with this id.
	DeletePasskey(ctx context.Context, userID, id string) error
	// RenamePasskey sets the name of one credential of the user (the
	// account page); ErrNotFound when the user has no credential with
	// this id.
	RenamePasskey(ctx context.Context, userID, id, name string) error

	// DeleteFactors removes the user's TOTP factor, recovery codes and
	// passkeys in one transaction (an operator's reset, a deleted user).
	DeleteFactors(ctx context.Context, userID string) error
}

// TOTP is a user's authenticator-app factor (RFC 6238).
type TOTP struct {
	UserID string `json:"user_id"`
	// Sealed is the shared secret sealed with the master key (AES-GCM,
	// the user id as additional data): a copy of the database alone
	// cannot compute codes.
	Sealed []byte `json:"sealed"`
	// LastStep is the last time step (Unix time / 30 s) a code was
	// accepted for; codes of that step and earlier are refused.
	LastStep  int64     `json:"-"`
	CreatedAt time.Time `json:"created_at"`
}

// Passkey is a registered WebAuthn credential.
type Passkey struct {
	// ID is the credential id, base64url without padding.
	ID        string `json:"id"`
	UserID    string `json:"user_id"`
	Name      string `json:"name"`
	PublicKey []byte `json:"public_key"` // COSE_Key
	// SignCount is the authenticator's signature counter at the last use
	// (0 for authenticators that keep none).
	SignCount       uint32   `json:"-"`
	Transports      []string `json:"transports,omitempty"`
	AAGUID          []byte   `json:"aaguid,omitempty"`
	AttestationType string   `json:"attestation_type,omitempty"`
	// The authenticator data flags at registration: whether the
	// credential may be synced (backup eligible) and was (backed up), and
	// whether the person was verified.
	BackupEligible bool      `json:"backup_eligible,omitempty"`
	BackupState    bool      `json:"backup_state,omitempty"`
	UserVerified   bool      `json:"user_verified,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
	LastUsedAt     time.Time `json:"-"`
}
