package postgres

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/store/postgres/pgtest"
)

// TestFailureClassMigration: a database written before failure stories
// had a class is migrated in place; its stories without a client become
// unattributed, so TrimFailures bounds them with the other noise.
func TestFailureClassMigration(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.Connect(t).FreshDSN(t)
	step := slices.IndexFunc(migrations, func(m string) bool { return strings.Contains(m, "failures_class") })
	if step < 0 {
		t.Fatal("no migration adds the failure class")
	}
	all := migrations
	migrations = all[:step]
	s, err := Open(ctx, dsn)
	migrations = all
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range [][2]string{
		{"with-client", `{"trace_id":"with-client","client_id":"app","name":"code_unknown"}`},
		{"no-client", `{"trace_id":"no-client","name":"page_not_found"}`},
		{"empty-client", `{"trace_id":"empty-client","client_id":"","name":"page_not_found"}`},
	} {
		if err := s.exec(ctx, "old story", `INSERT INTO failures (trace_id, created_at, data) VALUES ($1, $2, $3)`, row[0], time.Now(), row[1]); err != nil {
			t.Fatal(err)
		}
	}
	_ = s.Close()

	s = open(t, dsn)
	defer s.Close()
	n, err := s.TrimFailures(ctx, true, 0)
	if err != nil || n != 2 {
		t.Fatalf("trimming the unattributed stories deleted %d (%v), want 2", n, err)
	}
	if _, err := s.GetFailure(ctx, "with-client"); err != nil {
		t.Errorf("the story of a client: %v", err)
	}
}
