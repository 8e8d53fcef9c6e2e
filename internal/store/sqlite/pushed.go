package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/canonical"
)

// Pushed authorization requests (RFC 9126).

func (s *Store) CreatePushedRequest(ctx context.Context, r *store.PushedRequest) error {
	n := canonical.PushedRequest(r)
	data, err := canonical.Encode(n)
	if err != nil {
		return s.fail(ctx, "create pushed request", err)
	}
	return s.exec(ctx, "create pushed request", `INSERT INTO pushed_requests (hash, client_id, expires_at, used_at, data) VALUES (?, ?, ?, ?, ?)`,
		n.Hash, n.ClientID, micros(n.ExpiresAt), microsPtr(n.UsedAt), data)
}

// ConsumePushedRequest spends the request with one conditional UPDATE;
// the writer connection serializes it with every other write.
func (s *Store) ConsumePushedRequest(ctx context.Context, hash, clientID string, now time.Time) (*store.PushedRequest, error) {
	if now.IsZero() {
		return nil, s.fail(ctx, "consume pushed request", errZeroTime)
	}
	at := canonical.Time(now).UnixMicro()
	var req *store.PushedRequest
	err := s.write(ctx, func(ctx context.Context, tx wtx) error {
		var data string
		var used sql.NullInt64
		err := tx.QueryRowContext(ctx, `UPDATE pushed_requests SET used_at = ?
			WHERE hash = ? AND client_id = ? AND used_at IS NULL AND expires_at > ? RETURNING data, used_at`,
			at, hash, clientID, at).Scan(&data, &used)
		refused := errors.Is(err, sql.ErrNoRows)
		if refused {
			// Read why inside the transaction that refused it.
			err = tx.QueryRowContext(ctx, `SELECT data, used_at FROM pushed_requests WHERE hash = ?`, hash).Scan(&data, &used)
		}
		if err != nil {
			return err
		}
		if req, err = canonical.Decode[store.PushedRequest](data); err != nil {
			return err
		}
		req.UsedAt = timePtr(used)
		if refused {
			return store.ErrAlreadyUsed
		}
		return nil
	})
	switch {
	case errors.Is(err, store.ErrAlreadyUsed):
		return req, err
	case err != nil:
		return nil, s.fail(ctx, "consume pushed request", err)
	}
	return req, nil
}
