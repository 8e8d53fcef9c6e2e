package e2e

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/store"
)

func TestPromptNoneWithoutSession(t *testing.T) {
	l := start(t)
	c, sec := l.client(t, manage.ClientSpec{Name: "Notes"})
	cfg := l.oauthConfig(c, sec)
	p := l.browser(t).get(cfg.AuthCodeURL("xyz", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()), oauth2.SetAuthURLParam("prompt", "none")))
	if p.location == nil {
		t.Fatalf("prompt=none did not redirect: %d %.300s", p.status, p.body)
	}
	wantAuthzError(t, l, p.location, "login_required", "login_required", "xyz")
}

func TestUntrustedTargetsGetAPageNotARedirect(t *testing.T) {
	l := start(t)
	c, _ := l.client(t, manage.ClientSpec{Name: "Notes", RedirectURIs: []string{clientCB, "http://127.0.0.1:1/two"}})
	base := l.URL + "/authorize?response_type=code&scope=openid&code_challenge_method=S256&code_challenge=" + strings.Repeat("a", 43)
	cases := []struct {
		name, query, entry string
	}{
		{"unknown client", "&client_id=nobody&redirect_uri=" + url.QueryEscape(clientCB), "authorize_client_unknown"},
		{"no client_id", "&redirect_uri=" + url.QueryEscape(clientCB), "authorize_client_id_missing"},
		{"unregistered redirect", "&client_id=" + c.ID + "&redirect_uri=" + url.QueryEscape("https://evil.example/cb"), "redirect_uri_not_registered"},
		{"redirect with fragment", "&client_id=" + c.ID + "&redirect_uri=" + url.QueryEscape(clientCB+"#x"), "redirect_uri_malformed"},
		{"relative redirect", "&client_id=" + c.ID + "&redirect_uri=%2Fcb", "redirect_uri_malformed"},
		{"several registered, none given", "&client_id=" + c.ID, "redirect_uri_required"},
		{"client_id twice", "&client_id=" + c.ID + "&client_id=" + c.ID + "&redirect_uri=" + url.QueryEscape(clientCB), "parameter_duplicated"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := l.browser(t).get(base + tc.query)
			if p.location != nil {
				t.Fatalf("redirected to %s; an untrusted target must get a page", p.location)
			}
			if p.status != 400 || !strings.Contains(p.body, tc.entry) || !strings.Contains(p.body, "/errors/"+tc.entry) {
				t.Fatalf("status %d, page does not show %s: %.500s", p.status, tc.entry, p.body)
			}
			if p.header.Get("X-Trace-Id") == "" || !strings.Contains(p.body, p.header.Get("X-Trace-Id")) {
				t.Fatal("error page does not show the trace id")
			}
			if !strings.Contains(p.header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
				t.Fatalf("missing CSP frame-ancestors: %q", p.header.Get("Content-Security-Policy"))
			}
			triggered.add(tc.entry)
		})
	}
}

func TestAuthorizationRequestErrorsRedirect(t *testing.T) {
	l := start(t)
	pub, _ := l.client(t, manage.ClientSpec{Name: "SPA", AuthMethod: store.AuthNone})
	conf, _ := l.client(t, manage.ClientSpec{Name: "Narrow", Scopes: []string{"openid"}})
	good := "&code_challenge_method=S256&code_challenge=" + strings.Repeat("a", 43)
	req := func(c *store.Client, q string) string {
		return l.URL + "/authorize?client_id=" + c.ID + "&redirect_uri=" + url.QueryEscape(clientCB) + "&state=st" + q
	}
	cases := []struct {
		name, url, entry, code string
	}{
		{"response_type missing", req(pub, "&scope=openid"+good), "parameter_missing", "invalid_request"},
		{"response_type token", req(pub, "&response_type=token&scope=openid"+good), "response_type_unsupported", "unsupported_response_type"},
		{"unknown scope", req(pub, "&response_type=code&scope=openid+wallet"+good), "scope_unknown", "invalid_scope"},
		{"scope not allowed", req(conf, "&response_type=code&scope=openid+email"+good), "scope_not_allowed", "invalid_scope"},
		{"public client without PKCE", req(pub, "&response_type=code&scope=openid"), "pkce_challenge_missing", "invalid_request"},
		{"plain PKCE", req(pub, "&response_type=code&scope=openid&code_challenge_method=plain&code_challenge="+strings.Repeat("a", 43)), "pkce_method_unsupported", "invalid_request"},
		{"short challenge", req(pub, "&response_type=code&scope=openid&code_challenge_method=S256&code_challenge=abc"), "pkce_challenge_malformed", "invalid_request"},
		{"bad max_age", req(pub, "&response_type=code&scope=openid&max_age=-1"+good), "max_age_invalid", "invalid_request"},
		{"unknown prompt", req(pub, "&response_type=code&scope=openid&prompt=maybe"+good), "prompt_unknown", "invalid_request"},
		{"prompt none with login", req(pub, "&response_type=code&scope=openid&prompt=none+login"+good), "prompt_none_combined", "invalid_request"},
		{"unknown response_mode", req(pub, "&response_type=code&scope=openid&response_mode=web_message"+good), "response_mode_unknown", "invalid_request"},
		{"request object", req(pub, "&response_type=code&scope=openid&request=eyJ"+good), "request_object_malformed", "invalid_request_object"},
		{"request_uri", req(pub, "&response_type=code&scope=openid&request_uri=urn:x"+good), "request_uri_unsupported", "request_uri_not_supported"},
		{"state twice", req(pub, "&response_type=code&scope=openid&state=again"+good), "parameter_duplicated", "invalid_request"},
		{"scope missing", req(pub, "&response_type=code"+good), "parameter_missing", "invalid_request"},
		{"bad id_token_hint", req(pub, "&response_type=code&scope=openid&id_token_hint=abc.def.ghi"+good), "id_token_hint_invalid", "invalid_request"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := l.browser(t).get(tc.url)
			if p.location == nil {
				t.Fatalf("no redirect: %d %.400s", p.status, p.body)
			}
			wantAuthzError(t, l, p.location, tc.entry, tc.code, "st")
		})
	}
}

func TestResponseModes(t *testing.T) {
	l := start(t)
	l.user(t, demoUser)
	c, sec := l.client(t, manage.ClientSpec{Name: "Notes"})
	cfg := l.oauthConfig(c, sec)
	t.Run("fragment", func(t *testing.T) {
		u := l.browser(t).authorize(cfg.AuthCodeURL("f", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()), oauth2.SetAuthURLParam("response_mode", "fragment")))
		q, _ := url.ParseQuery(u.Fragment)
		if q.Get("code") == "" || q.Get("state") != "f" || q.Get("iss") != l.URL || u.RawQuery != "" {
			t.Fatalf("fragment response: %s", u)
		}
	})
	t.Run("form_post", func(t *testing.T) {
		b := l.browser(t)
		p := b.get(cfg.AuthCodeURL("fp", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()), oauth2.SetAuthURLParam("response_mode", "form_post")))
		// Consent was given in the fragment run: no consent page this time.
		p = b.signIn(p, demoUser, demoPassword)
		if p.status != 200 || !strings.Contains(p.body, `action="`+clientCB+`"`) {
			t.Fatalf("form_post page: %d %.500s", p.status, p.body)
		}
		f := p.fields()
		if f.Get("code") == "" || f.Get("state") != "fp" || f.Get("iss") != l.URL {
			t.Fatalf("form_post fields %v", f)
		}
		if !strings.Contains(p.header.Get("Content-Security-Policy"), "form-action") {
			t.Fatal("form_post page has no CSP form-action")
		}
	})
}

func TestConsentRememberedDeniedAndForced(t *testing.T) {
	l := start(t)
	l.user(t, demoUser)
	c, sec := l.client(t, manage.ClientSpec{Name: "Notes"})
	cfg := l.oauthConfig(c, sec)
	b := l.browser(t)
	authURL := func(extra ...oauth2.AuthCodeOption) string {
		return cfg.AuthCodeURL("c", append(extra, oauth2.S256ChallengeOption(oauth2.GenerateVerifier()))...)
	}
	p := b.signIn(b.get(authURL()), demoUser, demoPassword)
	if !p.isConsent() || !strings.Contains(p.body, "Notes") {
		t.Fatalf("first authorization must ask for consent naming the client: %.400s", p.body)
	}
	codeFrom(t, b.consent(p, "allow").location, "c")

	// Remembered: no page the second time.
	p = b.get(authURL())
	if p.location == nil {
		t.Fatalf("consent was not remembered: %d %.300s", p.status, p.body)
	}
	codeFrom(t, p.location, "c")

	// prompt=consent asks again, and denying is reported to the client.
	p = b.get(authURL(oauth2.SetAuthURLParam("prompt", "consent")))
	wantAuthzError(t, l, b.consent(p, "deny").location, "consent_denied", "access_denied", "c")

	// A new client without consent and prompt=none: consent_required.
	c2, sec2 := l.client(t, manage.ClientSpec{Name: "Other"})
	p = b.get(l.oauthConfig(c2, sec2).AuthCodeURL("n", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()), oauth2.SetAuthURLParam("prompt", "none")))
	wantAuthzError(t, l, p.location, "consent_required", "consent_required", "n")

	// max_age shorter than the session's age with prompt=none.
	l.Clock.Advance(10 * time.Minute)
	p = b.get(authURL(oauth2.SetAuthURLParam("prompt", "none"), oauth2.SetAuthURLParam("max_age", "60")))
	wantAuthzError(t, l, p.location, "login_required_max_age", "login_required", "c")

	// prompt=login shows the sign-in page despite the session.
	if p := b.get(authURL(oauth2.SetAuthURLParam("prompt", "login"))); !p.isSignIn() {
		t.Fatal("prompt=login did not ask to sign in again")
	}
}

// TestSignInThrottledPerNetwork: failed sign-ins from one network, across
// accounts, are limited per hour; past the limit even the right password
// is refused without being checked, and the allowance refills over time.
// Successful sign-ins do not count.
func TestSignInThrottledPerNetwork(t *testing.T) {
	ctx := context.Background()
	l := start(t, func(c *config.Config) {
		c.Lockout.NetworkPerHour = 3
		c.Lockout.Threshold = 0 // no per-account lockout: only the network limit
	})
	alice := l.user(t, demoUser)
	l.user(t, "bob")
	c, sec := l.client(t, manage.ClientSpec{Name: "Notes"})
	cfg := l.oauthConfig(c, sec)
	attempt := func(username, password string) *page {
		t.Helper()
		b := l.browser(t)
		return b.signIn(b.get(cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()))), username, password)
	}

	for range 5 {
		if p := attempt(demoUser, demoPassword); !p.isConsent() {
			t.Fatalf("a correct sign-in was refused: %d %.300s", p.status, p.body)
		}
	}
	for _, f := range []struct{ user, password string }{{"mallory", "guess"}, {"bob", "guess"}, {demoUser, "guess"}} {
		wantSignInError(t, l, attempt(f.user, f.password), "sign_in_failed", 401)
	}
	p := attempt(demoUser, demoPassword)
	if text := wantSignInError(t, l, p, "sign_in_rate_limited", 429); !strings.Contains(text, "Too many failed sign-ins came from your network") {
		t.Fatalf("after 3 failures: %q", text)
	}
	if after, err := strconv.Atoi(p.header.Get("Retry-After")); err != nil || after < 19*60 || after > 20*60 {
		t.Errorf("Retry-After %q, want about 20 minutes (3 an hour) in seconds", p.header.Get("Retry-After"))
	}
	u, err := l.Store.GetUser(ctx, alice.ID)
	if err != nil || u.FailedLogins != 1 {
		t.Fatalf("alice has %d failed sign-ins (%v), want 1: the refused attempt must not check the password", u.FailedLogins, err)
	}

	l.Clock.Advance(20 * time.Minute)
	if p := attempt(demoUser, demoPassword); !p.isConsent() {
		t.Fatalf("the allowance did not refill: %d %.300s", p.status, p.body)
	}
}

func TestSignInFailuresAndCancel(t *testing.T) {
	l := start(t)
	l.user(t, demoUser)
	c, sec := l.client(t, manage.ClientSpec{Name: "Notes"})
	cfg := l.oauthConfig(c, sec)
	b := l.browser(t)
	start := b.get(cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))

	unknown := wantSignInError(t, l, b.signIn(start, "mallory", demoPassword), "sign_in_failed", 401)
	wrong := wantSignInError(t, l, b.signIn(start, demoUser, "wrong password"), "sign_in_failed", 401)
	if unknown != wrong {
		t.Fatalf("unknown user and wrong password must look the same:\n%s\n%s", unknown, wrong)
	}

	var locked *page
	for range l.cfg.Lockout.Threshold {
		locked = b.signIn(start, demoUser, "wrong password")
	}
	if text := wantSignInError(t, l, locked, "account_locked", 429); !strings.Contains(text, "Try again after") {
		t.Fatalf("no lockout after %d failures: %q", l.cfg.Lockout.Threshold, text)
	}
	wantSignInError(t, l, b.signIn(start, demoUser, demoPassword), "account_locked", 429)
	l.Clock.Advance(2 * l.cfg.Lockout.Max)
	fresh := b.get(cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	if p := b.signIn(fresh, demoUser, demoPassword); !p.isConsent() {
		t.Fatalf("lock did not end: %d %.300s", p.status, p.body)
	}

	// Cancelling goes back to the client with access_denied.
	b2 := l.browser(t)
	p := b2.get(cfg.AuthCodeURL("cx", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	f := p.fields()
	p = b2.post(l.URL+"/login", url.Values{"csrf": {f.Get("csrf")}, "interaction": {f.Get("interaction")}, "cancel": {"1"}})
	wantAuthzError(t, l, p.location, "sign_in_cancelled", "access_denied", "cx")

	// A forged form (wrong CSRF token) is refused with a page.
	b3 := l.browser(t)
	p = b3.get(cfg.AuthCodeURL("cs", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	f = p.fields()
	p = b3.post(l.URL+"/login", url.Values{"csrf": {"forged"}, "interaction": {f.Get("interaction")}, "username": {demoUser}, "password": {demoPassword}})
	if p.status != 403 || !strings.Contains(p.body, "csrf_token_invalid") {
		t.Fatalf("forged form: %d %.300s", p.status, p.body)
	}
	triggered.add("csrf_token_invalid")

	// Another browser cannot continue this browser's sign-in.
	p = l.browser(t).post(l.URL+"/login", url.Values{"csrf": {f.Get("csrf")}, "interaction": {f.Get("interaction")}, "username": {demoUser}, "password": {demoPassword}})
	if p.status != 400 || !strings.Contains(p.body, "session_cookie_absent") {
		t.Fatalf("foreign browser: %d %.300s", p.status, p.body)
	}
	triggered.add("session_cookie_absent")

	// The sign-in request expires.
	l.Clock.Advance(l.cfg.Lifetimes.AuthRequest + time.Minute)
	p = b3.get(l.URL + "/login?interaction=" + url.QueryEscape(f.Get("interaction")))
	if p.location == nil {
		t.Fatalf("an expired sign-in did not return to the client: %d %.300s", p.status, p.body)
	}
	wantAuthzError(t, l, p.location, "authorization_request_expired", "access_denied", "cs")
}

func TestLoopbackRedirectAnyPort(t *testing.T) {
	l := start(t)
	l.user(t, demoUser)
	c, _ := l.client(t, manage.ClientSpec{Name: "CLI", AuthMethod: store.AuthNone, RedirectURIs: []string{"http://127.0.0.1/callback"}})
	cfg := l.oauthConfig(c, "")
	cfg.RedirectURL = "http://127.0.0.1:53123/callback"
	tok, _ := login(t, l, l.browser(t), cfg)
	if tok.AccessToken == "" {
		t.Fatal("no access token")
	}
	cfg.RedirectURL = "http://127.0.0.1:53123/other"
	p := l.browser(t).get(cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	if p.location != nil || !strings.Contains(p.body, "redirect_uri_not_registered") {
		t.Fatalf("another path on loopback must not match: %d", p.status)
	}
}

func TestLogout(t *testing.T) {
	ctx := context.Background()
	l := start(t)
	l.user(t, demoUser)
	c, sec := l.client(t, manage.ClientSpec{Name: "Notes", PostLogoutRedirectURIs: []string{"http://127.0.0.1:1/bye"}})
	cfg := l.oauthConfig(c, sec)
	b := l.browser(t)
	tok, _ := login(t, l, b, cfg)
	idToken, _ := tok.Extra("id_token").(string)
	if _, err := newProvider(t, l).Verifier(&oidc.Config{ClientID: c.ID}).Verify(ctx, idToken); err != nil {
		t.Fatal(err)
	}

	// An unregistered post-logout URI gets a page.
	p := b.get(l.URL + "/logout?id_token_hint=" + idToken + "&post_logout_redirect_uri=" + url.QueryEscape("https://evil.example/"))
	if p.location != nil || p.status != 400 || !strings.Contains(p.body, "post_logout_redirect_uri_not_registered") {
		t.Fatalf("unregistered post-logout URI: %d %v", p.status, p.location)
	}
	triggered.add("post_logout_redirect_uri_not_registered")

	// With a hint for the signed-in user, logout is immediate.
	p = b.get(l.URL + "/logout?id_token_hint=" + idToken + "&state=bye1&post_logout_redirect_uri=" + url.QueryEscape("http://127.0.0.1:1/bye"))
	if p.location == nil || p.location.Query().Get("state") != "bye1" || p.location.Path != "/bye" {
		t.Fatalf("logout did not return to the client: %d %v", p.status, p.location)
	}
	// The session is gone.
	p = b.get(cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()), oauth2.SetAuthURLParam("prompt", "none")))
	wantAuthzError(t, l, p.location, "login_required", "login_required", "s")

	// Without a hint the person confirms first; declining keeps the session.
	login(t, l, b, cfg)
	p = b.get(l.URL + "/logout")
	if !strings.Contains(p.body, `name="confirm"`) {
		t.Fatalf("no confirmation page: %.300s", p.body)
	}
	f := p.fields()
	p = b.post(l.URL+"/logout", url.Values{"csrf": {f.Get("csrf")}, "confirm": {"no"}})
	if p.status != 200 || !strings.Contains(p.body, `id="still-signed-in"`) {
		t.Fatalf("declined logout: %d %.300s", p.status, p.body)
	}
	p = b.get(cfg.AuthCodeURL("s2", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()), oauth2.SetAuthURLParam("prompt", "none")))
	if p.location == nil || p.location.Query().Get("code") == "" {
		t.Fatalf("declining logout ended the session: %v", p.location)
	}
	p = b.get(l.URL + "/logout")
	f = p.fields()
	p = b.post(l.URL+"/logout", url.Values{"csrf": {f.Get("csrf")}, "confirm": {"yes"}})
	if p.status != 200 || !strings.Contains(p.body, `id="signed-out"`) {
		t.Fatalf("confirmed logout: %d", p.status)
	}
	p = b.get(cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()), oauth2.SetAuthURLParam("prompt", "none")))
	wantAuthzError(t, l, p.location, "login_required", "login_required", "s")
}
