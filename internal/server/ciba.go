package server

import (
	"net/http"
	"time"

	"github.com/lucid-auth/lucid/internal/clientauth"
	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/telemetry"
)

// outboundClient is the HTTP client of CIBA pings: the one guarded client
// of requests to URLs someone else registered (clientauth), bounded by
// outbox.timeout; outbox.allow_local (development) allows local addresses.
func outboundClient(cfg *config.Config, tracing *telemetry.Tracing) *http.Client {
	timeout := cfg.Outbox.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	c := clientauth.NewOutboundClient(timeout, cfg.Outbox.AllowLocal)
	c.Transport = tracing.Transport(c.Transport)
	return c
}
