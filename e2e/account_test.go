package e2e

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/mail/mailtest"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/store"
)

var (
	accountNotice = regexp.MustCompile(`id="account-notice" data-done="([a-z_]+)"`)
	sessionRow    = regexp.MustCompile(`<tr( class="current-session")? data-session="([^"]+)"`)
)

func (p *page) isAccount() bool { return strings.Contains(p.body, `id="account-username"`) }

// accountPost posts one of the account page's forms with the page's CSRF
// token.
func (b *browser) accountPost(p *page, path string, form url.Values) *page {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", p.fields().Get("csrf"))
	return b.post(b.l.URL+path, form)
}

// openAccount signs b in through /account (the sign-in page, and back).
func (b *browser) openAccount(username, pw string) *page {
	b.t.Helper()
	p := b.get(b.l.URL + "/account")
	if !p.isAccount() {
		p = b.signIn(p, username, pw)
	}
	if !p.isAccount() {
		b.t.Fatalf("not the account page after signing in: %d %.600s", p.status, p.body)
	}
	return p
}

// wantDone asserts a change answered with the page and its notice.
func wantDone(t *testing.T, p *page, done string) {
	t.Helper()
	m := accountNotice.FindStringSubmatch(p.body)
	if p.status != http.StatusOK || !p.isAccount() || m == nil || m[1] != done {
		t.Fatalf("want the account page saying %s, got %d %v: %.600s", done, p.status, m, p.body)
	}
}

// wantAccountError asserts a change refused on the account page
// (wantFormError).
func wantAccountError(t *testing.T, l *lucid, p *page, name string, status int) string {
	t.Helper()
	return wantFormError(t, l, p, "account", name, status)
}

// TestAccountPage drives /account over HTTP: the sign-in and back, the
// profile (a new address unverified, its link mailed), the sessions (one
// signed out, with its refresh token left), an application withdrawn
// (its refresh token refused), passkey and session forms naming what is
// not the person's, an authenticator app set up and refused twice, and
// the password changed after re-authentication, ending the other
// sessions. Every refusal is a catalogued entry with a kept story.
func TestAccountPage(t *testing.T) {
	ms := mailtest.Start(t, mailtest.Options{})
	l := start(t, withMail(ms))
	alice := l.user(t, demoUser)
	ctx := context.Background()
	c, sec := l.client(t, manage.ClientSpec{Name: "Notes", GrantTypes: []string{"authorization_code", "refresh_token"}})
	cfg := l.oauthConfig(c, sec)

	// Without a session, /account sends the browser through sign-in;
	// cancelling it ends on the catalogued page.
	nb := l.browser(t)
	sp := nb.get(l.URL + "/account")
	if !sp.isSignIn() {
		t.Fatalf("/account without a session: %d %.300s", sp.status, sp.body)
	}
	f := sp.fields()
	cancelled := nb.post(l.URL+"/login", url.Values{"csrf": {f.Get("csrf")}, "interaction": {f.Get("interaction")}, "cancel": {"1"}})
	if cancelled.status != http.StatusBadRequest || !strings.Contains(cancelled.body, `id="error-name">account_sign_in_incomplete<`) {
		t.Fatalf("cancelled account sign-in: %d %.600s", cancelled.status, cancelled.body)
	}
	triggered.add("account_sign_in_incomplete")

	// Another browser holds a session and a refresh token of Notes.
	tok := signInWith(t, l, cfg, demoUser, demoPassword)
	b := l.browser(t)
	if p := b.signIn(b.get(l.URL+"/account"), demoUser, "not the password"); !p.isSignIn() {
		t.Fatalf("a wrong password: %d", p.status)
	}
	p := b.openAccount(demoUser, demoPassword)
	// Recent sign-ins: the two that worked and the one that failed,
	// newest first, with the network and the methods.
	if ok, failed := strings.Count(p.body, `class="sign-in-ok"`), strings.Count(p.body, `class="sign-in-failed"`); ok != 2 || failed != 1 ||
		!strings.Contains(p.body, "<code>sign_in_failed</code>") || !strings.Contains(p.body, "<td>127.0.0.1</td>") ||
		strings.Index(p.body, `class="sign-in-ok"`) > strings.Index(p.body, `class="sign-in-failed"`) {
		t.Fatalf("recent sign-ins: %d ok, %d failed: %.3000s", ok, failed, p.body[strings.Index(p.body, `id="activity"`):])
	}
	if !strings.Contains(p.body, `data-client="`+c.ID+`"`) || len(sessionRow.FindAllStringSubmatch(p.body, -1)) != 2 {
		t.Fatalf("the page lists neither Notes nor both sessions: %.2000s", p.body)
	}
	if !strings.Contains(p.header.Get("Content-Security-Policy"), "form-action 'self'") || strings.Contains(p.body, "<script>") {
		t.Fatalf("account page CSP %q", p.header.Get("Content-Security-Policy"))
	}

	// A form without the page's CSRF token changes nothing.
	if bad := b.post(l.URL+"/account/profile", url.Values{"name": {"Mallory"}, "csrf": {"forged"}}); bad.status != http.StatusForbidden && bad.status != http.StatusBadRequest {
		t.Fatalf("forged profile post: %d", bad.status)
	}

	// Profile: a bad address is refused; a new one is unverified and
	// its link is mailed.
	wantAccountError(t, l, b.accountPost(p, "/account/profile", url.Values{"name": {"Alice"}, "email": {"not an address"}}), "account_profile_invalid", http.StatusBadRequest)
	p = b.accountPost(p, "/account/profile", url.Values{"name": {"Alice P. Liddell"}, "email": {"alice.new@example.com"}})
	wantDone(t, p, "email")
	if u, _ := l.Store.GetUser(ctx, alice.ID); u.Email != "alice.new@example.com" || u.EmailVerified || u.Name != "Alice P. Liddell" {
		t.Fatalf("after the profile change: %+v", u)
	}
	if link := linkIn(t, l, ms, "alice.new@example.com", 1, "/verify-email"); link == "" {
		t.Fatal("no verification link")
	}

	// Sessions: the other one signed out (through manage.EndSession, as
	// an operator's), then again: gone.
	var other string
	for _, m := range sessionRow.FindAllStringSubmatch(p.body, -1) {
		if m[1] == "" {
			other = m[2]
		}
	}
	p = b.accountPost(p, "/account/sessions/end", url.Values{"session": {other}})
	wantDone(t, p, "session")
	if s, _ := l.Store.ListSessionsFor(ctx, alice.ID); len(s) != 1 {
		t.Fatalf("sessions after signing one out: %d", len(s))
	}
	wantAccountError(t, l, b.accountPost(p, "/account/sessions/end", url.Values{"session": {other}}), "account_session_unknown", http.StatusNotFound)

	// Applications: withdrawing Notes ends its refresh token.
	p = b.accountPost(p, "/account/applications/withdraw", url.Values{"client": {c.ID}})
	wantDone(t, p, "withdrawn")
	if strings.Contains(p.body, `data-client="`+c.ID+`"`) {
		t.Fatal("Notes is still listed")
	}
	expired := &oauth2.Token{RefreshToken: tok.RefreshToken, Expiry: time.Now().Add(-time.Hour)}
	if _, err := cfg.TokenSource(ctx, expired).Token(); err == nil {
		t.Fatal("the withdrawn application's refresh token still works")
	} else {
		wantOAuthError(t, err, "refresh_consent_withdrawn", "invalid_grant", http.StatusBadRequest)
	}
	wantAccountError(t, l, b.accountPost(p, "/account/applications/withdraw", url.Values{"client": {c.ID}}), "account_application_unknown", http.StatusNotFound)

	// Passkeys and identities the person does not have.
	wantAccountError(t, l, b.accountPost(p, "/account/passkeys/rename", url.Values{"id": {"nope"}, "name": {"Work"}}), "account_passkey_unknown", http.StatusNotFound)
	wantAccountError(t, l, b.accountPost(p, "/account/passkeys/rename", url.Values{"id": {"nope"}, "name": {"line\nbreak"}}), "account_passkey_name_invalid", http.StatusBadRequest)
	wantAccountError(t, l, b.accountPost(p, "/account/passkeys/remove", url.Values{"id": {"nope"}}), "account_passkey_unknown", http.StatusNotFound)
	wantAccountError(t, l, b.accountPost(p, "/account/identities/unlink", url.Values{"upstream": {"corp"}, "subject": {"x"}}), "account_identity_unknown", http.StatusNotFound)

	// Password: re-authentication first, then the confirmation, the
	// policy; a change ends the other sessions and keeps this one.
	wantAccountError(t, l, b.accountPost(p, "/account/password", url.Values{"current": {"wrong password"}, "password": {"a fresh long passphrase"}, "confirm": {"a fresh long passphrase"}}), "account_current_password_wrong", http.StatusBadRequest)
	wantAccountError(t, l, b.accountPost(p, "/account/password", url.Values{"current": {demoPassword}, "password": {"a fresh long passphrase"}, "confirm": {"another"}}), "account_password_confirmation_mismatch", http.StatusBadRequest)
	short := b.accountPost(p, "/account/password", url.Values{"current": {demoPassword}, "password": {"short"}, "confirm": {"short"}})
	if short.status != http.StatusBadRequest || !strings.Contains(short.body, `data-error-name="password_too_short"`) {
		t.Fatalf("short password: %d %.400s", short.status, short.body)
	}
	third := l.browser(t)
	third.openAccount(demoUser, demoPassword)
	p = b.accountPost(p, "/account/password", url.Values{"current": {demoPassword}, "password": {"a fresh long passphrase"}, "confirm": {"a fresh long passphrase"}})
	wantDone(t, p, "password")
	if s, _ := l.Store.ListSessionsFor(ctx, alice.ID); len(s) != 1 {
		t.Fatalf("sessions after the password change: %d, want this one", len(s))
	}
	if again := third.get(l.URL + "/account"); !again.isSignIn() {
		t.Fatalf("the other browser is still signed in: %d", again.status)
	}
	l.browser(t).openAccount(demoUser, "a fresh long passphrase")
	// An authenticator app: a tampered setup, a wrong code, the right
	// one (recovery codes shown once), and a second setup refused.
	setup := b.get(l.URL + "/account/totp")
	m := totpSecretRE.FindStringSubmatch(setup.body)
	if setup.status != http.StatusOK || m == nil {
		t.Fatalf("totp setup page: %d %.600s", setup.status, setup.body)
	}
	secret := strings.ReplaceAll(m[1], " ", "")
	sf := setup.fields()
	tampered := b.post(l.URL+"/account/totp", url.Values{"csrf": {sf.Get("csrf")}, "pending": {sf.Get("pending") + "A"}, "code": {totpCode(t, l, secret)}})
	wantAccountError(t, l, tampered, "account_totp_setup_expired", http.StatusBadRequest)
	wrong := b.post(l.URL+"/account/totp", url.Values{"csrf": {sf.Get("csrf")}, "pending": {sf.Get("pending")}, "code": {"000000"}})
	if wrong.status != http.StatusUnauthorized || !strings.Contains(wrong.body, `data-error-name="second_factor_code_wrong"`) {
		t.Fatalf("wrong code: %d %.400s", wrong.status, wrong.body)
	}
	codes := b.post(l.URL+"/account/totp", url.Values{"csrf": {sf.Get("csrf")}, "pending": {sf.Get("pending")}, "code": {totpCode(t, l, secret)}})
	if codes.status != http.StatusOK || strings.Count(codes.body, "<li><code>") != 10 {
		t.Fatalf("recovery codes after the setup: %d %.600s", codes.status, codes.body)
	}
	if _, err := l.Store.GetTOTP(ctx, alice.ID); err != nil {
		t.Fatalf("no authenticator app stored: %v", err)
	}
	wantAccountError(t, l, b.get(l.URL+"/account/totp"), "account_totp_exists", http.StatusConflict)

}

// TestAccountGuards: under authn.second_factor required, the account
// page's own sign-in sets up a factor, and its last one cannot be
// removed; an account without a password of its own (an upstream's
// just-in-time account) sets one only soon after signing in, and keeps
// its last link.
func TestAccountGuards(t *testing.T) {
	l := start(t, func(c *config.Config) { c.Authn.SecondFactor = config.SecondFactorRequired })
	alice := l.user(t, demoUser)
	ctx := context.Background()

	b := l.browser(t)
	p := b.signIn(b.get(l.URL+"/account"), demoUser, demoPassword)
	m := totpSecretRE.FindStringSubmatch(p.body)
	if !p.isSetup() || m == nil {
		t.Fatalf("want the setup page: %d %.400s", p.status, p.body)
	}
	p = b.postFactor(p, "/login/setup", "totp", totpCode(t, l, strings.ReplaceAll(m[1], " ", "")))
	p = b.postFactor(p, "/login/setup", "continue", "")
	if !p.isAccount() {
		t.Fatalf("not back at the account page: %d %.400s", p.status, p.body)
	}
	wantAccountError(t, l, b.accountPost(p, "/account/totp/remove", nil), "account_last_second_factor", http.StatusConflict)
	if _, err := l.Store.GetTOTP(ctx, alice.ID); err != nil {
		t.Fatalf("the last factor went: %v", err)
	}

	// A just-in-time account: no password of its own, one link.
	if _, err := l.Store.UpdateUser(ctx, alice.ID, func(u *store.User) error { u.PasswordUnset = true; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := l.Store.LinkIdentity(ctx, &store.IdentityLink{UpstreamID: "corp", Issuer: "https://corp.example.com", Subject: "a-1", UserID: alice.ID, CreatedAt: l.Clock.Now()}); err != nil {
		t.Fatal(err)
	}
	p = b.get(l.URL + "/account")
	if !strings.Contains(p.body, `id="password-unset"`) || strings.Contains(p.body, `name="current"`) {
		t.Fatalf("the page asks for a password the account does not have: %.600s", p.body)
	}
	wantAccountError(t, l, b.accountPost(p, "/account/identities/unlink", url.Values{"upstream": {"corp"}, "subject": {"a-1"}}), "account_identity_last_sign_in", http.StatusConflict)
	l.Clock.Advance(11 * time.Minute)
	wantAccountError(t, l, b.accountPost(p, "/account/password", url.Values{"password": {"a fresh long passphrase"}, "confirm": {"a fresh long passphrase"}}), "account_reauthentication_required", http.StatusForbidden)
	if u, _ := l.Store.GetUser(ctx, alice.ID); !u.PasswordUnset {
		t.Fatal("the password was set")
	}
}

// TestAccountUpstream: a person whose account an upstream sign-in made
// (just in time, no password of its own) opens /account through the
// upstream's button; the page lists the link and asks for no current
// password; unlinking the only way in is refused until a password is set
// (soon after signing in), then allowed.
func TestAccountUpstream(t *testing.T) {
	up := newFakeUpstream(t, true)
	l := start(t, func(c *config.Config) {
		c.KeyFetch.AllowLocal = true
		c.Upstreams = []config.Upstream{{ID: "corp", Name: "Corp SSO", Type: "oidc", Issuer: up.URL(), ClientID: "lucid", ClientSecret: "s3cret", AllowLocal: true}}
	})
	up.set(func(f *fakeUpstream) {
		f.user = map[string]any{"sub": "ada-1", "email": "ada@corp.example", "email_verified": true, "name": "Ada", "preferred_username": "ada"}
	})
	ctx := context.Background()
	b := l.browser(t)
	p := b.viaUpstream(b.get(l.URL+"/account"), "corp", false)
	if !p.isAccount() || !strings.Contains(p.body, `id="password-unset"`) || strings.Contains(p.body, `name="current"`) || !strings.Contains(p.body, "Corp SSO") {
		t.Fatalf("the account page after the upstream sign-in: %d %.1500s", p.status, p.body)
	}
	u, err := l.Store.GetUserByUsername(ctx, "ada")
	if err != nil || !u.PasswordUnset {
		t.Fatalf("the just-in-time account is not marked: %+v %v", u, err)
	}
	unlink := url.Values{"upstream": {"corp"}, "subject": {"ada-1"}}
	wantAccountError(t, l, b.accountPost(p, "/account/identities/unlink", unlink), "account_identity_last_sign_in", http.StatusConflict)
	p = b.accountPost(p, "/account/password", url.Values{"password": {"a fresh long passphrase"}, "confirm": {"a fresh long passphrase"}})
	wantDone(t, p, "password")
	p = b.accountPost(p, "/account/identities/unlink", unlink)
	wantDone(t, p, "unlinked")
	if links, _ := l.Store.ListIdentityLinks(ctx, u.ID); len(links) != 0 {
		t.Fatalf("links after unlinking: %d", len(links))
	}
	if u, _ := l.Store.GetUser(ctx, u.ID); u.PasswordUnset {
		t.Fatal("still marked without a password")
	}
	l.browser(t).openAccount("ada", "a fresh long passphrase")
}
