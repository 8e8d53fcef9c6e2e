package e2e

// The device authorization grant (RFC 8628) end to end: golang.org/x/oauth2
// as the device, the test browser (or Chromium) as the person on another
// device, and every failure of the flow over the wire.

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"golang.org/x/oauth2"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/server"
	"github.com/lucid-auth/lucid/internal/store"
)

const deviceGrant = "urn:ietf:params:oauth:grant-type:device_code"

// deviceClient registers a public client for the device flow.
func deviceClient(t *testing.T, l *lucid) *store.Client {
	t.Helper()
	c, _ := l.client(t, manage.ClientSpec{Name: "Living Room TV", AuthMethod: store.AuthNone,
		GrantTypes: []string{deviceGrant, "refresh_token"}})
	return c
}

// deviceAuth is a device authorization response as a device reads it.
type deviceAuth struct {
	DeviceCode              string `json:"device_code"`
	UserCode                string `json:"user_code"`
	VerificationURI         string `json:"verification_uri"`
	VerificationURIComplete string `json:"verification_uri_complete"`
	ExpiresIn               int64  `json:"expires_in"`
	Interval                int64  `json:"interval"`
}

// startDevice asks for a device authorization for a public client.
func startDevice(t *testing.T, l *lucid, clientID string, form url.Values) deviceAuth {
	t.Helper()
	if form == nil {
		form = url.Values{"scope": {"openid profile offline_access"}}
	}
	form.Set("client_id", clientID)
	r := send(t, http.MethodPost, l.URL+"/device_authorization", strings.NewReader(form.Encode()), formType)
	if r.status != http.StatusOK {
		t.Fatalf("device authorization: %d %s", r.status, r.body)
	}
	var da deviceAuth
	if err := json.Unmarshal(r.body, &da); err != nil {
		t.Fatal(err)
	}
	return da
}

func formType(r *http.Request) { r.Header.Set("Content-Type", "application/x-www-form-urlencoded") }

// poll is one token request of the device.
func poll(t *testing.T, l *lucid, clientID, deviceCode string) *reply {
	t.Helper()
	return postToken(t, l, url.Values{"grant_type": {deviceGrant}, "client_id": {clientID}, "device_code": {deviceCode}}, nil)
}

// enterCode posts a user code on the verification page's entry form.
func (b *browser) enterCode(code string) *page {
	b.t.Helper()
	p := b.get(b.l.URL + "/device")
	return b.post(b.l.URL+"/device", url.Values{"csrf": {p.fields().Get("csrf")}, "user_code": {code}})
}

// approveDevice does the person's part: the page of
// verification_uri_complete (the code filled in), Continue, sign-in when
// this browser has no session, and the decision. It returns the last page.
func (b *browser) approveDevice(complete, decision string) *page {
	b.t.Helper()
	p := b.get(complete)
	f := p.fields()
	if p.status != http.StatusOK || f.Get("user_code") == "" {
		b.t.Fatalf("verification page: %d, code field %q: %.400s", p.status, f.Get("user_code"), p.body)
	}
	p = b.post(b.l.URL+"/device", url.Values{"csrf": {f.Get("csrf")}, "user_code": {f.Get("user_code")}})
	if p.isSignIn() {
		f = p.fields()
		p = b.post(b.l.URL+"/device/login", url.Values{"csrf": {f.Get("csrf")}, "interaction": {f.Get("interaction")},
			"username": {demoUser}, "password": {demoPassword}})
	}
	if !p.isConsent() {
		b.t.Fatalf("expected the device question, got %d: %.600s", p.status, p.body)
	}
	f = p.fields()
	return b.post(b.l.URL+"/device/decide", url.Values{"csrf": {f.Get("csrf")}, "user_code": {f.Get("user_code")}, "decision": {decision}})
}

var (
	deviceAlert     = regexp.MustCompile(`<div class="alert" role="alert" id="device-error" data-error-name="([a-z_]+)">([^<]*)</div>`)
	deviceReference = regexp.MustCompile(`id="device-reference">[^<]*<code id="trace-id" class="trace" data-error-name="([a-z_]+)">([0-9a-f]+)</code>`)
)

// wantDeviceError asserts a code refused on the verification page's entry
// form: the status, the form again, the alert naming the entry, a
// reference that is the answer's trace id and leads to the failure's
// story. It returns the alert's text.
func wantDeviceError(t *testing.T, l *lucid, p *page, name string, status int) string {
	t.Helper()
	if p.location != nil || p.status != status || !strings.Contains(p.body, `id="device-form"`) {
		t.Fatalf("got %d (location %v), want the code form with %d for %s: %.400s", p.status, p.location, status, name, p.body)
	}
	alert := deviceAlert.FindStringSubmatch(p.body)
	if alert == nil || alert[1] != name {
		t.Fatalf("the alert does not name %s: %v", name, alert)
	}
	tid := p.header.Get("X-Trace-Id")
	ref := deviceReference.FindStringSubmatch(p.body)
	if tid == "" || ref == nil || ref[1] != name || ref[2] != tid {
		t.Fatalf("reference %v, want %s with the trace id %q", ref, name, tid)
	}
	if p.header.Get("Cache-Control") != "no-store" || !strings.Contains(p.header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Fatalf("headers: %v", p.header)
	}
	v := jsonCall(t, l, http.MethodGet, "/admin/failures/"+tid, l.cfg.AdminToken, "")
	var story struct {
		Failure struct{ Name, Endpoint string }
	}
	if v.status != http.StatusOK || json.Unmarshal(v.body, &story) != nil || story.Failure.Name != name || story.Failure.Endpoint != "sign_in" {
		t.Fatalf("the reference %s does not lead to a %s story: %d %.300s", tid, name, v.status, v.body)
	}
	triggered.add(name)
	return strings.TrimSpace(html.UnescapeString(alert[2]))
}

// TestDeviceOAuth2Library: x/oauth2's DeviceAuth and DeviceAccessToken,
// unmodified, get tokens while the person approves with a browser; the
// device code is then spent.
func TestDeviceOAuth2Library(t *testing.T) {
	// Real time: the library waits the interval between polls.
	l := startWith(t, startOpts{Server: []server.Option{server.WithClock(time.Now)}}, func(c *config.Config) {
		c.Device.Interval = time.Second
	})
	l.user(t, demoUser)
	c := deviceClient(t, l)

	var meta struct {
		Device string   `json:"device_authorization_endpoint"`
		Grants []string `json:"grant_types_supported"`
	}
	r := send(t, http.MethodGet, l.URL+"/.well-known/openid-configuration", nil, nil)
	if err := json.Unmarshal(r.body, &meta); err != nil {
		t.Fatal(err)
	}
	if meta.Device != l.URL+"/device_authorization" || !slices.Contains(meta.Grants, deviceGrant) {
		t.Fatalf("discovery: device_authorization_endpoint %q, grant types %v", meta.Device, meta.Grants)
	}

	cfg := &oauth2.Config{
		ClientID: c.ID,
		Endpoint: oauth2.Endpoint{DeviceAuthURL: meta.Device, TokenURL: l.URL + "/token", AuthStyle: oauth2.AuthStyleInParams},
		Scopes:   []string{"openid", "profile", "offline_access"},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	da, err := cfg.DeviceAuth(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$`).MatchString(da.UserCode) {
		t.Fatalf("user code %q is not two groups of four letters of the alphabet", da.UserCode)
	}
	if da.VerificationURI != l.URL+"/device" || da.VerificationURIComplete != l.URL+"/device?user_code="+da.UserCode || da.Interval != 1 || da.Expiry.IsZero() {
		t.Fatalf("device authorization: %+v", da)
	}

	// The person approves after the device has polled a few times.
	var wg sync.WaitGroup
	wg.Add(1)
	var last *page
	go func() {
		defer wg.Done()
		time.Sleep(2500 * time.Millisecond)
		last = l.browser(t).approveDevice(da.VerificationURIComplete, "allow")
	}()
	tok, err := cfg.DeviceAccessToken(ctx, da)
	wg.Wait()
	if err != nil {
		t.Fatalf("DeviceAccessToken: %v", err)
	}
	if last.status != http.StatusOK || !strings.Contains(last.body, `id="device-done"`) || !strings.Contains(last.body, "Living Room TV") {
		t.Fatalf("after approving: %d %.400s", last.status, last.body)
	}
	if tok.AccessToken == "" || tok.RefreshToken == "" || tok.Extra("id_token") == nil {
		t.Fatalf("token response lacks a token: %+v", tok)
	}
	ui := send(t, http.MethodGet, l.URL+"/userinfo", nil, bearer(tok.AccessToken))
	if ui.status != http.StatusOK || !strings.Contains(string(ui.body), "Alice Liddell") {
		t.Fatalf("userinfo with the device's token: %d %s", ui.status, ui.body)
	}
	// The refresh token works like any other.
	if _, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); err != nil {
		t.Fatalf("refresh: %v", err)
	}
	// A second redemption is refused.
	wantJSONError(t, l, poll(t, l, c.ID, da.DeviceCode), "device_code_used", "invalid_grant", http.StatusBadRequest)
}

// TestDevicePolling walks a device code through its states on the
// harness's clock: pending, slow_down raising the interval by 5 s each
// time, denied, expired, and the checks on who polls.
func TestDevicePolling(t *testing.T) {
	l := start(t)
	l.user(t, demoUser)
	c := deviceClient(t, l)
	da := startDevice(t, l, c.ID, nil)
	if da.Interval != 5 || da.ExpiresIn != 600 {
		t.Fatalf("defaults: interval %d, expires_in %d", da.Interval, da.ExpiresIn)
	}

	e := wantJSONError(t, l, poll(t, l, c.ID, da.DeviceCode), "device_authorization_pending", "authorization_pending", http.StatusBadRequest)
	if !strings.Contains(e.Description, "poll again in 5s") {
		t.Fatalf("pending: %s", e.Description)
	}
	// At once again: too soon, the interval becomes 10 s.
	e = wantJSONError(t, l, poll(t, l, c.ID, da.DeviceCode), "device_slow_down", "slow_down", http.StatusBadRequest)
	if !strings.Contains(e.Description, "the interval is now 10s") {
		t.Fatalf("slow_down: %s", e.Description)
	}
	// The old interval is too soon now: 15 s.
	l.Clock.Advance(6 * time.Second)
	e = wantJSONError(t, l, poll(t, l, c.ID, da.DeviceCode), "device_slow_down", "slow_down", http.StatusBadRequest)
	if !strings.Contains(e.Description, "the interval is now 15s") {
		t.Fatalf("second slow_down: %s", e.Description)
	}
	l.Clock.Advance(15 * time.Second)
	e = wantJSONError(t, l, poll(t, l, c.ID, da.DeviceCode), "device_authorization_pending", "authorization_pending", http.StatusBadRequest)
	if !strings.Contains(e.Description, "poll again in 15s") {
		t.Fatalf("pending at the raised interval: %s", e.Description)
	}

	// Only the client it was issued to may poll.
	other := deviceClient(t, l)
	wantJSONError(t, l, poll(t, l, other.ID, da.DeviceCode), "device_code_other_client", "invalid_grant", http.StatusBadRequest)
	wantJSONError(t, l, poll(t, l, c.ID, "no-such-device-code"), "device_code_unknown", "invalid_grant", http.StatusBadRequest)

	// Denied.
	last := l.browser(t).approveDevice(da.VerificationURIComplete, "deny")
	if last.status != http.StatusOK || !strings.Contains(last.body, `id="device-denied"`) {
		t.Fatalf("after denying: %d %.400s", last.status, last.body)
	}
	l.Clock.Advance(20 * time.Second)
	wantJSONError(t, l, poll(t, l, c.ID, da.DeviceCode), "device_access_denied", "access_denied", http.StatusBadRequest)

	// Expired, whether polled or entered late.
	late := startDevice(t, l, c.ID, nil)
	l.Clock.Advance(10 * time.Minute)
	e = wantJSONError(t, l, poll(t, l, c.ID, late.DeviceCode), "device_code_expired", "expired_token", http.StatusBadRequest)
	if !strings.Contains(e.Description, "a device code lives 10m0s") {
		t.Fatalf("expired: %s", e.Description)
	}
	wantDeviceError(t, l, l.browser(t).enterCode(late.UserCode), "device_user_code_expired", http.StatusBadRequest)

	// A client not registered for the grant gets no device code, nor
	// tokens for one.
	web, sec := l.client(t, manage.ClientSpec{Name: "Web app"})
	r := send(t, http.MethodPost, l.URL+"/device_authorization", strings.NewReader("scope=openid"), func(r *http.Request) {
		formType(r)
		basicAuth(web.ID, sec)(r)
	})
	wantJSONError(t, l, r, "device_grant_not_allowed", "unauthorized_client", http.StatusBadRequest)
	r = postToken(t, l, url.Values{"grant_type": {deviceGrant}, "device_code": {da.DeviceCode}}, basicAuth(web.ID, sec))
	wantJSONError(t, l, r, "grant_type_not_allowed", "unauthorized_client", http.StatusBadRequest)
	// Its scopes are those the client may ask for, as at /authorize.
	r = send(t, http.MethodPost, l.URL+"/device_authorization", strings.NewReader(url.Values{"client_id": {c.ID}, "scope": {"openid payroll"}}.Encode()), formType)
	wantJSONError(t, l, r, "scope_unknown", "invalid_scope", http.StatusBadRequest)
}

// TestDeviceRedeemedOnce: an approved device code polled by many at once
// gives tokens exactly once; the other polls are told it was used.
func TestDeviceRedeemedOnce(t *testing.T) {
	l := start(t)
	l.user(t, demoUser)
	c := deviceClient(t, l)
	da := startDevice(t, l, c.ID, nil)
	l.browser(t).approveDevice(da.VerificationURIComplete, "allow")
	const n = 8
	replies := make([]*reply, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			replies[i] = poll(t, l, c.ID, da.DeviceCode)
		}()
	}
	wg.Wait()
	won := 0
	for _, r := range replies {
		if r.status == http.StatusOK {
			won++
			continue
		}
		wantJSONError(t, l, r, "device_code_used", "invalid_grant", http.StatusBadRequest)
	}
	if won != 1 {
		t.Fatalf("%d polls got tokens, want exactly 1", won)
	}
}

// TestDeviceScopeWidened: an approved code redeemed with a scope wider than
// the person approved is refused, named for its grant, and stays usable.
func TestDeviceScopeWidened(t *testing.T) {
	l := start(t)
	l.user(t, demoUser)
	c := deviceClient(t, l)
	da := startDevice(t, l, c.ID, url.Values{"scope": {"openid profile"}})
	l.browser(t).approveDevice(da.VerificationURIComplete, "allow")
	wide := postToken(t, l, url.Values{"grant_type": {deviceGrant}, "client_id": {c.ID}, "device_code": {da.DeviceCode}, "scope": {"openid profile email"}}, nil)
	body := wantJSONError(t, l, wide, "grant_scope_widened", "invalid_scope", http.StatusBadRequest)
	if !strings.Contains(body.Description, deviceGrant) || !strings.Contains(body.Description, "email") {
		t.Fatalf("description %q names neither the grant nor the extra scope", body.Description)
	}
	narrow := postToken(t, l, url.Values{"grant_type": {deviceGrant}, "client_id": {c.ID}, "device_code": {da.DeviceCode}, "scope": {"openid"}}, nil)
	if narrow.status != http.StatusOK || !strings.Contains(string(narrow.body), `"scope":"openid"`) {
		t.Fatalf("narrowed redemption: %d %s", narrow.status, narrow.body)
	}
}

// TestDeviceVerificationPage: what the person is told for each code that
// cannot be used, without learning anything about other codes.
func TestDeviceVerificationPage(t *testing.T) {
	l := start(t)
	l.user(t, demoUser)
	c := deviceClient(t, l)
	da := startDevice(t, l, c.ID, nil)
	b := l.browser(t)

	text := wantDeviceError(t, l, b.enterCode("BDWP-HQP"), "device_user_code_malformed", http.StatusBadRequest)
	if !strings.Contains(text, "has 7 letters") {
		t.Fatalf("malformed: %s", text)
	}
	wantDeviceError(t, l, b.enterCode("BDWP-HQPA"), "device_user_code_malformed", http.StatusBadRequest) // a vowel
	wrong := "BBBB-BBBB"
	if da.UserCode == wrong {
		wrong = "CCCC-CCCC"
	}
	text = wantDeviceError(t, l, b.enterCode(strings.ToLower(wrong)), "device_user_code_unknown", http.StatusBadRequest)
	if !strings.Contains(text, wrong) || strings.Contains(text, da.UserCode) {
		t.Fatalf("unknown code: %s", text)
	}

	// Case, dash and spaces do not matter; the page then asks to sign in.
	typed := " " + strings.ToLower(strings.ReplaceAll(da.UserCode, "-", " ")) + " "
	p := b.enterCode(typed)
	if !p.isSignIn() || !strings.Contains(p.body, "Living Room TV") {
		t.Fatalf("a good code leads to the sign-in form: %d %.400s", p.status, p.body)
	}
	f := p.fields()
	p = b.post(l.URL+"/device/login", url.Values{"csrf": {f.Get("csrf")}, "interaction": {f.Get("interaction")}, "username": {demoUser}, "password": {"wrong"}})
	wantSignInError(t, l, p, "sign_in_failed", http.StatusUnauthorized)
	f = p.fields()
	p = b.post(l.URL+"/device/login", url.Values{"csrf": {f.Get("csrf")}, "interaction": {f.Get("interaction")}, "username": {demoUser}, "password": {demoPassword}})
	if !p.isConsent() || !strings.Contains(p.body, da.UserCode) || !strings.Contains(p.body, "See your profile") {
		t.Fatalf("the question shows the code and the scopes: %d %.600s", p.status, p.body)
	}
	f = p.fields()
	// A forged decision (no token of this browser and code) is refused.
	forged := b.post(l.URL+"/device/decide", url.Values{"csrf": {"forged"}, "user_code": {f.Get("user_code")}, "decision": {"allow"}})
	wantErrorPage(t, l, forged, "csrf_token_invalid", http.StatusForbidden)
	b.post(l.URL+"/device/decide", url.Values{"csrf": {f.Get("csrf")}, "user_code": {f.Get("user_code")}, "decision": {"allow"}})
	// Answered codes are said so, to anyone.
	text = wantDeviceError(t, l, l.browser(t).enterCode(da.UserCode), "device_user_code_used", http.StatusBadRequest)
	if !strings.Contains(text, "approved") {
		t.Fatalf("used: %s", text)
	}
	// Deciding twice, from the same page, is refused too.
	again := b.post(l.URL+"/device/decide", url.Values{"csrf": {f.Get("csrf")}, "user_code": {f.Get("user_code")}, "decision": {"deny"}})
	wantDeviceError(t, l, again, "device_user_code_used", http.StatusBadRequest)
	if r := poll(t, l, c.ID, da.DeviceCode); r.status != http.StatusOK {
		t.Fatalf("the approved code gives tokens: %d %s", r.status, r.body)
	}
}

// TestDeviceThrottle: wrong codes are limited per network and for the
// whole server; once tripped, even a right code waits, on a clear page.
func TestDeviceThrottle(t *testing.T) {
	t.Run("network", func(t *testing.T) {
		l := start(t, func(c *config.Config) { c.Device.UserCodeNetworkPerHour = 3 })
		c := deviceClient(t, l)
		da := startDevice(t, l, c.ID, nil)
		b := l.browser(t)
		// A right code and a malformed one use nothing of the allowance.
		for range 4 {
			if p := b.enterCode(da.UserCode); !p.isSignIn() {
				t.Fatalf("right code: %d", p.status)
			}
			wantDeviceError(t, l, b.enterCode("X"), "device_user_code_malformed", http.StatusBadRequest)
		}
		for _, code := range []string{"BBBB-BBBB", "CCCC-CCCC", "DDDD-DDDD"} {
			wantDeviceError(t, l, b.enterCode(code), "device_user_code_unknown", http.StatusBadRequest)
		}
		p := b.enterCode(da.UserCode)
		wantErrorPage(t, l, p, "device_user_code_rate_limited", http.StatusTooManyRequests)
		if p.header.Get("Retry-After") == "" || !strings.Contains(p.body, "Too many wrong device codes") {
			t.Fatalf("throttle page: Retry-After %q: %.400s", p.header.Get("Retry-After"), p.body)
		}
	})
	t.Run("server", func(t *testing.T) {
		l := start(t, func(c *config.Config) {
			c.Device.UserCodeNetworkPerHour = 0
			c.Device.UserCodeServerPerHour = 2
		})
		b := l.browser(t)
		for _, code := range []string{"BBBB-BBBB", "CCCC-CCCC"} {
			wantDeviceError(t, l, b.enterCode(code), "device_user_code_unknown", http.StatusBadRequest)
		}
		p := b.enterCode("DDDD-DDDD")
		wantErrorPage(t, l, p, "device_user_code_rate_limited_server", http.StatusTooManyRequests)
		if p.header.Get("Retry-After") == "" {
			t.Fatal("no Retry-After")
		}
	})
}

// TestBrowserDeviceFlow: a person in Chromium opens
// verification_uri_complete, confirms the code, signs in, sees what the
// device asks for and allows it; the device then gets its tokens.
func TestBrowserDeviceFlow(t *testing.T) {
	ctx := chrome(t)
	l := start(t)
	l.user(t, demoUser)
	c := deviceClient(t, l)
	da := startDevice(t, l, c.ID, nil)
	var prefilled, question, done string
	err := chromedp.Do(ctx,
		chromedp.Navigate(da.VerificationURIComplete),
		chromedp.WaitVisible(chromedp.CSS("#user_code")),
		into(&prefilled, chromedp.Value(chromedp.CSS("#user_code"))),
		shot(t, "device-01-code"),
		chromedp.Click(chromedp.CSS("#continue")),
		chromedp.WaitVisible(chromedp.CSS("#username")),
		shot(t, "device-02-sign-in"),
		chromedp.SendKeys(chromedp.CSS("#username"), demoUser),
		chromedp.SendKeys(chromedp.CSS("#password"), demoPassword),
		chromedp.Click(chromedp.CSS("#sign-in")),
		chromedp.WaitVisible(chromedp.CSS("#allow")),
		into(&question, chromedp.Text(chromedp.CSS("main"))),
		shot(t, "device-03-question"),
		chromedp.Click(chromedp.CSS("#allow")),
		chromedp.WaitVisible(chromedp.CSS("#device-done")),
		into(&done, chromedp.Text(chromedp.CSS("main"))),
		shot(t, "device-04-done"),
	)
	if err != nil {
		t.Fatalf("browser flow: %v", err)
	}
	if prefilled != da.UserCode {
		t.Errorf("the code field holds %q, want %q", prefilled, da.UserCode)
	}
	for _, want := range []string{"Living Room TV", da.UserCode, "See your profile", "Keep access while you are away"} {
		if !strings.Contains(question, want) {
			t.Errorf("the question lacks %q: %s", want, question)
		}
	}
	if !strings.Contains(done, "Living Room TV") {
		t.Errorf("done page: %s", done)
	}
	if r := poll(t, l, c.ID, da.DeviceCode); r.status != http.StatusOK || !strings.Contains(string(r.body), `"id_token"`) {
		t.Fatalf("the device's poll after approval: %d %s", r.status, r.body)
	}

	// A wrong code typed by hand is said so on the page.
	var alert string
	err = chromedp.Do(ctx,
		chromedp.Navigate(l.URL+"/device"),
		chromedp.WaitVisible(chromedp.CSS("#user_code")),
		chromedp.SendKeys(chromedp.CSS("#user_code"), "bbbb-bbbb"),
		chromedp.Click(chromedp.CSS("#continue")),
		chromedp.WaitVisible(chromedp.CSS("#device-error")),
		into(&alert, chromedp.Text(chromedp.CSS("#device-error"))),
		shot(t, "device-05-wrong-code"),
	)
	if err != nil {
		t.Fatalf("wrong code: %v", err)
	}
	if !strings.Contains(alert, "BBBB-BBBB") {
		t.Errorf("alert: %q", alert)
	}
}
