package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/canonical"
)

// Each person's latest sign-ins (store.SignInStore).

func (s *Store) RecordSignIn(ctx context.Context, e *store.SignInEvent, keep int) error {
	n := *e
	n.At = canonical.Time(e.At)
	if !storable(n.UserID) {
		return s.fail(ctx, "record sign-in", errBadKey)
	}
	data, err := canonical.Encode(&n)
	if err != nil {
		return s.fail(ctx, "record sign-in", err)
	}
	err = s.write(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO sign_ins (user_id, at, data) VALUES ($1, $2, $3)`, n.UserID, n.At, data); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM sign_ins WHERE user_id = $1 AND id NOT IN
			(SELECT id FROM sign_ins WHERE user_id = $1 ORDER BY at DESC, id DESC LIMIT $2)`, n.UserID, keep)
		return err
	})
	if err != nil {
		return s.fail(ctx, "record sign-in", err)
	}
	return nil
}

func (s *Store) ListSignIns(ctx context.Context, userID string, limit int) ([]*store.SignInEvent, error) {
	if !storable(userID) {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT data FROM sign_ins WHERE user_id = $1 ORDER BY at DESC, id DESC LIMIT $2`, userID, limit)
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
	if !storable(userID) {
		return nil
	}
	return s.exec(ctx, "delete sign-ins", `DELETE FROM sign_ins WHERE user_id = $1`, userID)
}
