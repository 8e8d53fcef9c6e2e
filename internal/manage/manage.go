// Package manage holds the management operations on clients, users and the
// demo setup, shared by the command line and the admin API. Every refusal
// is a *catalog.Error (admin_invalid_input, admin_not_found,
// admin_conflict) that names the field and the rule, so both front ends
// show the same precise message; other errors are storage failures.
package manage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/password"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
)

// Service performs management operations on a store.
type Service struct {
	Store store.Store
	// Secrets hash client secrets; operations that make a client secret
	// fail without them.
	Secrets *secret.Keys
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// HashPassword hashes new passwords; nil means password.Hash. Tests
	// set a cheap hash.
	HashPassword func(pw string) (string, error)
	// KeepGrantsOnChange keeps a user's refresh-token families and browser
	// sessions when SetPassword or SetDisabled(true) changes the account
	// (users.keep_grants_on_change); by default both end.
	KeepGrantsOnChange bool
	// KeyPublish is how long keys retired by a rotation stay published;
	// zero means DefaultKeyPublish. The server sets lifetimes.key_publish.
	KeyPublish time.Duration
	// RetiredSecretMemory is how long the keyed hash of a client secret
	// taken out of use is kept (lifetimes.retired_secret, through
	// RetiredSecretMemory); zero means DefaultRetiredSecretMemory, a
	// negative value keeps none.
	RetiredSecretMemory time.Duration
	// FAPI2 puts every client under the FAPI 2.0 Security Profile
	// (fapi2_security_profile): clients are checked against it as those
	// registered with ClientSpec.FAPI2 are.
	FAPI2 bool
	// WakeOutbox, when set, makes the server's outbox worker deliver the
	// back-channel logouts just enqueued at once.
	WakeOutbox func()
	// PasswordPolicy judges every new password (password.min_length); the
	// zero value is the default policy.
	PasswordPolicy password.Policy
	// EmailChanged, when set, is called with a user whose address is new
	// and unverified (created, or changed without email_verified): it
	// sends the verification link. Without it the address stays
	// unverified until an operator marks it.
	EmailChanged func(ctx context.Context, u *store.User) error
}

// DefaultKeyPublish matches the configuration default of lifetimes.key_publish.
const DefaultKeyPublish = 48 * time.Hour

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

func (s *Service) hash(pw string) (string, error) {
	if s.HashPassword != nil {
		return s.HashPassword(pw)
	}
	return password.Hash(pw)
}

// PublishFor is how long a rotation keeps retired keys published.
func (s *Service) PublishFor() time.Duration {
	if s.KeyPublish > 0 {
		return s.KeyPublish
	}
	return DefaultKeyPublish
}

// ErrNoSecrets means an operation needs the master key, which was not given.
var ErrNoSecrets = errors.New("this operation makes a client secret and needs the server master key: set LUCID_MASTER_KEY or master_key_file")

func invalid(field, reason string, a ...any) *catalog.Error {
	if len(a) > 0 {
		reason = fmt.Sprintf(reason, a...)
	}
	return catalog.New(catalog.AdminInvalid, "field", field, "reason", reason)
}

func notFound(kind, id string) *catalog.Error {
	return catalog.New(catalog.AdminNotFound, "kind", kind, "id", id)
}

func conflict(kind, field, value string) *catalog.Error {
	return catalog.New(catalog.AdminConflict, "kind", kind, "field", field, "value", value)
}

// storeErr maps store.ErrNotFound to admin_not_found and wraps anything else.
func storeErr(err error, kind, id, op string) error {
	var ce *catalog.Error
	switch {
	case errors.As(err, &ce):
		return ce
	case errors.Is(err, store.ErrNotFound):
		return notFound(kind, id)
	default:
		return fmt.Errorf("%s %s %s: %w", op, kind, id, err)
	}
}
