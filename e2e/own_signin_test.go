package e2e

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/store"
)

// The device verification page and the CIBA approvals page sign people
// in through the same pipeline as /authorize: second factors, their
// setup for a client that requires one, step-up of a password-only
// session, and then back to the page. The ID tokens tell how (amr, acr),
// and so do those of the refresh grant (OpenID Connect Core §12.2).

// deviceLogin opens verification_uri_complete, continues and signs in as
// username; it returns the page after the password.
func (b *browser) deviceLogin(complete, username string) *page {
	b.t.Helper()
	p := b.get(complete)
	f := p.fields()
	p = b.post(b.l.URL+"/device", url.Values{"csrf": {f.Get("csrf")}, "user_code": {f.Get("user_code")}})
	if !p.isSignIn() {
		return p
	}
	f = p.fields()
	return b.post(b.l.URL+"/device/login", url.Values{"csrf": {f.Get("csrf")}, "interaction": {f.Get("interaction")},
		"username": {username}, "password": {demoPassword}})
}

// deviceDecide answers the device question.
func (b *browser) deviceDecide(p *page, decision string) *page {
	b.t.Helper()
	if !p.isConsent() || !strings.Contains(p.body, "/device/decide") {
		b.t.Fatalf("expected the device question, got %d: %.600s", p.status, p.body)
	}
	f := p.fields()
	return b.post(b.l.URL+"/device/decide", url.Values{"csrf": {f.Get("csrf")}, "user_code": {f.Get("user_code")}, "decision": {decision}})
}

// setUpTOTP completes the setup page with an authenticator app and
// returns its secret and the page after the recovery codes.
func (b *browser) setUpTOTP(l *lucid, p *page) (string, *page) {
	b.t.Helper()
	if !p.isSetup() {
		b.t.Fatalf("want the setup page, got %d: %.600s", p.status, p.body)
	}
	m := totpSecretRE.FindStringSubmatch(p.body)
	if m == nil {
		b.t.Fatalf("no secret on the setup page: %.600s", p.body)
	}
	secret := strings.ReplaceAll(m[1], " ", "")
	p = b.postFactor(p, "/login/setup", "totp", totpCode(b.t, l, secret))
	if len(recoveryCodeRE.FindAllStringSubmatch(p.body, -1)) != 10 {
		b.t.Fatalf("want the recovery codes after setup: %d %.600s", p.status, p.body)
	}
	f := p.fields()
	return secret, b.post(l.URL+"/login/setup", url.Values{"csrf": {f.Get("csrf")}, "interaction": {f.Get("interaction")}, "method": {"continue"}})
}

// ownTokens are the tokens of a device or CIBA grant and the verified ID
// token's claims.
type ownTokens struct {
	access, refresh, rawID string
	id                     idClaims
}

func verifyOwn(t *testing.T, l *lucid, clientID string, r *reply) ownTokens {
	t.Helper()
	tok := wantCIBATokens(t, r)
	idt, err := newProvider(t, l).Verifier(&oidc.Config{ClientID: clientID, Now: l.Clock.Now}).Verify(context.Background(), tok.IDToken)
	if err != nil {
		t.Fatalf("go-oidc refuses the ID token: %v", err)
	}
	var c idClaims
	if err := idt.Claims(&c); err != nil {
		t.Fatal(err)
	}
	return ownTokens{access: tok.AccessToken, refresh: tok.RefreshToken, rawID: tok.IDToken, id: c}
}

func mfa(c idClaims) bool {
	return slices.Equal(c.AMR, []string{"pwd", "otp", "mfa"}) && c.ACR == "urn:lucid:acr:mfa"
}

func TestOwnPagesSecondFactor(t *testing.T) {
	w := newCIBAWorld(t)
	l := w.l
	ctx := context.Background()
	plain := deviceClient(t, l)
	strict, _ := l.client(t, manage.ClientSpec{Name: "Payroll TV", AuthMethod: store.AuthNone,
		GrantTypes: []string{deviceGrant, "refresh_token"}, RequireSecondFactor: true})
	bob := l.user(t, "bob")

	// Alice on the device page, for a client that requires a second
	// factor: after her password she sets up an authenticator app, and
	// only then does a session start and the question come.
	da := startDevice(t, l, strict.ID, nil)
	b := l.browser(t)
	p := b.deviceLogin(da.VerificationURIComplete, demoUser)
	if sess, _ := l.Store.ListSessionsFor(ctx, w.alice.ID); len(sess) != 0 {
		t.Fatalf("a session started before the second factor: %+v", sess)
	}
	secret, p := b.setUpTOTP(l, p)
	if p = b.deviceDecide(p, "allow"); !strings.Contains(p.body, `id="device-done"`) {
		t.Fatalf("after approving: %d %.400s", p.status, p.body)
	}
	first := verifyOwn(t, l, strict.ID, poll(t, l, strict.ID, da.DeviceCode))
	if !mfa(first.id) || first.id.Sub != w.alice.ID || first.id.Auth == 0 {
		t.Fatalf("device ID token after setup: %+v", first.id)
	}

	// The refresh grant's ID token tells of the same authentication.
	l.Clock.Advance(10 * time.Minute)
	re := verifyOwn(t, l, strict.ID, postToken(t, l, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {first.refresh}, "client_id": {strict.ID}}, nil))
	if !mfa(re.id) || re.id.Auth != first.id.Auth || re.id.SID != first.id.SID || re.id.SID == "" {
		t.Fatalf("refreshed ID token %+v, want amr, acr, auth_time and sid of %+v", re.id, first.id)
	}

	// Another browser, a client without its own rule (second factors
	// optional): alice has one now, so the device page asks for it; a
	// wrong code is told so; the right one leads to the question.
	l.Clock.Advance(30 * time.Second)
	da = startDevice(t, l, plain.ID, nil)
	b2 := l.browser(t)
	p = b2.deviceLogin(da.VerificationURIComplete, demoUser)
	if !p.isFactor() {
		t.Fatalf("want the second-factor page after the password on /device, got %d: %.600s", p.status, p.body)
	}
	wantFactorError(t, l, b2.postFactor(p, "/login/factor", "totp", "000000"), "second_factor_code_wrong", http.StatusUnauthorized)
	b2.deviceDecide(b2.postFactor(p, "/login/factor", "totp", totpCode(t, l, secret)), "allow")
	if got := verifyOwn(t, l, plain.ID, poll(t, l, plain.ID, da.DeviceCode)); !mfa(got.id) {
		t.Fatalf("device ID token after the TOTP step: %+v", got.id)
	}

	// The approvals page: alice's password, then her code, then the list.
	l.Clock.Advance(30 * time.Second)
	a := startCIBA(t, l, w.poll.ID, w.pollSecret, hintForm("scope", "openid profile offline_access"))
	b3 := l.browser(t)
	p = approvalsSignIn(t, b3)
	if !p.isFactor() {
		t.Fatalf("want the second-factor page after the password on /approvals, got %d: %.600s", p.status, p.body)
	}
	p = b3.postFactor(p, "/login/factor", "totp", totpCode(t, l, secret))
	if !strings.Contains(p.body, "Call Centre") {
		t.Fatalf("want the approvals list after the code: %d %.600s", p.status, p.body)
	}
	f := p.fields()
	b3.post(l.URL+"/approvals", url.Values{"csrf": {f.Get("csrf")}, "request": {f.Get("request")}, "decision": {"approve"}})
	ciba := verifyOwn(t, l, w.poll.ID, cibaPoll(t, l, w.poll.ID, w.pollSecret, a.AuthReqID))
	if !mfa(ciba.id) {
		t.Fatalf("CIBA ID token after the TOTP step: %+v", ciba.id)
	}
	re = verifyOwn(t, l, w.poll.ID, postToken(t, l, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {ciba.refresh}}, basicAuth(w.poll.ID, w.pollSecret)))
	if !mfa(re.id) || re.id.Auth != ciba.id.Auth {
		t.Fatalf("refreshed CIBA ID token %+v, want that of %+v", re.id, ciba.id)
	}

	// Bob has no factor: the password is enough for the plain client.
	// With that session the strict client's code leads to the setup page
	// (a step-up keeping the session's sid), then to the question.
	b4 := l.browser(t)
	da = startDevice(t, l, plain.ID, nil)
	b4.deviceDecide(b4.deviceLogin(da.VerificationURIComplete, "bob"), "allow")
	pwd := verifyOwn(t, l, plain.ID, poll(t, l, plain.ID, da.DeviceCode))
	if !slices.Equal(pwd.id.AMR, []string{"pwd"}) || pwd.id.ACR != "urn:lucid:acr:1fa" || pwd.id.Sub != bob.ID {
		t.Fatalf("bob's password-only ID token: %+v", pwd.id)
	}
	da = startDevice(t, l, strict.ID, nil)
	p = b4.deviceLogin(da.VerificationURIComplete, "bob")
	_, p = b4.setUpTOTP(l, p)
	b4.deviceDecide(p, "allow")
	up := verifyOwn(t, l, strict.ID, poll(t, l, strict.ID, da.DeviceCode))
	if !mfa(up.id) || up.id.SID != pwd.id.SID {
		t.Fatalf("bob's stepped-up ID token %+v, want mfa on the sid %q", up.id, pwd.id.SID)
	}
}

// TestApprovalsStepUpAndRequired: on the approvals page, approving a
// request of a client that requires a second factor steps a password-only
// session up (setup, then back to the list, same request still there);
// with authn.second_factor required, the page's own sign-in asks for the
// setup before any session starts.
func TestApprovalsStepUpAndRequired(t *testing.T) {
	w := newCIBAWorld(t)
	l := w.l
	strict, ssec := l.client(t, manage.ClientSpec{Name: "Payroll", GrantTypes: []string{cibaGrant}, ResponseTypes: []string{},
		RedirectURIs: []string{}, Scopes: []string{"openid"}, RequireSecondFactor: true})
	a := startCIBA(t, l, strict.ID, ssec, hintForm("scope", "openid"))
	b := l.browser(t)
	p := approvalsSignIn(t, b)
	if !strings.Contains(p.body, "Payroll") {
		t.Fatalf("want the approvals list after the password: %d %.600s", p.status, p.body)
	}
	f := p.fields()
	approve := url.Values{"csrf": {f.Get("csrf")}, "request": {f.Get("request")}, "decision": {"approve"}}
	_, p = b.setUpTOTP(l, b.post(l.URL+"/approvals", approve))
	if !strings.Contains(p.body, "Payroll") || !strings.Contains(p.body, f.Get("request")) {
		t.Fatalf("want the approvals list again after the step-up: %d %.600s", p.status, p.body)
	}
	approve.Set("csrf", p.fields().Get("csrf"))
	b.post(l.URL+"/approvals", approve)
	if got := verifyOwn(t, l, strict.ID, cibaPoll(t, l, strict.ID, ssec, a.AuthReqID)); !mfa(got.id) {
		t.Fatalf("ID token after the approvals step-up: %+v", got.id)
	}

	req := start(t, func(c *config.Config) { c.Authn.SecondFactor = config.SecondFactorRequired })
	req.user(t, demoUser)
	b2 := req.browser(t)
	p = approvalsSignIn(t, b2)
	if !p.isSetup() {
		t.Fatalf("want the setup page after the password with second_factor required: %d %.600s", p.status, p.body)
	}
	if _, p = b2.setUpTOTP(req, p); !strings.Contains(p.body, `id="approvals-user"`) {
		t.Fatalf("want the approvals page after the setup: %d %.600s", p.status, p.body)
	}
}
