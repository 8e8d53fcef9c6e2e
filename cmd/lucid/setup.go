package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/backend"
)

// commonFlags are the flags of every management command.
type commonFlags struct {
	config   string
	database string
	output   string
}

func (c *commonFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.config, "config", "", "YAML configuration `file`")
	fs.StringVar(&c.database, "database", "", "database: sqlite:PATH or postgres://… (default from the config or LUCID_DATABASE)")
	fs.StringVar(&c.output, "output", "text", "output format: text or json")
}

func (c *commonFlags) check() error { return checkOutput(c.output) }

// loadConfig layers the configuration: base, then the file, then LUCID_*
// variables. Flags are applied by the caller, last.
func loadConfig(e *env, base config.Config, path string) (config.Config, error) {
	cfg := base
	if path != "" {
		if err := cfg.LoadFile(path); err != nil {
			return cfg, err
		}
	}
	if err := cfg.ApplyEnv(e.getenv); err != nil {
		return cfg, fmt.Errorf("environment: %w", err)
	}
	return cfg, nil
}

// newLogger logs to stderr in the configured level and format.
func newLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	if strings.EqualFold(cfg.LogFormat, "json") {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// session is an open database for a management command.
type session struct {
	cfg  config.Config
	st   store.Store
	svc  *manage.Service
	sk   *secret.Keys // nil without a master key
	log  *slog.Logger
	out  io.Writer
	json bool
}

// open loads the configuration and opens the database. The master key is
// optional here: commands that need it (a client secret, key rotation)
// fail with a message saying so.
func (e *env) open(ctx context.Context, cf *commonFlags) (*session, error) {
	if err := cf.check(); err != nil {
		return nil, err
	}
	cfg, err := loadConfig(e, config.Default(), cf.config)
	if err != nil {
		return nil, err
	}
	if cf.database != "" {
		cfg.Database = cf.database
	}
	log := newLogger(&cfg, e.stderr)
	if f := cfg.UseDemoKeyFile(); f != "" {
		log.Debug("using the demo master key file next to the database", "file", f)
	}
	var sk *secret.Keys
	if cfg.HasMasterKey() {
		master, err := cfg.MasterKeyBytes()
		if err != nil {
			return nil, err
		}
		if sk, err = secret.Derive(master); err != nil {
			return nil, fmt.Errorf("master key: %w", err)
		}
	}
	st, err := backend.Open(ctx, cfg.Database)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	return &session{
		cfg: cfg, st: st, sk: sk, log: log, out: e.stdout, json: cf.output == "json",
		svc: &manage.Service{Store: st, Secrets: sk, KeyPublish: cfg.Lifetimes.KeyPublish},
	}, nil
}

func (s *session) Close() { _ = s.st.Close() }

// command is the start of every management command: the common flags plus
// those extra registers, exactly n positional arguments, then the
// database. The caller closes the session.
func (e *env) command(ctx context.Context, name, argsUsage string, args []string, n int, extra func(*flag.FlagSet)) (*session, []string, error) {
	fs := newFlags(e, name, argsUsage)
	var cf commonFlags
	cf.register(fs)
	if extra != nil {
		extra(fs)
	}
	pos, err := parseFlags(fs, args, n, n)
	if err != nil {
		return nil, nil, err
	}
	s, err := e.open(ctx, &cf)
	if err != nil {
		return nil, nil, err
	}
	return s, pos, nil
}

// needKey fails when the command needs the master key and none is configured.
func (s *session) needKey(what string) error {
	if s.sk == nil {
		return errors.New(what + " needs the server master key; " + strings.TrimPrefix(config.ErrNoMasterKey.Error(), "no master key configured: "))
	}
	return nil
}

// printJSON writes v as indented JSON.
func (s *session) printJSON(v any) error { return writeJSON(s.out, v) }

// table writes aligned columns.
func table(w io.Writer, header []string, rows [][]string) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(termRow(r), "\t"))
	}
	return tw.Flush()
}

// fields writes "name  value" lines, aligned.
func fields(w io.Writer, kv [][2]string) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, f := range kv {
		fmt.Fprintf(tw, "%s:\t%s\n", term(f[0]), term(f[1]))
	}
	return tw.Flush()
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

func timePtrText(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return timeText(*t)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// parseWhen reads an expiry given as a duration from now ("720h") or an
// RFC 3339 time.
func parseWhen(flagName, v string, now time.Time) (*time.Time, error) {
	if v == "" {
		return nil, nil
	}
	if d, err := time.ParseDuration(v); err == nil {
		t := now.Add(d)
		return &t, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return nil, usagef("--%s %q is neither a duration (720h) nor an RFC 3339 time (2030-01-02T15:04:05Z)", flagName, v)
	}
	return &t, nil
}
