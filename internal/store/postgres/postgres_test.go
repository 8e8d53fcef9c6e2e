package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/postgres/pgtest"
	"github.com/lucid-auth/lucid/internal/store/storetest"
)

func open(t *testing.T, dsn string) *Store {
	t.Helper()
	s, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func TestConformance(t *testing.T) {
	srv := pgtest.Connect(t)
	storetest.Run(t, func(t *testing.T) store.Store {
		return open(t, srv.FreshDSN(t))
	})
}

// schemaVersion reads the version table: how many rows, and the version.
func schemaVersion(t *testing.T, s *Store) (rows, version int) {
	t.Helper()
	if err := s.pool.QueryRow(context.Background(), `SELECT count(*), COALESCE(max(version), 0) FROM schema_version`).
		Scan(&rows, &version); err != nil {
		t.Fatalf("read schema_version: %v", err)
	}
	return rows, version
}

// Replicas starting at once on an empty schema: without the advisory lock
// they would both create the tables and all but one would fail.
func TestConcurrentOpen(t *testing.T) {
	srv := pgtest.Connect(t)
	for round := range 3 {
		t.Run(fmt.Sprint("round ", round), func(t *testing.T) {
			dsn := srv.FreshDSN(t)
			const replicas = 6
			stores := make([]*Store, replicas)
			errs := make([]error, replicas)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range replicas {
				wg.Go(func() {
					<-start
					stores[i], errs[i] = Open(context.Background(), dsn)
				})
			}
			close(start)
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("replica %d: %v", i, err)
				}
			}
			for _, s := range stores {
				if s == nil {
					continue
				}
				if rows, v := schemaVersion(t, s); rows != 1 || v != len(migrations) {
					t.Errorf("schema_version has %d rows, version %d; want 1 row, version %d", rows, v, len(migrations))
				}
				if err := s.Ping(context.Background()); err != nil {
					t.Errorf("Ping: %v", err)
				}
				_ = s.Close()
			}
		})
	}
}

func TestReopen(t *testing.T) {
	srv := pgtest.Connect(t)
	dsn := srv.FreshDSN(t)
	ctx := context.Background()

	s := open(t, dsn)
	if err := s.CreateClient(ctx, &store.Client{ID: "kept", CreatedAt: time.Now()}); err != nil {
		t.Fatalf("CreateClient: %v", err)
	}
	_ = s.Close()

	s = open(t, dsn)
	if _, err := s.GetClient(ctx, "kept"); err != nil {
		t.Errorf("client after reopening: %v", err)
	}
	if rows, v := schemaVersion(t, s); rows != 1 || v != len(migrations) {
		t.Errorf("after reopening: %d rows, version %d", rows, v)
	}

	// A database migrated by a newer Lucid is left alone.
	if _, err := s.pool.Exec(ctx, `UPDATE schema_version SET version = version + 1`); err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
	s, err := Open(ctx, dsn)
	if err == nil {
		_ = s.Close()
		t.Fatal("Open of a newer schema succeeded")
	}
	if !strings.Contains(err.Error(), "newer") {
		t.Errorf("Open of a newer schema: %v, want it to say the schema is newer", err)
	}
}

// The conditional writes are reasoned for READ COMMITTED; a DSN (or a
// server default) asking for more must not change it.
func TestReadCommitted(t *testing.T) {
	srv := pgtest.Connect(t)
	s := open(t, srv.FreshDSN(t)+"&default_transaction_isolation=serializable")
	t.Cleanup(func() { _ = s.Close() })
	var level string
	if err := s.pool.QueryRow(context.Background(), `SHOW default_transaction_isolation`).Scan(&level); err != nil {
		t.Fatal(err)
	}
	if level != "read committed" {
		t.Errorf("default_transaction_isolation = %q, want read committed", level)
	}
}

func TestOpenErrors(t *testing.T) {
	pgtest.Connect(t) // the last case needs the server
	missing := pgtest.WithSearchPath(pgtest.DSN(), "lucid_test_no_such_schema")
	cases := []struct {
		name, dsn string
		want      string // in the error
	}{
		{"unparsable", "postgres://lucid:sekret@127.0.0.1:notaport/db", "invalid connection string"},
		{"unreachable", "postgres://lucid:sekret@127.0.0.1:1/db?connect_timeout=2", "connect"},
		{"search_path schema missing", missing, "search_path"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			s, err := Open(ctx, c.dsn)
			if err == nil {
				_ = s.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not mention %q", err, c.want)
			}
			if strings.Contains(err.Error(), "sekret") {
				t.Errorf("error %q shows the password", err)
			}
		})
	}
}

// Keys PostgreSQL text cannot hold (NUL, invalid UTF-8) arrive from
// clients (a client_id, a username, a jti); looking one up must say "not
// found", not fail, and writing one must fail without storing anything.
func TestUnstorableKeys(t *testing.T) {
	srv := pgtest.Connect(t)
	s := open(t, srv.FreshDSN(t))
	t.Cleanup(func() { _ = s.Close() })
	ctx := context.Background()
	now := time.Now()

	for _, key := range []string{"nul\x00byte", "bad\xffutf8"} {
		reads := []struct {
			name string
			call func() error
		}{
			{"GetClient", func() error { _, err := s.GetClient(ctx, key); return err }},
			{"GetUserByUsername", func() error { _, err := s.GetUserByUsername(ctx, key); return err }},
			{"GetAuthRequest", func() error { _, err := s.GetAuthRequest(ctx, key); return err }},
			{"GetAuthCode", func() error { _, err := s.GetAuthCode(ctx, key); return err }},
			{"GetRefreshToken", func() error { _, err := s.GetRefreshToken(ctx, key); return err }},
			{"GetSession", func() error { _, err := s.GetSession(ctx, key); return err }},
			{"GetConsent", func() error { _, err := s.GetConsent(ctx, "u", key); return err }},
			{"UpdateClient", func() error {
				_, err := s.UpdateClient(ctx, key, func(*store.Client) error { return nil })
				return err
			}},
			{"DeleteSession", func() error { return s.DeleteSession(ctx, key) }},
			{"RedeemAuthCode", func() error {
				_, err := s.RedeemAuthCode(ctx, key, &store.TokenFamily{ID: "f"}, store.Issued{}, now)
				return err
			}},
			{"RevokeAccessToken", func() error { return s.RevokeAccessToken(ctx, key, now) }},
		}
		for _, r := range reads {
			if err := r.call(); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("%s(%q): %v, want ErrNotFound", r.name, key, err)
			}
		}
		if denied, err := s.JTIDenied(ctx, key); err != nil || denied {
			t.Errorf("JTIDenied(%q) = %v, %v; want false, nil", key, denied, err)
		}

		writes := []struct {
			name string
			call func() error
		}{
			{"CreateClient", func() error { return s.CreateClient(ctx, &store.Client{ID: key}) }},
			{"CreateUser", func() error { return s.CreateUser(ctx, &store.User{ID: key, Username: "someone"}) }},
			{"UseJTI", func() error { return s.UseJTI(ctx, "iss", key, now.Add(time.Hour)) }},
			{"DenyJTI", func() error { return s.DenyJTI(ctx, key, now.Add(time.Hour)) }},
		}
		for _, w := range writes {
			err := w.call()
			if err == nil || errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrAlreadyUsed) {
				t.Errorf("%s(%q): %v, want a plain error", w.name, key, err)
			}
		}
	}
	users, err := s.ListUsers(ctx)
	if err != nil || len(users) != 0 {
		t.Errorf("refused users were stored: %v %v", users, err)
	}
}

// A writer that gives up while waiting for a row lock must stop waiting on
// the server too, and should not cost its connection: the statement is
// canceled on the server, the transaction rolled back and the connection
// reused. (Dropping the connection instead also ends the wait, but under
// load turns every timeout into a reconnect.)
func TestCanceledWait(t *testing.T) {
	srv := pgtest.Connect(t)
	app := fmt.Sprintf("lucid_test_cancel_%d", time.Now().UnixNano())
	s := open(t, srv.FreshDSN(t)+"&application_name="+app)
	t.Cleanup(func() { _ = s.Close() })
	ctx := context.Background()
	if err := s.CreateClient(ctx, &store.Client{ID: "busy"}); err != nil {
		t.Fatal(err)
	}

	entered, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		_, err := s.UpdateClient(ctx, "busy", func(*store.Client) error {
			close(entered)
			<-release
			return nil
		})
		done <- err
	}()
	<-entered
	defer func() {
		close(release)
		if err := <-done; err != nil {
			t.Errorf("first writer: %v", err)
		}
	}()

	before := s.pool.Stat().NewConnsCount()
	wctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	_, err := s.UpdateClient(wctx, "busy", func(*store.Client) error { return nil })
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second writer: %v, want DeadlineExceeded", err)
	}

	var waiting int
	if err := srv.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
		WHERE application_name = $1 AND wait_event_type = 'Lock'`, app).Scan(&waiting); err != nil {
		t.Fatalf("pg_stat_activity: %v", err)
	}
	if waiting != 0 {
		t.Errorf("%d sessions still wait for the lock after the writer gave up", waiting)
	}
	// The first writer still holds its connection, so this read can only
	// avoid a new one by reusing the connection the canceled writer had.
	if _, err := s.GetClient(ctx, "busy"); err != nil {
		t.Errorf("read after a canceled write: %v", err)
	}
	if n := s.pool.Stat().NewConnsCount() - before; n != 1 {
		t.Errorf("%d connections opened for the canceled write and the read after it, want 1 (the canceled one kept)", n)
	}
}

// TestChangeFeed: a change committed through one store (another replica)
// reaches the other's LISTEN connection.
func TestChangeFeed(t *testing.T) {
	srv := pgtest.Connect(t)
	storetest.RunFeed(t, func(t *testing.T) (store.Store, store.Store) {
		dsn := srv.FreshDSN(t)
		a, b := open(t, dsn), open(t, dsn)
		t.Cleanup(func() { _ = a.Close(); _ = b.Close() })
		return a, b
	})
}

// TestChangeFeedReconnects: a listener whose connection is killed reports
// the loss, reconnects and flushes, and then still hears changes.
func TestChangeFeedReconnects(t *testing.T) {
	srv := pgtest.Connect(t)
	dsn := srv.FreshDSN(t)
	a, b := open(t, dsn), open(t, dsn)
	defer a.Close()
	defer b.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, err := a.Changes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := func(kind store.ChangeKind) store.Change {
		t.Helper()
		for {
			select {
			case c := <-ch:
				if c.Kind == kind {
					return c
				}
			case <-time.After(15 * time.Second):
				t.Fatalf("no %s change in 15 s", kind)
			}
		}
	}
	want(store.ChangeFlush)
	var killed bool
	if err := srv.QueryRow(ctx, `SELECT bool_or(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE query = 'LISTEN lucid_changes' AND datname = current_database()`).Scan(&killed); err != nil || !killed {
		t.Fatalf("terminating the listener: %v, %v", killed, err)
	}
	want(store.ChangeLost)
	want(store.ChangeFlush)
	if err := b.DenyJTI(ctx, "after-reconnect", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if c := want(store.ChangeDeniedJTI); c.ID != "after-reconnect" {
		t.Fatalf("change for %q", c.ID)
	}
}
