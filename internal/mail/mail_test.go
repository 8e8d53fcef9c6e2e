package mail_test

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/mail"
	"github.com/lucid-auth/lucid/internal/mail/mailtest"
	"github.com/lucid-auth/lucid/internal/outbox"
	"github.com/lucid-auth/lucid/internal/secret"
)

func keys(t *testing.T) *secret.Keys {
	master := make([]byte, 32)
	_, _ = rand.Read(master)
	k, err := secret.Derive(master)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// deliver renders a reset message, seals it as Mailer does and hands the
// item to a Deliverer for the relay.
func deliver(t *testing.T, cfg config.Mail, to string) error {
	t.Helper()
	k := keys(t)
	tpl, err := mail.NewTemplates("Example ID")
	if err != nil {
		t.Fatal(err)
	}
	var item outbox.Message
	m := &mail.Mailer{Templates: tpl, Secrets: k, Enqueue: func(_ context.Context, msgs ...outbox.Message) error {
		item = msgs[0]
		return nil
	}}
	data := mail.Data{Username: "alice", Link: "https://id.example/reset?token=abc", Valid: mail.Duration(30 * time.Minute)}
	if err := m.Send(context.Background(), mail.TemplateReset, to, data); err != nil {
		t.Fatal(err)
	}
	if item.Kind != mail.Kind || item.Target != to || strings.Contains(string(item.Payload), "token=abc") {
		t.Fatalf("enqueued %q to %q; the payload must be sealed: %q", item.Kind, item.Target, item.Payload)
	}
	relay, err := mail.NewRelay(cfg, "id.example")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d := &mail.Deliverer{Relay: relay, Secrets: k}
	return d.Deliver(ctx, outbox.Item{ID: "i1", Kind: item.Kind, Target: item.Target, Payload: item.Payload, Attempt: 1})
}

func TestDeliver(t *testing.T) {
	for _, tc := range []struct {
		name     string
		opts     mailtest.Options
		security string
		user     string
		badCA    bool
		refuse   int
		want     catalog.Name // "" delivered
		dead     bool
	}{
		{name: "plain loopback", security: config.MailNone},
		{name: "plain with auth", opts: mailtest.Options{Username: "lucid", Password: "pw"}, security: config.MailNone, user: "lucid"},
		{name: "starttls with auth", opts: mailtest.Options{Security: mailtest.StartTLS, Username: "lucid", Password: "pw"}, security: config.MailStartTLS, user: "lucid"},
		{name: "implicit tls", opts: mailtest.Options{Security: mailtest.TLS}, security: config.MailTLS},
		{name: "starttls refused by a plain server", security: config.MailStartTLS, want: catalog.MailDeliveryFailed},
		{name: "untrusted certificate", opts: mailtest.Options{Security: mailtest.StartTLS}, security: config.MailStartTLS, badCA: true, want: catalog.MailDeliveryFailed},
		{name: "auth required", opts: mailtest.Options{Username: "lucid", Password: "pw"}, security: config.MailNone, want: catalog.MailRejected, dead: true},
		{name: "recipient refused", security: config.MailNone, refuse: 550, want: catalog.MailRejected, dead: true},
		{name: "recipient deferred", security: config.MailNone, refuse: 451, want: catalog.MailDeliveryFailed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := mailtest.Start(t, tc.opts)
			to := "alice@example.com"
			if tc.refuse != 0 {
				srv.Refuse(to, tc.refuse)
			}
			cfg := config.Mail{Host: srv.Host, Port: srv.Port, Security: tc.security, From: "Example ID <id@example.com>", CAFile: srv.CAFile}
			if tc.user != "" {
				cfg.Username, cfg.Password = tc.user, "pw"
			}
			if tc.badCA {
				cfg.CAFile = ""
			}
			err := deliver(t, cfg, to)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				got := srv.Wait(t, to, 1, time.Second)
				if got.From != "id@example.com" || got.Header("Subject") != "Reset your Example ID password" || got.Header("Auto-Submitted") != "auto-generated" {
					t.Fatalf("from %q subject %q", got.From, got.Header("Subject"))
				}
				link, err := got.Link("https://id.example/reset")
				if err != nil || link != "https://id.example/reset?token=abc" {
					t.Fatalf("link %q: %v", link, err)
				}
				html, err := got.Part("text/html")
				if err != nil || !strings.Contains(html, `href="https://id.example/reset?token=abc"`) {
					t.Fatalf("html part: %v %.300s", err, html)
				}
				return
			}
			var ce *catalog.Error
			if !errors.As(err, &ce) || ce.Name() != tc.want || outbox.IsPermanent(err) != tc.dead {
				t.Fatalf("got %v (permanent %v), want %s (permanent %v)", err, outbox.IsPermanent(err), tc.want, tc.dead)
			}
			if len(srv.Messages()) != 0 {
				t.Fatal("a refused message was recorded")
			}
		})
	}
}

func TestRenderEscapes(t *testing.T) {
	tpl, err := mail.NewTemplates("Example")
	if err != nil {
		t.Fatal(err)
	}
	m, err := tpl.Render(mail.TemplateVerify, "a@example.com", mail.Data{Name: "<b>Eve</b>\r\nBcc: x@evil", Username: "eve", Email: "a@example.com", Link: "https://id.example/verify-email?token=x&y=1", Valid: "3 days"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.HTML, "<b>Eve</b>") || !strings.Contains(m.HTML, "token=x&amp;y=1") || strings.ContainsAny(m.Subject, "\r\n") {
		t.Fatalf("not escaped: %s / %q", m.HTML, m.Subject)
	}
	if !strings.Contains(m.Text, "https://id.example/verify-email?token=x&y=1") {
		t.Fatalf("text part: %s", m.Text)
	}
}

func TestDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{30 * time.Minute: "30 minutes", time.Hour: "1 hour", 72 * time.Hour: "3 days", 90 * time.Second: "2 minutes"} {
		if got := mail.Duration(d); got != want {
			t.Errorf("%s: %q, want %q", d, got, want)
		}
	}
}
