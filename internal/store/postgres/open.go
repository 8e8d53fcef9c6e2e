package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
)

// open checks for an existing schema as mode requires, then migrates
// when the mode is OpenCreate or OpenMigrate; the other modes refuse an
// outdated schema.
func (s *Store) open(ctx context.Context, mode store.OpenMode) error {
	if mode != store.OpenCreate {
		var schema *string
		var exists bool
		err := s.pool.QueryRow(ctx, `SELECT current_schema(), to_regclass('schema_version') IS NOT NULL`).Scan(&schema, &exists)
		if err != nil {
			return wrap(ctx, "open", err)
		}
		if schema == nil {
			return fmt.Errorf("postgres: %w: no schema of the search_path exists", store.ErrNoDatabase)
		}
		if !exists {
			return fmt.Errorf("postgres: %w in schema %q: it holds no Lucid tables", store.ErrNoDatabase, *schema)
		}
		var v int
		if err := s.pool.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&v); err != nil {
			return wrap(ctx, "open", err)
		}
		switch {
		case v > len(migrations):
			return fmt.Errorf("postgres: database schema version %d is newer than this binary knows (%d): upgrade Lucid", v, len(migrations))
		case mode != store.OpenMigrate && v < len(migrations):
			return fmt.Errorf("postgres: schema %q: %w (schema version %d, this Lucid uses %d)", *schema, store.ErrSchemaOutdated, v, len(migrations))
		}
	}
	if mode == store.OpenReadOnly || mode == store.OpenExisting {
		return nil // current, as checked above: nothing to migrate
	}
	return s.migrate(ctx)
}

// Master key check.

func (s *Store) GetKeyCheck(ctx context.Context) ([]byte, error) {
	var sealed []byte
	if err := s.pool.QueryRow(ctx, `SELECT sealed FROM key_check WHERE id = 1`).Scan(&sealed); err != nil {
		return nil, s.fail(ctx, "get key check", err)
	}
	return sealed, nil
}

func (s *Store) CreateKeyCheck(ctx context.Context, sealed []byte) error {
	if len(sealed) == 0 {
		return fmt.Errorf("postgres: create key check: empty value")
	}
	return s.exec(ctx, "create key check", `INSERT INTO key_check (id, sealed, created_at) VALUES (1, $1, $2)`, sealed, time.Now().UTC())
}
