package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
)

const deviceGrant = "urn:ietf:params:oauth:grant-type:device_code"

// devicePollCodes bounds the device codes a device-poll run stores (fewer
// when --pool says so): at 60,000 polls a second each is polled about once
// a second, its interval (below), and they fit Lucid's in-memory poll
// record.
const devicePollCodes = 60_000

// devicePollFloor is the fewest codes a run stores whatever --pool says:
// a code is polled at most once an interval, so a small pool runs dry in
// the warm-up on a quick machine and leaves nothing to measure.
const devicePollFloor = 4096

// devicePollMargin is added to the interval between two polls of a code:
// the polls of one worker are sent in order but may be answered late.
const devicePollMargin = 100 * time.Millisecond

// devicePollInterval is the interval of the stored device codes: each is
// polled at most once in it, so every answer is authorization_pending,
// never slow_down.
const devicePollInterval = time.Second

// prepareDevicePoll measures a device's poll while the person has not yet
// decided (RFC 8628 §3.5): a public client (client_id only), a read of the
// device code, the in-memory poll record, authorization_pending. Device
// codes are written straight to the store, as the device authorization
// endpoint leaves them; each worker cycles through its own share, so no
// code is polled sooner than its interval.
func prepareDevicePoll(ctx context.Context, g *generator) (func(int) step, error) {
	c, _, err := g.svc.CreateClient(ctx, manage.ClientSpec{
		ID: g.runID + "-device", Name: "loadgen device", AuthMethod: store.AuthNone,
		GrantTypes: []string{deviceGrant}, Scopes: []string{"openid", "profile"},
	})
	if err != nil {
		return nil, fmt.Errorf("create device client: %w", err)
	}
	g.mu.Lock()
	g.clients = append(g.clients, c.ID)
	g.mu.Unlock()
	n := max(min(g.o.pool, devicePollCodes), g.o.concurrency, devicePollFloor)
	codes, err := g.mintDeviceCodes(ctx, c.ID, n)
	if err != nil {
		return nil, err
	}
	forms := make([]request, n)
	for i, code := range codes {
		forms[i] = g.request(http.MethodPost, "/token", "",
			url.Values{"grant_type": {deviceGrant}, "client_id": {c.ID}, "device_code": {code}}.Encode())
	}
	per := n / g.o.concurrency
	return func(worker int) step {
		mine := forms[worker*per : (worker+1)*per]
		last := make([]time.Time, len(mine))
		i := 0
		return step{
			next: func() (request, error) {
				// A code is polled again only after its interval (and a
				// margin); a worker that comes round sooner has run out,
				// and the run ends early as with single-use material.
				j := i % len(mine)
				now := time.Now()
				if !last[j].IsZero() && now.Sub(last[j]) < devicePollInterval+devicePollMargin {
					return request{}, errExhausted
				}
				last[j] = now
				i++
				return mine[j], nil
			},
			check: func(status int, body []byte) error {
				if status != http.StatusBadRequest || !bytes.Contains(body, []byte(`"authorization_pending"`)) {
					return fmt.Errorf("HTTP %d: %.200s", status, body)
				}
				return nil
			},
		}
	}, nil
}

// mintDeviceCodes stores n pending device codes of the client.
func (g *generator) mintDeviceCodes(ctx context.Context, clientID string, n int) ([]string, error) {
	codes := make([]string, n)
	now := time.Now()
	var wg sync.WaitGroup
	errc := make(chan error, 1)
	// Many writers, so that the store's group commit puts many rows in
	// each commit: tens of thousands of rows in a few seconds.
	const writers = 128
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += writers {
				code := secret.Token(32)
				err := g.st.CreateDeviceCode(ctx, &store.DeviceCode{
					Hash: secret.Hash(code), UserCodeHash: "loadgen-" + secret.Token(16), ClientID: clientID,
					Scopes: []string{"openid", "profile"}, Interval: devicePollInterval,
					CreatedAt: now, ExpiresAt: now.Add(time.Hour),
				})
				if err != nil {
					select {
					case errc <- fmt.Errorf("store device code: %w", err):
					default:
					}
					return
				}
				codes[i] = code
			}
		}()
	}
	wg.Wait()
	select {
	case err := <-errc:
		return nil, err
	default:
	}
	return codes, nil
}
