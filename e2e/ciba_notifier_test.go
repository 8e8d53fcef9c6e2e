package e2e

// Issue 12: the external CIBA notifier. With ciba.notifier_url set, every
// new backchannel request is announced to a real listener on loopback by
// a signed JSON notice (through the outbox); the listener, acting as the
// notifier, checks the signature and reports the person's decision
// through the admin API, and the client gets its tokens.

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/provider"
)

func TestCIBANotifier(t *testing.T) {
	const secret = "notifier-shared-secret-0123456789abcdef"
	type notice struct {
		sig  string
		body []byte
	}
	got := make(chan notice, 4)
	listener := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- notice{sig: r.Header.Get("Lucid-Signature"), body: b}
		rw.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(listener.Close)
	w := newCIBAWorld(t, fastOutbox, func(c *config.Config) {
		c.CIBA.NotifierURL = listener.URL + "/lucid/ciba"
		c.CIBA.NotifierSecret = secret
	})
	l := w.l
	a := startCIBA(t, l, w.poll.ID, w.pollSecret, hintForm("binding_message", "Order 77", "scope", "openid profile"))

	var n notice
	select {
	case n = <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("no notice within 10 s")
	}
	// The notifier checks the signature over the timestamp and the body.
	ts, _, _ := strings.Cut(strings.TrimPrefix(n.sig, "t="), ",")
	at, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || time.Since(time.Unix(at, 0)).Abs() > time.Minute {
		t.Fatalf("signature timestamp %q: %v", ts, err)
	}
	if want := provider.SignNotice(secret, time.Unix(at, 0), n.body); n.sig == "" || n.sig != want {
		t.Fatalf("signature %q, want %q", n.sig, want)
	}
	if provider.SignNotice("another-secret-0123456789abcdef0123", time.Unix(at, 0), n.body) == n.sig {
		t.Fatal("the signature does not depend on the secret")
	}
	var body provider.Notice
	if err := json.Unmarshal(n.body, &body); err != nil {
		t.Fatal(err)
	}
	if body.Type != "backchannel_request" || body.ClientID != w.poll.ID || body.ClientName != "Call Centre" || body.UserID != w.alice.ID ||
		body.Username != demoUser || body.BindingMessage != "Order 77" || body.Scope != "openid profile" || body.ExpiresAt.IsZero() ||
		body.DecisionPath != "/admin/backchannel/"+body.ID+"/decision" {
		t.Fatalf("notice %s", n.body)
	}
	if strings.Contains(string(n.body), a.AuthReqID) {
		t.Fatal("the notice carries the auth_req_id")
	}
	// The notifier reports the person's approval; the client polls.
	r := jsonCall(t, l, http.MethodPost, body.DecisionPath, l.cfg.AdminToken, `{"decision":"approve","amr":["hwk"]}`)
	if r.status != http.StatusOK {
		t.Fatalf("decision: %d %s", r.status, r.body)
	}
	wantCIBATokens(t, cibaPoll(t, l, w.poll.ID, w.pollSecret, a.AuthReqID))
	eventually(t, 10*time.Second, "the notice delivered", func() bool {
		for _, it := range listOutbox(t, l, "delivered").Items {
			if it.Kind == provider.NoticeKind {
				return true
			}
		}
		return false
	})
}
