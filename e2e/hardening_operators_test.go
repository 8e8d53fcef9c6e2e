package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2/clientcredentials"
)

// TestOperatorMistakesWithTheBinary drives the real lucid binary through
// the operator mistakes that used to fail silently: a mistyped database
// (a new empty one, exit 0), a wrong master key (a client secret that can
// never match), serve without an issuer (http://localhost:8080). Then the
// right setup works end to end: a client the CLI creates gets a token from
// the server over HTTP.
func TestOperatorMistakesWithTheBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the lucid binary")
	}
	dir := t.TempDir()
	bin := buildLucid(t, dir)
	key := func() string {
		b := make([]byte, 32)
		_, _ = rand.Read(b)
		return base64.StdEncoding.EncodeToString(b)
	}
	right, wrong := key(), key()
	db := filepath.Join(dir, "lucid.db")
	lucid := func(ctx context.Context, master string, args ...string) (int, string, string) {
		t.Helper()
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Env = append(os.Environ(), "LUCID_DATABASE=sqlite:"+db, "LUCID_MASTER_KEY="+master, "LUCID_LOG_LEVEL=info")
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return code, out.String(), errb.String()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	// A mistyped database is refused, and stays absent.
	typo := filepath.Join(dir, "lucdi.db")
	if code, _, stderr := lucid(ctx, right, "client", "list", "--database", "sqlite:"+typo); code != 1 || !strings.Contains(stderr, typo) || !strings.Contains(stderr, "lucid init") {
		t.Fatalf("mistyped database: exit %d\n%s", code, stderr)
	}
	if _, err := os.Stat(typo); err == nil {
		t.Fatal("the mistyped database was created")
	}
	if code, stdout, stderr := lucid(ctx, right, "init"); code != 0 || !strings.Contains(stdout, "Created the database") {
		t.Fatalf("init: exit %d\n%s%s", code, stdout, stderr)
	}

	// A wrong key makes no client.
	spec := []string{"client", "create", "--name", "Backend", "--grant-type", "client_credentials", "--scope", "orders:read", "--audience", ordersAPI, "--output", "json"}
	if code, _, stderr := lucid(ctx, wrong, spec...); code != 1 || !strings.Contains(stderr, "master key does not match") {
		t.Fatalf("client create with a wrong key: exit %d\n%s", code, stderr)
	}
	code, stdout, stderr := lucid(ctx, right, spec...)
	if code != 0 {
		t.Fatalf("client create: exit %d\n%s", code, stderr)
	}
	var created struct {
		ID     string `json:"client_id"`
		Secret string `json:"client_secret"`
	}
	if err := json.Unmarshal([]byte(stdout), &created); err != nil || created.Secret == "" {
		t.Fatalf("client create printed %q: %v", stdout, err)
	}

	addr := freeAddr(t)
	issuer := "http://" + addr

	// serve refuses to guess its issuer, and a wrong key.
	if code, _, stderr := lucid(ctx, right, "serve", "--addr", addr); code != 1 || !strings.Contains(stderr, "--issuer") || strings.Contains(stderr, "listening") {
		t.Fatalf("serve without an issuer: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := lucid(ctx, wrong, "serve", "--addr", addr, "--issuer", issuer); code != 1 || !strings.Contains(stderr, "master key does not match") || strings.Contains(stderr, "listening") {
		t.Fatalf("serve with a wrong key: exit %d\n%s", code, stderr)
	}

	// The right setup: the secret the CLI printed is the one the server accepts.
	serveBinary(t, bin, issuer, []string{"LUCID_DATABASE=sqlite:" + db, "LUCID_MASTER_KEY=" + right, "LUCID_LOG_LEVEL=warn"},
		"serve", "--addr", addr, "--issuer", issuer)
	cc := clientcredentials.Config{ClientID: created.ID, ClientSecret: created.Secret, TokenURL: issuer + "/token", Scopes: []string{"orders:read"}}
	if _, err := cc.Token(ctx); err != nil {
		t.Fatalf("the CLI's client cannot get a token: %v", err)
	}
}
