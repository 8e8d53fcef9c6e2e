package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/canonical"
)

// Opaque access tokens. revoked_at is the truth for RevokedAt.

func insertAccess(ctx context.Context, tx wtx, t *store.AccessToken) error {
	n := canonical.AccessToken(t)
	data, err := canonical.Encode(n)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO access_tokens (hash, expires_at, revoked_at, data) VALUES (?, ?, ?, ?)`,
		n.Hash, micros(n.ExpiresAt), microsPtr(n.RevokedAt), data)
	return err
}

func (s *Store) CreateAccessToken(ctx context.Context, t *store.AccessToken) error {
	if err := s.write(ctx, func(ctx context.Context, tx wtx) error { return insertAccess(ctx, tx, t) }); err != nil {
		return s.fail(ctx, "create access token", err)
	}
	return nil
}

func (s *Store) GetAccessToken(ctx context.Context, hash string) (*store.AccessToken, error) {
	var data string
	var revoked sql.NullInt64
	if err := s.getAccess.QueryRowContext(ctx, hash).Scan(&data, &revoked); err != nil {
		return nil, s.fail(ctx, "get access token", err)
	}
	t, err := canonical.Decode[store.AccessToken](data)
	if err != nil {
		return nil, s.fail(ctx, "get access token", err)
	}
	t.RevokedAt = timePtr(revoked)
	return t, nil
}

func (s *Store) RevokeAccessToken(ctx context.Context, hash string, now time.Time) error {
	if now.IsZero() {
		return s.fail(ctx, "revoke access token", errZeroTime)
	}
	err := s.write(ctx, func(ctx context.Context, tx wtx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE access_tokens SET revoked_at = ? WHERE hash = ? AND revoked_at IS NULL`,
			canonical.Time(now).UnixMicro(), hash); err != nil {
			return err
		}
		var one int
		return tx.QueryRowContext(ctx, `SELECT 1 FROM access_tokens WHERE hash = ?`, hash).Scan(&one)
	})
	if err != nil {
		return s.fail(ctx, "revoke access token", err)
	}
	return nil
}

// Denied JWT ids.

func (s *Store) DenyJTI(ctx context.Context, jti string, expiresAt time.Time) error {
	return s.exec(ctx, "deny jti", `INSERT INTO denied_jtis (jti, expires_at) VALUES (?, ?) ON CONFLICT (jti) DO NOTHING`,
		jti, canonical.Time(expiresAt).UnixMicro())
}

func (s *Store) JTIDenied(ctx context.Context, jti string) (bool, error) {
	var one int
	err := s.deniedJTI.QueryRowContext(ctx, jti).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return false, s.fail(ctx, "check denied jti", err)
	}
	return true, nil
}

// APIs.

func (s *Store) CreateAPI(ctx context.Context, a *store.API) error {
	n := canonical.API(a)
	data, err := canonical.Encode(n)
	if err != nil {
		return s.fail(ctx, "create api", err)
	}
	return s.exec(ctx, "create api", `INSERT INTO apis (id, created_at, data) VALUES (?, ?, ?)`, n.ID, n.CreatedAt.UnixMicro(), data)
}

func (s *Store) GetAPI(ctx context.Context, id string) (*store.API, error) {
	return getOne[store.API](ctx, s, "get api", s.getAPI, id)
}

func (s *Store) ListAPIs(ctx context.Context) ([]*store.API, error) {
	return list[store.API](ctx, s, "list apis", `SELECT data FROM apis ORDER BY created_at, id`)
}

func (s *Store) UpdateAPI(ctx context.Context, id string, fn func(*store.API) error) (*store.API, error) {
	return modify(ctx, s, "update api", `SELECT data FROM apis WHERE id = ?`, id, fn,
		func(tx wtx, a *store.API) (*store.API, error) {
			a.ID = id
			n := canonical.API(a)
			data, err := canonical.Encode(n)
			if err != nil {
				return nil, err
			}
			_, err = tx.ExecContext(ctx, `UPDATE apis SET created_at = ?, data = ? WHERE id = ?`, n.CreatedAt.UnixMicro(), data, id)
			return n, err
		})
}

func (s *Store) DeleteAPI(ctx context.Context, id string) error {
	return s.deleteRow(ctx, "delete api", `DELETE FROM apis WHERE id = ?`, id)
}
