package mail_test

import (
	"context"
	"strings"
	"testing"

	"github.com/lucid-auth/lucid/internal/i18n"
	"github.com/lucid-auth/lucid/internal/mail"
	"github.com/lucid-auth/lucid/internal/outbox"
)

// TestEveryMessageInEveryLanguage renders each message in each language:
// no missing message, no value left out, the brand's name and not Lucid's,
// and the language's own words.
func TestEveryMessageInEveryLanguage(t *testing.T) {
	tpl, err := mail.NewTemplates("Acme ID")
	if err != nil {
		t.Fatal(err)
	}
	words := map[string]string{"en": "Hello Ada", "de": "Hallo Ada"}
	for _, tag := range tpl.Languages() {
		for _, name := range []string{mail.TemplateReset, mail.TemplateVerify, mail.TemplateSignupExists} {
			m, err := tpl.Render(name, "ada@example.com", mail.Data{Name: "Ada", Username: "ada", Email: "ada@example.com", Link: "https://id.example/x?t=1", Valid: "3 days", Lang: tag.String()})
			if err != nil {
				t.Fatalf("%s/%s: %v", tag, name, err)
			}
			all := m.Subject + "\n" + m.Text + "\n" + m.HTML
			for _, bad := range []string{"<no value>", "{{", "Lucid"} {
				if strings.Contains(all, bad) {
					t.Errorf("%s/%s contains %q:\n%s", tag, name, bad, all)
				}
			}
			if !strings.Contains(m.Subject, "Acme ID") || !strings.Contains(m.Text, words[tag.String()]) || !strings.Contains(m.HTML, `<html lang="`+tag.String()+`">`) {
				t.Errorf("%s/%s: subject %q, text %q", tag, name, m.Subject, m.Text)
			}
		}
	}
}

// TestMailerUsesTheRequestLanguage: a message queued by a request that
// prefers German is written in German.
func TestMailerUsesTheRequestLanguage(t *testing.T) {
	tpl, err := mail.NewTemplates("")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		pref i18n.Preference
		want string
	}{
		{i18n.Preference{}, "Reset your Lucid password"},
		{i18n.Preference{AcceptLanguage: "de-DE,de;q=0.9"}, "Ihr Lucid-Passwort zurücksetzen"},
		{i18n.Preference{UILocales: "en", AcceptLanguage: "de"}, "Reset your Lucid password"},
	} {
		ctx := i18n.WithPreference(context.Background(), tc.pref)
		if got := tpl.LanguageFor(ctx); got == "" {
			t.Fatal("no language")
		}
		m, err := tpl.Render(mail.TemplateReset, "a@example.com", mail.Data{Name: "A", Username: "a", Link: "https://x/", Valid: "30 minutes", Lang: tpl.LanguageFor(ctx)})
		if err != nil {
			t.Fatal(err)
		}
		if m.Subject != tc.want {
			t.Errorf("%+v: subject %q, want %q", tc.pref, m.Subject, tc.want)
		}
	}
	// Mailer.Send takes the language from ctx.
	k := keys(t)
	var items []outbox.Message
	mailer := &mail.Mailer{Templates: tpl, Secrets: k, Enqueue: func(_ context.Context, msgs ...outbox.Message) error { items = append(items, msgs...); return nil }}
	ctx := i18n.WithPreference(context.Background(), i18n.Preference{UILocales: "de"})
	if err := mailer.Send(ctx, mail.TemplateReset, "a@example.com", mail.Data{Name: "A", Username: "a", Link: "https://x/", Valid: "30 minutes"}); err != nil || len(items) != 1 {
		t.Fatalf("send: %v, %d items", err, len(items))
	}
}
