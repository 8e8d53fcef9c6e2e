package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/lucid-auth/lucid/internal/store"
)

// Lifecycle of the database file: the schema's state, online backups, and
// restoring a backup. None of these opens a Store, so none migrates.

// ErrInUse: a restore would replace a database another process has open.
var ErrInUse = errors.New("the database is in use")

// Steps describes each migration this binary knows.
func Steps() []string {
	out := make([]string, len(migrations))
	for i, m := range migrations {
		out[i] = store.DescribeMigration(m)
	}
	return out
}

// rawOpen opens path without creating it, for reading (query_only) or for
// taking locks. SQLite's own errors are turned into ones naming the path.
func rawOpen(path string, readOnly bool) (*sql.DB, string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, "", fmt.Errorf("sqlite: database path: %w", err)
	}
	if _, err := os.Stat(abs); errors.Is(err, fs.ErrNotExist) {
		return nil, abs, fmt.Errorf("sqlite: %w at %s: the file does not exist", store.ErrNoDatabase, abs)
	}
	q := fmt.Sprintf("?_busy_timeout=%d&mode=rw", busyTimeout.Milliseconds())
	if readOnly {
		q += "&_query_only=1"
	}
	db, err := sql.Open("sqlite", "file:"+uriPath.Replace(abs)+q)
	if err != nil {
		return nil, abs, fmt.Errorf("sqlite: %w", err)
	}
	db.SetMaxOpenConns(1)
	return db, abs, nil
}

// SchemaOf reads the schema version of the database at path without
// changing anything; a missing file is a Schema that does not exist.
func SchemaOf(ctx context.Context, path string) (store.Schema, error) {
	sc := store.Schema{Backend: "sqlite", Where: path, Steps: Steps()}
	db, abs, err := rawOpen(path, true)
	if abs != "" {
		sc.Where = abs
	}
	if errors.Is(err, store.ErrNoDatabase) {
		return sc, nil
	}
	if err != nil {
		return sc, err
	}
	defer db.Close()
	s := &Store{r: db}
	v, err := s.version(ctx, abs, store.OpenReadOnly)
	if errors.Is(err, store.ErrNoDatabase) {
		return sc, nil
	}
	if err != nil {
		return sc, err
	}
	sc.Exists, sc.Applied = true, v
	return sc, nil
}

// Backup writes a consistent copy of the Lucid database at src to dst, a
// file that must not exist yet, while servers keep reading and writing
// src: VACUUM INTO copies one read transaction's snapshot (WAL lets
// writers go on meanwhile) into a compact new database.
func Backup(ctx context.Context, src, dst string) error {
	sc, err := SchemaOf(ctx, src)
	if err != nil {
		return err
	}
	if !sc.Exists {
		return fmt.Errorf("sqlite: %w at %s: nothing to back up", store.ErrNoDatabase, sc.Where)
	}
	out, err := filepath.Abs(dst)
	if err != nil {
		return fmt.Errorf("backup file: %w", err)
	}
	if _, err := os.Lstat(out); err == nil {
		return fmt.Errorf("backup file %s exists already; choose a new name (a backup never overwrites)", out)
	}
	// Not query_only: SQLite counts VACUUM INTO as a write, though it
	// changes nothing in src.
	db, _, err := rawOpen(src, false)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, out); err != nil {
		_ = os.Remove(out)
		return fmt.Errorf("sqlite: back up %s to %s: %w", sc.Where, out, err)
	}
	// The copy holds secrets sealed under the master key, hashes of
	// tokens and personal data: readable by its owner only.
	if err := os.Chmod(out, 0o600); err != nil {
		return fmt.Errorf("backup file %s: %w", out, err)
	}
	return nil
}

// InUse reports whether another connection has the database at path open
// (a running Lucid, a management command): in WAL mode every connection
// holds a shared lock on the file, so an exclusive lock is granted only
// when there is none.
func InUse(ctx context.Context, path string) (bool, error) {
	db, _, err := rawOpen(path, false)
	if errors.Is(err, store.ErrNoDatabase) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return false, fmt.Errorf("sqlite: %w", err)
	}
	defer conn.Close()
	// No busy wait: a lock that is held now means in use.
	if _, err := conn.ExecContext(ctx, `PRAGMA busy_timeout = 0; PRAGMA locking_mode = EXCLUSIVE`); err != nil {
		return false, fmt.Errorf("sqlite: %w", err)
	}
	if _, err := conn.ExecContext(ctx, `BEGIN EXCLUSIVE`); err != nil {
		if busy(err) {
			return true, nil
		}
		return false, fmt.Errorf("sqlite: lock %s: %w", path, err)
	}
	// Holding the lock, fold the WAL into the file, so that closing leaves
	// no -wal file behind to be replayed over a replacement.
	if _, err := conn.ExecContext(ctx, `COMMIT`); err != nil {
		return false, fmt.Errorf("sqlite: %w", err)
	}
	if _, err := conn.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return false, fmt.Errorf("sqlite: checkpoint %s: %w", path, err)
	}
	return false, nil
}

// Replace moves the database file src over dst (both on one file system,
// neither in use, as InUse tells and leaves them: checkpointed), removing
// dst's -wal and -shm files, which belong to the database being replaced.
func Replace(src, dst string) error {
	if fi, err := os.Stat(src + "-wal"); err == nil && fi.Size() > 0 {
		return fmt.Errorf("%s has a write-ahead log not yet folded into it; open and close it once, then retry", src)
	}
	for _, f := range []string{src + "-wal", src + "-shm", dst + "-wal", dst + "-shm"} {
		if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove %s: %w", f, err)
		}
	}
	if err := os.Rename(src, dst); err != nil {
		return fmt.Errorf("move the restored database into place: %w", err)
	}
	return nil
}

// busy reports whether err is SQLite finding the database locked.
func busy(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	c := se.Code() & 0xff
	return c == sqlite3.SQLITE_BUSY || c == sqlite3.SQLITE_LOCKED
}
