package main

import (
	"context"
	"database/sql"
	"encoding/base64"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/keys"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store/sqlite"
)

func exists(t *testing.T, path string) bool {
	t.Helper()
	_, err := os.Stat(path)
	return err == nil
}

// TestMissingDatabaseIsNotCreated: a mistyped or missing LUCID_DATABASE
// used to become a new, empty database and exit 0. Now management
// commands refuse it, naming the path and what to do; only init and
// --create make one.
func TestMissingDatabaseIsNotCreated(t *testing.T) {
	c := bareCLI(t)
	commands := [][]string{
		{"client", "list"},
		{"client", "show", "x"},
		{"client", "create", "--name", "N", "--redirect-uri", "https://n.example.com/cb"},
		{"user", "list"},
		{"user", "create", "--username", "bob", "--password", "correct horse"},
		{"keys", "list"},
		{"keys", "rotate"},
		{"api", "list"},
		{"api", "create", "https://api.example.com"},
		{"explain", "0123456789abcdef0123456789abcdef"},
	}
	for _, args := range commands {
		r := c.runIn("", args...)
		if r.code != 1 || !strings.Contains(r.stderr, c.db) || !strings.Contains(r.stderr, "does not exist") || !strings.Contains(r.stderr, "lucid init") {
			t.Errorf("lucid %s on a missing database: exit %d\n%s", strings.Join(args, " "), r.code, r.stderr)
		}
		if exists(t, c.db) {
			t.Fatalf("lucid %s created %s", strings.Join(args, " "), c.db)
		}
	}
	// A mistyped directory is named as such.
	c.env["LUCID_DATABASE"] = "sqlite:" + filepath.Join(filepath.Dir(c.db), "nope", "lucid.db")
	if r := c.runIn("", "client", "list"); r.code != 1 || !strings.Contains(r.stderr, "directory "+filepath.Join(filepath.Dir(c.db), "nope")+" does not exist") {
		t.Errorf("missing directory: exit %d\n%s", r.code, r.stderr)
	}
	c.env["LUCID_DATABASE"] = "sqlite:" + c.db

	// Only commands that add the first thing to a database take --create.
	for _, args := range [][]string{{"client", "list", "--create"}, {"client", "delete", "x", "--create"}, {"explain", "0123456789abcdef0123456789abcdef", "--create"}} {
		if r := c.runIn("", args...); r.code != 2 || !strings.Contains(r.stderr, "-create") {
			t.Errorf("lucid %s: exit %d, want 2\n%s", strings.Join(args, " "), r.code, r.stderr)
		}
	}
	// --create makes the database, and says so.
	c.env["LUCID_LOG_LEVEL"] = "info"
	r := c.runIn("", "api", "create", "https://api.example.com", "--create")
	if r.code != 0 || !exists(t, c.db) || !strings.Contains(r.stderr, "created a new database") {
		t.Fatalf("api create --create: exit %d\n%s", r.code, r.stderr)
	}
	if out := c.ok("api", "list"); !strings.Contains(out, "https://api.example.com") {
		t.Errorf("api list after --create:\n%s", out)
	}
	var got struct {
		Database string `json:"database"`
		Created  bool   `json:"created"`
	}
	c.json(&got, "init", "--output", "json")
	if got.Created || got.Database != "sqlite:"+c.db {
		t.Errorf("init of an existing database: %+v", got)
	}
	other := filepath.Join(filepath.Dir(c.db), "other.db")
	c.json(&got, "init", "--database", "sqlite:"+other, "--output", "json")
	if !got.Created || !exists(t, other) {
		t.Errorf("init of a new database: %+v", got)
	}
}

// TestCommandsDoNotMigrate: no command but init and migrate up changes
// the schema. Reads and management writes refuse a database of an older
// schema, say how to upgrade it, and leave it as it was (a server of the
// old version may still be using it); migrate status shows the step
// pending; serve without migrate_on_start refuses it too.
func TestCommandsDoNotMigrate(t *testing.T) {
	c := newCLI(t)
	db, err := sql.Open("sqlite", "file:"+c.db)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	version := func() int {
		var v int
		if err := db.QueryRow(`SELECT version FROM schema_version`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	current := version()
	if _, err := db.Exec(`UPDATE schema_version SET version = version - 1`); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"client", "list"}, {"user", "show", "alice"}, {"keys", "list"}, {"api", "list"}, {"explain", "0123456789abcdef0123456789abcdef"},
		{"client", "create", "--name", "N", "--redirect-uri", "https://n.example.com/cb"}, {"client", "create", "--name", "N", "--redirect-uri", "https://n.example.com/cb", "--create"},
		{"keys", "rotate"}, {"api", "delete", "https://api.example.com"},
	} {
		r := c.runIn("", args...)
		if r.code != 1 || !strings.Contains(r.stderr, "older than this Lucid") || !strings.Contains(r.stderr, "lucid migrate up") {
			t.Errorf("lucid %s on an old schema: exit %d\n%s", strings.Join(args, " "), r.code, r.stderr)
		}
	}
	if v := version(); v != current-1 {
		t.Errorf("a command changed the schema version to %d", v)
	}

	var st schemaReport
	c.json(&st, "migrate", "status", "--output", "json")
	if !st.Exists || st.Applied != current-1 || st.Known != current || st.Pending != 1 || len(st.Migrations) != current ||
		st.Migrations[current-1].Applied || !st.Migrations[current-2].Applied || st.Migrations[0].Does == "" {
		t.Errorf("migrate status on an old schema: %+v", st)
	}
	if r := c.runIn("", "migrate", "status"); r.code != 0 || !strings.Contains(r.stdout, "1 pending") {
		t.Errorf("migrate status: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := c.runIn("", "migrate", "status", "--check"); r.code != 1 || !strings.Contains(r.stderr, "1 migrations pending") {
		t.Errorf("migrate status --check on an old schema: exit %d\n%s", r.code, r.stderr)
	}

	c.env["LUCID_MIGRATE_ON_START"] = "false"
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	r := c.runCtx(ctx, "", "serve", "--issuer", "http://127.0.0.1:1", "--addr", "127.0.0.1:0")
	if r.code != 1 || !strings.Contains(r.stderr, "older than this Lucid") || !strings.Contains(r.stderr, "migrate_on_start is off") {
		t.Errorf("serve without migrate_on_start on an old schema: exit %d\n%s", r.code, r.stderr)
	}
	if v := version(); v != current-1 {
		t.Errorf("serve without migrate_on_start changed the schema version to %d", v)
	}
}

// TestMigrateUp: migrate up creates nothing without --create, makes a new
// database with it, and then has nothing to do; status tells each state.
func TestMigrateUp(t *testing.T) {
	c := bareCLI(t)
	var st schemaReport
	c.json(&st, "migrate", "status", "--output", "json")
	if st.Exists || st.Pending != st.Known || st.Known == 0 || exists(t, c.db) {
		t.Fatalf("migrate status without a database: %+v", st)
	}
	if r := c.runIn("", "migrate", "up"); r.code != 1 || !strings.Contains(r.stderr, "does not exist") || exists(t, c.db) {
		t.Fatalf("migrate up without a database: exit %d\n%s", r.code, r.stderr)
	}
	if out := c.ok("migrate", "up", "--create"); !strings.Contains(out, "Created the database") {
		t.Errorf("migrate up --create:\n%s", out)
	}
	if out := c.ok("migrate", "up"); !strings.Contains(out, "up to date") {
		t.Errorf("migrate up again:\n%s", out)
	}
	c.json(&st, "migrate", "status", "--output", "json")
	if !st.Exists || st.Pending != 0 || st.Applied != st.Known {
		t.Errorf("migrate status after up: %+v", st)
	}
	c.ok("migrate", "status", "--check")
	// The database is bound to the key from its first migration.
	c.env["LUCID_MASTER_KEY"] = base64.StdEncoding.EncodeToString([]byte("another key, just as long as one."))
	if r := c.runIn("", "migrate", "up"); r.code != 1 || !strings.Contains(r.stderr, "master key does not match") {
		t.Errorf("migrate up with another key: exit %d\n%s", r.code, r.stderr)
	}
}

// TestWrongMasterKeyIsRefused: with a wrong master key the CLI used to
// create client secrets that could never match. Every command and serve
// now refuse a key that is not the database's.
func TestWrongMasterKeyIsRefused(t *testing.T) {
	c := newCLI(t)
	c.ok("client", "create", "--name", "Right", "--redirect-uri", "https://r.example.com/cb")
	right := c.env["LUCID_MASTER_KEY"]
	c.env["LUCID_MASTER_KEY"] = base64.StdEncoding.EncodeToString([]byte("another key, just as long as one."))
	for _, args := range [][]string{
		{"client", "create", "--name", "Wrong", "--redirect-uri", "https://w.example.com/cb"},
		{"client", "list"},
		{"keys", "rotate"},
		{"init"},
	} {
		r := c.runIn("", args...)
		if r.code != 1 || !strings.Contains(r.stderr, "master key does not match") || !strings.Contains(r.stderr, c.db) {
			t.Errorf("lucid %s with a wrong key: exit %d\n%s", strings.Join(args, " "), r.code, r.stderr)
		}
		if strings.Contains(r.stderr, c.env["LUCID_MASTER_KEY"]) {
			t.Errorf("lucid %s shows the key", strings.Join(args, " "))
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	r := c.runCtx(ctx, "", "serve", "--issuer", "http://127.0.0.1:1", "--addr", "127.0.0.1:0")
	if r.code != 1 || !strings.Contains(r.stderr, "master key does not match") {
		t.Errorf("serve with a wrong key: exit %d\n%s", r.code, r.stderr)
	}
	c.env["LUCID_MASTER_KEY"] = right
	var list struct{ Clients []clientJSON }
	c.json(&list, "client", "list", "--output", "json")
	if len(list.Clients) != 1 || list.Clients[0].Name != "Right" {
		t.Errorf("clients after the refusals: %+v", list.Clients)
	}
}

// TestWrongMasterKeyOnOlderDatabase: a database made before key checks
// existed has none; its sealed signing keys tell a wrong key, and the
// right one records the check.
func TestWrongMasterKeyOnOlderDatabase(t *testing.T) {
	c := bareCLI(t)
	ctx := context.Background()
	st, err := sqlite.Open(ctx, c.db)
	if err != nil {
		t.Fatal(err)
	}
	sk, _ := secret.Derive([]byte("0123456789abcdef0123456789abcdef")) // the CLI's key
	if _, err := keys.NewManager(ctx, st, sk, nil); err != nil {
		t.Fatal(err)
	}
	_ = st.Close()
	right := c.env["LUCID_MASTER_KEY"]
	c.env["LUCID_MASTER_KEY"] = base64.StdEncoding.EncodeToString([]byte("another key, just as long as one."))
	if r := c.runIn("", "user", "create", "--username", "bob", "--password", "correct horse"); r.code != 1 || !strings.Contains(r.stderr, "signing keys opens with it") {
		t.Fatalf("wrong key on an older database: exit %d\n%s", r.code, r.stderr)
	}
	c.env["LUCID_MASTER_KEY"] = right
	c.ok("user", "create", "--username", "bob", "--password", "correct horse")
}

// TestServeNeedsIssuer: serve without an issuer used to run as
// http://localhost:8080, which every client elsewhere then rejects. It
// refuses, naming the flag, the variable and the setting; the demo picks
// one as before.
func TestServeNeedsIssuer(t *testing.T) {
	c := bareCLI(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	r := c.runCtx(ctx, "", "serve", "--addr", "127.0.0.1:0")
	for _, want := range []string{"issuer: is not set", "--issuer", "LUCID_ISSUER", "issuer in the configuration file"} {
		if r.code != 1 || !strings.Contains(r.stderr, want) {
			t.Errorf("serve without an issuer: exit %d, want %q in\n%s", r.code, want, r.stderr)
		}
	}
	if exists(t, c.db) {
		t.Error("serve made a database before refusing")
	}
}

// TestServeChecksBeforeAnnouncing: a missing TLS certificate used to be
// reported after "lucid is listening". Certificate, address and database
// are now checked first, and every error names the path and the cause.
func TestServeChecksBeforeAnnouncing(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.pem")
	if err := os.WriteFile(junk, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want []string
	}{
		{name: "missing certificate",
			env:  map[string]string{"LUCID_TLS_CERT_FILE": filepath.Join(dir, "missing.pem"), "LUCID_TLS_KEY_FILE": filepath.Join(dir, "missing-key.pem")},
			args: []string{"--issuer", "https://127.0.0.1:1"},
			want: []string{"tls.cert_file", filepath.Join(dir, "missing.pem"), "no such file or directory"}},
		{name: "not a certificate",
			env:  map[string]string{"LUCID_TLS_CERT_FILE": junk, "LUCID_TLS_KEY_FILE": junk},
			args: []string{"--issuer", "https://127.0.0.1:1"},
			want: []string{"certificate " + junk, "PEM"}},
		{name: "address in use",
			args: []string{"--issuer", "http://127.0.0.1:1", "--addr", busy.Addr().String()},
			want: []string{"cannot listen on " + busy.Addr().String(), "address already in use"}},
		{name: "database directory missing",
			args: []string{"--issuer", "http://127.0.0.1:1", "--database", "sqlite:" + filepath.Join(dir, "nope", "lucid.db")},
			want: []string{"cannot open database " + filepath.Join(dir, "nope", "lucid.db"), "directory " + filepath.Join(dir, "nope") + " does not exist"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := bareCLI(t)
			c.env["LUCID_LOG_LEVEL"] = "info"
			c.env["LUCID_ADDR"] = "127.0.0.1:0"
			for k, v := range tt.env {
				c.env[k] = v
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			r := c.runCtx(ctx, "", append([]string{"serve"}, tt.args...)...)
			if r.code != 1 {
				t.Errorf("exit %d, want 1", r.code)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q", w)
				}
			}
			if strings.Contains(r.stderr, "listening") || strings.Contains(r.stderr, "(14)") {
				t.Errorf("announced or unexplained")
			}
			if exists(t, c.db) {
				t.Errorf("a database was made before the failure")
			}
			if t.Failed() {
				t.Logf("stderr:\n%s", r.stderr)
			}
		})
	}
}

// TestUnknownVariablesWarn: a misspelled LUCID_ variable used to be
// ignored silently; it is named with the setting it was probably meant
// to be. The test suite's own variables do not warn.
func TestUnknownVariablesWarn(t *testing.T) {
	c := newCLI(t)
	c.env["LUCID_LIFETIMES_ACESS_TOKEN"] = "5m"
	c.env["LUCID_TEST_POSTGRES"] = "postgres://root@127.0.0.1/test"
	c.env["LUCID_REQUIRE_POSTGRES"] = "1"
	c.env["LUCID_SCREENSHOTS"] = "/tmp/shots"
	r := c.runIn("", "client", "list")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "name=LUCID_LIFETIMES_ACESS_TOKEN") || !strings.Contains(r.stderr, "did_you_mean=LUCID_LIFETIMES_ACCESS_TOKEN") {
		t.Errorf("no warning for the misspelling:\n%s", r.stderr)
	}
	for _, v := range []string{"LUCID_TEST_POSTGRES", "LUCID_REQUIRE_POSTGRES", "LUCID_SCREENSHOTS"} {
		if strings.Contains(r.stderr, v) {
			t.Errorf("warned about the test variable %s:\n%s", v, r.stderr)
		}
	}
	if n := strings.Count(r.stderr, "level=WARN"); n != 1 {
		t.Errorf("%d warnings, want 1:\n%s", n, r.stderr)
	}
	// serve warns too, before it does anything else.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c.env["LUCID_ISSUR"] = "https://id.example.com"
	r = c.runCtx(ctx, "", "serve")
	if r.code != 1 || !strings.Contains(r.stderr, "did_you_mean=LUCID_ISSUER") || !strings.Contains(r.stderr, "issuer: is not set") {
		t.Errorf("serve with LUCID_ISSUR: exit %d\n%s", r.code, r.stderr)
	}
}
