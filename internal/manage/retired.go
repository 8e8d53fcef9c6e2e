package manage

import (
	"slices"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
)

// DefaultRetiredSecretMemory matches the configuration default of
// lifetimes.retired_secret: how long the keyed hash of a secret taken out
// of use is kept, so that a client still sending it is told when and how
// it was retired.
const DefaultRetiredSecretMemory = 30 * 24 * time.Hour

// MaxRetiredSecrets bounds what a client record keeps of retired secrets,
// however often it is rotated: the newest are the ones still deployed.
const MaxRetiredSecrets = 8

// RetiredSecretMemory maps the lifetimes.retired_secret setting to
// Service.RetiredSecretMemory: there 0 keeps nothing, here it is the default.
func RetiredSecretMemory(setting time.Duration) time.Duration {
	if setting <= 0 {
		return -1
	}
	return setting
}

// retiredMemory is how long a retired secret's hash is kept; 0 keeps none.
func (s *Service) retiredMemory() time.Duration {
	switch {
	case s.RetiredSecretMemory < 0:
		return 0
	case s.RetiredSecretMemory == 0:
		return DefaultRetiredSecretMemory
	}
	return s.RetiredSecretMemory
}

// retire records secrets that stop working at at (or, for those that
// expired on their own, at their expiry), then forgets what is past its
// time or beyond MaxRetiredSecrets. Only the hash and id are kept: a
// sealed copy (client_secret_jwt) is dropped with the secret.
func (s *Service) retire(c *store.Client, gone []store.ClientSecret, reason string, at, now time.Time) {
	keep := s.retiredMemory()
	out := slices.DeleteFunc(slices.Clone(c.RetiredSecrets), func(r store.RetiredSecret) bool {
		return keep == 0 || !r.Until.After(now)
	})
	if keep > 0 {
		for _, g := range gone {
			r := store.RetiredSecret{ID: g.ID, Hash: g.Hash, RetiredAt: at.UTC(), Reason: reason}
			if g.ExpiresAt != nil && !g.ExpiresAt.After(now) {
				// It stopped working at its expiry, before this change.
				r.RetiredAt = g.ExpiresAt.UTC()
				r.Reason = store.RetiredByExpiry
				if g.Retiring != "" {
					r.Reason = g.Retiring
				}
			}
			r.Until = r.RetiredAt.Add(keep)
			if r.Until.After(now) {
				out = append(out, r)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b store.RetiredSecret) int { return b.RetiredAt.Compare(a.RetiredAt) })
	if len(out) > MaxRetiredSecrets {
		out = out[:MaxRetiredSecrets]
	}
	if len(out) == 0 {
		out = nil
	}
	c.RetiredSecrets = out
}
