package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/outbox"
	"github.com/lucid-auth/lucid/internal/store"
)

// outboxListing is GET /admin/outbox.
type outboxListing struct {
	Counts map[string]int `json:"counts"`
	Items  []struct {
		ID          string `json:"id"`
		Kind        string `json:"kind"`
		Target      string `json:"target"`
		ClientID    string `json:"client_id"`
		State       string `json:"state"`
		Attempts    int    `json:"attempts"`
		LastError   string `json:"last_error"`
		LastTraceID string `json:"last_trace_id"`
		Payload     any    `json:"payload"`
	} `json:"items"`
}

// listOutbox reads the admin API's outbox listing of one state.
func listOutbox(t *testing.T, l *lucid, state string) outboxListing {
	t.Helper()
	r := jsonCall(t, l, http.MethodGet, "/admin/outbox?state="+state, l.cfg.AdminToken, "")
	if r.status != http.StatusOK {
		t.Fatalf("GET /admin/outbox: %d %s", r.status, r.body)
	}
	var out outboxListing
	if err := json.Unmarshal(r.body, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// story reads the failure story of a trace id through the admin API.
func outboxStory(t *testing.T, l *lucid, traceID string) store.Failure {
	t.Helper()
	r := jsonCall(t, l, http.MethodGet, "/admin/failures/"+traceID, l.cfg.AdminToken, "")
	if r.status != http.StatusOK {
		t.Fatalf("GET /admin/failures/%s: %d %s", traceID, r.status, r.body)
	}
	var got struct{ Failure store.Failure }
	if err := json.Unmarshal(r.body, &got); err != nil {
		t.Fatal(err)
	}
	return got.Failure
}

// eventually polls cond until it holds or the time is up.
func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// fastOutbox polls often and retries soon, for tests.
func fastOutbox(c *config.Config) {
	c.Outbox.PollInterval = 20 * time.Millisecond
	c.Outbox.BackoffBase = 50 * time.Millisecond
	c.Outbox.BackoffCap = 200 * time.Millisecond
	c.Outbox.Timeout = 2 * time.Second
	c.Outbox.AllowLocal = true
}

// An item no handler of this Lucid knows (written by a newer version
// sharing the database) is given up on at once, listed as dead with the
// trace id of its story, and counted.
func TestOutboxUnknownKind(t *testing.T) {
	l := start(t, fastOutbox)
	c, _ := l.client(t, manage.ClientSpec{Name: "Pigeon"})
	if err := outbox.Enqueue(context.Background(), l.Store, l.Clock.Now(), outbox.Message{
		Kind: "carrier_pigeon", Target: "https://loft.example/", ClientID: c.ID, Payload: []byte("secret-payload"),
	}); err != nil {
		t.Fatal(err)
	}
	var dead outboxListing
	eventually(t, 5*time.Second, "the item given up on", func() bool {
		dead = listOutbox(t, l, "dead")
		return len(dead.Items) == 1
	})
	it := dead.Items[0]
	if it.Kind != "carrier_pigeon" || it.Target != "https://loft.example/" || it.ClientID != c.ID || it.Attempts != 1 || it.LastTraceID == "" || it.Payload != nil {
		t.Fatalf("dead item %+v", it)
	}
	if dead.Counts["dead"] != 1 || dead.Counts["pending"] != 0 {
		t.Errorf("counts %v", dead.Counts)
	}
	f := outboxStory(t, l, it.LastTraceID)
	if f.Name != "outbox_kind_unknown" || f.Endpoint != "outbox" || f.ClientID != c.ID || !strings.Contains(f.Text, "carrier_pigeon") ||
		f.Internal["outbox_item"] != it.ID || f.Unattributed {
		t.Fatalf("story %+v", f)
	}
	triggered.add(f.Name)

	// The worker publishes its figures after the attempt it recorded.
	for _, want := range []string{`lucid_outbox_attempts_total{kind="carrier_pigeon",outcome="dead"} 1`, `lucid_outbox_items{state="dead"} 1`} {
		eventually(t, 5*time.Second, "metrics with "+want, func() bool {
			m := jsonCall(t, l, http.MethodGet, "/admin/metrics", l.cfg.AdminToken, "")
			return strings.Contains(string(m.body), want)
		})
	}

	bad := jsonCall(t, l, http.MethodGet, "/admin/outbox?state=lost", l.cfg.AdminToken, "")
	wantJSONError(t, l, bad, "admin_invalid_input", "invalid_request", http.StatusBadRequest)
}
