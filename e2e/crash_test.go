package e2e

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2/clientcredentials"

	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/store"
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
	bin := buildLucid(t, dir)
	master := make([]byte, 32)
	_, _ = rand.Read(master)
	masterB64 := base64.StdEncoding.EncodeToString(master)
	dbPath := filepath.Join(dir, "lucid.db")

	// Fixtures straight into the database, as `lucid client create` would.
	ctx := context.Background()
	c, sec := clientInDatabase(t, dbPath, master, manage.ClientSpec{Name: "Backend", GrantTypes: []string{"client_credentials"},
		Scopes: []string{"orders:read"}, Audiences: []string{ordersAPI}, AccessTokenFormat: store.FormatOpaque})

	addr := freeAddr(t)
	issuer := "http://" + addr
	run := func() *exec.Cmd {
		return serveBinary(t, bin, issuer, []string{"LUCID_MASTER_KEY=" + masterB64, "LUCID_LOG_LEVEL=warn"},
			"serve", "--database", "sqlite:"+dbPath, "--addr", addr, "--issuer", issuer)
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
