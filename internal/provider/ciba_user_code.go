package provider

import (
	"context"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/failure"
	"github.com/lucid-auth/lucid/internal/password"
	"github.com/lucid-auth/lucid/internal/store"
)

// The CIBA user code (OpenID CIBA Core §7.1): a secret the person set
// (manage.SetCIBAUserCode, argon2id like a password), which a client
// registered with backchannel_user_code_parameter must send with every
// request, so that knowing who someone is does not suffice to put a
// request on their phone. Wrong codes are counted on the person's record
// and lock their code (only the code: a client guessing cannot lock the
// person out of signing in) by the lockout rule of passwords (lockFor).

// checkUserCode checks code against u's CIBA user code. A locked code is
// refused before any hash; a person without a code costs the same hash
// as a wrong code, so the answer's time does not tell the two apart.
func (p *Provider) checkUserCode(ctx context.Context, u *store.User, code string) *catalog.Error {
	now := p.now()
	if now.Before(u.CIBACodeLockedUntil) {
		return catalog.New(catalog.CIBAUserCodeLocked, "until", u.CIBACodeLockedUntil.UTC().Format("15:04:05 MST")).
			Internal("user_id", u.ID, "locked_until", u.CIBACodeLockedUntil.UTC().Format(time.RFC3339))
	}
	stored := u.CIBAUserCodeHash
	if stored == "" {
		stored = p.dummyHash
	}
	release, err := p.hashing.Acquire(ctx)
	if err != nil {
		return catalog.New(catalog.ServerOverloaded, "class", "user code check", "retry_after", busyRetry).
			WithRetryAfter(busyRetry).Wrap(err).Internal("hash_slots", p.hashing.Slots())
	}
	match, err := password.Verify(stored, code)
	release()
	if err != nil {
		return catalog.New(catalog.ServerError).Wrap(err)
	}
	if u.CIBAUserCodeHash == "" {
		return catalog.New(catalog.CIBAUserCodeInvalid).Internal("user_id", u.ID, "reason", "the person has no CIBA user code")
	}
	if match {
		if u.CIBACodeFailures > 0 {
			if _, err := p.store.UpdateUser(ctx, u.ID, func(u *store.User) error {
				u.CIBACodeFailures, u.CIBACodeLockedUntil = 0, time.Time{}
				return nil
			}); err != nil {
				return failure.FromStore(err)
			}
		}
		return nil
	}
	var locked time.Time
	if _, err := p.store.UpdateUser(ctx, u.ID, func(u *store.User) error {
		u.CIBACodeFailures++
		if d := p.lockFor(u.CIBACodeFailures); d > 0 {
			u.CIBACodeLockedUntil = now.Add(d)
			locked = u.CIBACodeLockedUntil
		}
		return nil
	}); err != nil {
		return failure.FromStore(err)
	}
	if !locked.IsZero() {
		return catalog.New(catalog.CIBAUserCodeLocked, "until", locked.UTC().Format("15:04:05 MST")).
			Internal("user_id", u.ID, "reason", "wrong user code; lock started")
	}
	return catalog.New(catalog.CIBAUserCodeInvalid).Internal("user_id", u.ID, "reason", "wrong user code")
}
