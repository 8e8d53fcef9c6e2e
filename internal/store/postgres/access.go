package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/canonical"
)

// Opaque access tokens. revoked_at is the truth for RevokedAt.

func (s *Store) CreateAccessToken(ctx context.Context, t *store.AccessToken) error {
	n := canonical.AccessToken(t)
	if !storable(n.Hash) {
		return s.fail(ctx, "create access token", errBadKey)
	}
	data, err := canonical.Encode(n)
	if err != nil {
		return s.fail(ctx, "create access token", err)
	}
	return s.exec(ctx, "create access token", `INSERT INTO access_tokens (hash, expires_at, revoked_at, data) VALUES ($1, $2, $3, $4)`,
		n.Hash, ts(n.ExpiresAt), tsPtr(n.RevokedAt), data)
}

func (s *Store) GetAccessToken(ctx context.Context, hash string) (*store.AccessToken, error) {
	if !storable(hash) {
		return nil, store.ErrNotFound
	}
	var data string
	var revoked *time.Time
	if err := s.pool.QueryRow(ctx, `SELECT data, revoked_at FROM access_tokens WHERE hash = $1`, hash).Scan(&data, &revoked); err != nil {
		return nil, s.fail(ctx, "get access token", err)
	}
	t, err := canonical.Decode[store.AccessToken](data)
	if err != nil {
		return nil, s.fail(ctx, "get access token", err)
	}
	t.RevokedAt = canonical.TimePtr(revoked)
	return t, nil
}

// RevokeAccessToken keeps the first revocation time; the statement counts
// the row either way, so no row means no token.
func (s *Store) RevokeAccessToken(ctx context.Context, hash string, now time.Time) error {
	const op = "revoke access token"
	if now.IsZero() {
		return s.fail(ctx, op, errZeroTime)
	}
	if !storable(hash) {
		return store.ErrNotFound
	}
	tag, err := s.pool.Exec(ctx, `UPDATE access_tokens SET revoked_at = COALESCE(revoked_at, $1) WHERE hash = $2`, canonical.Time(now), hash)
	if err != nil {
		return s.fail(ctx, op, err)
	}
	if tag.RowsAffected() == 0 {
		return store.ErrNotFound
	}
	return nil
}

// Denied JWT ids.

func (s *Store) DenyJTI(ctx context.Context, jti string, expiresAt time.Time) error {
	if !storable(jti) {
		return s.fail(ctx, "deny jti", errBadKey)
	}
	return s.exec(ctx, "deny jti", `INSERT INTO denied_jtis (jti, expires_at) VALUES ($1, $2) ON CONFLICT (jti) DO NOTHING`,
		jti, canonical.Time(expiresAt))
}

func (s *Store) JTIDenied(ctx context.Context, jti string) (bool, error) {
	if !storable(jti) {
		return false, nil
	}
	var one int
	err := s.pool.QueryRow(ctx, `SELECT 1 FROM denied_jtis WHERE jti = $1`, jti).Scan(&one)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return false, nil
	case err != nil:
		return false, s.fail(ctx, "check denied jti", err)
	}
	return true, nil
}

// APIs.

func (s *Store) CreateAPI(ctx context.Context, a *store.API) error {
	n := canonical.API(a)
	if !storable(n.ID) {
		return s.fail(ctx, "create api", errBadKey)
	}
	data, err := canonical.Encode(n)
	if err != nil {
		return s.fail(ctx, "create api", err)
	}
	return s.exec(ctx, "create api", `INSERT INTO apis (id, created_at, data) VALUES ($1, $2, $3)`, n.ID, n.CreatedAt, data)
}

func (s *Store) GetAPI(ctx context.Context, id string) (*store.API, error) {
	return getOne[store.API](ctx, s, "get api", `SELECT data FROM apis WHERE id = $1`, id)
}

func (s *Store) ListAPIs(ctx context.Context) ([]*store.API, error) {
	return list[store.API](ctx, s, "list apis", `SELECT data FROM apis ORDER BY created_at, id`)
}

func (s *Store) UpdateAPI(ctx context.Context, id string, fn func(*store.API) error) (*store.API, error) {
	return modify(ctx, s, "update api", `SELECT data FROM apis WHERE id = $1 FOR UPDATE`, id, fn,
		func(tx pgx.Tx, a *store.API) (*store.API, error) {
			a.ID = id
			n := canonical.API(a)
			data, err := canonical.Encode(n)
			if err != nil {
				return nil, err
			}
			_, err = tx.Exec(ctx, `UPDATE apis SET created_at = $1, data = $2 WHERE id = $3`, n.CreatedAt, data, id)
			return n, err
		})
}

func (s *Store) DeleteAPI(ctx context.Context, id string) error {
	return s.deleteRow(ctx, "delete api", `DELETE FROM apis WHERE id = $1`, id)
}
