package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/lucid-auth/lucid/internal/store"
)

// Steps describes each migration this binary knows.
func Steps() []string {
	out := make([]string, len(migrations))
	for i, m := range migrations {
		out[i] = store.DescribeMigration(m)
	}
	return out
}

// SchemaOf reads the schema version in the database dsn names (its
// current_schema()) without changing anything; a schema without Lucid's
// tables is a Schema that does not exist.
func SchemaOf(ctx context.Context, dsn string) (store.Schema, error) {
	sc := store.Schema{Backend: "postgres", Steps: Steps()}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return sc, parseError(err)
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return sc, wrap(ctx, "connect", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var schema *string
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT current_schema(), to_regclass('schema_version') IS NOT NULL`).Scan(&schema, &exists); err != nil {
		return sc, wrap(ctx, "schema", err)
	}
	if schema == nil {
		return sc, fmt.Errorf("postgres: %w: no schema of the search_path exists", store.ErrNoDatabase)
	}
	sc.Where = fmt.Sprintf("schema %q of database %q on %s", *schema, cfg.Database, cfg.Host)
	if !exists {
		return sc, nil
	}
	if err := conn.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&sc.Applied); err != nil {
		return sc, wrap(ctx, "schema version", err)
	}
	sc.Exists = true
	return sc, nil
}
