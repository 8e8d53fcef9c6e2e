package server

import (
	"net/http"
	"time"

	"github.com/lucid-auth/lucid/internal/clientauth"
	"github.com/lucid-auth/lucid/internal/config"
)

// outboundClient is the HTTP client of CIBA pings: the one guarded client
// of requests to URLs someone else registered (clientauth), bounded by
// outbox.timeout; outbox.allow_local (development) allows local addresses.
func outboundClient(cfg *config.Config) *http.Client {
	timeout := cfg.Outbox.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	return clientauth.NewOutboundClient(timeout, cfg.Outbox.AllowLocal)
}
