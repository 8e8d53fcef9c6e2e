package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/sqlite"
)

// TestWriteGivesUpWhileLocked: another process (the CLI, say) holds the
// database's write lock. A write whose context ends while the writer waits
// for that lock returns then, with an error store.Unavailable recognises,
// instead of waiting out the busy timeout; and it is not run once the lock
// is released, since its caller was told it failed.
func TestWriteGivesUpWhileLocked(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "lucid.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	other := holdWriteLock(t, path)
	var released atomic.Bool
	go func() {
		// Shorter than the busy timeout: before the fix the write waited
		// for this and then committed.
		time.Sleep(3 * time.Second)
		released.Store(true)
		_, _ = other.ExecContext(ctx, "ROLLBACK")
	}()

	wctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	err = s.CreateClient(wctx, &store.Client{ID: "late", Name: "Late"})
	if released.Load() {
		t.Fatalf("the write waited for the other process's lock (err %v)", err)
	}
	if !store.Unavailable(err) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v; want the deadline, recognised by store.Unavailable", err)
	}
	for !released.Load() {
		time.Sleep(50 * time.Millisecond)
	}
	// A later write goes through the same writer, after the abandoned one.
	if err := s.CreateClient(ctx, &store.Client{ID: "next", Name: "Next"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetClient(ctx, "late"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the abandoned write was run anyway: %v", err)
	}
}

// holdWriteLock opens the database as another process would and takes
// its write lock until the test ends or the caller rolls back.
func holdWriteLock(t *testing.T, path string) *sql.Conn {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	if _, err := conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = conn.ExecContext(context.Background(), "ROLLBACK") })
	return conn
}
