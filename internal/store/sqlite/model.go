package sqlite

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
)

// The norm functions return a copy of a model with every time in UTC and
// truncated to microseconds, so what is stored is what is read back, in
// the JSON and in the columns alike. The caller's value is left untouched.

func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := utc(*t)
	return &v
}

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

func encode(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode %T: %w", v, err)
	}
	return string(b), nil
}

func decode[T any](data string) (*T, error) {
	v := new(T)
	if err := json.Unmarshal([]byte(data), v); err != nil {
		return nil, fmt.Errorf("decode %T: %w", v, err)
	}
	return v, nil
}
