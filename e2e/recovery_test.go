package e2e

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/mail/mailtest"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/store"
)

// Password reset, address verification and sign-up, with a real SMTP
// server on loopback (mailtest) receiving Lucid's mail: every link a test
// follows is read out of a message the server received.

// withMail points Lucid's mail at ms, in plain text on loopback.
func withMail(ms *mailtest.Server) func(*config.Config) {
	return func(c *config.Config) {
		c.Mail.Host, c.Mail.Port, c.Mail.Security = ms.Host, ms.Port, config.MailNone
		c.Mail.From = "Example Accounts <accounts@example.com>"
		c.Mail.ProductName = "Example ID"
	}
}

// clientApp is a client's redirect target on loopback: a page that shows
// the code, so that Chromium has somewhere to land.
func clientApp(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!doctype html><title>App</title><p id="client-callback">` + html.EscapeString(r.URL.Query().Get("code")) + `</p>`))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// linkIn waits for the n-th message to addr and returns its link that
// starts with the Lucid path.
func linkIn(t *testing.T, l *lucid, ms *mailtest.Server, addr string, n int, path string) string {
	t.Helper()
	m := ms.Wait(t, addr, n, 10*time.Second)
	link, err := m.Link(l.URL + path + "?token=")
	if err != nil {
		t.Fatal(err)
	}
	return link
}

// wantRecoveryError asserts a form answered again with a catalogued
// failure of the recovery pages (wantFormError). It returns the alert's text.
func wantRecoveryError(t *testing.T, l *lucid, p *page, name string, status int) string {
	t.Helper()
	return wantFormError(t, l, p, "recovery", name, status)
}

// wantFormError asserts a form of a page of Lucid's (the endpoint's
// alert and reference ids are "<endpoint>-error", "<endpoint>-reference")
// answered again with a catalogued failure: the status, the alert naming
// the entry, the reference that is the trace id of a story kept under the
// endpoint, the page's headers. It returns the alert's text.
func wantFormError(t *testing.T, l *lucid, p *page, endpoint, name string, status int) string {
	t.Helper()
	if p.location != nil || p.status != status {
		t.Fatalf("got %d (location %v), want the form with %d for %s: %.600s", p.status, p.location, status, name, p.body)
	}
	alertRE := regexp.MustCompile(`<div class="alert" role="alert" id="` + endpoint + `-error" data-error-name="([a-z_]+)">([^<]*)</div>`)
	refRE := regexp.MustCompile(`id="` + endpoint + `-reference">[^<]*<code id="trace-id" class="trace" data-error-name="([a-z_]+)">([0-9a-f]+)</code>`)
	alert := alertRE.FindStringSubmatch(p.body)
	if alert == nil || alert[1] != name {
		t.Fatalf("the alert does not name %s: %v %.600s", name, alert, p.body)
	}
	tid := p.header.Get("X-Trace-Id")
	ref := refRE.FindStringSubmatch(p.body)
	if tid == "" || ref == nil || ref[1] != name || ref[2] != tid {
		t.Fatalf("reference %v, want %s with the trace id %q", ref, name, tid)
	}
	if p.header.Get("Cache-Control") != "no-store" || !strings.Contains(p.header.Get("Content-Security-Policy"), "form-action 'self'") {
		t.Fatalf("headers: %v", p.header)
	}
	v := jsonCall(t, l, http.MethodGet, "/admin/failures/"+tid, l.cfg.AdminToken, "")
	var story struct {
		Failure struct{ Name, Endpoint string }
	}
	if v.status != http.StatusOK || json.Unmarshal(v.body, &story) != nil || story.Failure.Name != name || story.Failure.Endpoint != endpoint {
		t.Fatalf("the reference %s does not lead to a %s story: %d %.300s", tid, name, v.status, v.body)
	}
	triggered.add(name)
	return strings.TrimSpace(html.UnescapeString(alert[2]))
}

// forgot asks for a reset link for identifier from b's /forgot form.
func (b *browser) forgot(identifier string) *page {
	b.t.Helper()
	f := b.get(b.l.URL + "/forgot").fields()
	return b.post(b.l.URL+"/forgot", url.Values{"csrf": {f.Get("csrf")}, "identifier": {identifier}})
}

// reset posts a new password to the form of a reset link.
func (b *browser) reset(link, pw, confirm string) *page {
	b.t.Helper()
	u, _ := url.Parse(link)
	return b.post(b.l.URL+"/reset", url.Values{"token": {u.Query().Get("token")}, "password": {pw}, "confirm": {confirm}})
}

// idClaims verifies an ID token with go-oidc and returns its claims.
func recoveryIDClaims(t *testing.T, l *lucid, c *store.Client, tok *oauth2.Token) map[string]any {
	t.Helper()
	raw, _ := tok.Extra("id_token").(string)
	idt, err := newProvider(t, l).Verifier(&oidc.Config{ClientID: c.ID}).Verify(context.Background(), raw)
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

const newPassword = "seven blue herons at dusk"

// TestBrowserPasswordReset: in Chromium, a person who forgot the
// password follows "Forgot your password?" from the sign-in page, gets
// the link by e-mail, sets a new password and signs in with it; the
// refresh token from before the reset is refused, and the client of the
// old session heard of its end by back-channel logout.
func TestBrowserPasswordReset(t *testing.T) {
	ctx := chrome(t)
	ms := mailtest.Start(t, mailtest.Options{})
	l := start(t, fastOutbox, withMail(ms))
	alice := l.user(t, demoUser)
	rc := newLogoutReceiver(t)
	app := clientApp(t)
	c, sec := l.client(t, manage.ClientSpec{Name: "Notes", RedirectURIs: []string{app.URL + "/cb"}, SkipConsent: true,
		Logout: store.LogoutChannels{BackchannelURI: rc.url("/bcl")}})
	cfg := l.oauthConfig(c, sec)
	before, _ := login(t, l, l.browser(t), cfg)
	if before.RefreshToken == "" {
		t.Fatal("no refresh token before the reset")
	}

	verifier := oauth2.GenerateVerifier()
	authURL := cfg.AuthCodeURL("st-reset", oauth2.S256ChallengeOption(verifier))
	var sentText string
	err := chromedp.Do(ctx,
		chromedp.Navigate(authURL),
		chromedp.WaitVisible(chromedp.CSS("#forgot-password")),
		shot(t, "reset-01-sign-in"),
		chromedp.Click(chromedp.CSS("#forgot-password")),
		chromedp.WaitVisible(chromedp.CSS("#identifier")),
		chromedp.SendKeys(chromedp.CSS("#identifier"), "alice@example.com"),
		shot(t, "reset-02-forgot"),
		chromedp.Click(chromedp.CSS("#send-link")),
		chromedp.WaitVisible(chromedp.CSS("#recovery-sent")),
		into(&sentText, chromedp.Text(chromedp.CSS("main"))),
		shot(t, "reset-03-sent"),
	)
	if err != nil {
		t.Fatalf("asking for the link: %v", err)
	}
	if !strings.Contains(sentText, "30 minutes") {
		t.Errorf("the sent page does not say how long the link works: %q", sentText)
	}
	m := ms.Wait(t, "alice@example.com", 1, 10*time.Second)
	if subj := m.Header("Subject"); subj != "Reset your Example ID password" || m.From != "accounts@example.com" {
		t.Fatalf("message from %q, subject %q", m.From, subj)
	}
	link, err := m.Link(l.URL + "/reset?token=")
	if err != nil {
		t.Fatal(err)
	}
	var landed string
	err = chromedp.Do(ctx,
		chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.CSS("#new-password")),
		shot(t, "reset-04-choose"),
		chromedp.SendKeys(chromedp.CSS("#new-password"), newPassword),
		chromedp.SendKeys(chromedp.CSS("#confirm-password"), newPassword),
		chromedp.Click(chromedp.CSS("#set-password")),
		chromedp.WaitVisible(chromedp.CSS("#reset-done")),
		shot(t, "reset-05-done"),
		chromedp.Navigate(authURL),
		chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), demoUser),
		chromedp.SendKeys(chromedp.CSS("#password"), newPassword),
		chromedp.Click(chromedp.CSS("#sign-in")),
		chromedp.WaitVisible(chromedp.CSS("#client-callback")),
		into(&landed, chromedp.Location()),
	)
	if err != nil {
		t.Fatalf("resetting and signing in: %v", err)
	}
	back, _ := url.Parse(landed)
	tok, err := cfg.Exchange(context.Background(), codeFrom(t, back, "st-reset"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange after the reset: %v", err)
	}
	if sub := recoveryIDClaims(t, l, c, tok)["sub"]; sub != alice.ID {
		t.Fatalf("signed in as %v", sub)
	}

	// Everything from before the reset has ended.
	r := postToken(t, l, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {before.RefreshToken}}, basicAuth(c.ID, sec))
	wantJSONError(t, l, r, "refresh_token_revoked", "invalid_grant", http.StatusBadRequest)
	eventually(t, 5*time.Second, "a back-channel logout of the old session", func() bool { return len(rc.tokens("/bcl")) == 1 })
	checkLogoutToken(t, l, rc.tokens("/bcl")[0], c.ID, alice.ID, "")

	// The link worked once.
	wantErrorPage(t, l, l.browser(t).get(link), "password_reset_link_used", http.StatusBadRequest)
}

// TestPasswordResetAnswers: /forgot answers an unknown name, a disabled
// account and an account over its hourly allowance exactly as it answers
// a real request, and sends mail only for the real one; links are judged
// (unknown, expired, used, spent by a newer one) and the new password
// meets the policy before anything is spent.
func TestPasswordResetAnswers(t *testing.T) {
	ms := mailtest.Start(t, mailtest.Options{})
	l := start(t, fastOutbox, withMail(ms), func(c *config.Config) {
		c.Recovery.AccountPerHour = 3
		c.Recovery.NetworkPerHour = 12
	})
	l.user(t, demoUser)
	bob := l.user(t, "bob")
	if _, err := l.Svc.SetDisabled(context.Background(), bob.ID, true); err != nil {
		t.Fatal(err)
	}
	b := l.browser(t)

	real := b.forgot("ALICE")
	for _, who := range []string{"nobody", "nobody@example.com", "bob", ""} {
		p := b.forgot(who)
		if p.status != real.status || p.body != real.body {
			t.Fatalf("%q is answered differently from an account:\n%d %.400s\n%d %.400s", who, p.status, p.body, real.status, real.body)
		}
	}
	if real.status != http.StatusOK || !strings.Contains(real.body, `id="recovery-sent"`) {
		t.Fatalf("forgot: %d %.400s", real.status, real.body)
	}
	first := linkIn(t, l, ms, "alice@example.com", 1, "/reset")
	second := linkIn(t, l, ms, "alice@example.com", 1, "/reset")
	if first != second {
		t.Fatal("the first message changed")
	}
	// Two more for alice: the third is within the allowance, the fourth
	// is answered alike and sends nothing.
	b.forgot("alice")
	newest := linkIn(t, l, ms, "alice@example.com", 2, "/reset")
	b.forgot("alice")
	if p := b.forgot("alice@example.com"); p.body != real.body {
		t.Fatal("a request over the account's allowance is answered differently")
	}
	eventually(t, 5*time.Second, "the allowance's messages", func() bool { return len(ms.To("alice@example.com")) == 3 })
	time.Sleep(200 * time.Millisecond)
	if n := len(ms.Messages()); n != 3 {
		t.Fatalf("%d messages sent; want 3 to alice and none to anyone else", n)
	}

	// The policy is checked before the link is spent.
	for _, tc := range []struct{ pw, confirm, entry string }{
		{"tiny", "tiny", "password_too_short"},
		{strings.Repeat("long ", 60), strings.Repeat("long ", 60), "password_too_long"},
		{"contortionist", "contortionist", "password_common"},
		{"Alice@Example.com", "Alice@Example.com", "password_matches_account"},
		{newPassword, newPassword + "!", "password_confirmation_mismatch"},
	} {
		text := wantRecoveryError(t, l, b.reset(newest, tc.pw, tc.confirm), tc.entry, http.StatusBadRequest)
		if strings.Contains(text, tc.pw) {
			t.Fatalf("%s repeats the password: %s", tc.entry, text)
		}
	}
	if p := b.reset(newest, newPassword, newPassword); p.status != http.StatusOK || !strings.Contains(p.body, `id="reset-done"`) {
		t.Fatalf("reset: %d %.400s", p.status, p.body)
	}
	// The older link went with the newer one.
	wantErrorPage(t, l, b.get(first), "password_reset_link_used", http.StatusBadRequest)
	wantErrorPage(t, l, b.reset(first, "another long password", "another long password"), "password_reset_link_used", http.StatusBadRequest)
	wantErrorPage(t, l, b.get(l.URL+"/reset?token=not-a-token"), "password_reset_link_unknown", http.StatusBadRequest)
	wantErrorPage(t, l, b.get(l.URL+"/reset"), "password_reset_link_unknown", http.StatusBadRequest)

	// A link past its lifetime.
	l.Clock.Advance(time.Hour) // the account's allowance refills too
	b.forgot("alice")
	late := linkIn(t, l, ms, "alice@example.com", 4, "/reset")
	l.Clock.Advance(31 * time.Minute)
	wantErrorPage(t, l, b.get(late), "password_reset_link_expired", http.StatusBadRequest)

	// The network's allowance, 12 an hour, runs out (the clock moved on,
	// so the bucket has refilled some).
	var p *page
	for range 13 {
		if p = b.forgot("nobody"); p.status != http.StatusOK {
			break
		}
	}
	wantRecoveryError(t, l, p, "password_reset_rate_limited", http.StatusTooManyRequests)
	if p.header.Get("Retry-After") == "" {
		t.Fatal("no Retry-After")
	}

	// A form from elsewhere.
	wantErrorPage(t, l, b.post(l.URL+"/forgot", url.Values{"csrf": {"forged"}, "identifier": {"alice"}}), "csrf_token_invalid", http.StatusForbidden)
}

// TestRecoveryOff: without mail there is no reset and no sign-up, and the
// sign-in page links to neither.
func TestRecoveryOff(t *testing.T) {
	l := start(t)
	l.user(t, demoUser)
	c, sec := l.client(t, manage.ClientSpec{Name: "Notes"})
	b := l.browser(t)
	p := b.get(l.oauthConfig(c, sec).AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	if !p.isSignIn() || strings.Contains(p.body, "/forgot") || strings.Contains(p.body, "/signup") {
		t.Fatalf("sign-in page: %.600s", p.body)
	}
	wantErrorPage(t, l, b.get(l.URL+"/forgot"), "password_reset_unavailable", http.StatusNotFound)
	wantErrorPage(t, l, b.get(l.URL+"/signup"), "signup_disabled", http.StatusNotFound)

	// Mail on, sign-up still off unless asked for.
	ms := mailtest.Start(t, mailtest.Options{})
	l2 := start(t, withMail(ms))
	l2.user(t, demoUser)
	c2, sec2 := l2.client(t, manage.ClientSpec{Name: "Notes"})
	b2 := l2.browser(t)
	p = b2.get(l2.oauthConfig(c2, sec2).AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	if !strings.Contains(p.body, `id="forgot-password"`) || strings.Contains(p.body, `id="sign-up"`) {
		t.Fatalf("sign-in page with mail: %.600s", p.body)
	}
	wantErrorPage(t, l2, b2.get(l2.URL+"/signup"), "signup_disabled", http.StatusNotFound)
}

// signup posts the sign-up form.
func (b *browser) signup(username, email, pw, confirm string) *page {
	b.t.Helper()
	f := b.get(b.l.URL + "/signup").fields()
	return b.post(b.l.URL+"/signup", url.Values{"csrf": {f.Get("csrf")}, "username": {username}, "email": {email}, "name": {"New Person"},
		"password": {pw}, "confirm": {confirm}})
}

// signInWith runs a code flow in a fresh browser as username with pw and
// returns the tokens.
func signInWith(t *testing.T, l *lucid, cfg *oauth2.Config, username, pw string) *oauth2.Token {
	t.Helper()
	b := l.browser(t)
	v := oauth2.GenerateVerifier()
	p := b.signIn(b.get(cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(v))), username, pw)
	if p.isConsent() {
		p = b.consent(p, "allow")
	}
	if p.location == nil {
		t.Fatalf("%s: no redirect back to the client: %d %.300s", username, p.status, p.body)
	}
	tok, err := cfg.Exchange(context.Background(), codeFrom(t, p.location, "s"), oauth2.VerifierOption(v))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestBrowserSignup: in Chromium, a person creates an account from the
// sign-in page's link, gets the verification link by e-mail and confirms
// the address; the ID token says email_verified false before and true
// after.
func TestBrowserSignup(t *testing.T) {
	ctx := chrome(t)
	ms := mailtest.Start(t, mailtest.Options{})
	l := start(t, fastOutbox, withMail(ms), func(c *config.Config) { c.Signup.Enabled = true })
	c, sec := l.client(t, manage.ClientSpec{Name: "Notes", SkipConsent: true})
	cfg := l.oauthConfig(c, sec)
	var done string
	err := chromedp.Do(ctx,
		chromedp.Navigate(cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()))),
		chromedp.WaitVisible(chromedp.CSS("#sign-up")),
		chromedp.Click(chromedp.CSS("#sign-up")),
		chromedp.WaitVisible(chromedp.CSS("#create-account")),
		chromedp.SendKeys(chromedp.CSS("#username"), "newton"),
		chromedp.SendKeys(chromedp.CSS("#email"), "newton@example.com"),
		chromedp.SendKeys(chromedp.CSS("#name"), "Isaac Newton"),
		chromedp.SendKeys(chromedp.CSS("#password"), newPassword),
		chromedp.SendKeys(chromedp.CSS("#confirm-password"), newPassword),
		shot(t, "signup-01-form"),
		chromedp.Click(chromedp.CSS("#create-account")),
		chromedp.WaitVisible(chromedp.CSS("#signup-sent")),
		shot(t, "signup-02-sent"),
	)
	if err != nil {
		t.Fatalf("signing up: %v", err)
	}
	link := linkIn(t, l, ms, "newton@example.com", 1, "/verify-email")
	tok := signInWith(t, l, cfg, "newton", newPassword)
	if claims := recoveryIDClaims(t, l, c, tok); claims["email"] != "newton@example.com" || claims["email_verified"] != false || claims["name"] != "Isaac Newton" {
		t.Fatalf("claims before verification: %v", claims)
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.CSS("#verify-confirm")),
		shot(t, "signup-03-confirm"),
		chromedp.Click(chromedp.CSS("#verify-confirm")),
		chromedp.WaitVisible(chromedp.CSS("#verify-done")),
		into(&done, chromedp.Text(chromedp.CSS("main"))),
		shot(t, "signup-04-confirmed"),
	)
	if err != nil {
		t.Fatalf("verifying: %v", err)
	}
	if !strings.Contains(done, "newton@example.com") {
		t.Errorf("done page: %q", done)
	}
	tok = signInWith(t, l, cfg, "newton", newPassword)
	if claims := recoveryIDClaims(t, l, c, tok); claims["email_verified"] != true {
		t.Fatalf("claims after verification: %v", claims)
	}
	info, err := newProvider(t, l).UserInfo(context.Background(), oauth2.StaticTokenSource(tok))
	if err != nil || !info.EmailVerified {
		t.Fatalf("userinfo after verification: %+v %v", info, err)
	}
	wantErrorPage(t, l, l.browser(t).get(link), "email_verification_link_used", http.StatusBadRequest)
}

// TestSignupAnswers: a taken username is said; a taken address is
// answered as a new one, creates nothing and tells the address's owner;
// bad fields, differing passwords and the policy are answered on the
// form; the network's allowance ends with signup_rate_limited.
func TestSignupAnswers(t *testing.T) {
	ms := mailtest.Start(t, mailtest.Options{})
	l := start(t, fastOutbox, withMail(ms), func(c *config.Config) {
		c.Signup.Enabled = true
		c.Signup.NetworkPerHour = 7 // the eighth attempt below is refused
	})
	alice := l.user(t, demoUser)
	b := l.browser(t)

	wantRecoveryError(t, l, b.signup("Alice", "someone@example.com", newPassword, newPassword), "signup_username_taken", http.StatusConflict)
	taken := b.signup("carol", "ALICE@example.com", newPassword, newPassword)
	fresh := b.signup("dave", "dave@example.com", newPassword, newPassword)
	for _, p := range []*page{taken, fresh} {
		if p.status != http.StatusOK || !strings.Contains(p.body, `id="signup-sent"`) {
			t.Fatalf("sign-up: %d %.400s", p.status, p.body)
		}
	}
	if strings.Replace(taken.body, "ALICE@example.com", "dave@example.com", 1) != fresh.body {
		t.Fatalf("a taken address is answered differently:\n%.600s\n%.600s", taken.body, fresh.body)
	}
	if _, err := l.Store.GetUserByUsername(context.Background(), "carol"); err == nil {
		t.Fatal("an account was created for a taken address")
	}
	m := ms.Wait(t, alice.Email, 1, 10*time.Second)
	if link, err := m.Link(l.URL + "/forgot"); err != nil || !strings.Contains(m.Header("Subject"), "Example ID") {
		t.Fatalf("the owner's message: %q %v", link, err)
	}
	linkIn(t, l, ms, "dave@example.com", 1, "/verify-email")

	wantRecoveryError(t, l, b.signup("bad name", "e@example.com", newPassword, newPassword), "signup_invalid", http.StatusBadRequest)
	wantRecoveryError(t, l, b.signup("erin", "not-an-address", newPassword, newPassword), "signup_invalid", http.StatusBadRequest)
	wantRecoveryError(t, l, b.signup("erin", "erin@example.com", newPassword, "something else entirely"), "password_confirmation_mismatch", http.StatusBadRequest)
	wantRecoveryError(t, l, b.signup("erin", "erin@example.com", "erin@example.com", "erin@example.com"), "password_matches_account", http.StatusBadRequest)
	p := b.signup("erin", "erin@example.com", newPassword, newPassword)
	wantRecoveryError(t, l, p, "signup_rate_limited", http.StatusTooManyRequests)
	if _, err := l.Store.GetUserByUsername(context.Background(), "erin"); err == nil {
		t.Fatal("a refused sign-up created the account")
	}
}

// TestEmailVerificationByOperator: an address set through the admin API
// is unverified until its link is used; a link proves only the address it
// was sent to; links expire.
func TestEmailVerificationByOperator(t *testing.T) {
	ms := mailtest.Start(t, mailtest.Options{})
	l := start(t, fastOutbox, withMail(ms))
	alice := l.user(t, demoUser)
	c, sec := l.client(t, manage.ClientSpec{Name: "Notes", SkipConsent: true})
	cfg := l.oauthConfig(c, sec)
	patch := func(body string) {
		t.Helper()
		if r := jsonCall(t, l, http.MethodPatch, "/admin/users/"+alice.ID, l.cfg.AdminToken, body); r.status != http.StatusOK {
			t.Fatalf("patch: %d %s", r.status, r.body)
		}
	}
	patch(`{"email": "alice@example.org"}`)
	stale := linkIn(t, l, ms, "alice@example.org", 1, "/verify-email")
	if claims := recoveryIDClaims(t, l, c, signInWith(t, l, cfg, demoUser, demoPassword)); claims["email"] != "alice@example.org" || claims["email_verified"] != false {
		t.Fatalf("claims after the change: %v", claims)
	}
	patch(`{"email": "alice@example.net"}`)
	current := linkIn(t, l, ms, "alice@example.net", 1, "/verify-email")
	b := l.browser(t)
	wantErrorPage(t, l, b.get(stale), "email_verification_stale", http.StatusConflict)
	u, _ := url.Parse(current)
	if p := b.post(l.URL+"/verify-email", url.Values{"token": {u.Query().Get("token")}}); p.status != http.StatusOK || !strings.Contains(p.body, `id="verify-done"`) {
		t.Fatalf("verify: %d %.400s", p.status, p.body)
	}
	if claims := recoveryIDClaims(t, l, c, signInWith(t, l, cfg, demoUser, demoPassword)); claims["email_verified"] != true {
		t.Fatalf("claims after verification: %v", claims)
	}
	wantErrorPage(t, l, b.get(l.URL+"/verify-email?token=nothing-like-it"), "email_verification_link_unknown", http.StatusBadRequest)

	patch(`{"email": "alice@example.com"}`)
	late := linkIn(t, l, ms, "alice@example.com", 1, "/verify-email")
	l.Clock.Advance(73 * time.Hour)
	wantErrorPage(t, l, b.get(late), "email_verification_link_expired", http.StatusBadRequest)
}

// TestMailDeliveryFailures: a relay that refuses a recipient (5xx) makes
// the message dead at once with mail_rejected; one that defers it (4xx)
// gets it retried, each failed attempt a mail_delivery_failed story.
func TestMailDeliveryFailures(t *testing.T) {
	ms := mailtest.Start(t, mailtest.Options{})
	l := start(t, fastOutbox, withMail(ms), func(c *config.Config) { c.Outbox.BackoffBase, c.Outbox.BackoffCap = time.Hour, time.Hour })
	ms.Refuse("gone@example.com", 550)
	ms.Refuse("busy@example.com", 451)
	create := func(name, addr string) {
		t.Helper()
		r := jsonCall(t, l, http.MethodPost, "/admin/users", l.cfg.AdminToken, `{"username":"`+name+`","email":"`+addr+`","password":"`+newPassword+`"}`)
		if r.status != http.StatusCreated {
			t.Fatalf("create %s: %d %s", name, r.status, r.body)
		}
	}
	create("gone", "gone@example.com")
	var dead outboxListing
	eventually(t, 10*time.Second, "the refused message given up on", func() bool {
		dead = listOutbox(t, l, "dead")
		return len(dead.Items) == 1
	})
	if it := dead.Items[0]; it.Kind != "mail" || it.Target != "gone@example.com" || it.Attempts != 1 {
		t.Fatalf("dead item %+v", it)
	}
	story := outboxStory(t, l, dead.Items[0].LastTraceID)
	if story.Name != "mail_rejected" || story.Endpoint != "outbox" || !strings.Contains(story.Text, "550") {
		t.Fatalf("story %+v", story)
	}
	triggered.add("mail_rejected")

	create("busy", "busy@example.com")
	var trace string
	eventually(t, 10*time.Second, "a deferred first attempt", func() bool {
		p := listOutbox(t, l, "pending")
		if len(p.Items) == 1 && p.Items[0].LastTraceID != "" {
			trace = p.Items[0].LastTraceID
			return true
		}
		return false
	})
	story = outboxStory(t, l, trace)
	if story.Name != "mail_delivery_failed" || !strings.Contains(story.Text, "451") || !strings.Contains(story.Text, "recipient") {
		t.Fatalf("story %+v", story)
	}
	triggered.add("mail_delivery_failed")
	// The relay takes it on the next attempt.
	ms.Refuse("busy@example.com", 0)
	l.Clock.Advance(2 * time.Hour)
	ms.Wait(t, "busy@example.com", 1, 10*time.Second)
}

// TestPasswordPolicyByOperator: the admin API applies the same policy.
func TestPasswordPolicyByOperator(t *testing.T) {
	l := start(t)
	for _, tc := range []struct{ body, entry string }{
		{`{"username":"zed","password":"short"}`, "password_too_short"},
		{`{"username":"zed","password":"` + strings.Repeat("x", 300) + `"}`, "password_too_long"},
		{`{"username":"zed","password":"contortionist"}`, "password_common"},
		{`{"username":"zed-the-great","password":"ZED-THE-GREAT"}`, "password_matches_account"},
	} {
		r := jsonCall(t, l, http.MethodPost, "/admin/users", l.cfg.AdminToken, tc.body)
		body := wantJSONError(t, l, r, tc.entry, "invalid_request", http.StatusBadRequest)
		if strings.Contains(body.Description, "contortionist") || strings.Contains(body.Description, "xxxxxxxx") {
			t.Fatalf("the answer repeats the password: %s", body.Description)
		}
	}
}
