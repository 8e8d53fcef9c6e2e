package e2e

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	jose "github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/granttype"
	"github.com/lucid-auth/lucid/internal/keys"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
)

// authenticatedOnly is a token request that fails right after client
// authentication: its answer tells whether the client got through.
var authenticatedOnly = url.Values{"grant_type": {"authorization_code"}, "code": {"no-such-code"}}

// withLocalKeySets lets Lucid fetch key sets from loopback over http, as
// the tests' key servers need; production refuses both.
func withLocalKeySets(c *config.Config) { c.KeyFetch.AllowLocal = true }

// story waits for the operator's record of a failed request (recording
// may happen after the answer) and returns its internal values.
func story(t *testing.T, l *lucid, traceID string) map[string]string {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		f, err := l.Store.GetFailure(context.Background(), traceID)
		if err == nil {
			return f.Internal
		}
		if time.Now().After(deadline) {
			t.Fatalf("no story for trace %s: %v", traceID, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A jwks_uri is chosen by whoever registers a client. Lucid must not fetch
// it from its own network, nor tell the client what that network answered.
func TestJWKSURIServerSideRequestForgery(t *testing.T) {
	var hits atomic.Int64
	// An "internal" service on loopback, as an attacker would aim at.
	internal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Error(w, "internal admin console", http.StatusForbidden)
	}))
	t.Cleanup(internal.Close)
	// A public-looking https server that redirects into it.
	redirector := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Redirect(w, r, internal.URL+"/admin", http.StatusFound)
	}))
	t.Cleanup(redirector.Close)

	l := start(t, withRegistration(config.RegistrationOpen), func(c *config.Config) { c.Registration.OpenPerHour = 3 })
	reg := func(jwksURI string) *reply {
		return jsonCall(t, l, http.MethodPost, "/register", "",
			`{"grant_types":["client_credentials"],"token_endpoint_auth_method":"private_key_jwt","jwks_uri":"`+jwksURI+`"}`)
	}

	// Registration refuses what can be judged without a fetch.
	for _, u := range []string{
		internal.URL + "/admin",               // http on loopback
		"https://127.0.0.1:9/jwks",            // loopback by address
		"https://localhost/jwks",              // loopback by name
		"https://169.254.169.254/latest/meta", // cloud metadata, link-local
		"https://10.0.0.1/jwks",               // private
		"https://[fd00::1]/jwks",              // unique-local
	} {
		e := wantJSONError(t, l, reg(u), "registration_jwks_uri_refused", "invalid_client_metadata", http.StatusBadRequest)
		if !strings.Contains(e.Description, u) {
			t.Errorf("%s: the description does not name the URL: %s", u, e.Description)
		}
	}

	// A URL whose host is a name passes registration; the fetch checks the
	// address it connects to, on the redirect too, and the client learns
	// only that the key set could not be fetched.
	key := newClientKey(t, "k1")
	viaRedirect, _ := l.client(t, manage.ClientSpec{Name: "Redirects inward", AuthMethod: store.AuthPrivateKeyJWT, GrantTypes: []string{"client_credentials"}, JWKSURI: redirector.URL + "/jwks"})
	direct, _ := l.client(t, manage.ClientSpec{Name: "Points inward", AuthMethod: store.AuthPrivateKeyJWT, GrantTypes: []string{"client_credentials"}, JWKSURI: strings.Replace(redirector.URL, "127.0.0.1", "localhost", 1) + "/jwks"})
	for _, c := range []*store.Client{viaRedirect, direct} {
		form := assertionForm(signJWT(t, jose.ES256, key.priv, "k1", assertionClaims(l, c.ID)))
		form.Set("grant_type", "client_credentials")
		r := postToken(t, l, form, nil)
		e := wantJSONError(t, l, r, "client_jwks_uri_unreachable", "invalid_client", http.StatusUnauthorized)
		for _, leak := range []string{"403", "HTTP", "redirect", "local", "refused", "127.0.0.1", "localhost", "within"} {
			if strings.Contains(e.Description, leak) {
				t.Errorf("%s: the description tells the client %q: %s", c.Name, leak, e.Description)
			}
		}
		if in := story(t, l, e.TraceID); !strings.Contains(in["reason"], "local network") || in["jwks_uri"] != c.JWKSURI {
			t.Errorf("%s: the operator's story lacks the reason: %v", c.Name, in)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("Lucid connected %d times to a refused or non-https target", n)
	}

	// RFC 7592 updates count against the open registration limit: each
	// one may point jwks_uri somewhere new.
	mine := decodeRegistered(t, reg("https://keys.example.com/jwks"), http.StatusCreated)
	update := func() *reply {
		return jsonCall(t, l, http.MethodPut, "/register/"+mine.ClientID, mine.AccessToken,
			`{"client_id":"`+mine.ClientID+`","grant_types":["client_credentials"],"token_endpoint_auth_method":"private_key_jwt","jwks_uri":"https://keys.example.com/jwks2"}`)
	}
	decodeRegistered(t, update(), http.StatusOK)
	decodeRegistered(t, update(), http.StatusOK)
	r := update()
	wantJSONError(t, l, r, "registration_rate_limited", "temporarily_unavailable", http.StatusTooManyRequests)
	if r.header.Get("Retry-After") == "" {
		t.Error("no Retry-After on a refused update")
	}
}

// With key_fetch.allow_local (development), loopback key sets work.
func TestJWKSURILocalForDevelopment(t *testing.T) {
	key := newClientKey(t, "k1")
	keys := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(clientJWKS(t, key)))
	}))
	t.Cleanup(keys.Close)
	l := start(t, withRegistration(config.RegistrationOpen), withLocalKeySets)
	got := decodeRegistered(t, jsonCall(t, l, http.MethodPost, "/register", "",
		`{"grant_types":["client_credentials"],"token_endpoint_auth_method":"private_key_jwt","jwks_uri":"`+keys.URL+`/jwks"}`), http.StatusCreated)
	// Past client authentication, the grant type is all that is wrong.
	form := mergeForm(authenticatedOnly, assertionForm(signJWT(t, jose.ES256, key.priv, "k1", assertionClaims(l, got.ClientID))))
	wantJSONError(t, l, postToken(t, l, form, nil), "grant_type_not_allowed", "unauthorized_client", http.StatusBadRequest)
}

// Audience injection: an assertion whose aud also names another server
// could be replayed here by that server. One value only, and it is
// Lucid's issuer or (unless strict) its token endpoint.
func TestAssertionAudienceInjection(t *testing.T) {
	for _, strict := range []bool{false, true} {
		l := start(t, func(c *config.Config) { c.StrictAssertionAudience = strict })
		key := newClientKey(t, "k1")
		c, _ := l.client(t, manage.ClientSpec{Name: "Service", AuthMethod: store.AuthPrivateKeyJWT, JWKS: clientJWKS(t, key)})
		tokenURL := l.URL + "/token"
		cases := []struct {
			name  string
			aud   any
			entry string // "" for success
		}{
			{"issuer", l.URL, ""},
			{"issuer in a one-element array", []string{l.URL}, ""},
			{"token endpoint", tokenURL, map[bool]string{false: "", true: "client_assertion_audience_invalid"}[strict]},
			{"token endpoint and a foreign value", []string{tokenURL, "https://evil.test"}, "client_assertion_audience_multiple"},
			{"foreign token endpoint and the issuer", []string{"https://attacker-as.test/token", l.URL}, "client_assertion_audience_multiple"},
			{"issuer and token endpoint", []string{l.URL, tokenURL}, "client_assertion_audience_multiple"},
			{"foreign value alone", "https://attacker-as.test/token", "client_assertion_audience_invalid"},
		}
		for _, tc := range cases {
			claims := assertionClaims(l, c.ID)
			claims["aud"] = tc.aud
			form := mergeForm(authenticatedOnly, assertionForm(signJWT(t, jose.ES256, key.priv, "k1", claims)))
			r := postToken(t, l, form, nil)
			if tc.entry == "" {
				wantJSONError(t, l, r, "authorization_code_unknown", "invalid_grant", http.StatusBadRequest)
				continue
			}
			wantJSONError(t, l, r, tc.entry, "invalid_client", http.StatusUnauthorized)
		}
	}

	// The JWT bearer grant applies the same rule to its assertions.
	w := newBearerWorld(t)
	auth := basicAuth(w.worker.ID, w.workerSec)
	for _, aud := range [][]string{
		{w.l.URL + "/token", "https://evil.test"},
		{"https://attacker-as.test/token", w.l.URL},
	} {
		a := signJWT(t, jose.RS256, w.k8s, "k8s-1", w.k8sClaims("aud", aud))
		wantJSONError(t, w.l, postToken(t, w.l, bearerForm(a), auth), "jwt_bearer_audience_multiple", "invalid_grant", http.StatusBadRequest)
	}
	wantIssued(t, postToken(t, w.l, bearerForm(signJWT(t, jose.RS256, w.k8s, "k8s-1", w.k8sClaims("aud", w.l.URL))), auth))
}

// A port is 1 to 65535: neither registration nor the authorization
// endpoint takes 0 or more.
func TestLoopbackRedirectPorts(t *testing.T) {
	l := start(t, withRegistration(config.RegistrationOpen))
	for _, u := range []string{"http://127.0.0.1:0/cb", "http://[::1]:65536/cb", "http://127.0.0.1:99999/cb", "https://app.example.com:0/cb"} {
		wantJSONError(t, l, jsonCall(t, l, http.MethodPost, "/register", "", `{"redirect_uris":["`+u+`"]}`),
			"registration_redirect_uri_malformed", "invalid_redirect_uri", http.StatusBadRequest)
		if _, _, err := l.Svc.CreateClient(context.Background(), manage.ClientSpec{Name: "Native", RedirectURIs: []string{u}}); err == nil {
			t.Errorf("manage accepted %s", u)
		}
	}
	native, _ := l.client(t, manage.ClientSpec{Name: "Native", AuthMethod: store.AuthNone, RedirectURIs: []string{"http://127.0.0.1/cb"}})
	b := l.browser(t)
	authURL := func(redirect string) string {
		return l.URL + "/authorize?" + url.Values{"client_id": {native.ID}, "redirect_uri": {redirect}, "response_type": {"code"},
			"scope": {"openid"}, "code_challenge": {"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"}, "code_challenge_method": {"S256"}}.Encode()
	}
	for _, port := range []string{"0", "65536", "123456"} {
		wantErrorPage(t, l, b.get(authURL("http://127.0.0.1:"+port+"/cb")), "redirect_uri_malformed", http.StatusBadRequest)
	}
	// Control: any real port still matches (RFC 8252 §7.3).
	if p := b.get(authURL("http://127.0.0.1:65535/cb")); !p.isSignIn() {
		t.Fatalf("a loopback redirect on port 65535 was refused: %d %.300s", p.status, p.body)
	}
}

const payrollAPI = "https://payroll.example.com"

// A token carries only the scopes of the APIs in its audience. (User
// tokens carry only OpenID scopes, which no API owns; the code and refresh
// grants narrow their access tokens by the same rule all the same.)
func TestScopesNarrowedToAudience(t *testing.T) {
	ctx := context.Background()
	l := start(t)
	for _, api := range []manage.APISpec{
		{ID: ordersAPI, Scopes: []string{"orders:read"}},
		{ID: payrollAPI, Scopes: []string{"payroll:read"}},
	} {
		if _, err := l.Svc.CreateAPI(ctx, api); err != nil {
			t.Fatal(err)
		}
	}
	both := []string{ordersAPI, payrollAPI}
	c, sec := m2m(t, l, manage.ClientSpec{Scopes: []string{"orders:read", "payroll:read", "audit"}, Audiences: both})
	auth := basicAuth(c.ID, sec)
	cc := func(kv ...string) url.Values {
		f := url.Values{"grant_type": {"client_credentials"}}
		for i := 0; i+1 < len(kv); i += 2 {
			f.Add(kv[i], kv[i+1])
		}
		return f
	}
	for _, tc := range []struct {
		name  string
		form  url.Values
		scope string
	}{
		// "audit" belongs to no API: it stays wherever the client may have it.
		{"one resource, default scopes", cc("resource", ordersAPI), "orders:read audit"},
		{"one resource, its scope", cc("resource", payrollAPI, "scope", "payroll:read"), "payroll:read"},
		{"both resources", cc("resource", ordersAPI, "resource", payrollAPI), "orders:read payroll:read audit"},
		{"no resource: all the client's audiences", cc(), "orders:read payroll:read audit"},
	} {
		got := wantIssued(t, postToken(t, l, tc.form, auth))
		if got.Scope != tc.scope {
			t.Errorf("%s: scope %q, want %q", tc.name, got.Scope, tc.scope)
		}
		if cl := verifiedClaims(t, l, got.AccessToken, "at+jwt"); cl["scope"] != tc.scope {
			t.Errorf("%s: the token's scope claim is %v, want %q", tc.name, cl["scope"], tc.scope)
		}
	}
	e := wantJSONError(t, l, postToken(t, l, cc("resource", ordersAPI, "scope", "payroll:read"), auth), "scope_not_in_audience", "invalid_scope", http.StatusBadRequest)
	if !strings.Contains(e.Description, payrollAPI) || !strings.Contains(e.Description, "payroll:read") {
		t.Errorf("description: %s", e.Description)
	}
	wantJSONError(t, l, postToken(t, l, cc("resource", ordersAPI, "scope", "orders:read payroll:read"), auth), "scope_not_in_audience", "invalid_scope", http.StatusBadRequest)

	// An API registered a moment ago is known at once, though the server
	// keeps the list of APIs for a few seconds: a second orders API with
	// the same scope, and a client for it only.
	const ordersV2 = "https://orders-v2.example.com"
	if _, err := l.Svc.CreateAPI(ctx, manage.APISpec{ID: ordersV2, Scopes: []string{"orders:read"}}); err != nil {
		t.Fatal(err)
	}
	v2, v2Sec := m2m(t, l, manage.ClientSpec{Name: "Orders v2", Scopes: []string{"orders:read"}, Audiences: []string{ordersV2}})
	time.Sleep(150 * time.Millisecond) // older than the miss-reload interval, younger than the list's lifetime
	if got := wantIssued(t, postToken(t, l, cc("scope", "orders:read"), basicAuth(v2.ID, v2Sec))); got.Scope != "orders:read" {
		t.Errorf("new API: scope %q", got.Scope)
	}

	// Token exchange narrows the same way: a token for both APIs traded
	// for one of them keeps only that API's scopes.
	gw, gwSec := m2m(t, l, manage.ClientSpec{Name: "Gateway", Scopes: []string{"orders:read", "payroll:read", "audit"}, Audiences: both,
		GrantTypes:    []string{"client_credentials", string(granttype.TokenExchange)},
		TokenExchange: &store.ExchangePolicy{Impersonation: true, Audiences: both}})
	gwAuth := basicAuth(gw.ID, gwSec)
	subject := wantIssued(t, postToken(t, l, cc(), gwAuth)).AccessToken
	got := wantIssued(t, postToken(t, l, exchangeForm(subject, "audience", ordersAPI), gwAuth))
	if got.Scope != "orders:read audit" {
		t.Errorf("exchange for orders: scope %q", got.Scope)
	}
	wantJSONError(t, l, postToken(t, l, exchangeForm(subject, "audience", ordersAPI, "scope", "payroll:read"), gwAuth),
		"scope_not_in_audience", "invalid_scope", http.StatusBadRequest)

}

// An ID token presented for exchange stands for its grant: after a code
// replay, an RFC 7009 revocation or a withdrawn consent it is refused, and
// a refresh token family made from it before ends with the grant.
func TestExchangeIDTokenOfRevokedGrant(t *testing.T) {
	w := newExchangeWorld(t)
	l := w.l
	backend := basicAuth(w.backend.ID, w.backSec)
	admin := func(method, path string) *reply {
		return send(t, method, l.URL+path, nil, func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+l.cfg.AdminToken) })
	}
	paths := []struct {
		name   string
		revoke func(t *testing.T, tok *oauth2.Token, code string)
		reason string
		child  string // what the child family's refresh token answers
	}{
		{"code replay", func(t *testing.T, _ *oauth2.Token, code string) {
			_, err := w.webCfg.Exchange(context.Background(), code, oauth2.VerifierOption(oauth2.GenerateVerifier()))
			wantOAuthError(t, err, "authorization_code_reused", "invalid_grant", http.StatusBadRequest)
		}, "reused", "refresh_token_revoked"},
		{"RFC 7009 revocation of the refresh token", func(t *testing.T, tok *oauth2.Token, _ string) {
			if r := revoke(t, l, w.web.ID, w.webSec, tok.RefreshToken); r.status != http.StatusOK {
				t.Fatalf("revoke: %d %s", r.status, r.body)
			}
		}, "revoked", "refresh_token_revoked"},
		{"consent withdrawn", func(t *testing.T, _ *oauth2.Token, _ string) {
			if r := admin(http.MethodDelete, "/admin/users/"+w.alice.ID+"/consents/"+w.web.ID); r.status != http.StatusNoContent {
				t.Fatalf("withdraw: %d %s", r.status, r.body)
			}
		}, "consent withdrawn", "refresh_consent_withdrawn"},
	}
	for _, path := range paths {
		t.Run(path.name, func(t *testing.T) {
			tok, code := login(t, l, l.browser(t), w.webCfg)
			idToken, _ := tok.Extra("id_token").(string)
			if c := verifiedClaims(t, l, idToken, "JWT"); c["grant_id"] == nil || c["grant_id"] != verifiedClaims(t, l, tok.AccessToken, "at+jwt")["grant_id"] {
				t.Fatalf("the ID token does not name the access token's grant: %v", c)
			}
			asRefresh := idExchangeForm(idToken, "requested_token_type", ttRefresh)
			// While the grant lives, the ID token can be exchanged.
			child := wantIssued(t, postToken(t, l, asRefresh, backend))
			childRefresh := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {child.AccessToken}}
			child = wantIssued(t, postToken(t, l, childRefresh, backend))
			childRefresh.Set("refresh_token", child.RefreshToken)

			path.revoke(t, tok, code)

			for _, req := range []url.Values{asRefresh, idExchangeForm(idToken, "audience", inventoryAPI)} {
				e := wantJSONError(t, l, postToken(t, l, req, backend), "exchange_token_revoked", "invalid_request", http.StatusBadRequest)
				if !strings.Contains(e.Description, path.reason) {
					t.Errorf("description does not give the reason %q: %s", path.reason, e.Description)
				}
			}
			// The family made from it before ends with the grant.
			wantJSONError(t, l, postToken(t, l, childRefresh, backend), path.child, "invalid_grant", http.StatusBadRequest)
		})
	}

	// Signing out ends the session the ID token names: the grant lives on
	// (offline access), the ID token no longer stands for the person.
	b := l.browser(t)
	tok, _ := login(t, l, b, w.webCfg)
	idToken, _ := tok.Extra("id_token").(string)
	wantIssued(t, postToken(t, l, idExchangeForm(idToken, "audience", inventoryAPI), backend))
	f := b.get(l.URL + "/logout").fields()
	if p := b.post(l.URL+"/logout", url.Values{"csrf": {f.Get("csrf")}, "confirm": {"yes"}}); p.status != http.StatusOK {
		t.Fatalf("logout: %d", p.status)
	}
	e := wantJSONError(t, l, postToken(t, l, idExchangeForm(idToken, "audience", inventoryAPI), backend), "exchange_token_revoked", "invalid_request", http.StatusBadRequest)
	if !strings.Contains(e.Description, "session") {
		t.Errorf("description: %s", e.Description)
	}
	// The access token of the same grant still works: only the session ended.
	wantIssued(t, postToken(t, l, exchangeForm(tok.AccessToken, "audience", inventoryAPI), backend))

	// An ID token that names no grant (signed before grants were named,
	// or minted by hand) is not exchanged.
	now := l.Clock.Now()
	bare := signIDTokenForTest(t, l, map[string]any{"iss": l.URL, "sub": w.alice.ID, "aud": w.web.ID, "azp": w.web.ID,
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix()})
	e = wantJSONError(t, l, postToken(t, l, idExchangeForm(bare, "requested_token_type", ttRefresh), backend),
		"exchange_token_invalid", "invalid_request", http.StatusBadRequest)
	if !strings.Contains(e.Description, "grant") {
		t.Errorf("description: %s", e.Description)
	}
}

// idExchangeForm exchanges an ID token; kv as in exchangeForm.
func idExchangeForm(idToken string, kv ...string) url.Values {
	return withParam(exchangeForm(idToken, kv...), "subject_token_type", ttID)
}

// signIDTokenForTest signs claims with Lucid's own RS256 key, read from
// its database the way a second replica would: an ID token Lucid could
// have issued.
func signIDTokenForTest(t *testing.T, l *lucid, claims map[string]any) string {
	t.Helper()
	mk, err := l.cfg.MasterKeyBytes()
	if err != nil {
		t.Fatal(err)
	}
	sk, err := secret.Derive(mk)
	if err != nil {
		t.Fatal(err)
	}
	km, err := keys.NewManager(context.Background(), l.Store, sk, nil)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := km.Sign(keys.RS256, "JWT", claims)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// Anyone may register a client named like the operator's. The consent
// page shows what cannot be copied: where the answer goes, and that a
// self-registered application is new and unverified. Bidi controls,
// which could make one name read as another, are refused.
func TestBrowserConsentShowsWhatCannotBeCopied(t *testing.T) {
	ctx := chrome(t)
	l := start(t, withRegistration(config.RegistrationOpen))
	l.user(t, demoUser)
	real, _ := l.client(t, manage.ClientSpec{Name: "Payroll", AuthMethod: store.AuthNone, RedirectURIs: []string{"https://payroll.example.com/cb"}})

	wantJSONError(t, l, jsonCall(t, l, http.MethodPost, "/register", "",
		`{"client_name":"Payroll\u202e","redirect_uris":["https://evil.example/cb"],"token_endpoint_auth_method":"none"}`),
		"registration_metadata_invalid", "invalid_client_metadata", http.StatusBadRequest)
	fake := decodeRegistered(t, jsonCall(t, l, http.MethodPost, "/register", "",
		`{"client_name":"Payroll","redirect_uris":["https://evil.example/cb"],"token_endpoint_auth_method":"none"}`), http.StatusCreated)

	authURL := func(clientID, redirect string) string {
		return l.URL + "/authorize?" + url.Values{"client_id": {clientID}, "redirect_uri": {redirect}, "response_type": {"code"}, "scope": {"openid"},
			"state": {"s"}, "code_challenge": {"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"}, "code_challenge_method": {"S256"}}.Encode()
	}
	var fakeText, fakeHost, realText, realHost string
	var fakeBadge, realBadge bool
	badge := chromedp.Evaluate[bool](`document.querySelector("#unverified") !== null`)
	err := chromedp.Do(ctx,
		chromedp.Navigate(authURL(fake.ClientID, "https://evil.example/cb")),
		chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), demoUser),
		chromedp.SendKeys(chromedp.CSS("#password"), demoPassword),
		chromedp.Click(chromedp.CSS("#sign-in")),
		chromedp.WaitVisible(chromedp.CSS("#allow")),
		into(&fakeText, chromedp.Text(chromedp.CSS("main"))),
		into(&fakeHost, chromedp.Text(chromedp.CSS("#redirect-host .redirect-host"))),
		into(&fakeBadge, badge),
		shot(t, "consent-self-registered"),
		chromedp.Navigate(authURL(real.ID, "https://payroll.example.com/cb")),
		chromedp.WaitVisible(chromedp.CSS("#allow")),
		into(&realText, chromedp.Text(chromedp.CSS("main"))),
		into(&realHost, chromedp.Text(chromedp.CSS("#redirect-host .redirect-host"))),
		into(&realBadge, badge),
		shot(t, "consent-operator-client"),
	)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	if fakeHost != "evil.example" || !fakeBadge || !strings.Contains(fakeText, "not verified") {
		t.Errorf("self-registered client: host %q, badge %v, text %q", fakeHost, fakeBadge, fakeText)
	}
	if realHost != "payroll.example.com" || realBadge || strings.Contains(realText, "not verified") {
		t.Errorf("operator's client: host %q, badge %v, text %q", realHost, realBadge, realText)
	}
}
