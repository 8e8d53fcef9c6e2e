package e2e

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2/clientcredentials"

	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/sqlite"
)

// TestKill9LosesNothingAnswered runs the real binary, kills it with
// SIGKILL while clients are getting opaque tokens (each one a database
// write), restarts it on the same database, and checks that every token
// a client received is still known: an answer is only sent once its write
// is durable.
func TestKill9LosesNothingAnswered(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the lucid binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "lucid")
	build := exec.Command("go", "build", "-o", bin, "github.com/lucid-auth/lucid/cmd/lucid")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	master := make([]byte, 32)
	_, _ = rand.Read(master)
	masterB64 := base64.StdEncoding.EncodeToString(master)
	dbPath := filepath.Join(dir, "lucid.db")

	// Fixtures straight into the database, as `lucid client create` would.
	ctx := context.Background()
	st, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	sk, _ := secret.Derive(master)
	svc := &manage.Service{Store: st, Secrets: sk}
	c, sec, err := svc.CreateClient(ctx, manage.ClientSpec{Name: "Backend", GrantTypes: []string{"client_credentials"},
		Scopes: []string{"orders:read"}, Audiences: []string{ordersAPI}, AccessTokenFormat: store.FormatOpaque})
	if err != nil {
		t.Fatal(err)
	}
	_ = st.Close()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	issuer := "http://" + addr
	run := func() *exec.Cmd {
		cmd := exec.Command(bin, "serve", "--database", "sqlite:"+dbPath, "--addr", addr, "--issuer", issuer)
		cmd.Env = append(os.Environ(), "LUCID_MASTER_KEY="+masterB64, "LUCID_LOG_LEVEL=warn")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			if resp, err := http.Get(issuer + "/healthz"); err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					return cmd
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatal("lucid did not become ready")
		return nil
	}

	first := run()
	cc := clientcredentials.Config{ClientID: c.ID, ClientSecret: sec, TokenURL: issuer + "/token"}
	var (
		mu     sync.Mutex
		tokens []string
		wg     sync.WaitGroup
		stop   = make(chan struct{})
	)
	for range 16 {
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
					continue // the server is being killed
				}
				mu.Lock()
				tokens = append(tokens, tok.AccessToken)
				mu.Unlock()
			}
		}()
	}
	time.Sleep(700 * time.Millisecond)
	if err := first.Process.Kill(); err != nil { // SIGKILL: no shutdown, no flush
		t.Fatal(err)
	}
	_ = first.Wait()
	close(stop)
	wg.Wait()
	if len(tokens) < 10 {
		t.Fatalf("only %d tokens issued before the kill; the test proves nothing", len(tokens))
	}

	run()
	lost := 0
	for _, tok := range tokens {
		req, _ := http.NewRequest(http.MethodPost, issuer+"/introspect", strings.NewReader(url.Values{"token": {tok}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(c.ID, sec)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var info struct {
			Active bool `json:"active"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&info)
		resp.Body.Close()
		if !info.Active {
			lost++
		}
	}
	if lost > 0 {
		t.Fatalf("%d of %d tokens answered before kill -9 are gone after restart", lost, len(tokens))
	}
	t.Logf("%d tokens issued before kill -9, all known after restart", len(tokens))
}
