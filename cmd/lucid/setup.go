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
	"github.com/lucid-auth/lucid/internal/keycheck"
	"github.com/lucid-auth/lucid/internal/mail"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/outbox"
	"github.com/lucid-auth/lucid/internal/password"
	"github.com/lucid-auth/lucid/internal/recovery"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/backend"
)

// commonFlags are the flags of every management command.
type commonFlags struct {
	config   string
	database string
	output   string
	create   bool   // --create: the database may be created
	command  string // "client list", from the flag set's name
}

// readOnly are the commands that only read: they open the database without
// creating it or changing its schema.
var readOnly = map[string]bool{
	"client list": true, "client show": true,
	"user list": true, "user show": true, "user consents": true, "user identities": true, "upstream blocks": true,
	"keys list": true, "api list": true, "explain": true,
}

// mayCreate are the commands that take --create: those that add the first
// thing to a new database, and `migrate up` (a migration Job on a new
// PostgreSQL). The others would only fail on an empty one.
var mayCreate = map[string]bool{"client create": true, "user create": true, "api create": true, "keys rotate": true, "migrate up": true}

// migrates are the commands that bring an existing schema up to date; every
// other command refuses an outdated one, so upgrading is always a step
// someone chose.
var migrates = map[string]bool{"init": true, "migrate up": true}

func (c *commonFlags) register(fs *flag.FlagSet) {
	c.command = strings.TrimPrefix(fs.Name(), "lucid ")
	fs.StringVar(&c.config, "config", "", "YAML configuration `file`")
	fs.StringVar(&c.database, "database", "", "database: sqlite:PATH or postgres://… (default from the config or LUCID_DATABASE)")
	fs.StringVar(&c.output, "output", "text", "output format: text or json")
	if mayCreate[c.command] {
		fs.BoolVar(&c.create, "create", false, "create the database if it does not exist (otherwise a missing database is an error)")
	}
}

func (c *commonFlags) check() error { return checkOutput(c.output) }

// mode is what the command may do to an existing database: a read must
// not migrate, and only init and migrate up migrate.
func (c *commonFlags) mode() store.OpenMode {
	switch {
	case readOnly[c.command]:
		return store.OpenReadOnly
	case migrates[c.command]:
		return store.OpenMigrate
	default:
		return store.OpenExisting
	}
}

// creates reports whether the command may create a missing database: a
// mistyped path must not become a new, empty database.
func (c *commonFlags) creates() bool { return c.create || c.command == "init" }

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
	if e.environ != nil {
		log := newLogger(&cfg, e.stderr)
		for _, v := range config.UnknownEnv(e.environ()) {
			if v.Suggestion != "" {
				log.Warn("ignoring an environment variable that is no Lucid setting", "name", v.Name, "did_you_mean", v.Suggestion)
			} else {
				log.Warn("ignoring an environment variable that is no Lucid setting", "name", v.Name)
			}
		}
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
	cfg     config.Config
	st      store.Store
	svc     *manage.Service
	sk      *secret.Keys // nil without a master key
	log     *slog.Logger
	out     io.Writer
	json    bool
	created bool // the database did not exist before
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
	if cf.command == "init" && !cfg.HasMasterKey() {
		// The database is bound to its key from the start.
		return nil, keyNeeded("lucid init")
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
	st, created, err := openDatabase(ctx, cfg.Database, cf.mode(), cf.creates())
	if err != nil {
		return nil, databaseError(err, mayCreate[cf.command])
	}
	if created && cf.command != "init" { // init says so on stdout
		log.Info("created a new database", "database", dbLabel(cfg.Database))
	}
	if sk != nil {
		mode := keycheck.Record
		if cf.mode() == store.OpenReadOnly {
			mode = keycheck.ReadOnly
		}
		if err := keycheck.Check(ctx, st, sk, mode); err != nil {
			_ = st.Close()
			return nil, keyError(&cfg, err)
		}
	}
	svc := &manage.Service{Store: st, Secrets: sk, KeyPublish: cfg.Lifetimes.KeyPublish, FAPI2: cfg.FAPI2SecurityProfile, KeepGrantsOnChange: cfg.Users.KeepGrantsOnChange,
		RetiredSecretMemory: manage.RetiredSecretMemory(cfg.Lifetimes.RetiredSecret),
		PasswordPolicy:      password.Policy{MinLength: cfg.Password.MinLength}}
	if err := verificationMail(&cfg, st, sk, svc); err != nil {
		_ = st.Close()
		return nil, err
	}
	return &session{
		cfg: cfg, st: st, sk: sk, log: log, out: e.stdout, json: cf.output == "json", created: created, svc: svc,
	}, nil
}

// verificationMail makes users created or changed here get their address
// verification link: the message waits in the outbox, sealed, until a
// running server's worker hands it to the relay. It needs mail.host, the
// issuer (the link's address) and the master key (the seal).
func verificationMail(cfg *config.Config, st store.Store, sk *secret.Keys, svc *manage.Service) error {
	if !cfg.Mail.Enabled() || sk == nil || cfg.Issuer == "" {
		return nil
	}
	tpl, err := mail.NewTemplates(cfg.Product())
	if err != nil {
		return err
	}
	links := &recovery.Links{
		Issuer: strings.TrimSuffix(cfg.Issuer, "/"),
		Store:  st,
		Mailer: &mail.Mailer{Templates: tpl, Secrets: sk, Enqueue: func(ctx context.Context, msgs ...outbox.Message) error {
			return outbox.Enqueue(ctx, st, time.Now(), msgs...)
		}},
		Lifetimes: cfg.Lifetimes,
	}
	svc.EmailChanged = links.SendVerification
	return nil
}

// openDatabase opens an existing database at dsn as mode allows; with
// create, a missing one is created (with the current schema), and created
// says so.
func openDatabase(ctx context.Context, dsn string, mode store.OpenMode, create bool) (st store.Store, created bool, err error) {
	st, err = backend.OpenWith(ctx, dsn, mode)
	if !create || !errors.Is(err, store.ErrNoDatabase) {
		return st, false, err
	}
	st, err = backend.OpenWith(ctx, dsn, store.OpenCreate)
	return st, err == nil, err
}

// databaseError says what to do about a database that cannot be opened.
func databaseError(err error, canCreate bool) error {
	switch {
	case errors.Is(err, store.ErrNoDatabase) && !canCreate:
		return fmt.Errorf("%w; check --database, LUCID_DATABASE or database in the configuration file, or create the database with 'lucid init'", err)
	case errors.Is(err, store.ErrNoDatabase):
		return fmt.Errorf("%w; check --database, LUCID_DATABASE or database in the configuration file, or create the database with 'lucid init' (or --create)", err)
	case errors.Is(err, store.ErrSchemaOutdated):
		return fmt.Errorf("%w; upgrade it with 'lucid migrate up' (see 'lucid migrate status'): other commands never change the schema", err)
	}
	return fmt.Errorf("open database: %w", err)
}

// keyError explains a master key the database refuses.
func keyError(cfg *config.Config, err error) error {
	if !errors.Is(err, keycheck.ErrMismatch) {
		return err
	}
	return fmt.Errorf("%s: %w; use the master key this database was set up with (LUCID_MASTER_KEY or master_key_file): with another key, new client secrets would never match and the signing keys cannot be read", dbLabel(cfg.Database), err)
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
		return keyNeeded(what)
	}
	return nil
}

func keyNeeded(what string) error {
	return errors.New(what + " needs the server master key; " + strings.TrimPrefix(config.ErrNoMasterKey.Error(), "no master key configured: "))
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
