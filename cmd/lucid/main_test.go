package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store/sqlite"
)

// cli runs lucid in-process against one temporary database.
type cli struct {
	t   *testing.T
	env map[string]string
	db  string // file path
}

// newCLI is a CLI on a database made by `lucid init`.
func newCLI(t *testing.T) *cli {
	c := bareCLI(t)
	c.ok("init")
	return c
}

// bareCLI is a CLI whose database does not exist yet.
func bareCLI(t *testing.T) *cli {
	dir := t.TempDir()
	db := filepath.Join(dir, "lucid.db")
	return &cli{t: t, db: db, env: map[string]string{
		"LUCID_DATABASE":   "sqlite:" + db,
		"LUCID_MASTER_KEY": base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef")),
		"LUCID_LOG_LEVEL":  "warn",
	}}
}

type result struct {
	code   int
	stdout string
	stderr string
}

func (c *cli) runIn(stdin string, args ...string) result {
	c.t.Helper()
	return c.runCtx(context.Background(), stdin, args...)
}

// runCtx runs lucid until it ends or ctx does (for serve).
func (c *cli) runCtx(ctx context.Context, stdin string, args ...string) result {
	c.t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb,
		getenv: func(k string) string { return c.env[k] },
		environ: func() []string {
			var list []string
			for k, v := range c.env {
				list = append(list, k+"="+v)
			}
			return list
		}}
	code := e.run(ctx, args)
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// ok runs a command that must succeed.
func (c *cli) ok(args ...string) string {
	c.t.Helper()
	r := c.runIn("", args...)
	if r.code != 0 {
		c.t.Fatalf("lucid %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

func (c *cli) json(v any, args ...string) {
	c.t.Helper()
	out := c.ok(args...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		c.t.Fatalf("lucid %s: output is not one JSON object: %v\n%s", strings.Join(args, " "), err, out)
	}
}

type clientJSON struct {
	ID           string   `json:"client_id"`
	Name         string   `json:"client_name"`
	RedirectURIs []string `json:"redirect_uris"`
	Scopes       []string `json:"scopes"`
	AuthMethod   string   `json:"token_endpoint_auth_method"`
	RequirePKCE  bool     `json:"require_pkce"`
	Disabled     bool     `json:"disabled"`
	Secret       string   `json:"client_secret"`
	SecretID     string   `json:"client_secret_id"`
	Secrets      []struct {
		ID string `json:"id"`
	} `json:"secrets"`
}

func TestClientCommands(t *testing.T) {
	c := newCLI(t)
	var created clientJSON
	c.json(&created, "client", "create", "--name", "Notes", "--redirect-uri", "https://notes.example.com/cb",
		"--scope", "openid profile", "--scope", "email", "--output", "json")
	if created.ID == "" || len(created.Secret) != 43 || created.SecretID == "" || created.Name != "Notes" {
		t.Fatalf("created %+v", created)
	}
	if strings.Join(created.Scopes, " ") != "openid profile email" {
		t.Errorf("scopes %v", created.Scopes)
	}

	// The printed secret is the one the server will accept.
	st, err := sqlite.Open(context.Background(), c.db)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := st.GetClient(context.Background(), created.ID)
	_ = st.Close()
	if err != nil {
		t.Fatal(err)
	}
	sk, _ := secret.Derive([]byte("0123456789abcdef0123456789abcdef"))
	if !sk.SecretMatches(created.Secret, stored.Secrets[0].Hash) {
		t.Error("printed secret does not match the stored hash")
	}

	if out := c.ok("client", "list"); !strings.Contains(out, "CLIENT ID") || !strings.Contains(out, created.ID) || strings.Contains(out, created.Secret) {
		t.Errorf("list:\n%s", out)
	}
	var list struct{ Clients []clientJSON }
	c.json(&list, "client", "list", "--output", "json")
	if len(list.Clients) != 1 || list.Clients[0].Secret != "" {
		t.Errorf("list json %+v", list)
	}

	// Flags may follow the positional argument.
	var shown clientJSON
	c.json(&shown, "client", "show", created.ID, "--output", "json")
	if shown.ID != created.ID || shown.Secret != "" || len(shown.Secrets) != 1 {
		t.Errorf("show %+v", shown)
	}
	if out := c.ok("client", "show", created.ID); !strings.Contains(out, "Redirect URIs:") || !strings.Contains(out, "https://notes.example.com/cb") {
		t.Errorf("show text:\n%s", out)
	}

	var updated clientJSON
	c.json(&updated, "client", "update", created.ID, "--name", "Notes 2", "--redirect-uri", "http://127.0.0.1:8000/cb",
		"--scope", "offline_access", "--remove-scope", "profile", "--require-pkce=false", "--output", "json")
	if updated.Name != "Notes 2" || len(updated.RedirectURIs) != 2 || strings.Join(updated.Scopes, " ") != "openid email offline_access" || updated.RequirePKCE {
		t.Errorf("updated %+v", updated)
	}
	var disabled clientJSON
	c.json(&disabled, "client", "disable", created.ID, "--output", "json")
	if !disabled.Disabled {
		t.Error("client disable did not disable")
	}
	c.ok("client", "enable", created.ID)

	// Secret rotation: add a second, remove the first.
	var added struct {
		ID     string `json:"id"`
		Secret string `json:"client_secret"`
	}
	c.json(&added, "client", "add-secret", created.ID, "--expires", "720h", "--output", "json")
	if len(added.Secret) != 43 || added.ID == "" || added.Secret == created.Secret {
		t.Errorf("add-secret %+v", added)
	}
	if r := c.runIn("", "client", "add-secret", created.ID); r.code != 1 || !strings.Contains(r.stderr, "already has 2 secrets") {
		t.Errorf("third secret: exit %d, %s", r.code, r.stderr)
	}
	c.ok("client", "remove-secret", created.ID, created.SecretID)
	c.json(&shown, "client", "show", created.ID, "--output", "json")
	if len(shown.Secrets) != 1 || shown.Secrets[0].ID != added.ID {
		t.Errorf("after remove-secret %+v", shown.Secrets)
	}
	if out := c.ok("client", "rotate-secret", created.ID); !strings.Contains(out, "shown only now") {
		t.Errorf("rotate-secret:\n%s", out)
	}

	if r := c.runIn("", "client", "create", "--name", "Bad", "--redirect-uri", "http://evil.example.com/cb"); r.code != 1 || !strings.Contains(r.stderr, "redirect_uris") || !strings.Contains(r.stderr, "[admin_invalid_input]") {
		t.Errorf("invalid redirect: exit %d, %s", r.code, r.stderr)
	}

	c.ok("client", "delete", created.ID)
	if r := c.runIn("", "client", "show", created.ID); r.code != 1 || !strings.Contains(r.stderr, "admin_not_found") {
		t.Errorf("show after delete: exit %d, %s", r.code, r.stderr)
	}
}

func TestUserCommands(t *testing.T) {
	c := newCLI(t)
	r := c.runIn("correct horse\n", "user", "create", "--username", "alice", "--email", "alice@example.com", "--email-verified", "--name", "Alice", "--password-stdin", "--output", "json")
	if r.code != 0 {
		t.Fatalf("user create: %d %s", r.code, r.stderr)
	}
	var u struct {
		ID       string `json:"id"`
		Username string `json:"username"`
		Disabled bool   `json:"disabled"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &u); err != nil || u.Username != "alice" || strings.Contains(r.stdout, "argon2") {
		t.Fatalf("user create output %q: %v", r.stdout, err)
	}
	if out := c.ok("user", "list"); !strings.Contains(out, "alice@example.com") {
		t.Errorf("user list:\n%s", out)
	}
	c.ok("user", "set-password", "alice", "--password", "battery staple")
	c.ok("user", "disable", "alice")
	if out := c.ok("user", "show", u.ID); !strings.Contains(out, "Disabled:") || !strings.Contains(out, "yes") {
		t.Errorf("show after disable:\n%s", out)
	}
	c.ok("user", "enable", "alice@example.com")
	c.ok("user", "unlock", "alice")
	if out := c.ok("user", "grant-admin", "alice"); !strings.Contains(out, "may now sign in to the console") {
		t.Errorf("user grant-admin:\n%s", out)
	}
	if out := c.ok("user", "show", "alice", "--output", "json"); !strings.Contains(out, `"admin": true`) {
		t.Errorf("show after grant-admin:\n%s", out)
	}
	if out := c.ok("user", "revoke-admin", "alice"); !strings.Contains(out, "may no longer sign in") {
		t.Errorf("user revoke-admin:\n%s", out)
	}
	// Factors: none yet; a reset of none says so. (Setting them up is the
	// sign-in pages', tested end to end in e2e/factors_test.go.)
	if out := c.ok("user", "factors", "alice"); !strings.Contains(out, "Authenticator app: none") || !strings.Contains(out, "Passkeys: none") {
		t.Errorf("user factors:\n%s", out)
	}
	if out := c.ok("user", "reset-factors", "alice"); !strings.Contains(out, "Removed no authenticator app, 0 recovery codes and 0 passkeys") {
		t.Errorf("user reset-factors:\n%s", out)
	}
	if r := c.runIn("", "user", "set-password", "alice", "--password", "tiny"); r.code != 1 || !strings.Contains(r.stderr, "use at least 12") || strings.Contains(r.stderr, "tiny") {
		t.Errorf("short password: exit %d, %s", r.code, r.stderr)
	}
	c.ok("user", "delete", "alice")
	if r := c.runIn("", "user", "show", "alice"); r.code != 1 {
		t.Errorf("show after delete: exit %d", r.code)
	}
}

func TestKeysCommands(t *testing.T) {
	c := newCLI(t)
	type key struct {
		Kid     string `json:"kid"`
		State   string `json:"state"`
		Signing bool   `json:"signing"`
	}
	var before, after struct{ Keys []key }
	c.ok("keys", "rotate") // creates the first keys, then rotates them
	c.json(&before, "keys", "list", "--output", "json")
	c.json(&after, "keys", "rotate", "--output", "json")
	if len(after.Keys) != len(before.Keys)+3 {
		t.Fatalf("%d keys before, %d after", len(before.Keys), len(after.Keys))
	}
	retired, signing := 0, 0
	for _, k := range after.Keys {
		if k.State == "retired" {
			retired++
		}
		if k.Signing {
			signing++
		}
	}
	if retired != len(after.Keys)-3 || signing != 3 {
		t.Errorf("after two rotations: %d retired, %d signing: %+v", retired, signing, after.Keys)
	}
	if out := c.ok("keys", "list"); !strings.Contains(out, "retired") || !strings.Contains(out, "KID") {
		t.Errorf("keys list:\n%s", out)
	}
}

func TestDemoKeyFileIsAdopted(t *testing.T) {
	c := bareCLI(t)
	delete(c.env, "LUCID_MASTER_KEY")
	if r := c.runIn("", "init"); r.code != 1 || !strings.Contains(r.stderr, "master key") {
		t.Fatalf("init without a key: exit %d, %s", r.code, r.stderr)
	}
	if _, err := os.Stat(c.db); err == nil {
		t.Fatal("init made a database without a master key")
	}
	cfg := config.Default()
	cfg.Database = "sqlite:" + c.db
	if err := cfg.EnsureDemoMasterKey(); err != nil {
		t.Fatal(err)
	}
	c.ok("init")
	c.ok("client", "create", "--name", "N", "--redirect-uri", "https://n.example.com/cb")
	c.ok("keys", "rotate")
}

func TestServeRefusesWithoutMasterKey(t *testing.T) {
	c := bareCLI(t)
	delete(c.env, "LUCID_MASTER_KEY")
	r := c.runIn("", "serve", "--issuer", "http://127.0.0.1:1")
	if r.code != 1 || !strings.Contains(r.stderr, "head -c 32 /dev/urandom | base64") {
		t.Fatalf("serve without key: exit %d, %s", r.code, r.stderr)
	}
	r = c.runIn("", "serve", "--issuer", "http://id.example.com")
	if r.code != 1 || !strings.Contains(r.stderr, "must use https") {
		t.Fatalf("serve with bad issuer: exit %d, %s", r.code, r.stderr)
	}
	if _, err := os.Stat(c.db); err == nil {
		t.Error("serve opened the database despite refusing to start")
	}
}

func TestServerConfig(t *testing.T) {
	tests := []struct {
		name                   string
		cmd                    string
		args                   []string
		env                    map[string]string
		issuer, addr, database string
		demo                   bool
	}{
		{name: "demo defaults", cmd: "demo", issuer: "http://localhost:8080", addr: "localhost:8080", database: "sqlite:lucid-demo.db", demo: true},
		{name: "demo on another address", cmd: "demo", args: []string{"--addr", "127.0.0.1:9000"}, issuer: "http://127.0.0.1:9000", addr: "127.0.0.1:9000", database: "sqlite:lucid-demo.db", demo: true},
		{name: "demo on all interfaces", cmd: "demo", args: []string{"--addr", ":9000"}, issuer: "http://localhost:9000", addr: ":9000", database: "sqlite:lucid-demo.db", demo: true},
		{name: "demo issuer flag wins", cmd: "demo", args: []string{"--issuer", "http://127.0.0.1:7000", "--addr", ":7000"}, issuer: "http://127.0.0.1:7000", addr: ":7000", database: "sqlite:lucid-demo.db", demo: true},
		{name: "serve defaults", cmd: "serve", issuer: "", addr: "localhost:8080", database: "sqlite:lucid.db"},
		{name: "env under flags", cmd: "serve", env: map[string]string{"LUCID_ISSUER": "https://a.example", "LUCID_DATABASE": "sqlite:/env.db"},
			args: []string{"--issuer", "https://b.example"}, issuer: "https://b.example", addr: "localhost:8080", database: "sqlite:/env.db"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &env{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}, getenv: func(k string) string { return tt.env[k] }}
			cfg, err := serverConfig(e, tt.cmd, tt.args)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Issuer != tt.issuer || cfg.Addr != tt.addr || cfg.Database != tt.database || cfg.Demo != tt.demo {
				t.Errorf("got issuer %q addr %q database %q demo %v", cfg.Issuer, cfg.Addr, cfg.Database, cfg.Demo)
			}
		})
	}
}

func TestUsage(t *testing.T) {
	c := newCLI(t)
	tests := []struct {
		name  string
		stdin string
		args  []string
		code  int
		want  string // in stderr (or stdout for help)
	}{
		{name: "no command", args: nil, code: 2, want: "Usage: lucid"},
		{name: "unknown command", args: []string{"frobnicate"}, code: 2, want: `unknown command "frobnicate"`},
		{name: "help", args: []string{"--help"}, code: 0, want: "client"},
		{name: "client without subcommand", args: []string{"client"}, code: 2, want: "missing subcommand"},
		{name: "unknown subcommand", args: []string{"client", "frob"}, code: 2, want: `unknown subcommand "frob"`},
		{name: "unknown flag", args: []string{"client", "list", "--colour"}, code: 2, want: "colour"},
		{name: "flag help", args: []string{"client", "create", "-h"}, code: 0, want: "-redirect-uri"},
		{name: "create without name", args: []string{"client", "create", "--redirect-uri", "https://a.example/cb"}, code: 2, want: "--name is required"},
		{name: "create without redirect", args: []string{"client", "create", "--name", "N"}, code: 2, want: "--redirect-uri"},
		{name: "public and method", args: []string{"client", "create", "--name", "N", "--redirect-uri", "https://a.example/cb", "--public", "--auth-method", "client_secret_post"}, code: 2, want: "--public conflicts"},
		{name: "show without id", args: []string{"client", "show"}, code: 2, want: "missing argument"},
		{name: "show with two ids", args: []string{"client", "show", "a", "b"}, code: 2, want: `unexpected argument "b"`},
		{name: "bad output", args: []string{"client", "list", "--output", "xml"}, code: 2, want: "--output must be text or json"},
		{name: "update with nothing", args: []string{"client", "update", "x"}, code: 2, want: "nothing to change"},
		{name: "bad expiry", args: []string{"client", "add-secret", "x", "--expires", "soon"}, code: 2, want: "--expires"},
		{name: "user without password", args: []string{"user", "create", "--username", "bob"}, code: 2, want: "password is required"},
		{name: "user with two passwords", stdin: "pw\n", args: []string{"user", "create", "--username", "bob", "--password", "12345678", "--password-stdin"}, code: 2, want: "not both"},
		{name: "remove-secret needs two args", args: []string{"client", "remove-secret", "x"}, code: 2, want: "missing argument"},
		{name: "short publish period", args: []string{"keys", "rotate", "--publish-for", "1m"}, code: 2, want: "shorter than the longest token lifetime"},
		{name: "serve takes no arguments", args: []string{"serve", "now"}, code: 2, want: "unexpected argument"},
		{name: "version", args: []string{"version"}, code: 0, want: "lucid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.runIn(tt.stdin, tt.args...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, tt.code, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stderr+r.stdout, tt.want) {
				t.Errorf("output lacks %q\nstdout: %s\nstderr: %s", tt.want, r.stdout, r.stderr)
			}
		})
	}
}
