package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"

	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/canonical"
)

var _ store.ChangeFeed = (*Store)(nil)

// changeChannel is the one channel the triggers of the schema migration
// notify on.
const changeChannel = "lucid_changes"

const (
	// listenIdle is how long the listener waits for a notification before
	// it pings its connection: a connection that died without a word
	// (a lost network path) is found within this plus the ping's bound.
	listenIdle = 5 * time.Second
	pingBound  = 2 * time.Second
	// backoffMin and backoffMax bound the wait between reconnections.
	backoffMin = 100 * time.Millisecond
	backoffMax = 5 * time.Second
)

// Changes starts the change feed: one dedicated connection (not from the
// pool) LISTENs on the triggers' channel. Every (re)connection sends
// ChangeFlush once it listens, as notifications may have been missed while
// it was down; every loss sends ChangeLost, then the listener reconnects
// with exponential backoff. The channel closes when ctx ends.
func (s *Store) Changes(ctx context.Context) (<-chan store.Change, error) {
	cfg := s.pool.Config().ConnConfig.Copy()
	// A deadline, not a cancel request, ends the idle wait: a cancel
	// request arriving late could cancel the next statement.
	cfg.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.DeadlineContextWatcherHandler{Conn: c.Conn()}
	}
	out := make(chan store.Change, 256)
	// The listener ends with ctx or with the store, whichever is first.
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		defer cancel()
		select {
		case <-s.closed:
		case <-ctx.Done():
		}
	}()
	go s.listen(ctx, cfg, out)
	return out, nil
}

func (s *Store) listen(ctx context.Context, cfg *pgx.ConnConfig, out chan<- store.Change) {
	defer close(out)
	wait := backoffMin
	for ctx.Err() == nil {
		err := s.listenOnce(ctx, cfg, out, func() { wait = backoffMin })
		if ctx.Err() != nil {
			return
		}
		if !send(ctx, out, store.Change{Kind: store.ChangeLost, Err: err}) {
			return
		}
		// Jitter keeps replicas that lost the database together from
		// reconnecting in step.
		d := wait/2 + rand.N(wait/2+1)
		select {
		case <-ctx.Done():
			return
		case <-time.After(d):
		}
		wait = min(2*wait, backoffMax)
	}
}

// listenOnce connects, listens and relays notifications until the
// connection fails or ctx ends. connected is called once listening.
func (s *Store) listenOnce(ctx context.Context, cfg *pgx.ConnConfig, out chan<- store.Change, connected func()) error {
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	conn, err := pgx.ConnectConfig(cctx, cfg)
	cancel()
	if err != nil {
		return err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		defer cancel()
		_ = conn.Close(cctx)
	}()
	var schema *string
	if err := conn.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return err
	}
	if schema == nil {
		return errors.New("no schema of the search_path exists")
	}
	if _, err := conn.Exec(ctx, "LISTEN "+changeChannel); err != nil {
		return err
	}
	connected()
	if !send(ctx, out, store.Change{Kind: store.ChangeFlush}) {
		return ctx.Err()
	}
	for {
		wctx, cancel := context.WithTimeout(ctx, listenIdle)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, context.DeadlineExceeded):
			pctx, cancel := context.WithTimeout(ctx, pingBound)
			err = conn.Ping(pctx)
			cancel()
			if err != nil {
				return fmt.Errorf("ping: %w", err)
			}
			continue
		case err != nil:
			return err
		}
		c, ok := parseNotification(n.Payload, *schema)
		if !ok {
			continue
		}
		if !send(ctx, out, c) {
			return ctx.Err()
		}
	}
}

// parseNotification reads a trigger's payload; changes to another schema
// (another Lucid in the same database) and unknown kinds are skipped.
func parseNotification(payload, schema string) (store.Change, bool) {
	var p struct {
		S  string `json:"s"`
		K  string `json:"k"`
		ID string `json:"id"`
	}
	if err := json.Unmarshal([]byte(payload), &p); err != nil || p.S != schema {
		return store.Change{}, false
	}
	k, ok := store.ParseChangeKind(p.K)
	if !ok {
		// A newer binary's kind: whatever it is, caches must not keep it.
		k, p.ID = store.ChangeFlush, ""
	}
	return store.Change{Kind: k, ID: p.ID}, true
}

func send(ctx context.Context, out chan<- store.Change, c store.Change) bool {
	select {
	case out <- c:
		return true
	case <-ctx.Done():
		return false
	}
}

// RecentRevocations reads the denylist and the recently revoked families.
func (s *Store) RecentRevocations(ctx context.Context, now, since time.Time, limit int) (*store.Revocations, error) {
	const op = "recent revocations"
	r := &store.Revocations{Denied: map[string]time.Time{}, Families: map[string]store.RevokedFamily{}}
	rows, err := s.pool.Query(ctx, `SELECT jti, expires_at FROM denied_jtis WHERE expires_at > $1 LIMIT $2`, canonical.Time(now), limit+1)
	if err != nil {
		return nil, s.fail(ctx, op, err)
	}
	var jti string
	var exp time.Time
	_, err = pgx.ForEachRow(rows, []any{&jti, &exp}, func() error {
		r.Denied[jti] = exp.UTC()
		return nil
	})
	if err != nil {
		return nil, s.fail(ctx, op, err)
	}
	if len(r.Denied) > limit {
		return nil, fmt.Errorf("postgres: %s: more than %d denied jtis: %w", op, limit, store.ErrConflict)
	}
	rows, err = s.pool.Query(ctx, `SELECT id, revoked_at, COALESCE(revoke_reason, '') FROM token_families WHERE revoked_at >= $1 LIMIT $2`,
		canonical.Time(since), limit+1)
	if err != nil {
		return nil, s.fail(ctx, op, err)
	}
	var id, reason string
	var at time.Time
	_, err = pgx.ForEachRow(rows, []any{&id, &at, &reason}, func() error {
		r.Families[id] = store.RevokedFamily{At: at.UTC(), Reason: reason}
		return nil
	})
	if err != nil {
		return nil, s.fail(ctx, op, err)
	}
	if len(r.Families) > limit {
		return nil, fmt.Errorf("postgres: %s: more than %d revoked families: %w", op, limit, store.ErrConflict)
	}
	return r, nil
}

// Throttles: one row per key, times in Unix microseconds.

func (s *Store) TakeThrottle(ctx context.Context, key string, now time.Time, interval time.Duration, burst int) (time.Duration, error) {
	const op = "take throttle"
	if !storable(key) {
		return 0, s.fail(ctx, op, errBadKey)
	}
	t, iv := now.UnixMicro(), interval.Microseconds()
	window := iv * int64(max(burst, 1))
	var tat int64
	err := s.pool.QueryRow(ctx, `INSERT INTO throttles AS t (key, tat, touched_at) VALUES ($1, $2::bigint + $3::bigint, $2)
		ON CONFLICT (key) DO UPDATE SET tat = GREATEST(t.tat, $2) + $3, touched_at = $2
		WHERE GREATEST(t.tat, $2) + $3 - $2 <= $4
		RETURNING tat`, key, t, iv, window).Scan(&tat)
	if err == nil {
		return 0, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return 0, s.fail(ctx, op, err)
	}
	if err := s.pool.QueryRow(ctx, `SELECT tat FROM throttles WHERE key = $1`, key).Scan(&tat); err != nil {
		return 0, s.fail(ctx, op, err)
	}
	return throttleWait(tat, t, iv, window), nil
}

// throttleWait is how long until a bucket whose theoretical arrival time
// is tat takes another event (at least a microsecond: refused is refused).
func throttleWait(tat, now, interval, window int64) time.Duration {
	return time.Duration(max(max(tat, now)+interval-window-now, 1)) * time.Microsecond
}

func (s *Store) GiveThrottle(ctx context.Context, key string, interval time.Duration) error {
	if !storable(key) {
		return nil
	}
	return s.exec(ctx, "give throttle", `UPDATE throttles SET tat = tat - $2 WHERE key = $1`, key, interval.Microseconds())
}

func (s *Store) FailThrottle(ctx context.Context, key string, now time.Time, lock func(int) time.Time) (int, error) {
	const op = "fail throttle"
	if !storable(key) {
		return 0, s.fail(ctx, op, errBadKey)
	}
	var failed int
	err := s.write(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO throttles AS t (key, failed, touched_at) VALUES ($1, 1, $2)
			ON CONFLICT (key) DO UPDATE SET failed = t.failed + 1, touched_at = $2 RETURNING failed`, key, now.UnixMicro()).Scan(&failed); err != nil {
			return err
		}
		if until := lock(failed); !until.IsZero() {
			_, err := tx.Exec(ctx, `UPDATE throttles SET locked_until = GREATEST(locked_until, $2) WHERE key = $1`, key, until.UnixMicro())
			return err
		}
		return nil
	})
	if err != nil {
		return 0, s.fail(ctx, op, err)
	}
	return failed, nil
}

func (s *Store) ClearThrottleFailures(ctx context.Context, key string) error {
	if !storable(key) {
		return nil
	}
	return s.exec(ctx, "clear throttle failures", `UPDATE throttles SET failed = 0, locked_until = 0 WHERE key = $1`, key)
}

func (s *Store) ThrottleLockedUntil(ctx context.Context, key string) (time.Time, error) {
	if !storable(key) {
		return time.Time{}, nil
	}
	var until int64
	err := s.pool.QueryRow(ctx, `SELECT locked_until FROM throttles WHERE key = $1`, key).Scan(&until)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return time.Time{}, nil
	case err != nil:
		return time.Time{}, s.fail(ctx, "throttle lock", err)
	case until == 0:
		return time.Time{}, nil
	}
	return time.UnixMicro(until).UTC(), nil
}
