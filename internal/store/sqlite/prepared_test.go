package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
)

// TestWriterPreparesStatements: a write statement runs unprepared once,
// is prepared after that commit and reused from then on; the one-off
// migration statements are not kept.
func TestWriterPreparesStatements(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "lucid.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	write := func(id string) {
		t.Helper()
		if err := s.UseJTI(ctx, "issuer", id, time.Now().Add(time.Minute)); err != nil {
			t.Fatalf("UseJTI %s: %v", id, err)
		}
	}
	// The cache belongs to the writer goroutine; look at it from there,
	// which also waits for the preparing that follows every commit.
	inWriter := func(f func()) {
		t.Helper()
		if err := s.write(ctx, func(context.Context, wtx) error { f(); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	jtiInsert := func() (n int) {
		inWriter(func() {
			for q := range s.prepared {
				if strings.Contains(q, "INSERT INTO jtis") {
					n++
				}
			}
		})
		return n
	}
	inWriter(func() {
		for q := range s.prepared {
			if strings.Contains(q, "CREATE") {
				t.Errorf("migration statement kept: %.60s", q)
			}
		}
	})
	if n := jtiInsert(); n != 0 {
		t.Fatalf("jti insert prepared before its first use: %d", n)
	}
	write("a")
	if n := jtiInsert(); n != 1 {
		t.Fatalf("jti insert prepared %d times after its first use, want 1", n)
	}
	jtiStmt := func() (st *sql.Stmt) {
		inWriter(func() {
			for q, p := range s.prepared {
				if strings.Contains(q, "INSERT INTO jtis") {
					st = p
				}
			}
		})
		return st
	}
	first := jtiStmt()
	write("b")
	if again := jtiStmt(); again != first {
		t.Errorf("the second write prepared the jti insert again: %p → %p", first, again)
	}
	// The prepared statement still enforces single use.
	if err := s.UseJTI(ctx, "issuer", "a", time.Now().Add(time.Minute)); err != store.ErrAlreadyUsed {
		t.Errorf("replayed jti through the prepared statement: %v, want ErrAlreadyUsed", err)
	}
}
