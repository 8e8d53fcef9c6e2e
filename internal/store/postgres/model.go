package postgres

import (
	"time"

	"github.com/lucid-auth/lucid/internal/store"
)

// The norm functions return a copy of a model with every time in UTC and
// truncated to microseconds. The caller's value is left untouched.

func normClient(c *store.Client) *store.Client {
	n := *c
	if c.Secrets != nil {
		n.Secrets = make([]store.ClientSecret, len(c.Secrets))
		for i, sec := range c.Secrets {
			sec.CreatedAt = utc(sec.CreatedAt)
			sec.ExpiresAt = utcPtr(sec.ExpiresAt)
			n.Secrets[i] = sec
		}
	}
	n.CreatedAt, n.UpdatedAt = utc(c.CreatedAt), utc(c.UpdatedAt)
	return &n
}

func normUser(u *store.User) *store.User {
	n := *u
	n.LockedUntil = utc(u.LockedUntil)
	n.CreatedAt, n.UpdatedAt = utc(u.CreatedAt), utc(u.UpdatedAt)
	return &n
}

func normKey(k *store.SigningKey) *store.SigningKey {
	n := *k
	n.CreatedAt = utc(k.CreatedAt)
	n.RetiredAt, n.ExpiresAt = utcPtr(k.RetiredAt), utcPtr(k.ExpiresAt)
	return &n
}

func normRequest(r *store.AuthRequest) *store.AuthRequest {
	n := *r
	n.CreatedAt, n.ExpiresAt, n.AuthTime = utc(r.CreatedAt), utc(r.ExpiresAt), utc(r.AuthTime)
	return &n
}

func normCode(c *store.AuthCode) *store.AuthCode {
	n := *c
	n.AuthTime, n.CreatedAt, n.ExpiresAt = utc(c.AuthTime), utc(c.CreatedAt), utc(c.ExpiresAt)
	n.RedeemedAt, n.InvalidatedAt = utcPtr(c.RedeemedAt), utcPtr(c.InvalidatedAt)
	return &n
}

func normFamily(f *store.TokenFamily) *store.TokenFamily {
	n := *f
	n.AuthTime, n.CreatedAt, n.RevokedAt = utc(f.AuthTime), utc(f.CreatedAt), utcPtr(f.RevokedAt)
	return &n
}

func normRefresh(t *store.RefreshToken) *store.RefreshToken {
	n := *t
	n.CreatedAt, n.ExpiresAt, n.IdleExpiresAt = utc(t.CreatedAt), utc(t.ExpiresAt), utc(t.IdleExpiresAt)
	n.RotatedAt = utcPtr(t.RotatedAt)
	return &n
}

func normAccess(t *store.AccessToken) *store.AccessToken {
	n := *t
	n.AuthTime, n.CreatedAt, n.ExpiresAt = utc(t.AuthTime), utc(t.CreatedAt), utc(t.ExpiresAt)
	n.RevokedAt = utcPtr(t.RevokedAt)
	return &n
}

func normAPI(a *store.API) *store.API {
	n := *a
	n.CreatedAt, n.UpdatedAt = utc(a.CreatedAt), utc(a.UpdatedAt)
	return &n
}

func normConsent(c *store.Consent) *store.Consent {
	n := *c
	n.GrantedAt = utc(c.GrantedAt)
	return &n
}

func normSession(s *store.Session) *store.Session {
	n := *s
	n.AuthTime, n.CreatedAt, n.ExpiresAt = utc(s.AuthTime), utc(s.CreatedAt), utc(s.ExpiresAt)
	return &n
}

func normFailure(f *store.Failure) *store.Failure {
	n := *f
	n.Time, n.CreatedAt = utc(f.Time), utc(f.CreatedAt)
	return &n
}

// refreshExpiry is when a refresh token stops being usable: the earlier of
// its absolute and idle expiry (a zero one does not count).
func refreshExpiry(t *store.RefreshToken) time.Time {
	switch {
	case t.IdleExpiresAt.IsZero():
		return t.ExpiresAt
	case t.ExpiresAt.IsZero() || t.IdleExpiresAt.Before(t.ExpiresAt):
		return t.IdleExpiresAt
	}
	return t.ExpiresAt
}

// failureAt is the time a failure's retention counts from.
func failureAt(f *store.Failure) time.Time {
	if f.CreatedAt.IsZero() {
		return f.Time
	}
	return f.CreatedAt
}
