package e2e

// Issue 12: client-initiated backchannel authentication (OpenID CIBA Core
// 1.0). The client here is the test's own: it posts to the backchannel
// authentication endpoint and polls the token endpoint as a CIBA client
// library would; the person approves on /approvals (the test's browser or
// headless Chromium) or an external notifier reports through the admin
// API; ping notifications reach a real listener on loopback.

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/granttype"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/store"
)

const cibaGrant = string(granttype.CIBA)

// cibaWorld is a Lucid with alice, a polling client, a signing client,
// and a trusted issuer of login_hint_token values.
type cibaWorld struct {
	l           *lucid
	alice       *store.User
	poll        *store.Client
	pollSecret  string
	signer      *store.Client
	signSecret  string
	signKey     *ecdsa.PrivateKey
	hintIssuer  string
	hintKey     *ecdsa.PrivateKey
	otherClient *store.Client
	otherSecret string
}

func newCIBAWorld(t *testing.T, adjust ...func(*config.Config)) *cibaWorld {
	t.Helper()
	w := &cibaWorld{hintIssuer: "https://telco.example.com"}
	w.hintKey, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	w.signKey, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	set, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &w.hintKey.PublicKey, KeyID: "hint-1", Use: "sig"}}})
	file := filepath.Join(t.TempDir(), "telco.jwks")
	if err := os.WriteFile(file, set, 0o600); err != nil {
		t.Fatal(err)
	}
	w.l = start(t, append([]func(*config.Config){withLocalKeySets, func(c *config.Config) {
		c.TrustedIssuers = []config.TrustedIssuer{{Issuer: w.hintIssuer, JWKSFile: file}}
		c.CIBA.LoginHintTokenIssuers = []string{w.hintIssuer}
	}}, adjust...)...)
	w.alice = w.l.user(t, demoUser)
	w.poll, w.pollSecret = w.l.client(t, manage.ClientSpec{Name: "Call Centre", GrantTypes: []string{cibaGrant, "refresh_token"}, ResponseTypes: []string{},
		RedirectURIs: []string{}, Scopes: []string{"openid", "profile", "email", "offline_access"}})
	jwks, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &w.signKey.PublicKey, KeyID: "bank-1", Use: "sig", Algorithm: "ES256"}}})
	w.signer, w.signSecret = w.l.client(t, manage.ClientSpec{Name: "Bank", GrantTypes: []string{cibaGrant}, ResponseTypes: []string{},
		RedirectURIs: []string{}, Scopes: []string{"openid"}, JWKS: string(jwks),
		Backchannel: &store.BackchannelClient{DeliveryMode: store.DeliveryPoll, SigningAlg: "ES256"}})
	w.otherClient, w.otherSecret = w.l.client(t, manage.ClientSpec{Name: "Other", GrantTypes: []string{cibaGrant}, ResponseTypes: []string{},
		RedirectURIs: []string{}, Scopes: []string{"openid"}})
	return w
}

// bcAuthorize posts a backchannel authentication request.
func bcAuthorize(t *testing.T, l *lucid, id, secret string, form url.Values) *reply {
	t.Helper()
	return send(t, http.MethodPost, l.URL+"/bc-authorize", strings.NewReader(form.Encode()), func(r *http.Request) {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if secret != "" {
			r.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
		}
	})
}

type cibaAnswer struct {
	AuthReqID string `json:"auth_req_id"`
	ExpiresIn int    `json:"expires_in"`
	Interval  int    `json:"interval"`
}

// startCIBA makes a request that must succeed.
func startCIBA(t *testing.T, l *lucid, id, secret string, form url.Values) cibaAnswer {
	t.Helper()
	r := bcAuthorize(t, l, id, secret, form)
	var a cibaAnswer
	if r.status != http.StatusOK || json.Unmarshal(r.body, &a) != nil || len(a.AuthReqID) < 40 || a.ExpiresIn <= 0 || a.Interval != 5 {
		t.Fatalf("backchannel authentication: %d %s", r.status, r.body)
	}
	if r.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("Cache-Control %q", r.header.Get("Cache-Control"))
	}
	return a
}

func cibaPoll(t *testing.T, l *lucid, id, secret, authReqID string) *reply {
	t.Helper()
	return postToken(t, l, url.Values{"grant_type": {cibaGrant}, "auth_req_id": {authReqID}}, basicAuth(id, secret))
}

type cibaTokens struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	IDToken      string `json:"id_token"`
	RefreshToken string `json:"refresh_token"`
	Scope        string `json:"scope"`
}

func wantCIBATokens(t *testing.T, r *reply) cibaTokens {
	t.Helper()
	var tok cibaTokens
	if r.status != http.StatusOK || json.Unmarshal(r.body, &tok) != nil || tok.AccessToken == "" || tok.IDToken == "" {
		t.Fatalf("want tokens, got %d %s", r.status, r.body)
	}
	return tok
}

func hintForm(kv ...string) url.Values {
	f := url.Values{"scope": {"openid profile"}, "login_hint": {demoUser}}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			f.Del(kv[i])
			continue
		}
		f.Set(kv[i], kv[i+1])
	}
	return f
}

// approvalsSignIn signs the browser in on the approvals page.
func approvalsSignIn(t *testing.T, b *browser) *page {
	t.Helper()
	p := b.get(b.l.URL + "/approvals")
	if !p.isSignIn() {
		t.Fatalf("the approvals page of a stranger is not a sign-in form: %d %.300s", p.status, p.body)
	}
	f := p.fields()
	return b.post(b.l.URL+"/approvals/login", url.Values{"csrf": {f.Get("csrf")}, "interaction": {f.Get("interaction")}, "username": {demoUser}, "password": {demoPassword}})
}

// TestCIBAPollApprovedOnPage: poll mode end to end. The person signs in
// on the approvals page, sees the client, the scopes in words and the
// binding message, and approves; the client's polls go from pending (and
// slow_down when too fast) to tokens, whose ID token go-oidc verifies;
// the auth_req_id yields tokens once.
func TestCIBAPollApprovedOnPage(t *testing.T) {
	w := newCIBAWorld(t)
	l := w.l
	a := startCIBA(t, l, w.poll.ID, w.pollSecret, hintForm("binding_message", "W4SCT", "acr_values", "urn:example:silver"))

	wantJSONError(t, l, cibaPoll(t, l, w.poll.ID, w.pollSecret, a.AuthReqID), "ciba_authorization_pending", "authorization_pending", 400)
	slow := wantJSONError(t, l, cibaPoll(t, l, w.poll.ID, w.pollSecret, a.AuthReqID), "ciba_slow_down", "slow_down", 400)
	if !strings.Contains(slow.Description, "at least 10 seconds") {
		t.Errorf("slow_down does not say the new interval: %s", slow.Description)
	}
	wantJSONError(t, l, cibaPoll(t, l, w.otherClient.ID, w.otherSecret, a.AuthReqID), "ciba_auth_req_id_other_client", "invalid_grant", 400)

	b := l.browser(t)
	p := approvalsSignIn(t, b)
	for _, want := range []string{"Call Centre", "W4SCT", "See your profile", "Confirm who you are", "urn:example:silver"} {
		if !strings.Contains(p.body, want) {
			t.Fatalf("the approvals page lacks %q: %.1200s", want, p.body)
		}
	}
	f := p.fields()
	done := b.post(l.URL+"/approvals", url.Values{"csrf": {f.Get("csrf")}, "request": {f.Get("request")}, "decision": {"approve"}})
	if done.status != 200 || !strings.Contains(done.body, "Approved") || strings.Contains(done.body, "W4SCT") {
		t.Fatalf("after approving: %d %.600s", done.status, done.body)
	}
	// Deciding again, from the stale form, is refused and changes nothing.
	again := b.post(l.URL+"/approvals", url.Values{"csrf": {f.Get("csrf")}, "request": {f.Get("request")}, "decision": {"deny"}})
	wantErrorPage(t, l, again, "ciba_request_not_pending", http.StatusConflict)
	unknown := b.post(l.URL+"/approvals", url.Values{"csrf": {f.Get("csrf")}, "request": {"nope"}, "decision": {"approve"}})
	wantErrorPage(t, l, unknown, "ciba_approval_unknown", http.StatusNotFound)

	tok := wantCIBATokens(t, cibaPoll(t, l, w.poll.ID, w.pollSecret, a.AuthReqID))
	ctx := context.Background()
	idt, err := newProvider(t, l).Verifier(&oidc.Config{ClientID: w.poll.ID}).Verify(ctx, tok.IDToken)
	if err != nil {
		t.Fatalf("go-oidc refuses the ID token: %v", err)
	}
	var claims struct {
		AMR []string `json:"amr"`
	}
	_ = idt.Claims(&claims)
	if idt.Subject != w.alice.ID || len(claims.AMR) == 0 || claims.AMR[0] != "pwd" {
		t.Errorf("ID token sub %q amr %v, want alice's with pwd", idt.Subject, claims.AMR)
	}
	if tok.Scope != "openid profile" {
		t.Errorf("scope %q", tok.Scope)
	}
	// The access token opens userinfo as alice.
	ui := send(t, http.MethodGet, l.URL+"/userinfo", nil, func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok.AccessToken) })
	if ui.status != 200 || !strings.Contains(string(ui.body), w.alice.ID) {
		t.Errorf("userinfo: %d %s", ui.status, ui.body)
	}
	wantJSONError(t, l, cibaPoll(t, l, w.poll.ID, w.pollSecret, a.AuthReqID), "ciba_auth_req_id_used", "invalid_grant", 400)

	// The ID token names alice as id_token_hint for the next request.
	b2 := startCIBA(t, l, w.poll.ID, w.pollSecret, url.Values{"scope": {"openid"}, "id_token_hint": {tok.IDToken}})
	list := jsonCall(t, l, http.MethodGet, "/admin/backchannel?user_id="+w.alice.ID, l.cfg.AdminToken, "")
	if list.status != 200 || strings.Count(string(list.body), `"id":`) != 1 {
		t.Fatalf("pending requests of alice: %d %s", list.status, list.body)
	}
	_ = b2
}

// TestCIBARedeemedOnce: concurrent polls of an approved request get
// tokens once.
func TestCIBARedeemedOnce(t *testing.T) {
	w := newCIBAWorld(t)
	l := w.l
	a := startCIBA(t, l, w.poll.ID, w.pollSecret, hintForm())
	id := adminDecide(t, l, w.alice.ID, "approve", http.StatusOK)
	if id == "" {
		t.Fatal("no request to decide")
	}
	const n = 8
	var wg sync.WaitGroup
	got := make([]*reply, n)
	for i := range n {
		wg.Go(func() { got[i] = cibaPoll(t, l, w.poll.ID, w.pollSecret, a.AuthReqID) })
	}
	wg.Wait()
	wins := 0
	for _, r := range got {
		if r.status == http.StatusOK {
			wins++
			continue
		}
		wantJSONError(t, l, r, "ciba_auth_req_id_used", "invalid_grant", 400)
	}
	if wins != 1 {
		t.Fatalf("%d polls got tokens, want exactly 1", wins)
	}
}

// adminDecide reports a decision on alice's oldest pending request through
// the notifier API and returns the request's id.
func adminDecide(t *testing.T, l *lucid, userID, decision string, status int) string {
	t.Helper()
	list := jsonCall(t, l, http.MethodGet, "/admin/backchannel?user_id="+userID, l.cfg.AdminToken, "")
	var out struct {
		Requests []struct {
			ID, ClientName, BindingMessage string
		} `json:"requests"`
	}
	if list.status != 200 || json.Unmarshal(list.body, &out) != nil || len(out.Requests) == 0 {
		t.Fatalf("pending requests: %d %s", list.status, list.body)
	}
	id := out.Requests[0].ID
	r := jsonCall(t, l, http.MethodPost, "/admin/backchannel/"+id+"/decision", l.cfg.AdminToken, `{"decision":"`+decision+`","amr":["hwk"],"reason":"device unreachable"}`)
	if r.status != status {
		t.Fatalf("decision %s: %d %s", decision, r.status, r.body)
	}
	return id
}

// TestCIBAAdminDecisions: an external notifier approves, denies or reports
// a failure through the admin API; a second decision is refused.
func TestCIBAAdminDecisions(t *testing.T) {
	w := newCIBAWorld(t)
	l := w.l

	approved := startCIBA(t, l, w.poll.ID, w.pollSecret, hintForm("binding_message", "Order 1234", "scope", "openid offline_access"))
	id := adminDecide(t, l, w.alice.ID, "approve", http.StatusOK)
	tok := wantCIBATokens(t, cibaPoll(t, l, w.poll.ID, w.pollSecret, approved.AuthReqID))
	idt, err := newProvider(t, l).Verifier(&oidc.Config{ClientID: w.poll.ID}).Verify(context.Background(), tok.IDToken)
	if err != nil || idt.Subject != w.alice.ID {
		t.Fatalf("ID token: %v", err)
	}
	// offline_access: a refresh token, which refreshes like any other.
	if tok.RefreshToken == "" {
		t.Fatal("no refresh token with offline_access")
	}
	if r := postToken(t, l, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}}, basicAuth(w.poll.ID, w.pollSecret)); r.status != http.StatusOK {
		t.Fatalf("refresh: %d %s", r.status, r.body)
	}
	again := jsonCall(t, l, http.MethodPost, "/admin/backchannel/"+id+"/decision", l.cfg.AdminToken, `{"decision":"deny"}`)
	wantJSONError(t, l, again, "ciba_request_not_pending", "invalid_request", http.StatusConflict)

	denied := startCIBA(t, l, w.poll.ID, w.pollSecret, hintForm())
	adminDecide(t, l, w.alice.ID, "deny", http.StatusOK)
	wantJSONError(t, l, cibaPoll(t, l, w.poll.ID, w.pollSecret, denied.AuthReqID), "ciba_access_denied", "access_denied", 400)

	failed := startCIBA(t, l, w.poll.ID, w.pollSecret, hintForm())
	adminDecide(t, l, w.alice.ID, "fail", http.StatusOK)
	wantJSONError(t, l, cibaPoll(t, l, w.poll.ID, w.pollSecret, failed.AuthReqID), "ciba_transaction_failed", "transaction_failed", 400)

	startCIBA(t, l, w.poll.ID, w.pollSecret, hintForm())
	adminDecide(t, l, w.alice.ID, "maybe", http.StatusBadRequest)
}

// TestCIBAExpiry: with the harness clock, a request not decided within
// its requested_expiry answers expired_token, and a late decision is
// refused.
func TestCIBAExpiry(t *testing.T) {
	w := newCIBAWorld(t)
	l := w.l
	a := startCIBA(t, l, w.poll.ID, w.pollSecret, hintForm("requested_expiry", "60"))
	if a.ExpiresIn != 60 {
		t.Fatalf("expires_in %d, want the requested 60", a.ExpiresIn)
	}
	list := jsonCall(t, l, http.MethodGet, "/admin/backchannel", l.cfg.AdminToken, "")
	var out struct {
		Requests []struct{ ID string } `json:"requests"`
	}
	if json.Unmarshal(list.body, &out) != nil || len(out.Requests) != 1 {
		t.Fatalf("pending: %s", list.body)
	}
	l.Clock.Advance(61 * time.Second)
	e := wantJSONError(t, l, cibaPoll(t, l, w.poll.ID, w.pollSecret, a.AuthReqID), "ciba_expired", "expired_token", 400)
	if !strings.Contains(e.Description, "open for 1m0s") {
		t.Errorf("expiry description: %s", e.Description)
	}
	late := jsonCall(t, l, http.MethodPost, "/admin/backchannel/"+out.Requests[0].ID+"/decision", l.cfg.AdminToken, `{"decision":"approve"}`)
	wantJSONError(t, l, late, "ciba_request_not_pending", "invalid_request", http.StatusConflict)
}

// TestCIBARequestErrors: every refusal of the backchannel authentication
// endpoint, each with its entry; nothing is started for any of them.
func TestCIBARequestErrors(t *testing.T) {
	w := newCIBAWorld(t)
	l := w.l
	ctx := context.Background()
	public, _ := l.client(t, manage.ClientSpec{Name: "SPA", AuthMethod: store.AuthNone})
	plain, plainSecret := l.client(t, manage.ClientSpec{Name: "Web app"})
	ping, pingSecret := l.client(t, manage.ClientSpec{Name: "Pinged", GrantTypes: []string{cibaGrant}, ResponseTypes: []string{}, RedirectURIs: []string{},
		Scopes: []string{"openid"}, Backchannel: &store.BackchannelClient{DeliveryMode: store.DeliveryPing, NotificationEndpoint: "https://rp.example.com/ciba"}})
	bob := l.user(t, "bob")
	if _, err := l.Svc.UpdateUser(ctx, bob.ID, manage.UserPatch{Disabled: ptrTo(true)}); err != nil {
		t.Fatal(err)
	}
	otherID := signIDTokenForTest(t, l, map[string]any{"iss": l.URL, "sub": w.alice.ID, "aud": "someone-else", "iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix()})
	now := time.Now()
	hint := func(key *ecdsa.PrivateKey, kv ...any) string {
		c := map[string]any{"iss": w.hintIssuer, "sub": w.alice.ID, "aud": l.URL, "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix()}
		for i := 0; i+1 < len(kv); i += 2 {
			c[kv[i].(string)] = kv[i+1]
		}
		return signJWT(t, jose.ES256, key, "hint-1", c)
	}
	stranger, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)

	cases := []struct {
		name        string
		id, secret  string
		form        url.Values
		entry, code string
	}{
		{"public client", public.ID, "", hintForm("client_id", public.ID), "ciba_public_client", "unauthorized_client"},
		{"no CIBA grant", plain.ID, plainSecret, hintForm(), "ciba_grant_not_allowed", "unauthorized_client"},
		{"no openid", w.poll.ID, w.pollSecret, hintForm("scope", "profile"), "ciba_openid_scope_missing", "invalid_request"},
		{"no scope", w.poll.ID, w.pollSecret, hintForm("scope", ""), "ciba_openid_scope_missing", "invalid_request"},
		{"scope not allowed", w.poll.ID, w.pollSecret, hintForm("scope", "openid phone"), "ciba_scope_not_allowed", "invalid_scope"},
		{"no hint", w.poll.ID, w.pollSecret, hintForm("login_hint", ""), "ciba_hint_missing", "invalid_request"},
		{"two hints", w.poll.ID, w.pollSecret, hintForm("id_token_hint", otherID), "ciba_hints_multiple", "invalid_request"},
		{"unknown user", w.poll.ID, w.pollSecret, hintForm("login_hint", "mallory"), "ciba_unknown_user", "unknown_user_id"},
		{"disabled user", w.poll.ID, w.pollSecret, hintForm("login_hint", "bob"), "ciba_unknown_user", "unknown_user_id"},
		{"id_token_hint of another client", w.poll.ID, w.pollSecret, hintForm("login_hint", "", "id_token_hint", otherID), "ciba_id_token_hint_invalid", "invalid_request"},
		{"id_token_hint not ours", w.poll.ID, w.pollSecret, hintForm("login_hint", "", "id_token_hint", hint(w.hintKey)), "ciba_id_token_hint_invalid", "invalid_request"},
		{"login_hint_token expired", w.poll.ID, w.pollSecret, hintForm("login_hint", "", "login_hint_token", hint(w.hintKey, "exp", now.Add(-18*time.Minute).Unix(), "iat", now.Add(-20*time.Minute).Unix())), "ciba_login_hint_token_expired", "expired_login_hint_token"},
		{"login_hint_token forged", w.poll.ID, w.pollSecret, hintForm("login_hint", "", "login_hint_token", hint(stranger)), "ciba_login_hint_token_invalid", "invalid_request"},
		{"login_hint_token of a stranger", w.poll.ID, w.pollSecret, hintForm("login_hint", "", "login_hint_token", hint(stranger, "iss", "https://evil.example")), "ciba_login_hint_token_invalid", "invalid_request"},
		{"binding message too long", w.poll.ID, w.pollSecret, hintForm("binding_message", strings.Repeat("x", 65)), "ciba_binding_message_invalid", "invalid_binding_message"},
		{"binding message markup", w.poll.ID, w.pollSecret, hintForm("binding_message", "<b>pay</b>"), "ciba_binding_message_invalid", "invalid_binding_message"},
		{"user code", w.poll.ID, w.pollSecret, hintForm("user_code", "1234"), "ciba_user_code_unsupported", "invalid_request"},
		{"requested_expiry zero", w.poll.ID, w.pollSecret, hintForm("requested_expiry", "0"), "ciba_requested_expiry_invalid", "invalid_request"},
		{"requested_expiry too long", w.poll.ID, w.pollSecret, hintForm("requested_expiry", "86400"), "ciba_requested_expiry_invalid", "invalid_request"},
		{"requested_expiry not a number", w.poll.ID, w.pollSecret, hintForm("requested_expiry", "5m"), "ciba_requested_expiry_invalid", "invalid_request"},
		{"ping without token", ping.ID, pingSecret, url.Values{"scope": {"openid"}, "login_hint": {demoUser}}, "ciba_notification_token_missing", "invalid_request"},
		{"ping token with spaces", ping.ID, pingSecret, url.Values{"scope": {"openid"}, "login_hint": {demoUser}, "client_notification_token": {"a b"}}, "ciba_notification_token_malformed", "invalid_request"},
		{"signing client unsigned", w.signer.ID, w.signSecret, hintForm(), "ciba_signed_request_required", "invalid_request"},
		{"signed by a client that does not sign", w.poll.ID, w.pollSecret, url.Values{"request": {"e30.e30.sig"}}, "ciba_signed_request_not_registered", "invalid_request"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := bcAuthorize(t, l, tc.id, tc.secret, tc.form)
			wantJSONError(t, l, r, tc.entry, tc.code, 400)
		})
	}
	if list, err := l.Store.ListBackchannelRequests(ctx, "", time.Now(), 100); err != nil || len(list) != 0 {
		t.Fatalf("refused requests were stored: %v %v", list, err)
	}
	// A forgotten or forged auth_req_id.
	wantJSONError(t, l, cibaPoll(t, l, w.poll.ID, w.pollSecret, "not-an-auth-req-id"), "ciba_auth_req_id_unknown", "invalid_grant", 400)

	// A login_hint_token of the trusted issuer names alice.
	startCIBA(t, l, w.poll.ID, w.pollSecret, hintForm("login_hint", "", "login_hint_token", hint(w.hintKey)))
}

// TestCIBALoginHintTokenUnsupported: without ciba.login_hint_token_issuers
// a login_hint_token is refused with its own entry.
func TestCIBALoginHintTokenUnsupported(t *testing.T) {
	l := start(t)
	l.user(t, demoUser)
	c, sec := l.client(t, manage.ClientSpec{Name: "Call Centre", GrantTypes: []string{cibaGrant}, ResponseTypes: []string{}, RedirectURIs: []string{}, Scopes: []string{"openid"}})
	r := bcAuthorize(t, l, c.ID, sec, url.Values{"scope": {"openid"}, "login_hint_token": {"eyJhbGciOiJub25lIn0.e30."}})
	wantJSONError(t, l, r, "ciba_login_hint_token_unsupported", "invalid_request", 400)
}

// TestCIBASignedRequest: a client registered with
// backchannel_authentication_request_signing_alg sends its parameters as
// a signed JWT (§7.1.1); only the JWT's parameters count, and its jti is
// accepted once.
func TestCIBASignedRequest(t *testing.T) {
	w := newCIBAWorld(t)
	l := w.l
	now := time.Now()
	claims := map[string]any{"iss": w.signer.ID, "aud": l.URL, "iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
		"jti": rand.Text(), "scope": "openid", "login_hint": demoUser, "binding_message": "Pay 12 EUR"}
	signed := signJWT(t, jose.ES256, w.signKey, "bank-1", claims)
	startCIBA(t, l, w.signer.ID, w.signSecret, url.Values{"request": {signed}, "login_hint": {"mallory"}})
	replay := bcAuthorize(t, l, w.signer.ID, w.signSecret, url.Values{"request": {signed}})
	wantJSONError(t, l, replay, "request_object_replayed", "invalid_request_object", 400)
	list := jsonCall(t, l, http.MethodGet, "/admin/backchannel?user_id="+w.alice.ID, l.cfg.AdminToken, "")
	if !strings.Contains(string(list.body), "Pay 12 EUR") {
		t.Fatalf("the signed request's binding message is not the one stored: %s", list.body)
	}
}

// TestCIBAPing: ping mode with a real notification listener on loopback:
// once the person approves, the listener gets the auth_req_id with the
// client's bearer token, and the client fetches its tokens.
func TestCIBAPing(t *testing.T) {
	type ping struct {
		auth string
		body map[string]string
	}
	got := make(chan ping, 4)
	listener := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var body map[string]string
		_ = json.Unmarshal(raw, &body)
		got <- ping{auth: r.Header.Get("Authorization"), body: body}
		rw.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(listener.Close)
	w := newCIBAWorld(t, fastOutbox)
	l := w.l
	c, sec := l.client(t, manage.ClientSpec{Name: "Kiosk", GrantTypes: []string{cibaGrant}, ResponseTypes: []string{}, RedirectURIs: []string{},
		Scopes: []string{"openid"}, Backchannel: &store.BackchannelClient{DeliveryMode: store.DeliveryPing, NotificationEndpoint: listener.URL + "/ciba/ping"}})
	token := rand.Text()
	a := startCIBA(t, l, c.ID, sec, url.Values{"scope": {"openid"}, "login_hint": {demoUser}, "client_notification_token": {token}})
	select {
	case p := <-got:
		t.Fatalf("pinged before any decision: %+v", p)
	case <-time.After(200 * time.Millisecond):
	}
	adminDecide(t, l, w.alice.ID, "approve", http.StatusOK)
	select {
	case p := <-got:
		if p.auth != "Bearer "+token || p.body["auth_req_id"] != a.AuthReqID {
			t.Fatalf("ping %+v, want the bearer token and the auth_req_id", p)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("no ping within 15 s")
	}
	wantCIBATokens(t, cibaPoll(t, l, c.ID, sec, a.AuthReqID))
}

// TestCIBADiscovery: discovery advertises what is served.
func TestCIBADiscovery(t *testing.T) {
	l := start(t)
	r := send(t, http.MethodGet, l.URL+"/.well-known/openid-configuration", nil, nil)
	var d map[string]any
	if err := json.Unmarshal(r.body, &d); err != nil {
		t.Fatal(err)
	}
	if d["backchannel_authentication_endpoint"] != l.URL+"/bc-authorize" || d["backchannel_user_code_parameter_supported"] != true {
		t.Fatalf("discovery: %v %v", d["backchannel_authentication_endpoint"], d["backchannel_user_code_parameter_supported"])
	}
	modes, _ := json.Marshal(d["backchannel_token_delivery_modes_supported"])
	algs, _ := json.Marshal(d["backchannel_authentication_request_signing_alg_values_supported"])
	grants, _ := json.Marshal(d["grant_types_supported"])
	if string(modes) != `["poll","ping","push"]` || !strings.Contains(string(algs), "ES256") || strings.Contains(string(algs), "none") || !strings.Contains(string(grants), cibaGrant) {
		t.Fatalf("modes %s algs %s grants %s", modes, algs, grants)
	}
}

// TestBrowserCIBAApprovals: the approvals page in headless Chromium: sign
// in, read the request, approve; the client then gets its tokens.
func TestBrowserCIBAApprovals(t *testing.T) {
	ctx := chrome(t)
	w := newCIBAWorld(t)
	l := w.l
	a := startCIBA(t, l, w.poll.ID, w.pollSecret, hintForm("binding_message", "K7Q2"))
	var listed, after string
	err := chromedp.Do(ctx,
		chromedp.Navigate(l.URL+"/approvals"),
		chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), demoUser),
		chromedp.SendKeys(chromedp.CSS("#password"), demoPassword),
		chromedp.Click(chromedp.CSS("#sign-in")),
		chromedp.WaitVisible(chromedp.CSS(".approval")),
		into(&listed, chromedp.Text(chromedp.CSS("main"))),
		shot(t, "ciba-01-approvals"),
		chromedp.Click(chromedp.CSS(".approval .approve")),
		chromedp.WaitVisible(chromedp.CSS("#approvals-notice")),
		into(&after, chromedp.Text(chromedp.CSS("main"))),
		shot(t, "ciba-02-approved"),
	)
	if err != nil {
		t.Fatalf("approvals page: %v", err)
	}
	for _, want := range []string{"Call Centre", "K7Q2", "See your profile"} {
		if !strings.Contains(listed, want) {
			t.Errorf("the page lacks %q: %s", want, listed)
		}
	}
	if !strings.Contains(after, "Approved") || !strings.Contains(after, "Nothing waits") {
		t.Errorf("after approving: %s", after)
	}
	wantCIBATokens(t, cibaPoll(t, l, w.poll.ID, w.pollSecret, a.AuthReqID))
}

// TestCIBAClientMetadata: the backchannel_* metadata through the admin
// API and dynamic registration (RFC 7591), and what they refuse.
func TestCIBAClientMetadata(t *testing.T) {
	l := start(t, func(c *config.Config) { c.Registration.Mode = config.RegistrationOpen })
	body := `{"client_name":"Kiosk","grant_types":["` + cibaGrant + `"],"response_types":[],"redirect_uris":[],"scopes":["openid"],
		"backchannel_token_delivery_mode":"ping","backchannel_client_notification_endpoint":"https://kiosk.example.com/ciba"}`
	r := jsonCall(t, l, http.MethodPost, "/admin/clients", l.cfg.AdminToken, body)
	if r.status != http.StatusCreated || !strings.Contains(string(r.body), `"backchannel_client_notification_endpoint": "https://kiosk.example.com/ciba"`) {
		t.Fatalf("admin create: %d %s", r.status, r.body)
	}
	for _, bad := range []string{
		`"backchannel_token_delivery_mode":"push"`,
		`"backchannel_token_delivery_mode":"ping"`, // no notification endpoint
		`"backchannel_token_delivery_mode":"ping","backchannel_client_notification_endpoint":"http://kiosk.example.com/ciba"`,
	} {
		r := jsonCall(t, l, http.MethodPost, "/admin/clients", l.cfg.AdminToken,
			`{"client_name":"Bad","grant_types":["`+cibaGrant+`"],"response_types":[],"redirect_uris":[],`+bad+`}`)
		wantJSONError(t, l, r, "admin_invalid_input", "invalid_request", http.StatusBadRequest)
	}
	reg := jsonCall(t, l, http.MethodPost, "/register", "", `{"client_name":"Self","grant_types":["`+cibaGrant+`"],"response_types":[],
		"token_endpoint_auth_method":"client_secret_basic","backchannel_token_delivery_mode":"poll"}`)
	if reg.status != http.StatusCreated || !strings.Contains(string(reg.body), `"backchannel_token_delivery_mode":"poll"`) {
		t.Fatalf("registration: %d %s", reg.status, reg.body)
	}
}

// TestCIBAPingFailure: a notification endpoint that keeps failing is
// retried by the outbox, each failed attempt a story for the operator,
// and given up on after outbox.max_attempts; the client can still poll.
func TestCIBAPingFailure(t *testing.T) {
	var calls atomic.Int32
	listener := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		http.Error(rw, "down for maintenance", http.StatusServiceUnavailable)
	}))
	t.Cleanup(listener.Close)
	w := newCIBAWorld(t, fastOutbox, func(c *config.Config) { c.Outbox.MaxAttempts = 3 })
	l := w.l
	c, sec := l.client(t, manage.ClientSpec{Name: "Kiosk", GrantTypes: []string{cibaGrant}, ResponseTypes: []string{}, RedirectURIs: []string{},
		Scopes: []string{"openid"}, Backchannel: &store.BackchannelClient{DeliveryMode: store.DeliveryPing, NotificationEndpoint: listener.URL}})
	a := startCIBA(t, l, c.ID, sec, url.Values{"scope": {"openid"}, "login_hint": {demoUser}, "client_notification_token": {"tok-123"}})
	adminDecide(t, l, w.alice.ID, "approve", http.StatusOK)

	var firstTrace string
	eventually(t, 10*time.Second, "a failed attempt", func() bool {
		for _, it := range listOutbox(t, l, "pending").Items {
			if it.Kind == "ciba-ping" && it.Attempts >= 1 && it.LastTraceID != "" {
				firstTrace = it.LastTraceID
				return true
			}
		}
		return false
	})
	if f := outboxStory(t, l, firstTrace); f.Name != "outbox_delivery_failed" || f.ClientID != c.ID || !strings.Contains(f.Text, "503") {
		t.Fatalf("story of a failed attempt %+v", f)
	} else {
		triggered.add(f.Name)
	}
	var dead outboxListing
	eventually(t, 10*time.Second, "the ping given up on", func() bool {
		l.Clock.Advance(time.Second) // past each backoff
		dead = listOutbox(t, l, "dead")
		return len(dead.Items) == 1
	})
	if it := dead.Items[0]; it.Kind != "ciba-ping" || it.Attempts != 3 || it.Payload != nil {
		t.Fatalf("dead item %+v", it)
	}
	if f := outboxStory(t, l, dead.Items[0].LastTraceID); f.Name != "outbox_delivery_gave_up" {
		t.Fatalf("story of the last attempt %+v", f)
	} else {
		triggered.add(f.Name)
	}
	if n := calls.Load(); n != 3 {
		t.Errorf("the endpoint was called %d times, want 3", n)
	}
	wantCIBATokens(t, cibaPoll(t, l, c.ID, sec, a.AuthReqID))
}
