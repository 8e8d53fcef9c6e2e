package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
)

var _ store.ChangeFeed = (*Store)(nil)

// DataVersionPoll is how often the change feed asks SQLite whether another
// process committed. One poll is a PRAGMA on the idle writer connection,
// a few microseconds; four a second cost nothing measurable and bound how
// long a change made by the CLI (or a second process on the file) takes to
// reach this one.
const DataVersionPoll = 250 * time.Millisecond

// Changes starts the change feed of one SQLite file. SQLite has no
// notifications between processes; PRAGMA data_version, read on the writer
// connection, changes exactly when another connection committed, and every
// write of this process goes through that connection, so a change of the
// value means another process wrote: the feed then sends ChangeFlush (it
// cannot say what changed). This process's own writes are not reported;
// its caches apply them themselves. The first value is a ChangeFlush; a
// poll that fails sends ChangeLost, and the next that succeeds ChangeFlush.
func (s *Store) Changes(ctx context.Context) (<-chan store.Change, error) {
	v, err := s.dataVersion(ctx)
	if err != nil {
		return nil, s.fail(ctx, "data version", err)
	}
	out := make(chan store.Change, 16)
	out <- store.Change{Kind: store.ChangeFlush}
	go func() {
		defer close(out)
		tick := time.NewTicker(DataVersionPoll)
		defer tick.Stop()
		lost := false
		for {
			select {
			case <-ctx.Done():
				return
			case <-s.stop:
				return
			case <-tick.C:
			}
			now, err := s.dataVersion(ctx)
			var c store.Change
			switch {
			case ctx.Err() != nil:
				return
			case err != nil:
				if lost {
					continue
				}
				lost, c = true, store.Change{Kind: store.ChangeLost, Err: err}
			case lost || now != v:
				lost, v, c = false, now, store.Change{Kind: store.ChangeFlush}
			default:
				continue
			}
			select {
			case out <- c:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

func (s *Store) dataVersion(ctx context.Context) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, busyTimeout)
	defer cancel()
	var v int64
	err := s.w.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&v)
	return v, err
}

// RecentRevocations reads the denylist and the recently revoked families.
func (s *Store) RecentRevocations(ctx context.Context, now, since time.Time, limit int) (*store.Revocations, error) {
	const op = "recent revocations"
	r := &store.Revocations{Denied: map[string]time.Time{}, Families: map[string]store.RevokedFamily{}}
	err := eachRow(ctx, s.r, `SELECT jti, expires_at FROM denied_jtis WHERE expires_at > ? LIMIT ?`, []any{now.UnixMicro(), limit + 1},
		func(rows *sql.Rows) error {
			var jti string
			var exp int64
			if err := rows.Scan(&jti, &exp); err != nil {
				return err
			}
			r.Denied[jti] = time.UnixMicro(exp).UTC()
			return nil
		})
	if err != nil {
		return nil, s.fail(ctx, op, err)
	}
	if len(r.Denied) > limit {
		return nil, fmt.Errorf("sqlite: %s: more than %d denied jtis: %w", op, limit, store.ErrConflict)
	}
	err = eachRow(ctx, s.r, `SELECT id, revoked_at, COALESCE(revoke_reason, '') FROM token_families WHERE revoked_at >= ? LIMIT ?`,
		[]any{since.UnixMicro(), limit + 1},
		func(rows *sql.Rows) error {
			var id, reason string
			var at int64
			if err := rows.Scan(&id, &at, &reason); err != nil {
				return err
			}
			r.Families[id] = store.RevokedFamily{At: time.UnixMicro(at).UTC(), Reason: reason}
			return nil
		})
	if err != nil {
		return nil, s.fail(ctx, op, err)
	}
	if len(r.Families) > limit {
		return nil, fmt.Errorf("sqlite: %s: more than %d revoked families: %w", op, limit, store.ErrConflict)
	}
	return r, nil
}

func eachRow(ctx context.Context, db *sql.DB, query string, args []any, fn func(*sql.Rows) error) error {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Throttles: one row per key, times in Unix microseconds.

func (s *Store) TakeThrottle(ctx context.Context, key string, now time.Time, interval time.Duration, burst int) (time.Duration, error) {
	t, iv := now.UnixMicro(), interval.Microseconds()
	window := iv * int64(max(burst, 1))
	var wait time.Duration
	err := s.write(ctx, func(ctx context.Context, tx wtx) error {
		var tat int64
		err := tx.QueryRowContext(ctx, `INSERT INTO throttles (key, tat, touched_at) VALUES (?1, ?2 + ?3, ?2)
			ON CONFLICT (key) DO UPDATE SET tat = max(tat, ?2) + ?3, touched_at = ?2
			WHERE max(tat, ?2) + ?3 - ?2 <= ?4
			RETURNING tat`, key, t, iv, window).Scan(&tat)
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT tat FROM throttles WHERE key = ?`, key).Scan(&tat); err != nil {
			return err
		}
		wait = time.Duration(max(max(tat, t)+iv-window-t, 1)) * time.Microsecond
		return nil
	})
	if err != nil {
		return 0, s.fail(ctx, "take throttle", err)
	}
	return wait, nil
}

func (s *Store) GiveThrottle(ctx context.Context, key string, interval time.Duration) error {
	return s.exec(ctx, "give throttle", `UPDATE throttles SET tat = tat - ? WHERE key = ?`, interval.Microseconds(), key)
}

func (s *Store) FailThrottle(ctx context.Context, key string, now time.Time, lock func(int) time.Time) (int, error) {
	var failed int
	err := s.write(ctx, func(ctx context.Context, tx wtx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO throttles (key, failed, touched_at) VALUES (?1, 1, ?2)
			ON CONFLICT (key) DO UPDATE SET failed = failed + 1, touched_at = ?2 RETURNING failed`, key, now.UnixMicro()).Scan(&failed); err != nil {
			return err
		}
		if until := lock(failed); !until.IsZero() {
			_, err := tx.ExecContext(ctx, `UPDATE throttles SET locked_until = max(locked_until, ?) WHERE key = ?`, until.UnixMicro(), key)
			return err
		}
		return nil
	})
	if err != nil {
		return 0, s.fail(ctx, "fail throttle", err)
	}
	return failed, nil
}

func (s *Store) ClearThrottleFailures(ctx context.Context, key string) error {
	return s.exec(ctx, "clear throttle failures", `UPDATE throttles SET failed = 0, locked_until = 0 WHERE key = ?`, key)
}

func (s *Store) ThrottleLockedUntil(ctx context.Context, key string) (time.Time, error) {
	var until int64
	err := s.r.QueryRowContext(ctx, `SELECT locked_until FROM throttles WHERE key = ?`, key).Scan(&until)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return time.Time{}, nil
	case err != nil:
		return time.Time{}, s.fail(ctx, "throttle lock", err)
	case until == 0:
		return time.Time{}, nil
	}
	return time.UnixMicro(until).UTC(), nil
}
