package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestAccountPageInGerman: a browser that prefers German (Accept-Language
// only, no ui_locales) signs in to /account on German pages, sees the
// account page in German, and a refusal there in German; the same page
// without the header stays English.
func TestAccountPageInGerman(t *testing.T) {
	l := start(t)
	l.user(t, demoUser)
	b := l.browser(t)
	de := func(method, path string, form url.Values) *page {
		t.Helper()
		var body *strings.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		} else {
			body = strings.NewReader("")
		}
		req, err := http.NewRequest(method, l.URL+path, body)
		if err != nil {
			t.Fatal(err)
		}
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		req.Header.Set("Accept-Language", "de-DE,de;q=0.9,en;q=0.5")
		return b.do(req)
	}

	// The sign-in the page starts is German and names the account's
	// built-in client in German.
	sp := de(http.MethodGet, "/account", nil)
	if !sp.isSignIn() || !strings.Contains(sp.body, `<html lang="de">`) || !strings.Contains(sp.body, "<title>Bei Mein Konto anmelden ·") || strings.Contains(sp.body, "your account") {
		t.Fatalf("German sign-in for /account: %d %.800s", sp.status, sp.body)
	}
	f := sp.fields()
	p := de(http.MethodPost, "/login", url.Values{"csrf": {f.Get("csrf")}, "interaction": {f.Get("interaction")}, "username": {demoUser}, "password": {demoPassword}})
	if !p.isAccount() {
		t.Fatalf("not the account page after signing in: %d %.600s", p.status, p.body)
	}
	for _, want := range []string{`<html lang="de">`, "<title>Ihr Konto ·", "<h1>Ihr Konto</h1>", `Angemeldet als <strong id="account-username">alice</strong>.`,
		"Bestätigung in zwei Schritten", "Wo Sie angemeldet sind", ">Speichern</button>", "In diesem Browser abmelden"} {
		if !strings.Contains(p.body, want) {
			t.Errorf("German account page lacks %q", want)
		}
	}
	for _, english := range []string{"Your account", "Two-step verification", "Sign out of this browser", "Recent sign-ins"} {
		if strings.Contains(p.body, english) {
			t.Errorf("German account page says %q", english)
		}
	}

	// A refused change says its catalog entry in German.
	form := url.Values{"csrf": {p.fields().Get("csrf")}, "current": {"not the password"}, "password": {"a new long passphrase"}, "confirm": {"a new long passphrase"}}
	refused := de(http.MethodPost, "/account/password", form)
	if msg := wantAccountError(t, l, refused, "account_current_password_wrong", http.StatusBadRequest); !strings.HasPrefix(msg, "Das eingegebene aktuelle Passwort") {
		t.Errorf("the refusal is not in German: %q", msg)
	}

	// The same session without a language preference gets English.
	if en := b.get(l.URL + "/account"); !en.isAccount() || !strings.Contains(en.body, `<html lang="en">`) || !strings.Contains(en.body, "<h1>Your account</h1>") {
		t.Errorf("English account page: %d %.400s", en.status, en.body)
	}
}
