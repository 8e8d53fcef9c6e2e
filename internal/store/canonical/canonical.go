// Package canonical puts the store's models in the form every backend
// stores and reads back: every time in UTC, truncated to microseconds
// (PostgreSQL's precision), so that what is written is what is read, in
// JSON columns and time columns alike, and encodes them as the JSON of
// those columns. Each model function returns a copy and leaves its
// argument untouched.
package canonical

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
)

// Time is t in UTC, truncated to microseconds; the zero time stays zero.
func Time(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}

// TimePtr is Time for an optional time.
func TimePtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := Time(*t)
	return &v
}

// Client returns a copy of its argument in canonical form.
func Client(c *store.Client) *store.Client {
	n := *c
	if c.Secrets != nil {
		n.Secrets = make([]store.ClientSecret, len(c.Secrets))
		for i, sec := range c.Secrets {
			sec.CreatedAt = Time(sec.CreatedAt)
			sec.ExpiresAt = TimePtr(sec.ExpiresAt)
			n.Secrets[i] = sec
		}
	}
	if c.RetiredSecrets != nil {
		n.RetiredSecrets = make([]store.RetiredSecret, len(c.RetiredSecrets))
		for i, r := range c.RetiredSecrets {
			r.RetiredAt, r.Until = Time(r.RetiredAt), Time(r.Until)
			n.RetiredSecrets[i] = r
		}
	}
	n.CreatedAt, n.UpdatedAt = Time(c.CreatedAt), Time(c.UpdatedAt)
	return &n
}

// User returns a copy of its argument in canonical form.
func User(u *store.User) *store.User {
	n := *u
	n.LockedUntil, n.CIBACodeLockedUntil = Time(u.LockedUntil), Time(u.CIBACodeLockedUntil)
	n.CreatedAt, n.UpdatedAt = Time(u.CreatedAt), Time(u.UpdatedAt)
	return &n
}

// SigningKey returns a copy of its argument in canonical form.
func SigningKey(k *store.SigningKey) *store.SigningKey {
	n := *k
	n.CreatedAt = Time(k.CreatedAt)
	n.RetiredAt, n.ExpiresAt = TimePtr(k.RetiredAt), TimePtr(k.ExpiresAt)
	return &n
}

// AuthRequest returns a copy of its argument in canonical form.
func AuthRequest(r *store.AuthRequest) *store.AuthRequest {
	n := *r
	n.CreatedAt, n.ExpiresAt, n.AuthTime = Time(r.CreatedAt), Time(r.ExpiresAt), Time(r.AuthTime)
	return &n
}

// AuthCode returns a copy of its argument in canonical form.
func AuthCode(c *store.AuthCode) *store.AuthCode {
	n := *c
	n.AuthTime, n.CreatedAt, n.ExpiresAt = Time(c.AuthTime), Time(c.CreatedAt), Time(c.ExpiresAt)
	n.RedeemedAt, n.InvalidatedAt = TimePtr(c.RedeemedAt), TimePtr(c.InvalidatedAt)
	return &n
}

// TokenFamily returns a copy of its argument in canonical form.
func TokenFamily(f *store.TokenFamily) *store.TokenFamily {
	n := *f
	n.AuthTime, n.CreatedAt, n.RevokedAt = Time(f.AuthTime), Time(f.CreatedAt), TimePtr(f.RevokedAt)
	return &n
}

// RefreshToken returns a copy of its argument in canonical form.
func RefreshToken(t *store.RefreshToken) *store.RefreshToken {
	n := *t
	n.CreatedAt, n.ExpiresAt, n.IdleExpiresAt = Time(t.CreatedAt), Time(t.ExpiresAt), Time(t.IdleExpiresAt)
	n.RotatedAt = TimePtr(t.RotatedAt)
	return &n
}

// AccessToken returns a copy of its argument in canonical form.
func AccessToken(t *store.AccessToken) *store.AccessToken {
	n := *t
	n.AuthTime, n.CreatedAt, n.ExpiresAt = Time(t.AuthTime), Time(t.CreatedAt), Time(t.ExpiresAt)
	n.RevokedAt = TimePtr(t.RevokedAt)
	return &n
}

// API returns a copy of its argument in canonical form.
func API(a *store.API) *store.API {
	n := *a
	n.CreatedAt, n.UpdatedAt = Time(a.CreatedAt), Time(a.UpdatedAt)
	return &n
}

// Consent returns a copy of its argument in canonical form.
func Consent(c *store.Consent) *store.Consent {
	n := *c
	n.GrantedAt = Time(c.GrantedAt)
	return &n
}

// Session returns a copy of its argument in canonical form.
func Session(s *store.Session) *store.Session {
	n := *s
	n.AuthTime, n.CreatedAt, n.ExpiresAt = Time(s.AuthTime), Time(s.CreatedAt), Time(s.ExpiresAt)
	return &n
}

// Failure returns a copy of its argument in canonical form.
func Failure(f *store.Failure) *store.Failure {
	n := *f
	n.Time, n.CreatedAt = Time(f.Time), Time(f.CreatedAt)
	return &n
}

// PushedRequest returns a copy of its argument in canonical form.
func PushedRequest(r *store.PushedRequest) *store.PushedRequest {
	n := *r
	n.CreatedAt, n.ExpiresAt, n.UsedAt = Time(r.CreatedAt), Time(r.ExpiresAt), TimePtr(r.UsedAt)
	return &n
}

// DeviceCode returns a copy of its argument in canonical form.
func DeviceCode(c *store.DeviceCode) *store.DeviceCode {
	n := *c
	n.CreatedAt, n.ExpiresAt = Time(c.CreatedAt), Time(c.ExpiresAt)
	n.DecidedAt, n.RedeemedAt = TimePtr(c.DecidedAt), TimePtr(c.RedeemedAt)
	if c.Decision != nil {
		d := DeviceDecision(*c.Decision)
		n.Decision = &d
	}
	return &n
}

// DeviceDecision returns its argument in canonical form.
func DeviceDecision(d store.DeviceDecision) store.DeviceDecision {
	d.AuthTime = Time(d.AuthTime)
	return d
}

// RefreshExpiry is when a refresh token stops being usable: the earlier of
// its absolute and idle expiry (a zero one does not count).
func RefreshExpiry(t *store.RefreshToken) time.Time {
	switch {
	case t.IdleExpiresAt.IsZero():
		return t.ExpiresAt
	case t.ExpiresAt.IsZero() || t.IdleExpiresAt.Before(t.ExpiresAt):
		return t.IdleExpiresAt
	}
	return t.ExpiresAt
}

// FailureAt is the time a failure's retention counts from.
func FailureAt(f *store.Failure) time.Time {
	if f.CreatedAt.IsZero() {
		return f.Time
	}
	return f.CreatedAt
}

// Encode is the JSON a backend stores for a model.
func Encode(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode %T: %w", v, err)
	}
	return string(b), nil
}

// Decode reads a model back from its stored JSON.
func Decode[T any](data string) (*T, error) {
	v := new(T)
	if err := json.Unmarshal([]byte(data), v); err != nil {
		return nil, fmt.Errorf("decode %T: %w", v, err)
	}
	return v, nil
}

// OutboxItem returns a copy of its argument in canonical form.
func OutboxItem(it *store.OutboxItem) *store.OutboxItem {
	n := *it
	n.CreatedAt, n.NextAttempt, n.LeaseUntil = Time(it.CreatedAt), Time(it.NextAttempt), Time(it.LeaseUntil)
	n.FinishedAt = TimePtr(it.FinishedAt)
	return &n
}

// Text is a free text (an error message) as every backend can keep it:
// valid UTF-8 without NUL.
func Text(s string) string {
	return strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD")
}

// BackchannelRequest returns a copy of its argument in canonical form.
func BackchannelRequest(r *store.BackchannelRequest) *store.BackchannelRequest {
	n := *r
	n.CreatedAt, n.ExpiresAt, n.RedeemedAt = Time(r.CreatedAt), Time(r.ExpiresAt), TimePtr(r.RedeemedAt)
	if r.Decision != nil {
		d := *r.Decision
		d.At, d.AuthTime = Time(d.At), Time(d.AuthTime)
		n.Decision = &d
	}
	return &n
}
