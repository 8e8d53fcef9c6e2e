package e2e

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/sqlite"
)

// TestBackchannelLogoutSurvivesKill9 runs the real binary: a person logs
// out while the client's back-channel endpoint is down, Lucid is killed
// with SIGKILL, the endpoint comes up, Lucid restarts on the same
// database, and the logout token arrives: the pending delivery was a row
// in the database, not a goroutine.
func TestBackchannelLogoutSurvivesKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the lucid binary")
	}
	dir := t.TempDir()
	bin := buildLucid(t, dir)
	master := make([]byte, 32)
	_, _ = rand.Read(master)
	dbPath := filepath.Join(dir, "lucid.db")
	receiverAddr := freeAddr(t) // nothing listens there yet
	target := "http://" + receiverAddr + "/backchannel"

	ctx := context.Background()
	st, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	sk, _ := secret.Derive(master)
	svc := &manage.Service{Store: st, Secrets: sk}
	alice, err := svc.CreateUser(ctx, manage.UserSpec{Username: demoUser, Email: "alice@example.com", Password: demoPassword})
	if err != nil {
		t.Fatal(err)
	}
	c, sec, err := svc.CreateClient(ctx, manage.ClientSpec{Name: "Mail", RedirectURIs: []string{clientCB}, Logout: store.LogoutChannels{BackchannelURI: target, BackchannelSessionRequired: true}})
	if err != nil {
		t.Fatal(err)
	}
	_ = st.Close()

	addr := freeAddr(t)
	issuer := "http://" + addr
	const adminToken = "admin-token-for-the-kill-test-0123456789"
	run := func() *exec.Cmd {
		return serveBinary(t, bin, issuer, []string{
			"LUCID_MASTER_KEY=" + base64.StdEncoding.EncodeToString(master), "LUCID_LOG_LEVEL=warn", "LUCID_ADMIN_TOKEN=" + adminToken,
			"LUCID_OUTBOX_ALLOW_LOCAL=true", "LUCID_OUTBOX_POLL_INTERVAL=50ms", "LUCID_OUTBOX_BACKOFF_BASE=100ms", "LUCID_OUTBOX_BACKOFF_CAP=300ms",
			// An item leased at the kill waits for its lease (2 × timeout + 10 s).
			"LUCID_OUTBOX_TIMEOUT=1s",
		}, "serve", "--database", "sqlite:"+dbPath, "--addr", addr, "--issuer", issuer)
	}
	first := run()

	l := &lucid{URL: issuer, cfg: config.Config{AdminToken: adminToken}}
	b := l.browser(t)
	tok, _ := login(t, l, b, l.oauthConfig(c, sec))
	sid := sidOf(t, l, c, tok)
	idToken, _ := tok.Extra("id_token").(string)
	if p := b.get(issuer + "/logout?id_token_hint=" + url.QueryEscape(idToken)); p.status != http.StatusOK {
		t.Fatalf("logout: %d", p.status)
	}
	// The receiver is down: the attempts fail and the item waits.
	eventually(t, 10*time.Second, "a failed attempt while the receiver is down", func() bool {
		p := listOutbox(t, l, "pending")
		return len(p.Items) == 1 && p.Items[0].Attempts >= 1
	})
	if err := first.Process.Kill(); err != nil { // SIGKILL: no shutdown
		t.Fatal(err)
	}
	_ = first.Wait()

	// The receiver comes up; then Lucid, on the same database.
	ln, err := net.Listen("tcp", receiverAddr)
	if err != nil {
		t.Fatalf("the receiver's address was taken meanwhile: %v", err)
	}
	var mu sync.Mutex
	var got []string
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/backchannel" && r.ParseForm() == nil {
			mu.Lock()
			got = append(got, r.PostForm.Get("logout_token"))
			mu.Unlock()
		}
	}), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	run()

	eventually(t, 30*time.Second, "the logout token after the restart", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got) > 0
	})
	mu.Lock()
	token := got[0]
	mu.Unlock()
	payload, err := oidc.NewRemoteKeySet(ctx, issuer+"/jwks").VerifySignature(ctx, token)
	if err != nil {
		t.Fatalf("the logout token does not verify: %v", err)
	}
	var claims map[string]any
	_ = json.Unmarshal(payload, &claims)
	if claims["aud"] != c.ID || claims["sub"] != alice.ID || claims["sid"] != sid || claims["iss"] != issuer {
		t.Fatalf("logout token claims %v", claims)
	}
	eventually(t, 5*time.Second, "the item recorded as delivered", func() bool {
		return listOutbox(t, l, "delivered").Counts["delivered"] == 1
	})
}
