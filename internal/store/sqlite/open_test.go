package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lucid-auth/lucid/internal/store"
)

// oldDatabase makes a database at schema version 1, as an older Lucid
// left it.
func oldDatabase(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{migrations[0], `CREATE TABLE schema_version (version INTEGER NOT NULL)`, `INSERT INTO schema_version VALUES (1)`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

func schemaVersion(t *testing.T, path string) int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v int
	if err := db.QueryRow(`SELECT version FROM schema_version`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestReadOnlyOpenDoesNotMigrate: a read-only command on a database of an
// older schema changes nothing and says what to do; `migrate up`
// (OpenMigrate) migrates it.
func TestReadOnlyOpenDoesNotMigrate(t *testing.T) {
	ctx := context.Background()
	path := oldDatabase(t)
	_, err := OpenWith(ctx, path, store.OpenReadOnly)
	if !errors.Is(err, store.ErrSchemaOutdated) || !strings.Contains(err.Error(), path) {
		t.Fatalf("read-only open of an old schema: %v, want ErrSchemaOutdated naming %s", err, path)
	}
	if v := schemaVersion(t, path); v != 1 {
		t.Fatalf("a read-only open migrated the schema to version %d", v)
	}
	s, err := OpenWith(ctx, path, store.OpenMigrate)
	if err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
	if v := schemaVersion(t, path); v != len(migrations) {
		t.Errorf("OpenMigrate left schema version %d, want %d", v, len(migrations))
	}
	s, err = OpenWith(ctx, path, store.OpenReadOnly)
	if err != nil {
		t.Fatalf("read-only open of a current schema: %v", err)
	}
	_ = s.Close()
}

// TestOpenPermissionDenied: an unreadable database or a directory where
// SQLite cannot keep its WAL files is named with the cause.
func TestOpenPermissionDenied(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads and writes every file")
	}
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "lucid.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
	if err := os.Chmod(path, 0); err != nil {
		t.Fatal(err)
	}
	_, err = OpenWith(ctx, path, store.OpenExisting)
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "permission denied") {
		t.Errorf("unreadable database: %v", err)
	}
	locked := filepath.Join(dir, "locked")
	if err := os.Mkdir(locked, 0o500); err != nil {
		t.Fatal(err)
	}
	_, err = Open(ctx, filepath.Join(locked, "lucid.db"))
	if err == nil || !strings.Contains(err.Error(), "permission denied") {
		t.Errorf("database in a read-only directory: %v", err)
	}
}
