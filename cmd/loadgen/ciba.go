package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lucid-auth/lucid/internal/granttype"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
)

// cibaRequests is how many pending backchannel requests the ciba-poll
// scenario polls in turn. With their 1 s interval (ciba.interval: 1s),
// each is polled about every cibaRequests/rate seconds: at up to 50,000
// polls a second no poll comes early, so every answer is
// authorization_pending and a slow_down counts as an error.
const cibaRequests = 50_000

// prepareCIBAPoll is the token request of a CIBA client polling requests
// the person has not decided yet (OpenID CIBA Core §10.1): client
// authentication, one read, the in-memory pace check, and no write.
func prepareCIBAPoll(ctx context.Context, g *generator) (func(int) step, error) {
	u, err := g.user(ctx)
	if err != nil {
		return nil, err
	}
	c, sec, err := g.svc.CreateClient(ctx, manage.ClientSpec{
		ID: g.runID + "-ciba", Name: "loadgen ciba", GrantTypes: []string{string(granttype.CIBA)},
		ResponseTypes: []string{}, Scopes: []string{"openid", "profile"},
	})
	if err != nil {
		return nil, fmt.Errorf("create CIBA client: %w", err)
	}
	g.mu.Lock()
	g.clients = append(g.clients, c.ID)
	g.mu.Unlock()
	ids, err := g.mintBackchannel(ctx, c.ID, u.ID, cibaRequests)
	if err != nil {
		return nil, err
	}
	auth := basicAuth(c.ID, sec)
	reqs := make([]request, len(ids))
	for i, id := range ids {
		reqs[i] = g.request(http.MethodPost, "/token", auth, url.Values{"grant_type": {string(granttype.CIBA)}, "auth_req_id": {id}}.Encode())
	}
	var next atomic.Int64
	pending := []byte(`"authorization_pending"`)
	return func(int) step {
		return step{next: func() (request, error) {
			return reqs[(next.Add(1)-1)%int64(len(reqs))], nil
		}, check: func(status int, body []byte) error {
			if status != http.StatusBadRequest || !bytes.Contains(body, pending) {
				return fmt.Errorf("HTTP %d: %.200s", status, body)
			}
			return nil
		}}
	}, nil
}

// mintBackchannel stores n pending backchannel requests of the user for
// the client, as the backchannel authentication endpoint leaves them, and
// returns their auth_req_ids.
func (g *generator) mintBackchannel(ctx context.Context, clientID, userID string, n int) ([]string, error) {
	ids := make([]string, n)
	now := time.Now()
	var wg sync.WaitGroup
	errc := make(chan error, 1)
	const writers = 8
	for w := range writers {
		wg.Go(func() {
			for i := w; i < n; i += writers {
				id := secret.Token(32)
				err := g.st.CreateBackchannelRequest(ctx, &store.BackchannelRequest{
					Hash: secret.Hash(id), ID: secret.ID(16), ClientID: clientID, UserID: userID,
					Scopes: []string{"openid", "profile"}, BindingMessage: "LOADGEN", Mode: store.DeliveryPoll,
					Interval: 1, CreatedAt: now, ExpiresAt: now.Add(time.Hour), Status: store.BackchannelPending,
				})
				if err != nil {
					select {
					case errc <- fmt.Errorf("store backchannel request: %w", err):
					default:
					}
					return
				}
				ids[i] = id
			}
		})
	}
	wg.Wait()
	select {
	case err := <-errc:
		return nil, err
	default:
	}
	return ids, nil
}
