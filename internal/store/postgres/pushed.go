package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/canonical"
)

// Pushed authorization requests (RFC 9126).

func (s *Store) CreatePushedRequest(ctx context.Context, r *store.PushedRequest) error {
	n := canonical.PushedRequest(r)
	if !storable(n.Hash, n.ClientID) {
		return s.fail(ctx, "create pushed request", errBadKey)
	}
	data, err := canonical.Encode(n)
	if err != nil {
		return s.fail(ctx, "create pushed request", err)
	}
	return s.exec(ctx, "create pushed request", `INSERT INTO pushed_requests (hash, client_id, expires_at, used_at, data) VALUES ($1, $2, $3, $4, $5)`,
		n.Hash, n.ClientID, ts(n.ExpiresAt), tsPtr(n.UsedAt), data)
}

// ConsumePushedRequest spends the request with one conditional UPDATE, so
// that of concurrent calls on any replica exactly one wins.
func (s *Store) ConsumePushedRequest(ctx context.Context, hash, clientID string, now time.Time) (*store.PushedRequest, error) {
	const op = "consume pushed request"
	if now.IsZero() {
		return nil, s.fail(ctx, op, errZeroTime)
	}
	if !storable(hash) {
		return nil, store.ErrNotFound
	}
	if !storable(clientID) {
		clientID = "" // matches no row; the refusal below reads the stored one
	}
	at := canonical.Time(now)
	var data string
	var used *time.Time
	err := s.pool.QueryRow(ctx, `UPDATE pushed_requests SET used_at = $1
		WHERE hash = $2 AND client_id = $3 AND used_at IS NULL AND expires_at > $1 RETURNING data, used_at`,
		at, hash, clientID).Scan(&data, &used)
	refused := errors.Is(err, pgx.ErrNoRows)
	if refused {
		err = s.pool.QueryRow(ctx, `SELECT data, used_at FROM pushed_requests WHERE hash = $1`, hash).Scan(&data, &used)
	}
	if err != nil {
		return nil, s.fail(ctx, op, err)
	}
	req, err := canonical.Decode[store.PushedRequest](data)
	if err != nil {
		return nil, s.fail(ctx, op, err)
	}
	req.UsedAt = canonical.TimePtr(used)
	if refused {
		return req, store.ErrAlreadyUsed
	}
	return req, nil
}
