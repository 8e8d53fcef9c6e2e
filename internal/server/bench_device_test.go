package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
)

// BenchmarkDevicePoll is a device's poll while the person has not decided
// (RFC 8628 §3.5): a public client, one read of the device code, the
// in-memory poll record, authorization_pending. The codes are polled in
// turn, so that the reads spread over the table as real devices' do.
func BenchmarkDevicePoll(b *testing.B) {
	e := newBench(b)
	ctx := context.Background()
	c, _, err := e.svc.CreateClient(ctx, manage.ClientSpec{Name: "bench device", AuthMethod: store.AuthNone,
		GrantTypes: []string{"urn:ietf:params:oauth:grant-type:device_code"}, Scopes: []string{"openid"}})
	if err != nil {
		b.Fatal(err)
	}
	// The benchmark comes back to each code many times a second, so the
	// stored codes have no interval (no poll is too soon); the poll record
	// is updated exactly as for a device polling on time.
	const codes = 4096
	forms := make([]string, codes)
	now := time.Now()
	for i := range forms {
		code := secret.Token(32)
		if err := e.st.CreateDeviceCode(ctx, &store.DeviceCode{Hash: secret.Hash(code), UserCodeHash: secret.Token(16),
			ClientID: c.ID, Scopes: []string{"openid"}, Interval: 0, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
			b.Fatal(err)
		}
		forms[i] = url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}, "client_id": {c.ID}, "device_code": {code}}.Encode()
	}
	var next atomic.Int64
	parallel(b, func(pb *testing.PB) {
		for pb.Next() {
			w := e.post("/token", "", forms[next.Add(1)%codes])
			if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `"authorization_pending"`) {
				b.Errorf("poll: HTTP %d: %.300s", w.Code, w.Body.String())
				return
			}
		}
	})
}
