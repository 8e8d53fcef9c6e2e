package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/backend"
)

// Schema migrations are forward-only and only ever run when someone asks:
// `lucid migrate up`, `lucid init`, or `lucid serve` with migrate_on_start.
// Every other command refuses an outdated schema.
func runMigrate(ctx context.Context, e *env, args []string) error {
	return subcommand(ctx, e, "migrate", args, []command{
		{"status", "show the migrations applied to the database and those this Lucid would apply", migrateStatus},
		{"up", "apply this Lucid's pending migrations (forward only)", migrateUp},
	})
}

type migrationRow struct {
	Version int    `json:"version"`
	Applied bool   `json:"applied"`
	Does    string `json:"does"`
}

type schemaReport struct {
	Database   string         `json:"database"`
	Backend    string         `json:"backend"`
	Where      string         `json:"where,omitempty"`
	Exists     bool           `json:"exists"`
	Applied    int            `json:"applied"`
	Known      int            `json:"known"`
	Pending    int            `json:"pending"`
	Newer      bool           `json:"newer"`
	Migrations []migrationRow `json:"migrations"`
}

func report(dsn string, sc store.Schema) schemaReport {
	r := schemaReport{Database: dbLabel(dsn), Backend: sc.Backend, Where: sc.Where, Exists: sc.Exists,
		Applied: sc.Applied, Known: sc.Known(), Pending: sc.Pending(), Newer: sc.Newer()}
	for i, does := range sc.Steps {
		r.Migrations = append(r.Migrations, migrationRow{Version: i + 1, Applied: i < sc.Applied, Does: does})
	}
	return r
}

func migrateStatus(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "migrate status", "")
	var path, database, output string
	var check bool
	fs.StringVar(&path, "config", "", "YAML configuration `file`")
	fs.StringVar(&database, "database", "", "database: sqlite:PATH or postgres://… (default from the config or LUCID_DATABASE)")
	fs.StringVar(&output, "output", "text", "output format: text or json")
	fs.BoolVar(&check, "check", false, "exit 1 unless the schema is exactly this Lucid's (for scripts and init containers)")
	if _, err := parseFlags(fs, args, 0, 0); err != nil {
		return err
	}
	if err := checkOutput(output); err != nil {
		return err
	}
	cfg, err := loadConfig(e, config.Default(), path)
	if err != nil {
		return err
	}
	if database != "" {
		cfg.Database = database
	}
	sc, err := backend.Schema(ctx, cfg.Database)
	if err != nil {
		return fmt.Errorf("read the schema version: %w", err)
	}
	r := report(cfg.Database, sc)
	if output == "json" {
		if err := writeJSON(e.stdout, r); err != nil {
			return err
		}
	} else if err := printStatus(e, r); err != nil {
		return err
	}
	switch {
	case !check:
		return nil
	case !r.Exists:
		return errors.New("no Lucid database yet")
	case r.Newer:
		return fmt.Errorf("the schema (version %d) is newer than this Lucid (%d)", r.Applied, r.Known)
	case r.Pending > 0:
		return fmt.Errorf("%d migrations pending", r.Pending)
	}
	return nil
}

func printStatus(e *env, r schemaReport) error {
	state := ""
	switch {
	case !r.Exists:
		state = fmt.Sprintf("no Lucid database yet; 'lucid migrate up --create' (or 'lucid init') creates it at version %d", r.Known)
	case r.Newer:
		state = fmt.Sprintf("version %d, newer than this Lucid knows (%d): a later Lucid migrated it; run that version", r.Applied, r.Known)
	case r.Pending > 0:
		state = fmt.Sprintf("version %d of %d: %d pending; 'lucid migrate up' applies them", r.Applied, r.Known, r.Pending)
	default:
		state = fmt.Sprintf("version %d of %d: up to date", r.Applied, r.Known)
	}
	if err := fields(e.stdout, [][2]string{{"Database", r.Database}, {"Backend", r.Backend}, {"Where", r.Where}, {"Schema", state}}); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout)
	rows := make([][]string, 0, len(r.Migrations))
	for _, m := range r.Migrations {
		rows = append(rows, []string{fmt.Sprint(m.Version), map[bool]string{true: "applied", false: "pending"}[m.Applied], m.Does})
	}
	return table(e.stdout, []string{"VERSION", "STATE", "DOES"}, rows)
}

func migrateUp(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "migrate up", "")
	var cf commonFlags
	cf.register(fs)
	if _, err := parseFlags(fs, args, 0, 0); err != nil {
		return err
	}
	if err := cf.check(); err != nil {
		return err
	}
	// The schema before, read without changing anything, so that the
	// answer says what was done.
	cfg, err := loadConfig(e, config.Default(), cf.config)
	if err != nil {
		return err
	}
	if cf.database != "" {
		cfg.Database = cf.database
	}
	before, err := backend.Schema(ctx, cfg.Database)
	if err != nil {
		return fmt.Errorf("read the schema version: %w", err)
	}
	s, err := e.open(ctx, &cf)
	if err != nil {
		return err
	}
	defer s.Close()
	after, err := backend.Schema(ctx, cfg.Database)
	if err != nil {
		return fmt.Errorf("read the schema version: %w", err)
	}
	from := before.Applied
	if s.json {
		return s.printJSON(map[string]any{"database": dbLabel(cfg.Database), "created": s.created, "from": from, "to": after.Applied})
	}
	switch {
	case s.created:
		fmt.Fprintf(s.out, "Created the database %s at schema version %d.\n", dbLabel(cfg.Database), after.Applied)
	case from == after.Applied:
		fmt.Fprintf(s.out, "The database %s is up to date (schema version %d); nothing to do.\n", dbLabel(cfg.Database), after.Applied)
	default:
		fmt.Fprintf(s.out, "Migrated %s from schema version %d to %d.\n", dbLabel(cfg.Database), from, after.Applied)
		for v := from; v < after.Applied && v < len(after.Steps); v++ {
			fmt.Fprintf(s.out, "  %d  %s\n", v+1, term(after.Steps[v]))
		}
	}
	return nil
}
