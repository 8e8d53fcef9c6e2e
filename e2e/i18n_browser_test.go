package e2e

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"golang.org/x/oauth2"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/mail/mailtest"
	"github.com/lucid-auth/lucid/internal/manage"
)

func acmeBrand(c *config.Config) {
	c.Branding = config.Branding{ProductName: "Acme ID", PrimaryColor: "#0a7d5a", SupportEmail: "help@acme.example"}
}

// TestBrowserSignInInGerman: an application asks for German with
// ui_locales; the sign-in page, its error, and the consent page after it
// (the request's stored ui_locales) are German, under the operator's brand
// and never Lucid's name, although the browser itself prefers English.
func TestBrowserSignInInGerman(t *testing.T) {
	ctx := chrome(t)
	l := start(t, atLocalhost, acmeBrand)
	l.user(t, demoUser)
	cb := newCallback(t)
	c, sec := l.client(t, manage.ClientSpec{Name: "Notes", RedirectURIs: []string{cb.url()}})
	cfg := l.oauthConfig(c, sec)
	authURL := cfg.AuthCodeURL("st", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()), oauth2.SetAuthURLParam("ui_locales", "de"))

	var title, signIn, failed, consent string
	var lang, consentLang chromedp.AttributeResult
	err := chromedp.Do(ctx,
		chromedp.Navigate(authURL),
		chromedp.WaitVisible(chromedp.CSS("#username")),
		into(&lang, chromedp.AttributeValue(chromedp.CSS("html"), "lang")),
		into(&title, chromedp.Title()),
		into(&signIn, chromedp.Text(chromedp.CSS("body"))),
		shot(t, "i18n-01-sign-in-de"),
		chromedp.SendKeys(chromedp.CSS("#username"), demoUser),
		chromedp.SendKeys(chromedp.CSS("#password"), "not the password"),
		chromedp.Click(chromedp.CSS("#sign-in")),
		chromedp.WaitVisible(chromedp.CSS("#sign-in-error")),
		into(&failed, chromedp.Text(chromedp.CSS("#sign-in-error"))),
		chromedp.SendKeys(chromedp.CSS("#password"), demoPassword),
		chromedp.Click(chromedp.CSS("#sign-in")),
		chromedp.WaitVisible(chromedp.CSS("#allow")),
		into(&consentLang, chromedp.AttributeValue(chromedp.CSS("html"), "lang")),
		into(&consent, chromedp.Text(chromedp.CSS("body"))),
		shot(t, "i18n-02-consent-de"),
		chromedp.Click(chromedp.CSS("#allow")),
		chromedp.WaitVisible(chromedp.CSS("#back")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if lang.Value != "de" || consentLang.Value != "de" {
		t.Errorf("html lang = %q, then %q; want de on both pages", lang.Value, consentLang.Value)
	}
	if title != "Bei Notes anmelden · Acme ID" {
		t.Errorf("title = %q", title)
	}
	for _, w := range []string{"Anmelden", "Benutzername", "Passwort", "um mit Notes fortzufahren", "Acme ID", "help@acme.example"} {
		if !strings.Contains(signIn, w) {
			t.Errorf("sign-in page lacks %q:\n%s", w, signIn)
		}
	}
	if failed != "Benutzername oder Passwort ist nicht richtig." {
		t.Errorf("sign-in error = %q; the catalog's person-facing text in German", failed)
	}
	for _, w := range []string{"Notes möchte Ihr Acme ID-Konto verwenden", "Ihr Profil sehen", "Erlauben", "Ablehnen"} {
		if !strings.Contains(consent, w) {
			t.Errorf("consent page lacks %q:\n%s", w, consent)
		}
	}
	for name, text := range map[string]string{"sign-in": signIn, "consent": consent} {
		if strings.Contains(text, "Lucid") {
			t.Errorf("%s page shows Lucid although the product is Acme ID:\n%s", name, text)
		}
	}
	if q := cb.query(); q.Get("code") == "" {
		t.Errorf("no code at the client: %v", q)
	}
}

// TestDiscoveryListsUILocales: ui_locales_supported names the shipped
// languages, English first.
func TestDiscoveryListsUILocales(t *testing.T) {
	l := start(t)
	resp, err := http.Get(l.URL + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		UILocales []string `json:"ui_locales_supported"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.UILocales) < 2 || doc.UILocales[0] != "en" || !slices.Contains(doc.UILocales, "de") {
		t.Errorf("ui_locales_supported = %v", doc.UILocales)
	}
}

// TestBrowserPasswordResetInGerman: the language an application asked for
// carries from the sign-in page to "forgot your password?", its answer and
// the mail it queues, though the browser prefers English.
func TestBrowserPasswordResetInGerman(t *testing.T) {
	ctx := chrome(t)
	ms := mailtest.Start(t, mailtest.Options{})
	l := start(t, fastOutbox, withMail(ms))
	l.user(t, demoUser)
	app := clientApp(t)
	c, sec := l.client(t, manage.ClientSpec{Name: "Notes", RedirectURIs: []string{app.URL + "/cb"}})
	authURL := l.oauthConfig(c, sec).AuthCodeURL("st", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()), oauth2.SetAuthURLParam("ui_locales", "de"))
	var forgot, sent string
	err := chromedp.Do(ctx,
		chromedp.Navigate(authURL),
		chromedp.WaitVisible(chromedp.CSS("#forgot-password")),
		chromedp.Click(chromedp.CSS("#forgot-password")),
		chromedp.WaitVisible(chromedp.CSS("#identifier")),
		into(&forgot, chromedp.Text(chromedp.CSS("main"))),
		chromedp.SendKeys(chromedp.CSS("#identifier"), "alice@example.com"),
		chromedp.Click(chromedp.CSS("#send-link")),
		chromedp.WaitVisible(chromedp.CSS("#recovery-sent")),
		into(&sent, chromedp.Text(chromedp.CSS("main"))),
		shot(t, "i18n-03-reset-sent-de"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(forgot, "Passwort vergessen?") || !strings.Contains(sent, "30 Minuten lang") {
		t.Errorf("recovery pages not in German:\n%s\n%s", forgot, sent)
	}
	m := ms.Wait(t, "alice@example.com", 1, 10*time.Second)
	if subj := m.Header("Subject"); subj != "Ihr Example ID-Passwort zurücksetzen" {
		t.Errorf("subject %q; want the German one", subj)
	}
}
