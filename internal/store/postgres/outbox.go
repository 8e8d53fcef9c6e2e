package postgres

import (
	"context"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/canonical"
)

// The outbox. Replicas claim with one UPDATE whose subquery locks the due
// rows it picks FOR UPDATE SKIP LOCKED: a row another claim holds is
// skipped rather than waited for, and a row another claim has just
// committed is re-checked against the lease condition (READ COMMITTED),
// so no item is handed to two claims.

const outboxCols = `state, next_attempt, attempts, lease, lease_until, last_error, last_trace, finished_at, data`

func (s *Store) EnqueueOutbox(ctx context.Context, items []*store.OutboxItem) error {
	const op = "enqueue outbox"
	cols, err := outboxColumns(items)
	if err != nil {
		return s.fail(ctx, op, err)
	}
	if len(items) == 0 {
		return nil
	}
	if _, err := s.pool.Exec(ctx, `INSERT INTO outbox (id, state, next_attempt, attempts, created_at, data)
		SELECT x.id, 'pending', x.next_attempt, 0, x.created_at, x.data::json
		FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[], $4::text[]) AS x(id, next_attempt, created_at, data)`, cols...); err != nil {
		return s.fail(ctx, op, err)
	}
	return nil
}

// outboxColumns turns pending items into four arrays (ids, due times,
// creation times, data) for an INSERT … SELECT FROM unnest, which lets
// a statement that makes them necessary (a CIBA decision) insert them
// itself.
func outboxColumns(items []*store.OutboxItem) ([]any, error) {
	ids := make([]string, 0, len(items))
	due := make([]time.Time, 0, len(items))
	created := make([]time.Time, 0, len(items))
	data := make([]string, 0, len(items))
	for _, it := range items {
		n := canonical.OutboxItem(it)
		if !storable(n.ID) {
			return nil, errBadKey
		}
		n.State, n.Attempts, n.Lease, n.LeaseUntil, n.FinishedAt = store.OutboxPending, 0, "", time.Time{}, nil
		d, err := canonical.Encode(n)
		if err != nil {
			return nil, err
		}
		ids, due, created, data = append(ids, n.ID), append(due, n.NextAttempt), append(created, n.CreatedAt), append(data, d)
	}
	return []any{ids, due, created, data}, nil
}

func (s *Store) ClaimOutbox(ctx context.Context, lease string, now time.Time, leaseFor time.Duration, limit int) ([]*store.OutboxItem, error) {
	const op = "claim outbox"
	if now.IsZero() {
		return nil, s.fail(ctx, op, errZeroTime)
	}
	if limit <= 0 {
		return nil, nil
	}
	if !storable(lease) {
		return nil, s.fail(ctx, op, errBadKey)
	}
	at := canonical.Time(now)
	rows, err := s.pool.Query(ctx, `UPDATE outbox SET lease = $1, lease_until = $2, attempts = attempts + 1
		WHERE id IN (SELECT id FROM outbox WHERE state = 'pending' AND next_attempt <= $3 AND (lease_until IS NULL OR lease_until <= $3)
			ORDER BY next_attempt, id LIMIT $4 FOR UPDATE SKIP LOCKED)
		AND state = 'pending' AND (lease_until IS NULL OR lease_until <= $3)
		RETURNING `+outboxCols, lease, canonical.Time(now.Add(leaseFor)), at, limit)
	if err != nil {
		return nil, s.fail(ctx, op, err)
	}
	out, err := scanOutboxRows(rows)
	if err != nil {
		return nil, s.fail(ctx, op, err)
	}
	slices.SortFunc(out, func(a, b *store.OutboxItem) int {
		if c := a.NextAttempt.Compare(b.NextAttempt); c != 0 {
			return c
		}
		if a.ID < b.ID {
			return -1
		}
		return 1
	})
	return out, nil
}

func (s *Store) DeliveredOutbox(ctx context.Context, id, lease string, now time.Time) error {
	return s.settleOutbox(ctx, "deliver outbox item", id, lease, `UPDATE outbox SET state = 'delivered', finished_at = $3, lease = NULL, lease_until = NULL
		WHERE id = $1 AND lease = $2 AND state = 'pending'`, canonical.Time(now))
}

func (s *Store) RetryOutbox(ctx context.Context, id, lease string, r store.OutboxRetry) error {
	state, finished := store.OutboxPending, any(nil)
	if r.Dead {
		state, finished = store.OutboxDead, canonical.Time(r.Now)
	}
	return s.settleOutbox(ctx, "retry outbox item", id, lease, `UPDATE outbox SET state = $3, next_attempt = $4, finished_at = $5, last_error = $6, last_trace = $7, lease = NULL, lease_until = NULL
		WHERE id = $1 AND lease = $2 AND state = 'pending'`,
		state, canonical.Time(r.Next), finished, canonical.Text(r.Error), nullString(canonical.Text(r.TraceID)))
}

// settleOutbox runs a write that only the lease holder may make.
func (s *Store) settleOutbox(ctx context.Context, op, id, lease, query string, args ...any) error {
	if !storable(id, lease) {
		return store.ErrNotFound
	}
	tag, err := s.pool.Exec(ctx, query, append([]any{id, lease}, args...)...)
	if err != nil {
		return s.fail(ctx, op, err)
	}
	if tag.RowsAffected() == 0 {
		return store.ErrNotFound
	}
	return nil
}

func (s *Store) ListOutbox(ctx context.Context, state string, limit int) ([]*store.OutboxItem, error) {
	order := `finished_at DESC, id`
	if state == store.OutboxPending {
		order = `next_attempt, id`
	}
	if !storable(state) {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT `+outboxCols+` FROM outbox WHERE state = $1 ORDER BY `+order+` LIMIT $2`, state, max(limit, 0))
	if err != nil {
		return nil, s.fail(ctx, "list outbox", err)
	}
	out, err := scanOutboxRows(rows)
	if err != nil {
		return nil, s.fail(ctx, "list outbox", err)
	}
	return out, nil
}

// RequeueOutbox is one conditional UPDATE; a refusal reads why.
func (s *Store) RequeueOutbox(ctx context.Context, id string, now time.Time) (*store.OutboxItem, error) {
	const op = "requeue outbox item"
	if now.IsZero() {
		return nil, s.fail(ctx, op, errZeroTime)
	}
	if !storable(id) {
		return nil, store.ErrNotFound
	}
	rows, err := s.pool.Query(ctx, `UPDATE outbox SET state = 'pending', next_attempt = $2, attempts = 0, finished_at = NULL, lease = NULL, lease_until = NULL
		WHERE id = $1 AND state = 'dead' RETURNING `+outboxCols, id, canonical.Time(now))
	if err != nil {
		return nil, s.fail(ctx, op, err)
	}
	out, err := scanOutboxRows(rows)
	if err != nil {
		return nil, s.fail(ctx, op, err)
	}
	if len(out) == 1 {
		return out[0], nil
	}
	if rows, err = s.pool.Query(ctx, `SELECT `+outboxCols+` FROM outbox WHERE id = $1`, id); err != nil {
		return nil, s.fail(ctx, op, err)
	}
	if out, err = scanOutboxRows(rows); err != nil {
		return nil, s.fail(ctx, op, err)
	}
	if len(out) == 0 {
		return nil, store.ErrNotFound
	}
	return out[0], store.ErrAlreadyUsed
}

func (s *Store) CountOutbox(ctx context.Context) (store.OutboxCounts, error) {
	var c store.OutboxCounts
	err := s.pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE state = 'pending'), count(*) FILTER (WHERE state = 'delivered'),
		count(*) FILTER (WHERE state = 'dead') FROM outbox`).Scan(&c.Pending, &c.Delivered, &c.Dead)
	if err != nil {
		return c, s.fail(ctx, "count outbox", err)
	}
	return c, nil
}

// scanOutboxRows reads rows of outboxCols: the JSON, with the columns
// laid over it. It closes rows.
func scanOutboxRows(rows pgx.Rows) ([]*store.OutboxItem, error) {
	defer rows.Close()
	var out []*store.OutboxItem
	for rows.Next() {
		var (
			state, data               string
			next                      time.Time
			attempts                  int
			lease, lastErr, lastTrace *string
			leaseUntil, finished      *time.Time
		)
		if err := rows.Scan(&state, &next, &attempts, &lease, &leaseUntil, &lastErr, &lastTrace, &finished, &data); err != nil {
			return nil, err
		}
		it, err := canonical.Decode[store.OutboxItem](data)
		if err != nil {
			return nil, err
		}
		it.State, it.NextAttempt, it.Attempts = state, canonical.Time(next), attempts
		it.Lease, it.LastError, it.LastTraceID = deref(lease), deref(lastErr), deref(lastTrace)
		it.LeaseUntil = time.Time{}
		if leaseUntil != nil {
			it.LeaseUntil = canonical.Time(*leaseUntil)
		}
		it.FinishedAt = canonical.TimePtr(finished)
		out = append(out, it)
	}
	return out, rows.Err()
}
