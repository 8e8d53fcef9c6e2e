package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"go.opentelemetry.io/otel"

	"github.com/lucid-auth/lucid/internal/buildinfo"
	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/server"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/telemetry"
)

func runServe(ctx context.Context, e *env, args []string) error { return serve(ctx, e, "serve", args) }

func runDemo(ctx context.Context, e *env, args []string) error { return serve(ctx, e, "demo", args) }

// serverConfig builds the configuration of `serve` or `demo` from the
// defaults, the file, the environment and the flags, in that order.
func serverConfig(e *env, name string, args []string) (config.Config, error) {
	demo := name == "demo"
	fs := newFlags(e, name, "")
	var path, addr, issuer, database string
	fs.StringVar(&path, "config", "", "YAML configuration `file`")
	fs.StringVar(&addr, "addr", "", "listen address, such as :8080 (default from the config or LUCID_ADDR)")
	fs.StringVar(&issuer, "issuer", "", "public URL of this server, such as https://id.example.com")
	fs.StringVar(&database, "database", "", "database: sqlite:PATH or postgres://…")
	if _, err := parseFlags(fs, args, 0, 0); err != nil {
		return config.Config{}, err
	}
	base := config.Default()
	if demo {
		base.Database = "sqlite:lucid-demo.db"
		base.Addr = "localhost:8080"
		base.Issuer = "" // derived from the address unless set
	}
	cfg, err := loadConfig(e, base, path)
	if err != nil {
		return cfg, err
	}
	if addr != "" {
		cfg.Addr = addr
	}
	if issuer != "" {
		cfg.Issuer = issuer
	}
	if database != "" {
		cfg.Database = database
	}
	if demo {
		cfg.Demo = true
		if cfg.Issuer == "" {
			cfg.Issuer = issuerFor(cfg.Addr)
		}
	}
	return cfg, nil
}

// issuerFor is the loopback URL a demo listening on addr is reached at.
func issuerFor(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://localhost:8080"
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

func serve(ctx context.Context, e *env, name string, args []string) error {
	cfg, err := serverConfig(e, name, args)
	if err != nil {
		return err
	}
	log := newLogger(&cfg, e.stderr)
	if cfg.Demo {
		if err := cfg.EnsureDemoMasterKey(); err != nil {
			return err
		}
	} else if f := cfg.UseDemoKeyFile(); f != "" {
		log.Info("no master key configured; using the key file next to the database", "file", f)
	}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("invalid configuration:\n%w", err)
	}
	if _, err := cfg.MasterKeyBytes(); err != nil {
		if errors.Is(err, config.ErrNoMasterKey) {
			return errors.New("refusing to start without a master key (it seals the signing keys and peppers client secrets): set LUCID_MASTER_KEY or master_key_file; " + config.CreateKeyHint)
		}
		return err
	}
	build := buildinfo.Read()
	var opts []server.Option
	if cfg.Tracing.Enabled {
		tracing, err := telemetry.New(ctx, e.getenv, build.Version)
		if err != nil {
			return fmt.Errorf("tracing: %w", err)
		}
		if tracing == nil {
			log.Warn("tracing.enabled is set, but OTEL_SDK_DISABLED or OTEL_TRACES_EXPORTER=none turns tracing off")
		} else {
			// The exporter's errors (a collector that is down) go to the log
			// instead of the SDK's own logger.
			otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) { log.Warn("tracing", "err", err) }))
			defer func() {
				ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
				defer cancel()
				if err := tracing.Shutdown(ctx); err != nil {
					log.Warn("spans not all exported at shutdown", "err", err)
				}
			}()
			opts = append(opts, server.WithTracing(tracing))
		}
	}
	server.TuneGC(e.getenv)
	// Everything that can fail at start-up fails before anything is
	// announced: the TLS files and the address first (so that a port in
	// use creates no database), then the database, then the master key.
	l, err := server.Listen(&cfg)
	if err != nil {
		return err
	}
	defer l.Close()
	// With migrate_on_start (the default; always for the demo) serve
	// creates a missing database and migrates an outdated one; without it
	// the schema is left to `lucid migrate up` (a migration Job), and serve
	// refuses what that has not prepared.
	mode := store.OpenExisting
	if cfg.MigrateOnStart || cfg.Demo {
		mode = store.OpenMigrate
	}
	st, created, err := openDatabase(ctx, cfg.Database, mode, mode == store.OpenMigrate)
	if err != nil {
		if mode == store.OpenExisting && (errors.Is(err, store.ErrNoDatabase) || errors.Is(err, store.ErrSchemaOutdated)) {
			return fmt.Errorf("open database: %w; migrate_on_start is off, so run 'lucid migrate up --create' (or 'lucid init') first", err)
		}
		return fmt.Errorf("open database: %w", err)
	}
	defer st.Close()
	if created && !cfg.Demo {
		log.Info("created a new, empty database", "database", dbLabel(cfg.Database))
	}
	srv, err := server.New(ctx, &cfg, st, log, opts...)
	if err != nil {
		return keyError(&cfg, err)
	}
	return srv.Serve(ctx, l, func(addr string) {
		log.Info("lucid is listening", "addr", addr, "issuer", cfg.Issuer, "demo", cfg.Demo,
			"version", build.Version, "revision", build.ShortRevision(), "access_log", cfg.AccessLogOn(), "tracing", len(opts) > 0)
		if cfg.Demo {
			banner(e.stdout, &cfg)
		}
	})
}

// banner tells the person who ran `lucid demo` what to do next.
func banner(w io.Writer, cfg *config.Config) {
	key := cfg.MasterKeyFile
	if key == "" {
		key = "from LUCID_MASTER_KEY"
	}
	fmt.Fprintf(w, `
  Lucid demo is running.

    Open       %s/demo
    Sign in    %s / %s

    Issuer     %s
    Database   %s
    Master key %s

  Manage it from another terminal, for example:
    lucid client list --database %s

  Press Ctrl+C to stop.

`, cfg.Issuer, manage.DemoUsername, manage.DemoPassword, cfg.Issuer, cfg.Database, key, cfg.Database)
}
