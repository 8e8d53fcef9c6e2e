package server

import (
	"net/netip"
	"net/url"
	"time"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/mail"
	"github.com/lucid-auth/lucid/internal/outbox"
	"github.com/lucid-auth/lucid/internal/recovery"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
)

// newMail builds outgoing mail from mail.* settings: the relay, its
// outbox handler on ob, and the links that reset and verification send.
// Without mail.host it returns nil: no mail, no reset, no sign-up.
func newMail(cfg *config.Config, st store.Store, sk *secret.Keys, ob *outbox.Outbox, issuer string, now func() time.Time) (*recovery.Links, error) {
	if !cfg.Mail.Enabled() {
		return nil, nil
	}
	helo := "localhost"
	if u, err := url.Parse(issuer); err == nil && u.Hostname() != "" {
		helo = u.Hostname()
		if ip, err := netip.ParseAddr(helo); err == nil {
			helo = "[" + ip.String() + "]" // RFC 5321 §4.1.3 address literal
		}
	}
	relay, err := mail.NewRelay(cfg.Mail, helo)
	if err != nil {
		return nil, err
	}
	tpl, err := mail.NewTemplates(cfg.Product())
	if err != nil {
		return nil, err
	}
	ob.Register(mail.Kind, (&mail.Deliverer{Relay: relay, Secrets: sk, Now: now}).Deliver)
	return &recovery.Links{
		Issuer:    issuer,
		Store:     st,
		Mailer:    &mail.Mailer{Templates: tpl, Secrets: sk, Enqueue: ob.Enqueue},
		Lifetimes: cfg.Lifetimes,
		Now:       now,
	}, nil
}
