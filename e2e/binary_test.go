package e2e

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/sqlite"
)

// The tests that run the real lucid binary build it, prepare its database
// and start it the same way.

// buildLucid builds the lucid binary into dir.
func buildLucid(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "lucid")
	build := exec.Command("go", "build", "-o", bin, "github.com/lucid-auth/lucid/cmd/lucid")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// freeAddr is a loopback address nothing listens on, for a binary to
// listen on next.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

// serveBinary starts bin with args and env (added to this process's
// environment), kills it when the test ends, and waits up to 20 s for
// issuer to answer /healthz with 200.
func serveBinary(t *testing.T, bin, issuer string, env []string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if resp, err := http.Get(issuer + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return cmd
			}
		}
	}
	t.Fatal("lucid did not become ready")
	return nil
}

// clientInDatabase registers a client straight into the SQLite database
// at path sealed with master, as `lucid client create` would, before the
// binary runs on it; it returns the client and its secret.
func clientInDatabase(t *testing.T, path string, master []byte, spec manage.ClientSpec) (*store.Client, string) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sk, _ := secret.Derive(master)
	svc := &manage.Service{Store: st, Secrets: sk}
	c, sec, err := svc.CreateClient(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	return c, sec
}
