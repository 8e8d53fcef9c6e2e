package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/canonical"
)

// User tokens: the single-use links of password reset and address
// verification, all in columns.

const userTokenCols = `hash, purpose, user_id, email, created_at, expires_at, used_at`

func scanUserToken(row pgx.Row) (*store.UserToken, error) {
	var t store.UserToken
	var used *time.Time
	if err := row.Scan(&t.Hash, &t.Purpose, &t.UserID, &t.Email, &t.CreatedAt, &t.ExpiresAt, &used); err != nil {
		return nil, err
	}
	t.CreatedAt, t.ExpiresAt, t.UsedAt = canonical.Time(t.CreatedAt), canonical.Time(t.ExpiresAt), canonical.TimePtr(used)
	return &t, nil
}

func (s *Store) CreateUserToken(ctx context.Context, t *store.UserToken) error {
	const op = "create user token"
	if !storable(t.Hash, t.Purpose, t.UserID, t.Email) {
		return s.fail(ctx, op, errBadKey)
	}
	return s.exec(ctx, op, `INSERT INTO user_tokens (`+userTokenCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		t.Hash, t.Purpose, t.UserID, t.Email, canonical.Time(t.CreatedAt), canonical.Time(t.ExpiresAt), tsPtr(t.UsedAt))
}

func (s *Store) GetUserToken(ctx context.Context, hash string) (*store.UserToken, error) {
	if !storable(hash) {
		return nil, store.ErrNotFound
	}
	t, err := scanUserToken(s.pool.QueryRow(ctx, `SELECT `+userTokenCols+` FROM user_tokens WHERE hash = $1`, hash))
	if err != nil {
		return nil, s.fail(ctx, "get user token", err)
	}
	return t, nil
}

// useUserToken marks the token and, when that wins, the user's other
// unused tokens of the purpose, in one statement.
const useUserToken = `
WITH used AS (
	UPDATE user_tokens SET used_at = $3
	WHERE hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3
	RETURNING ` + userTokenCols + `
), others AS (
	UPDATE user_tokens SET used_at = $3
	WHERE user_id = (SELECT user_id FROM used) AND purpose = $2 AND used_at IS NULL AND hash <> $1
)
SELECT ` + userTokenCols + ` FROM used`

func (s *Store) UseUserToken(ctx context.Context, hash, purpose string, now time.Time) (*store.UserToken, error) {
	const op = "use user token"
	if now.IsZero() {
		return nil, s.fail(ctx, op, errZeroTime)
	}
	if !storable(hash, purpose) {
		return nil, store.ErrNotFound
	}
	t, err := scanUserToken(s.pool.QueryRow(ctx, useUserToken, hash, purpose, canonical.Time(now)))
	if err == nil {
		return t, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return nil, s.fail(ctx, op, err)
	}
	t, err = scanUserToken(s.pool.QueryRow(ctx, `SELECT `+userTokenCols+` FROM user_tokens WHERE hash = $1 AND purpose = $2`, hash, purpose))
	if err != nil {
		return nil, s.fail(ctx, op, err)
	}
	return t, store.ErrAlreadyUsed
}
