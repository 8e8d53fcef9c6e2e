package sqlite

import (
	"context"

	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/canonical"
)

// Each person's latest sign-ins (store.SignInStore).

func (s *Store) RecordSignIn(ctx context.Context, e *store.SignInEvent, keep int) error {
	n := *e
	n.At = canonical.Time(e.At)
	data, err := canonical.Encode(&n)
	if err != nil {
		return s.fail(ctx, "record sign-in", err)
	}
	err = s.write(ctx, func(ctx context.Context, tx wtx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO sign_ins (user_id, at, data) VALUES (?, ?, ?)`, n.UserID, n.At.UnixMicro(), data); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM sign_ins WHERE user_id = ? AND id NOT IN
			(SELECT id FROM sign_ins WHERE user_id = ? ORDER BY at DESC, id DESC LIMIT ?)`, n.UserID, n.UserID, keep)
		return err
	})
	if err != nil {
		return s.fail(ctx, "record sign-in", err)
	}
	return nil
}

func (s *Store) ListSignIns(ctx context.Context, userID string, limit int) ([]*store.SignInEvent, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT data FROM sign_ins WHERE user_id = ? ORDER BY at DESC, id DESC LIMIT ?`, userID, limit)
	if err != nil {
		return nil, s.fail(ctx, "list sign-ins", err)
	}
	defer rows.Close()
	var out []*store.SignInEvent
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, s.fail(ctx, "list sign-ins", err)
		}
		e, err := canonical.Decode[store.SignInEvent](data)
		if err != nil {
			return nil, s.fail(ctx, "list sign-ins", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, "list sign-ins", err)
	}
	return out, nil
}

func (s *Store) DeleteSignIns(ctx context.Context, userID string) error {
	return s.exec(ctx, "delete sign-ins", `DELETE FROM sign_ins WHERE user_id = ?`, userID)
}
