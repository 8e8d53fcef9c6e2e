package server

import (
	"errors"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"

	"github.com/lucid-auth/lucid/internal/clientauth"
	"github.com/lucid-auth/lucid/internal/config"
)

// outboundClient is the HTTP client of CIBA pings: a URL a client
// registered, so guarded as key set fetches are (clientauth): every
// address judged when the connection is made, no proxy from the
// environment, capped time, and no redirect followed (a registered
// notification endpoint is the endpoint itself). outbox.allow_local
// (development) allows local addresses; outbox.timeout bounds an attempt.
//
// It follows clientauth's fetch client; the outbox's shared delivery
// client (clientauth.NewOutboundClient, on the logout branch) replaces it
// once that lands.
func outboundClient(cfg *config.Config) *http.Client {
	timeout := cfg.Outbox.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	dialer := &net.Dialer{Timeout: timeout}
	if !cfg.Outbox.AllowLocal {
		dialer.Control = func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil || clientauth.LocalAddress(ap.Addr()) {
				return errors.Join(errors.New("refused to connect to "+address), clientauth.ErrLocalAddress)
			}
			return nil
		}
	}
	return &http.Client{
		Transport: &http.Transport{
			Proxy:                  nil,
			DialContext:            dialer.DialContext,
			TLSHandshakeTimeout:    timeout,
			ResponseHeaderTimeout:  timeout,
			MaxResponseHeaderBytes: 16 << 10,
			MaxIdleConns:           16,
			IdleConnTimeout:        90 * time.Second,
			ForceAttemptHTTP2:      true,
		},
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
