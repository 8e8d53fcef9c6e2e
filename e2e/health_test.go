package e2e

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestProbesAndDrain runs the real binary with a drain period: /livez and
// /readyz answer 200; after SIGTERM /readyz fails with server_draining while
// requests are still served, /livez still answers, and the process then
// exits by itself with status 0.
func TestProbesAndDrain(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the lucid binary")
	}
	dir := t.TempDir()
	bin := buildLucid(t, dir)
	master := make([]byte, 32)
	_, _ = rand.Read(master)
	addr := freeAddr(t)
	issuer := "http://" + addr
	cmd := serveBinary(t, bin, issuer, []string{"LUCID_MASTER_KEY=" + base64.StdEncoding.EncodeToString(master), "LUCID_LOG_LEVEL=warn", "LUCID_TIMEOUTS_DRAIN=2s"},
		"serve", "--database", "sqlite:"+filepath.Join(dir, "lucid.db"), "--addr", addr, "--issuer", issuer)

	for _, path := range []string{"/livez", "/readyz"} {
		if r := send(t, http.MethodGet, issuer+path, nil, nil); r.status != http.StatusOK || string(r.body) != "ok\n" {
			t.Fatalf("%s while serving: %d %q", path, r.status, r.body)
		}
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	l := &lucid{URL: issuer}
	var r *reply
	for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if r = send(t, http.MethodGet, issuer+"/readyz", nil, nil); r.status != http.StatusOK {
			break
		}
	}
	body := wantJSONError(t, l, r, "server_draining", "temporarily_unavailable", http.StatusServiceUnavailable)
	if r.header.Get("Retry-After") == "" {
		t.Fatal("503 without Retry-After")
	}
	t.Logf("draining: %s", body.Description)
	// Still serving while draining: liveness and real endpoints answer.
	if r := send(t, http.MethodGet, issuer+"/livez", nil, nil); r.status != http.StatusOK {
		t.Fatalf("/livez while draining: %d", r.status)
	}
	if r := send(t, http.MethodGet, issuer+"/.well-known/openid-configuration", nil, nil); r.status != http.StatusOK {
		t.Fatalf("discovery while draining: %d", r.status)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after drain: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("did not exit after the drain period")
	}
}
