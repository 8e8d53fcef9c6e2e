package e2e

// Pushed authorization requests (RFC 9126): the push with client
// authentication, the browser flow after it, and every way a request_uri
// or a push is refused.

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/store"
)

const parURN = "urn:ietf:params:oauth:request_uri:"

// pushParams are the authorization parameters x/oauth2 itself would put
// in the authorization URL: the pushed request is what the library builds.
func pushParams(t *testing.T, cfg *oauth2.Config, state string, opts ...oauth2.AuthCodeOption) url.Values {
	t.Helper()
	u, err := url.Parse(cfg.AuthCodeURL(state, opts...))
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

// push sends a pushed authorization request, credentials wherever mod
// puts them.
func push(t *testing.T, l *lucid, form url.Values, mod func(*http.Request)) *reply {
	t.Helper()
	return send(t, http.MethodPost, l.URL+"/par", strings.NewReader(form.Encode()), func(r *http.Request) {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if mod != nil {
			mod(r)
		}
	})
}

// pushed asserts a successful push (RFC 9126 §2.2) and returns its request_uri.
func pushed(t *testing.T, l *lucid, r *reply) string {
	t.Helper()
	var body struct {
		RequestURI string `json:"request_uri"`
		ExpiresIn  int64  `json:"expires_in"`
	}
	if r.status != http.StatusCreated || json.Unmarshal(r.body, &body) != nil {
		t.Fatalf("push: %d %s, want 201 with a request_uri", r.status, r.body)
	}
	if !strings.HasPrefix(body.RequestURI, parURN) || len(body.RequestURI) < len(parURN)+32 {
		t.Fatalf("request_uri %q is not a urn:ietf:params:oauth:request_uri: with a random reference", body.RequestURI)
	}
	if want := int64(l.cfg.Lifetimes.PushedRequest / time.Second); body.ExpiresIn != want {
		t.Fatalf("expires_in %d, want %d", body.ExpiresIn, want)
	}
	if cc := r.header.Get("Cache-Control"); cc != "no-store" {
		t.Fatalf("Cache-Control %q, want no-store", cc)
	}
	return body.RequestURI
}

// parAuthURL is where the browser goes after a push: client_id and request_uri only.
func parAuthURL(l *lucid, clientID, requestURI string) string {
	return l.URL + "/authorize?" + url.Values{"client_id": {clientID}, "request_uri": {requestURI}}.Encode()
}

// TestPARBrowserFlow: a confidential client pushes the request x/oauth2
// builds (client_secret_basic, as x/oauth2 authenticates), headless
// Chromium signs in and consents with only client_id and request_uri in
// the URL, and x/oauth2's Exchange redeems the code.
func TestPARBrowserFlow(t *testing.T) {
	ctx := chrome(t)
	var (
		mu  sync.Mutex
		got url.Values
	)
	cb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/cb" {
			http.NotFound(w, r) // the browser's favicon
			return
		}
		mu.Lock()
		got = r.URL.Query()
		mu.Unlock()
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte(`<!doctype html><title>back</title><p id="done">back at the client</p>`))
	}))
	t.Cleanup(cb.Close)
	l := start(t)
	l.user(t, demoUser)
	c, sec := l.client(t, manage.ClientSpec{Name: "Pushing App", RedirectURIs: []string{cb.URL + "/cb"}, RequirePAR: true})
	cfg := l.oauthConfig(c, sec)

	// Discovery advertises the endpoint and that PAR is not required of all.
	var meta map[string]any
	d := send(t, http.MethodGet, l.URL+"/.well-known/openid-configuration", nil, nil)
	if err := json.Unmarshal(d.body, &meta); err != nil {
		t.Fatal(err)
	}
	if meta["pushed_authorization_request_endpoint"] != l.URL+"/par" || meta["require_pushed_authorization_requests"] != false {
		t.Fatalf("discovery: endpoint %v, required %v", meta["pushed_authorization_request_endpoint"], meta["require_pushed_authorization_requests"])
	}

	verifier := oauth2.GenerateVerifier()
	form := pushParams(t, cfg, "st-par", oauth2.S256ChallengeOption(verifier), oidc.Nonce("n-par-1"))
	requestURI := pushed(t, l, push(t, l, form, basicAuth(c.ID, sec)))

	var location, signInTitle string
	err := chromedp.Do(ctx,
		chromedp.Navigate(parAuthURL(l, c.ID, requestURI)),
		chromedp.WaitVisible(chromedp.CSS("#username")),
		into(&signInTitle, chromedp.Title()),
		shot(t, "par-01-sign-in"),
		chromedp.SendKeys(chromedp.CSS("#username"), demoUser),
		chromedp.SendKeys(chromedp.CSS("#password"), demoPassword),
		chromedp.Click(chromedp.CSS("#sign-in")),
		chromedp.WaitVisible(chromedp.CSS("#allow")),
		shot(t, "par-02-consent"),
		chromedp.Click(chromedp.CSS("#allow")),
		chromedp.WaitVisible(chromedp.CSS("#done")),
		into(&location, chromedp.Location()),
	)
	if err != nil {
		t.Fatalf("browser flow after PAR: %v", err)
	}
	if !strings.HasPrefix(location, cb.URL+"/cb?") {
		t.Fatalf("the browser ended at %s, want the client's callback", location)
	}
	mu.Lock()
	q := got
	mu.Unlock()
	if q.Get("state") != "st-par" || q.Get("iss") != l.URL || q.Get("code") == "" {
		t.Fatalf("callback parameters %v: want the pushed state, iss and a code", q)
	}
	tok, err := cfg.Exchange(context.Background(), q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange after PAR: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := newProvider(t, l).Verifier(&oidc.Config{ClientID: c.ID}).Verify(context.Background(), raw)
	if err != nil || idt.Nonce != "n-par-1" {
		t.Fatalf("ID token after PAR: %v (nonce %q, want the pushed one)", err, idt.Nonce)
	}

	// The request_uri was spent: a reload is told so, on a page.
	b := l.browser(t)
	wantErrorPage(t, l, b.get(parAuthURL(l, c.ID, requestURI)), "par_request_uri_used", http.StatusBadRequest)
	// The client requires PAR: the same request in the URL is refused,
	// back at its (registered) redirect URI.
	p := b.get(cfg.AuthCodeURL("st-direct", oauth2.S256ChallengeOption(verifier)))
	if p.location == nil {
		t.Fatalf("a direct request from a PAR-only client: %d %.300s", p.status, p.body)
	}
	wantAuthzError(t, l, p.location, "par_required_by_client", "invalid_request", "st-direct")
}

// TestPARPrivateKeyJWT: a client authenticating with private_key_jwt
// pushes; the browser flow after it reaches the code.
func TestPARPrivateKeyJWT(t *testing.T) {
	l := start(t)
	l.user(t, demoUser)
	k := newClientKey(t, "k1")
	c, _ := l.client(t, manage.ClientSpec{Name: "Key App", AuthMethod: store.AuthPrivateKeyJWT, JWKS: clientJWKS(t, k)})
	cfg := l.oauthConfig(c, "")
	verifier := oauth2.GenerateVerifier()
	form := pushParams(t, cfg, "st-pkj", oauth2.S256ChallengeOption(verifier))
	claims := assertionClaims(l, c.ID)
	claims["aud"] = l.URL // the issuer: RFC 9126 §2 names it first
	requestURI := pushed(t, l, push(t, l, mergeForm(form, assertionForm(signJWT(t, jose.ES256, k.priv, k.kid, claims))), nil))
	back := l.browser(t).authorize(parAuthURL(l, c.ID, requestURI))
	codeFrom(t, back, "st-pkj")

	// RFC 9126 §2: the push endpoint's own URL is an audience too.
	claims = assertionClaims(l, c.ID)
	claims["aud"] = l.URL + "/par"
	pushed(t, l, push(t, l, mergeForm(form, assertionForm(signJWT(t, jose.ES256, k.priv, k.kid, claims))), nil))

	// The same assertion again is a replay, refused as at the token endpoint.
	assertion := signJWT(t, jose.ES256, k.priv, k.kid, assertionClaims(l, c.ID))
	pushed(t, l, push(t, l, mergeForm(form, assertionForm(assertion)), nil))
	wantJSONError(t, l, push(t, l, mergeForm(form, assertionForm(assertion)), nil), "client_assertion_replayed", "invalid_client", http.StatusUnauthorized)
}

// TestPARErrors triggers each refusal of a push and of a request_uri.
func TestPARErrors(t *testing.T) {
	l := start(t)
	l.user(t, demoUser)
	c, sec := l.client(t, manage.ClientSpec{Name: "App"})
	other, otherSec := l.client(t, manage.ClientSpec{Name: "Other App"})
	cfg := l.oauthConfig(c, sec)
	verifier := oauth2.GenerateVerifier()
	good := func() url.Values { return pushParams(t, cfg, "st-1", oauth2.S256ChallengeOption(verifier)) }
	with := func(k, v string) url.Values {
		f := good()
		f.Set(k, v)
		return f
	}

	// Push-time failures are JSON, never redirects (RFC 9126 §2.3), with
	// the authorization endpoint's own entries.
	for _, tc := range []struct {
		name   string
		form   url.Values
		mod    func(*http.Request)
		entry  string
		code   string
		status int
	}{
		{"request_uri inside the push", with("request_uri", parURN+"abc"), basicAuth(c.ID, sec), "par_request_uri_in_push", "invalid_request", 400},
		{"scope not allowed", with("scope", "openid admin"), basicAuth(c.ID, sec), "scope_unknown", "invalid_scope", 400},
		{"redirect URI not registered", with("redirect_uri", "https://evil.example/cb"), basicAuth(c.ID, sec), "redirect_uri_not_registered", "invalid_request", 400},
		{"no PKCE", func() url.Values { f := good(); f.Del("code_challenge"); f.Del("code_challenge_method"); return f }(), basicAuth(c.ID, sec), "pkce_challenge_missing", "invalid_request", 400},
		{"unsigned request object", with("request", "eyJhbGciOiJub25lIn0.e30."), basicAuth(c.ID, sec), "request_object_unsigned", "invalid_request_object", 400},
		{"wrong secret", good(), basicAuth(c.ID, "not-the-secret"), "client_secret_wrong", "invalid_client", 401},
		{"client_id of another client", with("client_id", other.ID), basicAuth(c.ID, sec), "client_id_mismatch", "invalid_request", 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := push(t, l, tc.form, tc.mod)
			if r.header.Get("Location") != "" {
				t.Fatalf("a push failure redirected to %s", r.header.Get("Location"))
			}
			wantJSONError(t, l, r, tc.entry, tc.code, tc.status)
		})
	}
	if r := send(t, http.MethodGet, l.URL+"/par", nil, nil); r.status != http.StatusMethodNotAllowed {
		t.Fatalf("GET /par: %d", r.status)
	} else {
		wantJSONError(t, l, r, "method_not_allowed", "invalid_request", http.StatusMethodNotAllowed)
	}

	b := l.browser(t)
	t.Run("unknown", func(t *testing.T) {
		wantErrorPage(t, l, b.get(parAuthURL(l, c.ID, parURN+"never-issued-0123456789")), "par_request_uri_unknown", 400)
	})
	t.Run("not ours", func(t *testing.T) {
		p := b.get(l.URL + "/authorize?" + url.Values{"client_id": {c.ID}, "response_type": {"code"}, "scope": {"openid"},
			"code_challenge": {oauth2.S256ChallengeFromVerifier(verifier)}, "code_challenge_method": {"S256"},
			"state": {"st-x"}, "request_uri": {"https://client.example/request.jwt"}}.Encode())
		if p.location == nil {
			t.Fatalf("%d %.300s", p.status, p.body)
		}
		wantAuthzError(t, l, p.location, "request_uri_unsupported", "request_uri_not_supported", "st-x")
	})
	t.Run("other client, then its own", func(t *testing.T) {
		uri := pushed(t, l, push(t, l, good(), basicAuth(c.ID, sec)))
		wantErrorPage(t, l, b.get(parAuthURL(l, other.ID, uri)), "par_request_uri_other_client", 400)
		// Not spent by the refusal: its own client still gets the sign-in.
		if p := b.get(parAuthURL(l, c.ID, uri)); !p.isSignIn() {
			t.Fatalf("own client after another's try: %d %.300s", p.status, p.body)
		}
		_ = otherSec
	})
	t.Run("expired", func(t *testing.T) {
		uri := pushed(t, l, push(t, l, good(), basicAuth(c.ID, sec)))
		l.Clock.Advance(l.cfg.Lifetimes.PushedRequest + time.Second)
		wantErrorPage(t, l, b.get(parAuthURL(l, c.ID, uri)), "par_request_uri_expired", 400)
	})
	t.Run("only the pushed parameters count", func(t *testing.T) {
		uri := pushed(t, l, push(t, l, good(), basicAuth(c.ID, sec)))
		u := parAuthURL(l, c.ID, uri) + "&" + url.Values{"state": {"st-evil"}, "redirect_uri": {"https://evil.example/cb"}, "scope": {"openid admin"}}.Encode()
		back := b.authorize(u)
		if !strings.HasPrefix(back.String(), clientCB) {
			t.Fatalf("redirected to %s, want the pushed redirect URI", back)
		}
		codeFrom(t, back, "st-1")
	})
	t.Run("used once across racing browsers", func(t *testing.T) {
		uri := pushed(t, l, push(t, l, good(), basicAuth(c.ID, sec)))
		const n = 8
		pages := make([]*page, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { pages[i] = l.browser(t).get(parAuthURL(l, c.ID, uri)) })
		}
		wg.Wait()
		won := 0
		for _, p := range pages {
			if p.isSignIn() {
				won++
				continue
			}
			wantErrorPage(t, l, p, "par_request_uri_used", 400)
		}
		if won != 1 {
			t.Fatalf("%d browsers got the sign-in page with one request_uri, want 1", won)
		}
	})
}

// TestPARRequiredByServer: with require_pushed_authorization_requests, no
// client may send its parameters in the URL, and discovery says so.
func TestPARRequiredByServer(t *testing.T) {
	l := start(t, func(c *config.Config) { c.RequirePushedAuthorizationRequests = true })
	l.user(t, demoUser)
	c, sec := l.client(t, manage.ClientSpec{Name: "App"})
	cfg := l.oauthConfig(c, sec)
	var meta map[string]any
	if err := json.Unmarshal(send(t, http.MethodGet, l.URL+"/.well-known/oauth-authorization-server", nil, nil).body, &meta); err != nil {
		t.Fatal(err)
	}
	if meta["require_pushed_authorization_requests"] != true {
		t.Fatalf("discovery require_pushed_authorization_requests = %v", meta["require_pushed_authorization_requests"])
	}
	verifier := oauth2.GenerateVerifier()
	b := l.browser(t)
	p := b.get(cfg.AuthCodeURL("st-s", oauth2.S256ChallengeOption(verifier)))
	if p.location == nil {
		t.Fatalf("%d %.300s", p.status, p.body)
	}
	wantAuthzError(t, l, p.location, "par_required_by_server", "invalid_request", "st-s")

	uri := pushed(t, l, push(t, l, pushParams(t, cfg, "st-s", oauth2.S256ChallengeOption(verifier)), basicAuth(c.ID, sec)))
	tok, err := cfg.Exchange(context.Background(), codeFrom(t, b.authorize(parAuthURL(l, c.ID, uri)), "st-s"), oauth2.VerifierOption(verifier))
	if err != nil || tok.AccessToken == "" {
		t.Fatalf("exchange after PAR: %v", err)
	}
}

// TestPARWithJARM: the response mode is a pushed parameter like any other:
// a pushed response_mode=query.jwt answers with a signed JWT, and a
// pushed request that no longer passes when it is used (the operator took
// a scope away from the client in between: the checks run again at the
// authorization endpoint) goes back inside the JWT too.
func TestPARWithJARM(t *testing.T) {
	l := start(t)
	l.user(t, demoUser)
	jr := newJARMReader(t, l)
	c, sec := l.client(t, manage.ClientSpec{Name: "Bank app", AuthorizationAlg: "ES256"})
	cfg := l.oauthConfig(c, sec)
	verifier := oauth2.GenerateVerifier()
	form := pushParams(t, cfg, "st-jarm", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("response_mode", "query.jwt"))
	uri := pushed(t, l, push(t, l, form, basicAuth(c.ID, sec)))
	b := l.browser(t)
	p := finish(b, b.get(parAuthURL(l, c.ID, uri)), "allow")
	v, err := jr.read(jarmOf(t, "query.jwt", p), c.ID, "ES256")
	if err != nil {
		t.Fatal(err)
	}
	if v.Get("state") != "st-jarm" || v.Get("code") == "" {
		t.Fatalf("response claims %v", v)
	}
	if tok, err := cfg.Exchange(context.Background(), v.Get("code"), oauth2.VerifierOption(verifier)); err != nil || tok.AccessToken == "" {
		t.Fatalf("exchange: %v", err)
	}

	// Pushed with profile; the client loses profile before the browser comes.
	uri = pushed(t, l, push(t, l, pushParams(t, cfg, "st-later", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("response_mode", "query.jwt")), basicAuth(c.ID, sec)))
	if _, err := l.Svc.UpdateClient(context.Background(), c.ID, manage.ClientPatch{Scopes: &[]string{"openid", "email", "offline_access"}}); err != nil {
		t.Fatal(err)
	}
	v, err = jr.read(jarmOf(t, "query.jwt", b.get(parAuthURL(l, c.ID, uri))), c.ID, "ES256")
	if err != nil {
		t.Fatal(err)
	}
	wantJARMError(t, l, v, "scope_not_allowed", "invalid_scope", "st-later")
}

// TestPARRegisteredRequirement: a client registering itself (RFC 7591)
// may require PAR of itself (RFC 9126 §6), sees it in its information,
// and an update that leaves it out does not undo it.
func TestPARRegisteredRequirement(t *testing.T) {
	l := start(t, withRegistration(config.RegistrationOpen))
	l.user(t, demoUser)
	body := `{"client_name": "Self-pushing", "redirect_uris": ["` + clientCB + `"], "require_pushed_authorization_requests": true}`
	r := jsonCall(t, l, http.MethodPost, "/register", "", body)
	reg := decodeRegistered(t, r, http.StatusCreated)
	var info map[string]any
	if err := json.Unmarshal(r.body, &info); err != nil || info["require_pushed_authorization_requests"] != true {
		t.Fatalf("client information: %v %s", err, r.body)
	}
	c, err := l.Store.GetClient(context.Background(), reg.ClientID)
	if err != nil || !c.RequirePAR {
		t.Fatalf("stored client: %v, RequirePAR %v", err, c != nil && c.RequirePAR)
	}
	cfg := l.oauthConfig(c, reg.ClientSecret)
	verifier := oauth2.GenerateVerifier()
	p := l.browser(t).get(cfg.AuthCodeURL("st-reg", oauth2.S256ChallengeOption(verifier)))
	if p.location == nil {
		t.Fatalf("%d %.300s", p.status, p.body)
	}
	wantAuthzError(t, l, p.location, "par_required_by_client", "invalid_request", "st-reg")

	// An update without the field keeps the requirement.
	upd := `{"client_id": "` + reg.ClientID + `", "client_name": "Self-pushing", "redirect_uris": ["` + clientCB + `"]}`
	u := jsonCall(t, l, http.MethodPut, "/register/"+reg.ClientID, reg.AccessToken, upd)
	if err := json.Unmarshal(u.body, &info); err != nil || u.status != http.StatusOK || info["require_pushed_authorization_requests"] != true {
		t.Fatalf("after an update without the field: %d %s", u.status, u.body)
	}
	// Not a boolean: refused by name.
	wantJSONError(t, l, jsonCall(t, l, http.MethodPost, "/register", "", `{"redirect_uris": ["`+clientCB+`"], "require_pushed_authorization_requests": "yes"}`),
		"registration_metadata_invalid", "invalid_client_metadata", http.StatusBadRequest)
}

// TestPARRequestObject: a signed request object (RFC 9101) pushed to the
// PAR endpoint (RFC 9126 §3) is verified at the push, only its parameters
// are stored, and the browser flow after it uses them; the same object
// pushed again is a replay, answered as JSON.
func TestPARRequestObject(t *testing.T) {
	l := start(t)
	l.user(t, demoUser)
	k1 := newClientKey(t, "k1")
	c, sec := l.client(t, manage.ClientSpec{Name: "JAR and PAR app", JWKS: clientJWKS(t, k1), RequestObjectAlg: "ES256", RequirePAR: true})
	cfg := l.oauthConfig(c, sec)
	verifier := oauth2.GenerateVerifier()
	obj := signRequestObject(t, jose.ES256, k1.priv, "k1", "oauth-authz-req+jwt", jarClaims(l, c.ID, verifier))
	// Form parameters beside the object do not count (RFC 9101 §6.3).
	form := url.Values{"client_id": {c.ID}, "request": {obj}, "state": {"from-the-form"}, "scope": {"openid email"}}
	uri := pushed(t, l, push(t, l, form, basicAuth(c.ID, sec)))
	back := l.browser(t).authorize(parAuthURL(l, c.ID, uri))
	tok, err := cfg.Exchange(context.Background(), codeFrom(t, back, "from-the-object"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	if got := tok.Extra("scope"); got != "openid profile" {
		t.Errorf("scope %v, want the object's openid profile", got)
	}
	wantJSONError(t, l, push(t, l, form, basicAuth(c.ID, sec)), "request_object_replayed", "invalid_request_object", http.StatusBadRequest)
	// An object signed by someone else's key is refused at the push.
	stranger := newClientKey(t, "k1")
	forged := signRequestObject(t, jose.ES256, stranger.priv, "k1", "oauth-authz-req+jwt", jarClaims(l, c.ID, verifier))
	wantJSONError(t, l, push(t, l, url.Values{"request": {forged}}, basicAuth(c.ID, sec)), "request_object_signature_invalid", "invalid_request_object", http.StatusBadRequest)
}

// TestPARDPoPProof: a DPoP proof sent with the push binds the code to its
// key as dpop_jkt does (RFC 9449 §10.1): the code is then redeemed only
// with a proof by that key; a dpop_jkt naming another key than the
// proof's is refused at the push.
func TestPARDPoPProof(t *testing.T) {
	l := start(t)
	l.user(t, demoUser)
	c, sec := l.client(t, manage.ClientSpec{Name: "DPoP Pusher"})
	cfg := l.oauthConfig(c, sec)
	k, other := newDPoPKey(t), newDPoPKey(t)
	verifier := oauth2.GenerateVerifier()
	form := pushParams(t, cfg, "st-dpop", oauth2.S256ChallengeOption(verifier))
	withProof := func() func(*http.Request) {
		return both(basicAuth(c.ID, sec), withDPoP(k.proof(t, http.MethodPost, l.URL+"/par")))
	}

	mismatch := mergeForm(form, url.Values{"dpop_jkt": {other.jkt}})
	wantJSONError(t, l, push(t, l, mismatch, withProof()), "dpop_jkt_proof_mismatch", "invalid_request", http.StatusBadRequest)

	requestURI := pushed(t, l, push(t, l, mergeForm(form, url.Values{"dpop_jkt": {k.jkt}}), withProof()))
	code := codeFrom(t, l.browser(t).authorize(parAuthURL(l, c.ID, requestURI)), "st-dpop")
	exchange := func(mods ...func(*http.Request)) *reply {
		return send(t, http.MethodPost, l.URL+"/token", strings.NewReader(codeExchangeForm(cfg, code, verifier).Encode()), both(append([]func(*http.Request){func(r *http.Request) {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}, basicAuth(c.ID, sec)}, mods...)...))
	}
	wantJSONError(t, l, exchange(), "dpop_code_key_mismatch", "invalid_grant", http.StatusBadRequest)

	// The proof alone (no dpop_jkt) binds too.
	requestURI = pushed(t, l, push(t, l, form, withProof()))
	code = codeFrom(t, l.browser(t).authorize(parAuthURL(l, c.ID, requestURI)), "st-dpop")
	wantJSONError(t, l, exchange(withDPoP(other.proof(t, http.MethodPost, l.URL+"/token"))), "dpop_code_key_mismatch", "invalid_grant", http.StatusBadRequest)
	code = codeFrom(t, l.browser(t).authorize(parAuthURL(l, c.ID, pushed(t, l, push(t, l, form, withProof())))), "st-dpop")
	ok := exchange(withDPoP(k.proof(t, http.MethodPost, l.URL+"/token")))
	var tok struct {
		TokenType string `json:"token_type"`
	}
	if ok.status != http.StatusOK || json.Unmarshal(ok.body, &tok) != nil || tok.TokenType != "DPoP" {
		t.Fatalf("exchange with the pushed key: %d %s", ok.status, ok.body)
	}
}
