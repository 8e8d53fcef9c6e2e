// Package backend opens the store a database DSN names: "sqlite:PATH" for
// the embedded database, "postgres://…" (or "postgresql://…") for
// PostgreSQL. It is the only package that knows every backend.
package backend

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/postgres"
	"github.com/lucid-auth/lucid/internal/store/sqlite"
)

// Open opens the store for dsn, creating the database when it does not
// exist, and brings its schema up to date.
func Open(ctx context.Context, dsn string) (store.Store, error) {
	return OpenWith(ctx, dsn, store.OpenCreate)
}

// OpenWith opens the store for dsn as mode allows (see store.OpenMode).
func OpenWith(ctx context.Context, dsn string, mode store.OpenMode) (store.Store, error) {
	if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		// Connection settings are Lucid's to choose (WAL, synchronous=FULL,
		// busy timeout); options after '?' are not passed on.
		path, _, _ = strings.Cut(path, "?")
		if path == "" {
			return nil, fmt.Errorf("database %q: sqlite: needs a file path", dsn)
		}
		// Returned through a check so that a failed Open is a nil
		// store.Store, not an interface holding a nil pointer.
		s, err := sqlite.OpenWith(ctx, path, mode)
		if err != nil {
			return nil, err
		}
		return s, nil
	}
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		s, err := postgres.OpenWith(ctx, dsn, mode)
		if err != nil {
			return nil, err
		}
		return s, nil
	}
	// The DSN itself may hold a password, so only a well-formed scheme is
	// echoed back.
	scheme, _, found := strings.Cut(dsn, ":")
	if !found || !isScheme(scheme) {
		return nil, errors.New("database: the DSN has no scheme; use sqlite:PATH or postgres://…")
	}
	return nil, fmt.Errorf("database: scheme %q is not supported; use sqlite:PATH or postgres://…", scheme)
}

// Schema reports where the schema of the database dsn names stands against
// this binary's migrations, without creating or changing anything.
func Schema(ctx context.Context, dsn string) (store.Schema, error) {
	if path, ok := SQLitePath(dsn); ok {
		if path == "" {
			return store.Schema{}, fmt.Errorf("database %q: sqlite: needs a file path", dsn)
		}
		return sqlite.SchemaOf(ctx, path)
	}
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return postgres.SchemaOf(ctx, dsn)
	}
	_, err := OpenWith(ctx, dsn, store.OpenReadOnly) // names the bad scheme
	return store.Schema{}, err
}

// SQLitePath returns the file path of a "sqlite:PATH" DSN (options after
// '?' dropped) and whether dsn is one.
func SQLitePath(dsn string) (string, bool) {
	path, ok := strings.CutPrefix(dsn, "sqlite:")
	if !ok {
		return "", false
	}
	path, _, _ = strings.Cut(path, "?")
	return path, true
}

// isScheme reports whether s is a URI scheme: a letter, then letters,
// digits, '+', '-' or '.'.
func isScheme(s string) bool {
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case i > 0 && (r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.'):
		default:
			return false
		}
	}
	return s != ""
}
