package e2e

// Issue 12: an operator retries a dead outbox item once the receiver is
// fixed: POST /admin/outbox/{id}/retry puts it back to pending with its
// attempts reset, and the worker delivers it.

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/store"
)

func TestOutboxRetryDead(t *testing.T) {
	var up atomic.Bool
	pinged := make(chan string, 4)
	listener := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if !up.Load() {
			http.Error(rw, "down for maintenance", http.StatusServiceUnavailable)
			return
		}
		b, _ := io.ReadAll(r.Body)
		pinged <- string(b)
		rw.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(listener.Close)
	w := newCIBAWorld(t, fastOutbox, func(c *config.Config) { c.Outbox.MaxAttempts = 2 })
	l := w.l
	c, sec := l.client(t, manage.ClientSpec{Name: "Kiosk", GrantTypes: []string{cibaGrant}, ResponseTypes: []string{}, RedirectURIs: []string{},
		Scopes: []string{"openid"}, Backchannel: &store.BackchannelClient{DeliveryMode: store.DeliveryPing, NotificationEndpoint: listener.URL}})
	a := startCIBA(t, l, c.ID, sec, url.Values{"scope": {"openid"}, "login_hint": {demoUser}, "client_notification_token": {"tok-123"}})
	adminDecide(t, l, w.alice.ID, "approve", http.StatusOK)

	var dead outboxListing
	eventually(t, 10*time.Second, "the ping given up on", func() bool {
		l.Clock.Advance(time.Second)
		dead = listOutbox(t, l, "dead")
		return len(dead.Items) == 1
	})
	id := dead.Items[0].ID

	// Only a dead item is retried; an unknown id is not found.
	wantJSONError(t, l, jsonCall(t, l, http.MethodPost, "/admin/outbox/no-such-item/retry", l.cfg.AdminToken, ""), "admin_not_found", "not_found", http.StatusNotFound)
	wantJSONError(t, l, jsonCall(t, l, http.MethodGet, "/admin/outbox/"+id+"/retry", l.cfg.AdminToken, ""), "method_not_allowed", "invalid_request", http.StatusMethodNotAllowed)

	up.Store(true)
	r := jsonCall(t, l, http.MethodPost, "/admin/outbox/"+id+"/retry", l.cfg.AdminToken, "")
	if r.status != http.StatusOK || !compactHas(r.body, `"state":"pending"`, `"attempts":0`) {
		t.Fatalf("retry: %d %s", r.status, r.body)
	}
	select {
	case body := <-pinged:
		if !compactHas([]byte(body), `"auth_req_id":"`+a.AuthReqID+`"`) {
			t.Fatalf("ping body %s", body)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the retried ping was not delivered within 10 s")
	}
	eventually(t, 10*time.Second, "the retried item delivered", func() bool {
		return len(listOutbox(t, l, "delivered").Items) == 1
	})
	again := jsonCall(t, l, http.MethodPost, "/admin/outbox/"+id+"/retry", l.cfg.AdminToken, "")
	e := wantJSONError(t, l, again, "outbox_item_not_dead", "invalid_request", http.StatusConflict)
	if !strings.Contains(e.Description, "is delivered, not dead") {
		t.Errorf("not-dead description: %s", e.Description)
	}
	wantCIBATokens(t, cibaPoll(t, l, c.ID, sec, a.AuthReqID))
}

// compactHas reports whether the JSON body, without its white space,
// holds every one of subs.
func compactHas(body []byte, subs ...string) bool {
	var b bytes.Buffer
	if json.Compact(&b, body) != nil {
		return false
	}
	for _, s := range subs {
		if !strings.Contains(b.String(), s) {
			return false
		}
	}
	return true
}
