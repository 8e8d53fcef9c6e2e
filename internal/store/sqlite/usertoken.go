package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/canonical"
)

// User tokens: the single-use links of password reset and address
// verification, all in columns.

const userTokenCols = `hash, purpose, user_id, email, created_at, expires_at, used_at`

func scanUserToken(sc scanner) (*store.UserToken, error) {
	var t store.UserToken
	var created, expires int64
	var used sql.NullInt64
	if err := sc.Scan(&t.Hash, &t.Purpose, &t.UserID, &t.Email, &created, &expires, &used); err != nil {
		return nil, err
	}
	t.CreatedAt, t.ExpiresAt, t.UsedAt = time.UnixMicro(created).UTC(), time.UnixMicro(expires).UTC(), timePtr(used)
	return &t, nil
}

func (s *Store) CreateUserToken(ctx context.Context, t *store.UserToken) error {
	return s.exec(ctx, "create user token", `INSERT INTO user_tokens (`+userTokenCols+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		t.Hash, t.Purpose, t.UserID, t.Email, canonical.Time(t.CreatedAt).UnixMicro(), canonical.Time(t.ExpiresAt).UnixMicro(), microsPtr(canonical.TimePtr(t.UsedAt)))
}

func (s *Store) GetUserToken(ctx context.Context, hash string) (*store.UserToken, error) {
	t, err := scanUserToken(s.r.QueryRowContext(ctx, `SELECT `+userTokenCols+` FROM user_tokens WHERE hash = ?`, hash))
	if err != nil {
		return nil, s.fail(ctx, "get user token", err)
	}
	return t, nil
}

// UseUserToken is one conditional UPDATE and, when it wins, the update of
// the user's other tokens of the purpose, in one transaction of the writer.
func (s *Store) UseUserToken(ctx context.Context, hash, purpose string, now time.Time) (*store.UserToken, error) {
	const op = "use user token"
	if now.IsZero() {
		return nil, s.fail(ctx, op, errZeroTime)
	}
	at := canonical.Time(now).UnixMicro()
	var t *store.UserToken
	err := s.write(ctx, func(ctx context.Context, tx wtx) error {
		var err error
		t, err = scanUserToken(tx.QueryRowContext(ctx, `UPDATE user_tokens SET used_at = ?
			WHERE hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ? RETURNING `+userTokenCols,
			at, hash, purpose, at))
		switch {
		case err == nil:
			_, err = tx.ExecContext(ctx, `UPDATE user_tokens SET used_at = ? WHERE user_id = ? AND purpose = ? AND used_at IS NULL`,
				at, t.UserID, purpose)
			return err
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		// Refused: read why inside the transaction that refused it.
		if t, err = scanUserToken(tx.QueryRowContext(ctx, `SELECT `+userTokenCols+` FROM user_tokens WHERE hash = ? AND purpose = ?`, hash, purpose)); err != nil {
			return err
		}
		return store.ErrAlreadyUsed
	})
	switch {
	case errors.Is(err, store.ErrAlreadyUsed):
		return t, err
	case err != nil:
		return nil, s.fail(ctx, op, err)
	}
	return t, nil
}
