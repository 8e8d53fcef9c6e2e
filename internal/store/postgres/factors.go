package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/canonical"
)

// Second factors and passkeys (store.FactorStore). Each single-use rule is
// one statement: the conditional UPDATE, and in the same statement whether
// the row exists at all, to tell "used" from "none".

func (s *Store) CreateTOTP(ctx context.Context, t *store.TOTP) error {
	n := *t
	n.CreatedAt = canonical.Time(t.CreatedAt)
	if !storable(n.UserID) {
		return s.fail(ctx, "create totp", errBadKey)
	}
	data, err := canonical.Encode(&n)
	if err != nil {
		return s.fail(ctx, "create totp", err)
	}
	return s.exec(ctx, "create totp", `INSERT INTO totp_factors (user_id, last_step, data) VALUES ($1, $2, $3)`, n.UserID, n.LastStep, data)
}

func (s *Store) GetTOTP(ctx context.Context, userID string) (*store.TOTP, error) {
	if !storable(userID) {
		return nil, store.ErrNotFound
	}
	var data string
	var step int64
	if err := s.pool.QueryRow(ctx, `SELECT data, last_step FROM totp_factors WHERE user_id = $1`, userID).Scan(&data, &step); err != nil {
		return nil, s.fail(ctx, "get totp", err)
	}
	t, err := canonical.Decode[store.TOTP](data)
	if err != nil {
		return nil, s.fail(ctx, "get totp", err)
	}
	t.LastStep = step
	return t, nil
}

func (s *Store) UseTOTPStep(ctx context.Context, userID string, step int64, now time.Time) error {
	if !storable(userID) {
		return store.ErrNotFound
	}
	var changed, exists int
	err := s.pool.QueryRow(ctx, `WITH u AS (
			UPDATE totp_factors SET last_step = $2 WHERE user_id = $1 AND last_step < $2 RETURNING 1)
		SELECT (SELECT count(*) FROM u), (SELECT count(*) FROM totp_factors WHERE user_id = $1)`, userID, step).Scan(&changed, &exists)
	switch {
	case err != nil:
		return s.fail(ctx, "use totp step", err)
	case changed > 0:
		return nil
	case exists == 0:
		return store.ErrNotFound
	}
	return store.ErrAlreadyUsed
}

func (s *Store) DeleteTOTP(ctx context.Context, userID string) error {
	return s.deleteRow(ctx, "delete totp", `DELETE FROM totp_factors WHERE user_id = $1`, userID)
}

func (s *Store) ReplaceRecoveryCodes(ctx context.Context, userID string, hashes []string, now time.Time) error {
	if !storable(append([]string{userID}, hashes...)...) {
		return s.fail(ctx, "replace recovery codes", errBadKey)
	}
	at := canonical.Time(now)
	err := s.write(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, userID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO recovery_codes (user_id, hash, created_at) SELECT $1, h, $3 FROM unnest($2::text[]) AS h`, userID, hashes, at)
		return err
	})
	if err != nil {
		return s.fail(ctx, "replace recovery codes", err)
	}
	return nil
}

func (s *Store) UseRecoveryCode(ctx context.Context, userID, hash string, now time.Time) error {
	if !storable(userID, hash) {
		return store.ErrNotFound
	}
	var changed, exists int
	err := s.pool.QueryRow(ctx, `WITH u AS (
			UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1 AND hash = $2 AND used_at IS NULL RETURNING 1)
		SELECT (SELECT count(*) FROM u), (SELECT count(*) FROM recovery_codes WHERE user_id = $1 AND hash = $2)`,
		userID, hash, canonical.Time(now)).Scan(&changed, &exists)
	switch {
	case err != nil:
		return s.fail(ctx, "use recovery code", err)
	case changed > 0:
		return nil
	case exists == 0:
		return store.ErrNotFound
	}
	return store.ErrAlreadyUsed
}

func (s *Store) CountRecoveryCodes(ctx context.Context, userID string) (int, error) {
	if !storable(userID) {
		return 0, nil
	}
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL`, userID).Scan(&n); err != nil {
		return 0, s.fail(ctx, "count recovery codes", err)
	}
	return n, nil
}

func (s *Store) CreatePasskey(ctx context.Context, k *store.Passkey) error {
	n := *k
	n.CreatedAt = canonical.Time(k.CreatedAt)
	if !storable(n.ID, n.UserID) {
		return s.fail(ctx, "create passkey", errBadKey)
	}
	data, err := canonical.Encode(&n)
	if err != nil {
		return s.fail(ctx, "create passkey", err)
	}
	return s.exec(ctx, "create passkey", `INSERT INTO passkeys (id, user_id, sign_count, last_used_at, created_at, data) VALUES ($1, $2, $3, $4, $5, $6)`,
		n.ID, n.UserID, int64(n.SignCount), ts(canonical.Time(n.LastUsedAt)), n.CreatedAt, data)
}

const passkeyColumns = `data, sign_count, last_used_at`

func scanPasskey(row pgx.Row) (*store.Passkey, error) {
	var data string
	var count int64
	var used *time.Time
	if err := row.Scan(&data, &count, &used); err != nil {
		return nil, err
	}
	k, err := canonical.Decode[store.Passkey](data)
	if err != nil {
		return nil, err
	}
	k.SignCount = uint32(count) //nolint:gosec // stored from a uint32
	if used != nil {
		k.LastUsedAt = canonical.Time(*used)
	}
	return k, nil
}

func (s *Store) GetPasskey(ctx context.Context, id string) (*store.Passkey, error) {
	if !storable(id) {
		return nil, store.ErrNotFound
	}
	k, err := scanPasskey(s.pool.QueryRow(ctx, `SELECT `+passkeyColumns+` FROM passkeys WHERE id = $1`, id))
	if err != nil {
		return nil, s.fail(ctx, "get passkey", err)
	}
	return k, nil
}

func (s *Store) ListPasskeys(ctx context.Context, userID string) ([]*store.Passkey, error) {
	if !storable(userID) {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT `+passkeyColumns+` FROM passkeys WHERE user_id = $1 ORDER BY created_at, id`, userID)
	if err != nil {
		return nil, s.fail(ctx, "list passkeys", err)
	}
	defer rows.Close()
	var out []*store.Passkey
	for rows.Next() {
		k, err := scanPasskey(rows)
		if err != nil {
			return nil, s.fail(ctx, "list passkeys", err)
		}
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, "list passkeys", err)
	}
	return out, nil
}

func (s *Store) UsePasskey(ctx context.Context, id string, signCount uint32, now time.Time) error {
	if !storable(id) {
		return store.ErrNotFound
	}
	tag, err := s.pool.Exec(ctx, `UPDATE passkeys SET sign_count = $2, last_used_at = $3 WHERE id = $1`, id, int64(signCount), canonical.Time(now))
	if err != nil {
		return s.fail(ctx, "use passkey", err)
	}
	if tag.RowsAffected() == 0 {
		return store.ErrNotFound
	}
	return nil
}

func (s *Store) DeletePasskey(ctx context.Context, userID, id string) error {
	return s.deleteRow(ctx, "delete passkey", `DELETE FROM passkeys WHERE id = $1 AND user_id = $2`, id, userID)
}

func (s *Store) RenamePasskey(ctx context.Context, userID, id, name string) error {
	if !storable(userID, id) {
		return store.ErrNotFound
	}
	// The name lives in the json column, which may hold what jsonb
	// refuses (\u0000): the row is changed in Go, under its lock.
	err := s.write(ctx, func(tx pgx.Tx) error {
		var data []byte
		if err := tx.QueryRow(ctx, `SELECT data FROM passkeys WHERE id = $1 AND user_id = $2 FOR UPDATE`, id, userID).Scan(&data); err != nil {
			return err
		}
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(data, &fields); err != nil {
			return err
		}
		n, err := json.Marshal(name)
		if err != nil {
			return err
		}
		fields["name"] = n
		if data, err = json.Marshal(fields); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE passkeys SET data = $3 WHERE id = $1 AND user_id = $2`, id, userID, data)
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return store.ErrNotFound
	}
	if err != nil {
		return s.fail(ctx, "rename passkey", err)
	}
	return nil
}

func (s *Store) DeleteFactors(ctx context.Context, userID string) error {
	if !storable(userID) {
		return nil
	}
	err := s.write(ctx, func(tx pgx.Tx) error {
		for _, q := range []string{
			`DELETE FROM totp_factors WHERE user_id = $1`,
			`DELETE FROM recovery_codes WHERE user_id = $1`,
			`DELETE FROM passkeys WHERE user_id = $1`,
		} {
			if _, err := tx.Exec(ctx, q, userID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return s.fail(ctx, "delete factors", err)
	}
	return nil
}
