package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/granttype"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
)

// BenchmarkCIBAPollPending is a CIBA client polling requests the person
// has not decided yet (client_secret_basic): client authentication, one
// read, the in-memory pace check, authorization_pending, and no write.
// The requests are polled in turn, each less often than its 1 s interval.
func BenchmarkCIBAPollPending(b *testing.B) {
	e := newBench(b)
	ctx := context.Background()
	c, sec, u := e.codeClient(b, "ES256")
	if _, err := e.svc.UpdateClient(ctx, c.ID, manage.ClientPatch{GrantTypes: &[]string{string(granttype.CIBA)}, ResponseTypes: &[]string{},
		RedirectURIs: &[]string{}, Scopes: &[]string{"openid", "profile"}}); err != nil {
		b.Fatal(err)
	}
	const n = 20_000
	bodies := make([]string, n)
	now := time.Now()
	for i := range bodies {
		id := secret.Token(32)
		if err := e.st.CreateBackchannelRequest(ctx, &store.BackchannelRequest{
			Hash: secret.Hash(id), ID: secret.ID(16), ClientID: c.ID, UserID: u.ID, Scopes: []string{"openid"},
			Mode: store.DeliveryPoll, Interval: 1, CreatedAt: now, ExpiresAt: now.Add(time.Hour), Status: store.BackchannelPending,
		}); err != nil {
			b.Fatal(err)
		}
		bodies[i] = url.Values{"grant_type": {string(granttype.CIBA)}, "auth_req_id": {id}}.Encode()
	}
	auth := basicAuth(c.ID, sec)
	var next atomic.Int64
	parallel(b, func(pb *testing.PB) {
		for pb.Next() {
			w := e.post("/token", auth, bodies[(next.Add(1)-1)%n])
			if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `"authorization_pending"`) {
				b.Errorf("poll: HTTP %d: %.300s", w.Code, w.Body.String())
				return
			}
		}
	})
}
