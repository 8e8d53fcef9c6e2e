package e2e

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"golang.org/x/oauth2"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/store"
)

// Second factors end to end over HTTP: setting up an authenticator app
// during sign-in, signing in with its codes (a replayed code refused), a
// recovery code, the lockout shared with the password, step-up of an
// existing session through acr_values, and what the ID token says about
// it (amr, acr) as go-oidc verifies it.

var (
	totpSecretRE   = regexp.MustCompile(`id="totp-secret" class="secret">([A-Z2-7 ]+)</code>`)
	recoveryCodeRE = regexp.MustCompile(`<li><code>([0-9A-Z]{5}-[0-9A-Z]{5})</code></li>`)
)

func (p *page) isFactor() bool { return strings.Contains(p.body, `action="/login/factor"`) }
func (p *page) isSetup() bool  { return strings.Contains(p.body, `id="totp-setup-form"`) }

// totpCode is the code an authenticator app shows at the server's time.
func totpCode(t *testing.T, l *lucid, secret string) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(secret, l.Clock.Now(), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// postFactor posts one of the factor or setup page's forms.
func (b *browser) postFactor(p *page, path, method, code string) *page {
	b.t.Helper()
	f := p.fields()
	return b.post(b.l.URL+path, url.Values{"csrf": {f.Get("csrf")}, "interaction": {f.Get("interaction")}, "method": {method}, "code": {code}})
}

// wantFactorError asserts a failed step answered on the factor or setup
// page: the status, the alert naming the entry, the reference that leads
// to the stored story.
func wantFactorError(t *testing.T, l *lucid, p *page, name string, status int) {
	t.Helper()
	if p.location != nil || p.status != status || !(p.isFactor() || p.isSetup() || p.isSignIn()) {
		t.Fatalf("got %d (location %v), want a factor page with %d for %s: %.600s", p.status, p.location, status, name, p.body)
	}
	alert := signInAlert.FindStringSubmatch(p.body)
	if alert == nil || alert[1] != name {
		t.Fatalf("the alert does not name %s: %v", name, alert)
	}
	tid := p.header.Get("X-Trace-Id")
	ref := signInReference.FindStringSubmatch(p.body)
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
}

// idClaims exchanges the code of a redirect and returns the verified ID
// token's claims.
type idClaims struct {
	Sub  string   `json:"sub"`
	AMR  []string `json:"amr"`
	ACR  string   `json:"acr"`
	SID  string   `json:"sid"`
	Auth int64    `json:"auth_time"`
}

func exchangeID(t *testing.T, l *lucid, cfg *oauth2.Config, back *url.URL, verifier string) idClaims {
	t.Helper()
	ctx := context.Background()
	tok, err := cfg.Exchange(ctx, codeFrom(t, back, "st"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := newProvider(t, l).Verifier(&oidc.Config{ClientID: cfg.ClientID, Now: l.Clock.Now}).Verify(ctx, raw)
	if err != nil {
		t.Fatalf("verify ID token: %v", err)
	}
	var c idClaims
	if err := idt.Claims(&c); err != nil {
		t.Fatal(err)
	}
	return c
}

// finish answers consent, if asked, and returns the redirect to the client.
func (b *browser) finish(p *page) *url.URL {
	b.t.Helper()
	if p.isConsent() {
		p = b.consent(p, "allow")
	}
	if p.location == nil {
		b.t.Fatalf("no redirect to the client: %d %.600s", p.status, p.body)
	}
	return p.location
}

func TestTOTPSetUpSignInAndRecovery(t *testing.T) {
	l := start(t)
	alice := l.user(t, demoUser)
	strict, ssec := l.client(t, manage.ClientSpec{Name: "Payroll", RequireSecondFactor: true})
	plain, psec := l.client(t, manage.ClientSpec{Name: "Notes"})
	strictCfg, plainCfg := l.oauthConfig(strict, ssec), l.oauthConfig(plain, psec)

	// The client requires a second factor; alice has none: after her
	// password she sets up an authenticator app.
	b := l.browser(t)
	v := oauth2.GenerateVerifier()
	p := b.signIn(b.get(strictCfg.AuthCodeURL("st", oauth2.S256ChallengeOption(v))), demoUser, demoPassword)
	if !p.isSetup() {
		t.Fatalf("want the setup page after the password, got %d: %.600s", p.status, p.body)
	}
	if !strings.Contains(p.body, `src="data:image/png;base64,`) || strings.Contains(p.header.Get("Content-Security-Policy"), "unsafe-inline") {
		t.Fatalf("setup page lacks its QR code, or its CSP allows inline script: %s", p.header.Get("Content-Security-Policy"))
	}
	m := totpSecretRE.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no secret on the setup page: %.800s", p.body)
	}
	secret := strings.ReplaceAll(m[1], " ", "")
	// Nobody is signed in yet: the session starts only once the policy
	// is met.
	if sess, _ := l.Store.ListSessionsFor(context.Background(), alice.ID); len(sess) != 0 {
		t.Fatalf("a session started before the second factor: %+v", sess)
	}
	wantFactorError(t, l, b.postFactor(p, "/login/setup", "totp", "000000"), "second_factor_code_wrong", http.StatusUnauthorized)
	p = b.postFactor(p, "/login/setup", "totp", totpCode(t, l, secret))
	codes := recoveryCodeRE.FindAllStringSubmatch(p.body, -1)
	if p.status != http.StatusOK || len(codes) != 10 {
		t.Fatalf("want 10 recovery codes after setup, got %d: %.600s", len(codes), p.body)
	}
	f := p.fields()
	p = b.post(l.URL+"/login/setup", url.Values{"csrf": {f.Get("csrf")}, "interaction": {f.Get("interaction")}, "method": {"continue"}})
	c := exchangeID(t, l, strictCfg, b.finish(p), v)
	if !slices.Equal(c.AMR, []string{"pwd", "otp", "mfa"}) || c.ACR != "urn:lucid:acr:mfa" || c.Sub != alice.ID {
		t.Fatalf("ID token after setup: amr %v acr %q sub %q", c.AMR, c.ACR, c.Sub)
	}

	// Another browser, the other client (authn.second_factor optional):
	// alice has a factor now, so she is asked for it. The code of the
	// step the setup spent is refused; the next step's is taken.
	b2 := l.browser(t)
	v2 := oauth2.GenerateVerifier()
	p = b2.signIn(b2.get(plainCfg.AuthCodeURL("st", oauth2.S256ChallengeOption(v2))), demoUser, demoPassword)
	if !p.isFactor() || !strings.Contains(p.body, `id="totp-form"`) || !strings.Contains(p.body, `id="recovery-form"`) {
		t.Fatalf("want the second-factor page with app and recovery code, got %d: %.600s", p.status, p.body)
	}
	wantFactorError(t, l, b2.postFactor(p, "/login/factor", "totp", totpCode(t, l, secret)), "second_factor_code_reused", http.StatusUnauthorized)
	l.Clock.Advance(30 * time.Second)
	c = exchangeID(t, l, plainCfg, b2.finish(b2.postFactor(p, "/login/factor", "totp", totpCode(t, l, secret))), v2)
	if !slices.Equal(c.AMR, []string{"pwd", "otp", "mfa"}) || c.ACR != "urn:lucid:acr:mfa" {
		t.Fatalf("ID token after a code: amr %v acr %q", c.AMR, c.ACR)
	}

	// A recovery code works once; a wrong one is told so.
	b3 := l.browser(t)
	v3 := oauth2.GenerateVerifier()
	p = b3.signIn(b3.get(plainCfg.AuthCodeURL("st", oauth2.S256ChallengeOption(v3))), demoUser, demoPassword)
	wantFactorError(t, l, b3.postFactor(p, "/login/factor", "recovery", "22222-22222"), "recovery_code_wrong", http.StatusUnauthorized)
	code := strings.ToLower(codes[3][1]) // typed in lower case: still the code
	c = exchangeID(t, l, plainCfg, b3.finish(b3.postFactor(p, "/login/factor", "recovery", code)), v3)
	if !slices.Contains(c.AMR, "otp") || c.ACR != "urn:lucid:acr:mfa" {
		t.Fatalf("ID token after a recovery code: amr %v acr %q", c.AMR, c.ACR)
	}
	b4 := l.browser(t)
	p = b4.signIn(b4.get(plainCfg.AuthCodeURL("st", oauth2.S256ChallengeOption(v3))), demoUser, demoPassword)
	wantFactorError(t, l, b4.postFactor(p, "/login/factor", "recovery", codes[3][1]), "recovery_code_used", http.StatusUnauthorized)
	// A factor alice does not have (passkeys are off on an IP issuer).
	wantFactorError(t, l, b4.postFactor(p, "/login/factor", "passkey", ""), "second_factor_not_enrolled", http.StatusBadRequest)

	// Wrong codes lock the account as wrong passwords do: the used
	// recovery code above counted once, so a few more reach the lock.
	var last *page
	for range l.cfg.Lockout.Threshold {
		last = b4.postFactor(p, "/login/factor", "totp", "000000")
		if last.status == http.StatusTooManyRequests {
			break
		}
	}
	wantFactorError(t, l, last, "second_factor_locked", http.StatusTooManyRequests)
	if last.header.Get("Retry-After") == "" {
		t.Error("second_factor_locked without Retry-After")
	}
	// While locked, even the right code is refused.
	l.Clock.Advance(30 * time.Second)
	wantFactorError(t, l, b4.postFactor(p, "/login/factor", "totp", totpCode(t, l, secret)), "second_factor_locked", http.StatusTooManyRequests)

	// The operator sees and resets the factors.
	var view manage.FactorsView
	r := jsonCall(t, l, http.MethodGet, "/admin/users/"+alice.ID+"/factors", l.cfg.AdminToken, "")
	if r.status != http.StatusOK || json.Unmarshal(r.body, &view) != nil || view.TOTP == nil || view.RecoveryCodes != 9 {
		t.Fatalf("admin factors: %d %s", r.status, r.body)
	}
	if r := jsonCall(t, l, http.MethodDelete, "/admin/users/"+alice.ID+"/factors", l.cfg.AdminToken, ""); r.status != http.StatusOK {
		t.Fatalf("admin reset factors: %d %s", r.status, r.body)
	}
	if _, err := l.Store.GetTOTP(context.Background(), alice.ID); err != store.ErrNotFound {
		t.Fatalf("TOTP after reset: %v", err)
	}
}

// TestStepUpThroughACRValues: a session signed in with a password meets
// a plain request; a request with acr_values=urn:lucid:acr:mfa steps it
// up on the same session (no password again), and the ID token says so.
// A server that cannot set up factors during sign-in answers
// unmet_authentication_requirements, as it does for acr values it does
// not serve.
func TestStepUpThroughACRValues(t *testing.T) {
	l := start(t)
	bob := l.user(t, "bob")
	c, sec := l.client(t, manage.ClientSpec{Name: "Notes"})
	cfg := l.oauthConfig(c, sec)
	b := l.browser(t)
	v := oauth2.GenerateVerifier()
	first := exchangeID(t, l, cfg, b.finish(b.signIn(b.get(cfg.AuthCodeURL("st", oauth2.S256ChallengeOption(v))), "bob", demoPassword)), v)
	if !slices.Equal(first.AMR, []string{"pwd"}) || first.ACR != "urn:lucid:acr:1fa" {
		t.Fatalf("password sign-in: amr %v acr %q", first.AMR, first.ACR)
	}

	l.Clock.Advance(time.Minute)
	v = oauth2.GenerateVerifier()
	p := b.get(cfg.AuthCodeURL("st", oauth2.S256ChallengeOption(v), oauth2.SetAuthURLParam("acr_values", "urn:lucid:acr:mfa")))
	if !p.isSetup() {
		t.Fatalf("want the setup page for the step-up (bob has no factor), got %d: %.500s", p.status, p.body)
	}
	secret := strings.ReplaceAll(totpSecretRE.FindStringSubmatch(p.body)[1], " ", "")
	p = b.postFactor(p, "/login/setup", "totp", totpCode(t, l, secret))
	f := p.fields()
	p = b.post(l.URL+"/login/setup", url.Values{"csrf": {f.Get("csrf")}, "interaction": {f.Get("interaction")}, "method": {"continue"}})
	up := exchangeID(t, l, cfg, b.finish(p), v)
	if !slices.Equal(up.AMR, []string{"pwd", "otp", "mfa"}) || up.ACR != "urn:lucid:acr:mfa" || up.SID != first.SID || up.Sub != bob.ID || up.Auth <= first.Auth {
		t.Fatalf("step-up: amr %v acr %q sid %q (was %q) auth_time %d (was %d)", up.AMR, up.ACR, up.SID, first.SID, up.Auth, first.Auth)
	}
	// The stepped-up session now meets the request without a step.
	v = oauth2.GenerateVerifier()
	again := exchangeID(t, l, cfg, b.finish(b.get(cfg.AuthCodeURL("st", oauth2.S256ChallengeOption(v), oauth2.SetAuthURLParam("acr_values", "urn:lucid:acr:mfa")))), v)
	if again.ACR != "urn:lucid:acr:mfa" || again.SID != first.SID {
		t.Fatalf("after the step-up: acr %q sid %q", again.ACR, again.SID)
	}

	// Acr values Lucid does not serve.
	p = b.get(cfg.AuthCodeURL("st", oauth2.S256ChallengeOption(v), oauth2.SetAuthURLParam("acr_values", "urn:example:loa:3")))
	wantAuthzError(t, l, p.location, "acr_values_unsupported", "unmet_authentication_requirements", "st")

	// With second factors off, carol (none set up) cannot meet mfa.
	off := start(t, func(c *config.Config) { c.Authn.SecondFactor = config.SecondFactorOff })
	off.user(t, "carol")
	oc, osec := off.client(t, manage.ClientSpec{Name: "Notes"})
	ocfg := off.oauthConfig(oc, osec)
	ob := off.browser(t)
	p = ob.signIn(ob.get(ocfg.AuthCodeURL("st", oauth2.S256ChallengeOption(v), oauth2.SetAuthURLParam("acr_values", "urn:lucid:acr:mfa"))), "carol", demoPassword)
	wantAuthzError(t, off, p.location, "acr_unmet", "unmet_authentication_requirements", "st")
	if !strings.Contains(html.UnescapeString(p.location.Query().Get("error_description")), "urn:lucid:acr:mfa") {
		t.Fatalf("acr_unmet does not name the value: %s", p.location.Query().Get("error_description"))
	}

	// Discovery lists the acr values served (no phr without passkeys).
	var doc struct {
		ACR []string `json:"acr_values_supported"`
	}
	r := send(t, http.MethodGet, l.URL+"/.well-known/openid-configuration", nil, nil)
	if json.Unmarshal(r.body, &doc) != nil || !slices.Equal(doc.ACR, []string{"urn:lucid:acr:1fa", "urn:lucid:acr:mfa"}) {
		t.Fatalf("acr_values_supported = %v", doc.ACR)
	}
}

// TestPasskeyAnswersRefused: answers that are not what the ceremony asked
// for are refused on the page, and a ceremony is spent by its first
// answer. (The accepted ones are in TestBrowserFactorsAndPasskeys.)
func TestPasskeyAnswersRefused(t *testing.T) {
	l := start(t, atLocalhost, func(c *config.Config) { c.Authn.SecondFactor = config.SecondFactorRequired })
	l.user(t, demoUser)
	c, sec := l.client(t, manage.ClientSpec{Name: "Notes"})
	cfg := l.oauthConfig(c, sec)
	b := l.browser(t)
	p := b.get(cfg.AuthCodeURL("st", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	if !p.isSignIn() || !strings.Contains(p.body, `data-passkey="get"`) || !strings.Contains(p.header.Get("Content-Security-Policy"), "script-src 'self'") {
		t.Fatalf("sign-in page without its passkey form or script: %s %.400s", p.header.Get("Content-Security-Policy"), p.body)
	}
	f := p.fields()
	answer := func(path, method, credential string) *page {
		return b.post(l.URL+path, url.Values{"csrf": {f.Get("csrf")}, "interaction": {f.Get("interaction")}, "method": {method}, "credential": {credential}})
	}
	// A forged answer is refused (and spends the challenge; the page
	// shown again has a new one).
	wantSignInError(t, l, answer("/login/passkey", "passkey", `{"id":"AAAA","rawId":"AAAA","type":"public-key","response":{}}`), "passkey_assertion_invalid", http.StatusUnauthorized)

	// After the password the policy asks for a factor: the setup page
	// offers a passkey; a forged registration is refused.
	p = b.signIn(b.get(cfg.AuthCodeURL("st", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()))), demoUser, demoPassword)
	if !p.isSetup() || !strings.Contains(p.body, `data-passkey="create"`) {
		t.Fatalf("want the setup page with a passkey form: %d %.400s", p.status, p.body)
	}
	f = p.fields()
	wantFactorError(t, l, answer("/login/setup", "passkey", `{"id":"AAAA","rawId":"AAAA","type":"public-key","response":{"clientDataJSON":"e30","attestationObject":"oA"}}`), "passkey_registration_invalid", http.StatusBadRequest)
	// The request now waits for a registration: a sign-in answer finds
	// no sign-in challenge to answer.
	wantSignInError(t, l, answer("/login/passkey", "passkey", `{}`), "passkey_ceremony_expired", http.StatusBadRequest)
}
