package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/canonical"
)

// Second factors and passkeys (store.FactorStore).

func (s *Store) CreateTOTP(ctx context.Context, t *store.TOTP) error {
	n := *t
	n.CreatedAt = canonical.Time(t.CreatedAt)
	data, err := canonical.Encode(&n)
	if err != nil {
		return s.fail(ctx, "create totp", err)
	}
	return s.exec(ctx, "create totp", `INSERT INTO totp_factors (user_id, last_step, data) VALUES (?, ?, ?)`, n.UserID, n.LastStep, data)
}

func (s *Store) GetTOTP(ctx context.Context, userID string) (*store.TOTP, error) {
	var data string
	var step int64
	if err := s.r.QueryRowContext(ctx, `SELECT data, last_step FROM totp_factors WHERE user_id = ?`, userID).Scan(&data, &step); err != nil {
		return nil, s.fail(ctx, "get totp", err)
	}
	t, err := canonical.Decode[store.TOTP](data)
	if err != nil {
		return nil, s.fail(ctx, "get totp", err)
	}
	t.LastStep = step
	return t, nil
}

// UseTOTPStep is one conditional UPDATE: the step must be later than the
// last one accepted.
func (s *Store) UseTOTPStep(ctx context.Context, userID string, step int64, now time.Time) error {
	err := s.write(ctx, func(ctx context.Context, tx wtx) error {
		res, err := tx.ExecContext(ctx, `UPDATE totp_factors SET last_step = ? WHERE user_id = ? AND last_step < ?`, step, userID, step)
		if err != nil {
			return err
		}
		if ok, err := affected(res); err != nil || ok {
			return err
		}
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM totp_factors WHERE user_id = ?`, userID).Scan(&one); err != nil {
			return err
		}
		return store.ErrAlreadyUsed
	})
	if err != nil {
		return s.fail(ctx, "use totp step", err)
	}
	return nil
}

func (s *Store) DeleteTOTP(ctx context.Context, userID string) error {
	return s.deleteRow(ctx, "delete totp", `DELETE FROM totp_factors WHERE user_id = ?`, userID)
}

func (s *Store) ReplaceRecoveryCodes(ctx context.Context, userID string, hashes []string, now time.Time) error {
	at := canonical.Time(now).UnixMicro()
	err := s.write(ctx, func(ctx context.Context, tx wtx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = ?`, userID); err != nil {
			return err
		}
		for _, h := range hashes {
			if _, err := tx.ExecContext(ctx, `INSERT INTO recovery_codes (user_id, hash, created_at) VALUES (?, ?, ?)`, userID, h, at); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return s.fail(ctx, "replace recovery codes", err)
	}
	return nil
}

func (s *Store) UseRecoveryCode(ctx context.Context, userID, hash string, now time.Time) error {
	at := canonical.Time(now).UnixMicro()
	err := s.write(ctx, func(ctx context.Context, tx wtx) error {
		res, err := tx.ExecContext(ctx, `UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND hash = ? AND used_at IS NULL`, at, userID, hash)
		if err != nil {
			return err
		}
		if ok, err := affected(res); err != nil || ok {
			return err
		}
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM recovery_codes WHERE user_id = ? AND hash = ?`, userID, hash).Scan(&one); err != nil {
			return err
		}
		return store.ErrAlreadyUsed
	})
	if err != nil {
		return s.fail(ctx, "use recovery code", err)
	}
	return nil
}

func (s *Store) CountRecoveryCodes(ctx context.Context, userID string) (int, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL`, userID).Scan(&n); err != nil {
		return 0, s.fail(ctx, "count recovery codes", err)
	}
	return n, nil
}

func (s *Store) CreatePasskey(ctx context.Context, k *store.Passkey) error {
	n := *k
	n.CreatedAt = canonical.Time(k.CreatedAt)
	data, err := canonical.Encode(&n)
	if err != nil {
		return s.fail(ctx, "create passkey", err)
	}
	return s.exec(ctx, "create passkey", `INSERT INTO passkeys (id, user_id, sign_count, last_used_at, created_at, data) VALUES (?, ?, ?, ?, ?, ?)`,
		n.ID, n.UserID, int64(n.SignCount), micros(canonical.Time(n.LastUsedAt)), n.CreatedAt.UnixMicro(), data)
}

const passkeyColumns = `data, sign_count, last_used_at`

func scanPasskey(sc interface{ Scan(...any) error }) (*store.Passkey, error) {
	var data string
	var count int64
	var used sql.NullInt64
	if err := sc.Scan(&data, &count, &used); err != nil {
		return nil, err
	}
	k, err := canonical.Decode[store.Passkey](data)
	if err != nil {
		return nil, err
	}
	k.SignCount = uint32(count) //nolint:gosec // stored from a uint32
	if t := timePtr(used); t != nil {
		k.LastUsedAt = *t
	}
	return k, nil
}

func (s *Store) GetPasskey(ctx context.Context, id string) (*store.Passkey, error) {
	k, err := scanPasskey(s.r.QueryRowContext(ctx, `SELECT `+passkeyColumns+` FROM passkeys WHERE id = ?`, id))
	if err != nil {
		return nil, s.fail(ctx, "get passkey", err)
	}
	return k, nil
}

func (s *Store) ListPasskeys(ctx context.Context, userID string) ([]*store.Passkey, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+passkeyColumns+` FROM passkeys WHERE user_id = ? ORDER BY created_at, id`, userID)
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
	// deleteRow: one statement that must change a row.
	return s.deleteRow(ctx, "use passkey", `UPDATE passkeys SET sign_count = ?, last_used_at = ? WHERE id = ?`,
		int64(signCount), canonical.Time(now).UnixMicro(), id)
}

func (s *Store) DeletePasskey(ctx context.Context, userID, id string) error {
	return s.deleteRow(ctx, "delete passkey", `DELETE FROM passkeys WHERE id = ? AND user_id = ?`, id, userID)
}

func (s *Store) RenamePasskey(ctx context.Context, userID, id, name string) error {
	// deleteRow: one statement that must change a row.
	return s.deleteRow(ctx, "rename passkey", `UPDATE passkeys SET data = json_set(data, '$.name', ?) WHERE id = ? AND user_id = ?`, name, id, userID)
}

func (s *Store) DeleteFactors(ctx context.Context, userID string) error {
	err := s.write(ctx, func(ctx context.Context, tx wtx) error {
		for _, q := range []string{
			`DELETE FROM totp_factors WHERE user_id = ?`,
			`DELETE FROM recovery_codes WHERE user_id = ?`,
			`DELETE FROM passkeys WHERE user_id = ?`,
		} {
			if _, err := tx.ExecContext(ctx, q, userID); err != nil {
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
