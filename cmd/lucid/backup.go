package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/keycheck"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/backend"
	"github.com/lucid-auth/lucid/internal/store/sqlite"
)

// pgDumpProcedure is PostgreSQL's backup and restore, which Lucid leaves to
// PostgreSQL's own tools (docs/DEPLOYMENT.md has the whole procedure).
const pgDumpProcedure = `For PostgreSQL, use PostgreSQL's own tools with the same connection settings:
  back up:  pg_dump --format=custom --no-owner --file FILE "$LUCID_DATABASE"
  restore:  createdb NEWDB && pg_restore --no-owner --dbname NEWDB FILE, then point LUCID_DATABASE at NEWDB
            and check it with 'lucid migrate status' and 'lucid keys list' (which checks the master key).
Either way the backup is only usable with the master key the database is bound to; keep that key apart from it.`

// lifecycleFlags are the flags of backup and restore: where the database is.
type lifecycleFlags struct{ config, database string }

func (l *lifecycleFlags) load(e *env) (config.Config, error) {
	cfg, err := loadConfig(e, config.Default(), l.config)
	if err != nil {
		return cfg, err
	}
	if l.database != "" {
		cfg.Database = l.database
	}
	return cfg, nil
}

// sqlitePath returns the database file, or an error that gives the
// PostgreSQL procedure (or names the DSN's fault).
func sqlitePath(command, dsn string) (string, error) {
	if path, ok := backend.SQLitePath(dsn); ok {
		if path == "" {
			return "", errors.New("the database DSN sqlite: needs a file path")
		}
		return path, nil
	}
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return "", fmt.Errorf("lucid %s copies SQLite databases only.\n%s", command, pgDumpProcedure)
	}
	return "", errors.New("the database DSN has no known scheme; use sqlite:PATH or postgres://…")
}

func runBackup(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "backup", "FILE")
	var lf lifecycleFlags
	fs.StringVar(&lf.config, "config", "", "YAML configuration `file`")
	fs.StringVar(&lf.database, "database", "", "database: sqlite:PATH (default from the config or LUCID_DATABASE)")
	pos, err := parseFlags(fs, args, 1, 1)
	if err != nil {
		return err
	}
	cfg, err := lf.load(e)
	if err != nil {
		return err
	}
	path, err := sqlitePath("backup", cfg.Database)
	if err != nil {
		return err
	}
	if err := sqlite.Backup(ctx, path, pos[0]); err != nil {
		return err
	}
	sc, err := sqlite.SchemaOf(ctx, pos[0])
	if err != nil {
		return fmt.Errorf("read the backup: %w", err)
	}
	fi, err := os.Stat(pos[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Backed up %s to %s (%d bytes, schema version %d).\n", dbLabel(cfg.Database), term(pos[0]), fi.Size(), sc.Applied)
	fmt.Fprintln(e.stdout, "It is a consistent copy taken while Lucid kept running. It is usable only with this database's master key: keep the key safe, apart from the backup.")
	return nil
}

func runRestore(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "restore", "FILE")
	var lf lifecycleFlags
	var replace, migrate bool
	fs.StringVar(&lf.config, "config", "", "YAML configuration `file`")
	fs.StringVar(&lf.database, "database", "", "the database to restore into: sqlite:PATH (default from the config or LUCID_DATABASE)")
	fs.BoolVar(&replace, "replace", false, "replace an existing database (only when no Lucid has it open)")
	fs.BoolVar(&migrate, "migrate", false, "bring a backup from an older Lucid up to this version's schema as part of the restore")
	pos, err := parseFlags(fs, args, 1, 1)
	if err != nil {
		return err
	}
	cfg, err := lf.load(e)
	if err != nil {
		return err
	}
	dst, err := sqlitePath("restore", cfg.Database)
	if err != nil {
		return err
	}
	if dst, err = filepath.Abs(dst); err != nil {
		return err
	}
	src := pos[0]
	if !cfg.HasMasterKey() {
		return keyNeeded("lucid restore")
	}
	master, err := cfg.MasterKeyBytes()
	if err != nil {
		return err
	}
	sk, err := secret.Derive(master)
	if err != nil {
		return fmt.Errorf("master key: %w", err)
	}

	sc, err := sqlite.SchemaOf(ctx, src)
	switch {
	case err != nil:
		return fmt.Errorf("read the backup: %w", err)
	case !sc.Exists:
		return fmt.Errorf("%s is no Lucid backup: %w", term(src), store.ErrNoDatabase)
	case sc.Newer():
		return fmt.Errorf("the backup has schema version %d, newer than this Lucid knows (%d): restore it with the Lucid that made it", sc.Applied, sc.Known())
	case sc.Pending() > 0 && !migrate:
		return fmt.Errorf("the backup has schema version %d and this Lucid uses %d: restore it with the Lucid that made it, or pass --migrate to upgrade the restored copy", sc.Applied, sc.Known())
	}
	if _, err := os.Stat(dst); err == nil {
		if !replace {
			return fmt.Errorf("%s exists; restore into a new path (--database sqlite:NEW_PATH), or stop Lucid and pass --replace", dst)
		}
		inUse, err := sqlite.InUse(ctx, dst)
		if err != nil {
			return err
		}
		if inUse {
			return fmt.Errorf("%s: %w by another process (a running Lucid?); stop it first, or restore into a new path", dst, sqlite.ErrInUse)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}

	// The copy is made next to the destination, checked there, and only
	// then moved into place, so a failed restore leaves the destination
	// as it was.
	tmp := filepath.Join(filepath.Dir(dst), fmt.Sprintf(".%s.restore-%d", filepath.Base(dst), os.Getpid()))
	if err := sqlite.Backup(ctx, src, tmp); err != nil {
		return err
	}
	done := false
	defer func() {
		if !done {
			for _, f := range []string{tmp, tmp + "-wal", tmp + "-shm"} {
				_ = os.Remove(f)
			}
		}
	}()
	mode := store.OpenReadOnly
	if migrate {
		mode = store.OpenMigrate
	}
	st, err := sqlite.OpenWith(ctx, tmp, mode)
	if err != nil {
		return fmt.Errorf("open the restored copy: %w", err)
	}
	err = keycheck.Check(ctx, st, sk, keycheck.ReadOnly)
	_ = st.Close()
	if err != nil {
		return keyError(&config.Config{Database: "the backup " + src}, err)
	}
	if _, err := sqlite.InUse(ctx, tmp); err != nil { // checkpoints what a migration wrote
		return err
	}
	if err := sqlite.Replace(tmp, dst); err != nil {
		return err
	}
	done = true
	after, err := sqlite.SchemaOf(ctx, dst)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Restored %s into %s (schema version %d); the configured master key opens it.\n", term(src), term(dst), after.Applied)
	return nil
}
