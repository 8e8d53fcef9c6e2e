package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/canonical"
)

// The outbox. The writer connection serializes every write, so a claim
// (one UPDATE … WHERE id IN (due, unleased) RETURNING) can never hand an
// item to two callers, here or in another process on the same file.

const outboxCols = `state, next_attempt, attempts, lease, lease_until, last_error, last_trace, finished_at, data`

func (s *Store) EnqueueOutbox(ctx context.Context, items []*store.OutboxItem) error {
	rows, err := outboxRows(items)
	if err != nil {
		return s.fail(ctx, "enqueue outbox", err)
	}
	if len(rows) == 0 {
		return nil
	}
	err = s.write(ctx, func(ctx context.Context, tx wtx) error { return insertOutbox(ctx, tx, rows) })
	if err != nil {
		return s.fail(ctx, "enqueue outbox", err)
	}
	return nil
}

// outboxRow is an item ready to insert.
type outboxRow struct {
	n    *store.OutboxItem
	data string
}

// outboxRows prepares items for insertOutbox, outside the writer.
func outboxRows(items []*store.OutboxItem) ([]outboxRow, error) {
	rows := make([]outboxRow, 0, len(items))
	for _, it := range items {
		n := canonical.OutboxItem(it)
		n.State, n.Attempts, n.Lease, n.LeaseUntil, n.FinishedAt = store.OutboxPending, 0, "", time.Time{}, nil
		data, err := canonical.Encode(n)
		if err != nil {
			return nil, err
		}
		rows = append(rows, outboxRow{n, data})
	}
	return rows, nil
}

// insertOutbox inserts pending items within a write (an enqueue, or the
// write that makes them necessary: a CIBA decision, a CIBA request).
func insertOutbox(ctx context.Context, tx wtx, rows []outboxRow) error {
	for _, r := range rows {
		if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (id, state, next_attempt, attempts, created_at, data) VALUES (?, 'pending', ?, 0, ?, ?)`,
			r.n.ID, r.n.NextAttempt.UnixMicro(), r.n.CreatedAt.UnixMicro(), r.data); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) ClaimOutbox(ctx context.Context, lease string, now time.Time, leaseFor time.Duration, limit int) ([]*store.OutboxItem, error) {
	if now.IsZero() {
		return nil, s.fail(ctx, "claim outbox", errZeroTime)
	}
	if limit <= 0 {
		return nil, nil
	}
	at := canonical.Time(now).UnixMicro()
	until := canonical.Time(now.Add(leaseFor)).UnixMicro()
	// Every replica polls often and most polls find nothing: a read on
	// the read pool answers those without a write transaction (and its
	// fsync). The claim below decides by itself what it takes.
	var due int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM outbox WHERE state = 'pending' AND next_attempt <= ?
		AND (lease_until IS NULL OR lease_until <= ?) LIMIT 1)`, at, at).Scan(&due)
	if err != nil {
		return nil, s.fail(ctx, "claim outbox", err)
	}
	if due == 0 {
		return nil, nil
	}
	var out []*store.OutboxItem
	err = s.write(ctx, func(ctx context.Context, tx wtx) error {
		out = out[:0]
		rows, err := tx.QueryContext(ctx, `UPDATE outbox SET lease = ?, lease_until = ?, attempts = attempts + 1
			WHERE id IN (SELECT id FROM outbox WHERE state = 'pending' AND next_attempt <= ? AND (lease_until IS NULL OR lease_until <= ?)
				ORDER BY next_attempt, id LIMIT ?)
			RETURNING `+outboxCols, lease, until, at, at, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			it, err := scanOutbox(rows)
			if err != nil {
				return err
			}
			out = append(out, it)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, s.fail(ctx, "claim outbox", err)
	}
	sortDue(out)
	return out, nil
}

// sortDue orders claimed items as they were due (RETURNING keeps no order).
func sortDue(items []*store.OutboxItem) {
	slices.SortFunc(items, func(a, b *store.OutboxItem) int {
		if c := a.NextAttempt.Compare(b.NextAttempt); c != 0 {
			return c
		}
		if a.ID < b.ID {
			return -1
		}
		return 1
	})
}

func (s *Store) DeliveredOutbox(ctx context.Context, id, lease string, now time.Time) error {
	return s.settleOutbox(ctx, "deliver outbox item", `UPDATE outbox SET state = 'delivered', finished_at = ?, lease = NULL, lease_until = NULL
		WHERE id = ? AND lease = ? AND state = 'pending'`, canonical.Time(now).UnixMicro(), id, lease)
}

func (s *Store) RetryOutbox(ctx context.Context, id, lease string, r store.OutboxRetry) error {
	state, finished := store.OutboxPending, any(nil)
	if r.Dead {
		state, finished = store.OutboxDead, canonical.Time(r.Now).UnixMicro()
	}
	return s.settleOutbox(ctx, "retry outbox item", `UPDATE outbox SET state = ?, next_attempt = ?, finished_at = ?, last_error = ?, last_trace = ?, lease = NULL, lease_until = NULL
		WHERE id = ? AND lease = ? AND state = 'pending'`,
		state, canonical.Time(r.Next).UnixMicro(), finished, canonical.Text(r.Error), nullText(canonical.Text(r.TraceID)), id, lease)
}

// settleOutbox runs a write that only the lease holder may make.
func (s *Store) settleOutbox(ctx context.Context, op, query string, args ...any) error {
	err := s.write(ctx, func(ctx context.Context, tx wtx) error {
		res, err := tx.ExecContext(ctx, query, args...)
		if err != nil {
			return err
		}
		if ok, err := affected(res); err != nil {
			return err
		} else if !ok {
			return store.ErrNotFound
		}
		return nil
	})
	if err != nil {
		return s.fail(ctx, op, err)
	}
	return nil
}

func (s *Store) ListOutbox(ctx context.Context, state string, limit int) ([]*store.OutboxItem, error) {
	order := `finished_at DESC, id`
	if state == store.OutboxPending {
		order = `next_attempt, id`
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+outboxCols+` FROM outbox WHERE state = ? ORDER BY `+order+` LIMIT ?`, state, max(limit, 0))
	if err != nil {
		return nil, s.fail(ctx, "list outbox", err)
	}
	defer rows.Close()
	var out []*store.OutboxItem
	for rows.Next() {
		it, err := scanOutbox(rows)
		if err != nil {
			return nil, s.fail(ctx, "list outbox", err)
		}
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, "list outbox", err)
	}
	return out, nil
}

// RequeueOutbox is one conditional UPDATE; a refusal reads why in the
// same transaction.
func (s *Store) RequeueOutbox(ctx context.Context, id string, now time.Time) (*store.OutboxItem, error) {
	const op = "requeue outbox item"
	if now.IsZero() {
		return nil, s.fail(ctx, op, errZeroTime)
	}
	var it *store.OutboxItem
	err := s.write(ctx, func(ctx context.Context, tx wtx) error {
		rows, err := tx.QueryContext(ctx, `UPDATE outbox SET state = 'pending', next_attempt = ?, attempts = 0, finished_at = NULL, lease = NULL, lease_until = NULL
			WHERE id = ? AND state = 'dead' RETURNING `+outboxCols, canonical.Time(now).UnixMicro(), id)
		if err != nil {
			return err
		}
		it, err = oneOutbox(rows)
		if err != nil || it != nil {
			return err
		}
		rows, err = tx.QueryContext(ctx, `SELECT `+outboxCols+` FROM outbox WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if it, err = oneOutbox(rows); err != nil {
			return err
		}
		if it == nil {
			return store.ErrNotFound
		}
		return store.ErrAlreadyUsed
	})
	switch {
	case errors.Is(err, store.ErrAlreadyUsed):
		return it, err
	case err != nil:
		return nil, s.fail(ctx, op, err)
	}
	return it, nil
}

// oneOutbox reads at most one item of rows (nil when none) and closes them.
func oneOutbox(rows *sql.Rows) (*store.OutboxItem, error) {
	defer rows.Close()
	var it *store.OutboxItem
	if rows.Next() {
		var err error
		if it, err = scanOutbox(rows); err != nil {
			return nil, err
		}
	}
	return it, rows.Err()
}

func (s *Store) CountOutbox(ctx context.Context) (store.OutboxCounts, error) {
	var c store.OutboxCounts
	rows, err := s.r.QueryContext(ctx, `SELECT state, count(*) FROM outbox GROUP BY state`)
	if err != nil {
		return c, s.fail(ctx, "count outbox", err)
	}
	defer rows.Close()
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			return c, s.fail(ctx, "count outbox", err)
		}
		switch state {
		case store.OutboxPending:
			c.Pending = n
		case store.OutboxDelivered:
			c.Delivered = n
		case store.OutboxDead:
			c.Dead = n
		}
	}
	if err := rows.Err(); err != nil {
		return c, s.fail(ctx, "count outbox", err)
	}
	return c, nil
}

// scanOutbox reads one row of outboxCols: the JSON, with the columns laid
// over it.
func scanOutbox(rows *sql.Rows) (*store.OutboxItem, error) {
	var (
		state, data               string
		next                      int64
		attempts                  int
		lease, lastErr, lastTrace sql.NullString
		leaseUntil, finished      sql.NullInt64
	)
	if err := rows.Scan(&state, &next, &attempts, &lease, &leaseUntil, &lastErr, &lastTrace, &finished, &data); err != nil {
		return nil, err
	}
	it, err := canonical.Decode[store.OutboxItem](data)
	if err != nil {
		return nil, err
	}
	it.State, it.NextAttempt, it.Attempts = state, time.UnixMicro(next).UTC(), attempts
	it.Lease, it.LastError, it.LastTraceID = lease.String, lastErr.String, lastTrace.String
	it.LeaseUntil = time.Time{}
	if leaseUntil.Valid {
		it.LeaseUntil = time.UnixMicro(leaseUntil.Int64).UTC()
	}
	it.FinishedAt = timePtr(finished)
	return it, nil
}

// nullText is a nullable text column value: NULL for "".
func nullText(v string) any {
	if v == "" {
		return nil
	}
	return v
}
