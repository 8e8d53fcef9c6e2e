package e2e

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/sqlite"
)

// TestBackupWhileServingThenRestore: `lucid backup` copies the database
// while the real binary keeps writing to it (every opaque token is an
// insert); `lucid restore` refuses a wrong master key and a database a
// running Lucid has open, and restores into a new path; a Lucid started
// on the restored copy knows every token answered before the backup
// began, accepts the client's secret, and signs a person in with ID
// tokens that verify against its JWKS (the signing keys opened with the
// master key).
func TestBackupWhileServingThenRestore(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the lucid binary")
	}
	ctx := context.Background()
	dir := t.TempDir()
	bin := buildLucid(t, dir)
	master := make([]byte, 32)
	_, _ = rand.Read(master)
	keyEnv := "LUCID_MASTER_KEY=" + base64.StdEncoding.EncodeToString(master)
	dbPath := filepath.Join(dir, "lucid.db")

	m2m, m2mSecret := clientInDatabase(t, dbPath, master, manage.ClientSpec{Name: "Backend", GrantTypes: []string{"client_credentials"},
		Scopes: []string{"orders:read"}, Audiences: []string{ordersAPI}, AccessTokenFormat: store.FormatOpaque})
	web, webSecret := clientInDatabase(t, dbPath, master, manage.ClientSpec{Name: "Notes", RedirectURIs: []string{clientCB}})
	func() {
		st, err := sqlite.Open(ctx, dbPath)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		sk, _ := secret.Derive(master)
		svc := &manage.Service{Store: st, Secrets: sk}
		if _, err := svc.CreateUser(ctx, manage.UserSpec{Username: demoUser, Email: demoUser + "@example.com", Password: demoPassword}); err != nil {
			t.Fatal(err)
		}
	}()

	addr := freeAddr(t)
	issuer := "http://" + addr
	env := []string{keyEnv, "LUCID_LOG_LEVEL=warn"}
	first := serveBinary(t, bin, issuer, env, "serve", "--database", "sqlite:"+dbPath, "--addr", addr, "--issuer", issuer)

	cc := clientcredentials.Config{ClientID: m2m.ID, ClientSecret: m2mSecret, TokenURL: issuer + "/token"}
	var (
		mu     sync.Mutex
		tokens []string
		wg     sync.WaitGroup
		stop   = make(chan struct{})
	)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				tok, err := cc.Token(ctx)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				tokens = append(tokens, tok.AccessToken)
				mu.Unlock()
			}
		}()
	}
	for n := 0; n < 50; time.Sleep(10 * time.Millisecond) {
		mu.Lock()
		n = len(tokens)
		mu.Unlock()
	}
	mu.Lock()
	answered := append([]string(nil), tokens...) // all answered before the backup began
	mu.Unlock()

	lucidCmd := func(extraEnv []string, args ...string) (int, string) {
		cmd := exec.Command(bin, args...)
		cmd.Env = append(append(os.Environ(), "LUCID_LOG_LEVEL=warn"), extraEnv...)
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return code, string(out)
	}
	backup := filepath.Join(dir, "backup.db")
	code, out := lucidCmd(nil, "backup", backup, "--database", "sqlite:"+dbPath)
	close(stop)
	wg.Wait()
	if code != 0 || !strings.Contains(out, "Backed up") {
		t.Fatalf("lucid backup while serving: exit %d\n%s", code, out)
	}
	mu.Lock()
	total := len(tokens)
	mu.Unlock()
	if total <= len(answered) {
		t.Errorf("no token was issued while the backup ran (%d before, %d after): the writes did not overlap it", len(answered), total)
	}

	restored := filepath.Join(dir, "restored.db")
	other := "LUCID_MASTER_KEY=" + base64.StdEncoding.EncodeToString([]byte("another key, just as long as one."))
	if code, out := lucidCmd([]string{other}, "restore", backup, "--database", "sqlite:"+restored); code != 1 || !strings.Contains(out, "master key does not match") {
		t.Errorf("restore with another master key: exit %d\n%s", code, out)
	}
	if _, err := os.Stat(restored); !os.IsNotExist(err) {
		t.Errorf("a refused restore left %s behind (%v)", restored, err)
	}
	if code, out := lucidCmd([]string{keyEnv}, "restore", backup, "--database", "sqlite:"+dbPath); code != 1 || !strings.Contains(out, "--replace") {
		t.Errorf("restore over an existing database without --replace: exit %d\n%s", code, out)
	}
	if code, out := lucidCmd([]string{keyEnv}, "restore", backup, "--database", "sqlite:"+dbPath, "--replace"); code != 1 || !strings.Contains(out, "in use") {
		t.Errorf("restore over the database a running Lucid has open: exit %d\n%s", code, out)
	}
	if code, out := lucidCmd([]string{keyEnv}, "restore", backup, "--database", "sqlite:"+restored); code != 0 || !strings.Contains(out, "Restored") {
		t.Fatalf("restore into a new path: exit %d\n%s", code, out)
	}

	// The disaster: the first server goes; a new one serves the restored
	// copy at the same address.
	_ = first.Process.Kill()
	_ = first.Wait()
	serveBinary(t, bin, issuer, append(env, "LUCID_MIGRATE_ON_START=false"), "serve", "--database", "sqlite:"+restored, "--addr", addr, "--issuer", issuer)
	l := &lucid{URL: issuer}
	for _, tok := range answered {
		if got := introspect(t, l, m2m.ID, m2mSecret, tok, nil); got["active"] != true {
			t.Fatalf("a token answered before the backup began is unknown to the restored copy: %v", got)
		}
	}
	if _, err := cc.Token(ctx); err != nil {
		t.Errorf("the client's secret does not work on the restored copy: %v", err)
	}
	tok, _ := login(t, l, l.browser(t), l.oauthConfig(web, webSecret))
	rawID, _ := tok.Extra("id_token").(string)
	if _, err := newProvider(t, l).Verifier(&oidc.Config{ClientID: web.ID}).Verify(ctx, rawID); err != nil {
		t.Errorf("the ID token of a sign-in on the restored copy does not verify: %v", err)
	}
}
