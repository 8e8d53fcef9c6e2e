package sqlite

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/lucid-auth/lucid/internal/store"
)

// open makes the first connection as mode allows, then migrates when the
// mode is OpenCreate or OpenMigrate; the other modes refuse an outdated
// schema. path is absolute.
func (s *Store) open(ctx context.Context, path string, mode store.OpenMode) error {
	if mode == store.OpenCreate {
		// The writer's first connection creates the file and turns on WAL.
		if err := s.w.PingContext(ctx); err != nil {
			return openError(path, mode, err)
		}
	} else {
		v, err := s.version(ctx, path, mode)
		if err != nil {
			return err
		}
		switch {
		case v > len(migrations):
			return fmt.Errorf("sqlite: database %s: schema version %d is newer than this binary knows (%d): upgrade Lucid", path, v, len(migrations))
		case mode != store.OpenMigrate && v < len(migrations):
			return fmt.Errorf("sqlite: database %s: %w (schema version %d, this Lucid uses %d)", path, store.ErrSchemaOutdated, v, len(migrations))
		}
	}
	if mode == store.OpenReadOnly || mode == store.OpenExisting {
		return nil // current, as checked above: nothing to migrate
	}
	if err := s.migrate(ctx); err != nil {
		if fileCode(err) {
			return openError(path, mode, err)
		}
		return err
	}
	return nil
}

// version reads the schema version of an existing database through the
// read-only pool, which does not create the file.
func (s *Store) version(ctx context.Context, path string, mode store.OpenMode) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'`).Scan(&n)
	if err != nil {
		return 0, openError(path, mode, err)
	}
	if n == 0 {
		return 0, fmt.Errorf("sqlite: %w at %s: the file holds no Lucid tables", store.ErrNoDatabase, path)
	}
	var v int
	if err := s.r.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&v); err != nil {
		return 0, openError(path, mode, err)
	}
	return v, nil
}

// fileCode reports whether err is SQLite failing at the file itself.
func fileCode(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_AUTH, sqlite3.SQLITE_NOTADB:
		return true
	}
	return false
}

// openError names the path and the cause of a failure to open the
// database: SQLite's own message ("unable to open database file (14)")
// names neither.
func openError(path string, mode store.OpenMode, err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_NOTADB {
		return fmt.Errorf("sqlite: cannot open database %s: the file is not an SQLite database", path)
	}
	if fileCode(err) {
		if cause := fileCause(path, mode); cause != nil {
			return cause
		}
	}
	return fmt.Errorf("sqlite: cannot open database %s: %w", path, err)
}

// fileCause looks at the file system for why path cannot be opened; nil
// when it finds nothing wrong.
func fileCause(path string, mode store.OpenMode) error {
	cannot := func(format string, a ...any) error {
		return fmt.Errorf("sqlite: cannot open database %s: "+format, append([]any{path}, a...)...)
	}
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist) && mode != store.OpenCreate:
		return fmt.Errorf("sqlite: %w at %s: directory %s does not exist", store.ErrNoDatabase, path, dir)
	case errors.Is(err, fs.ErrNotExist):
		return cannot("directory %s does not exist", dir)
	case err != nil:
		return cannot("directory %s: %v", dir, cause(err))
	case !fi.IsDir():
		return cannot("%s is not a directory", dir)
	}
	fi, err = os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && mode != store.OpenCreate:
		return fmt.Errorf("sqlite: %w at %s: the file does not exist", store.ErrNoDatabase, path)
	case errors.Is(err, fs.ErrNotExist):
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return fmt.Errorf("sqlite: cannot create database %s: %v", path, cause(err))
		}
		_ = f.Close()
		_ = os.Remove(path)
	case err != nil:
		return cannot("%v", cause(err))
	case fi.IsDir():
		return cannot("it is a directory")
	default:
		flag := os.O_RDWR
		if mode == store.OpenReadOnly {
			flag = os.O_RDONLY
		}
		f, err := os.OpenFile(path, flag, 0)
		if err != nil {
			return cannot("%v", cause(err))
		}
		_ = f.Close()
	}
	// WAL keeps PATH-wal and PATH-shm next to the database.
	f, err := os.CreateTemp(dir, ".lucid-probe-*")
	if err != nil {
		return cannot("directory %s is not writable (SQLite keeps its -wal and -shm files there): %v", dir, cause(err))
	}
	_ = f.Close()
	_ = os.Remove(f.Name())
	return nil
}

// cause is what went wrong without the path, which the caller names.
func cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Master key check.

func (s *Store) GetKeyCheck(ctx context.Context) ([]byte, error) {
	var sealed []byte
	if err := s.r.QueryRowContext(ctx, `SELECT sealed FROM key_check WHERE id = 1`).Scan(&sealed); err != nil {
		return nil, s.fail(ctx, "get key check", err)
	}
	return sealed, nil
}

func (s *Store) CreateKeyCheck(ctx context.Context, sealed []byte) error {
	if len(sealed) == 0 {
		return errors.New("sqlite: create key check: empty value")
	}
	return s.exec(ctx, "create key check", `INSERT INTO key_check (id, sealed, created_at) VALUES (1, ?, ?)`, sealed, micros(time.Now()))
}
