package e2e

// DPoP (RFC 9449) end to end: a client of our own (go-jose for the key and
// its thumbprint, the proofs signed by hand so that each header and claim
// can be got wrong on purpose), and golang.org/x/oauth2 with a
// RoundTripper that adds the proofs, through client_credentials, the code
// flow, refresh, userinfo and introspection.

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/resource"
)

// dpopKey is a client's DPoP key pair.
type dpopKey struct {
	priv *ecdsa.PrivateKey
	jwk  map[string]any // the public key as it goes into the proof header
	jkt  string         // its RFC 7638 thumbprint
}

func newDPoPKey(t *testing.T) *dpopKey {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pub := jose.JSONWebKey{Key: &priv.PublicKey}
	raw, _ := pub.MarshalJSON()
	var jwk map[string]any
	_ = json.Unmarshal(raw, &jwk)
	tp, err := pub.Thumbprint(crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	return &dpopKey{priv: priv, jwk: jwk, jkt: base64.RawURLEncoding.EncodeToString(tp)}
}

// proofOpt changes a proof's header or claims before it is signed.
type proofOpt func(h, c map[string]any)

func withClaim(k string, v any) proofOpt {
	return func(_, c map[string]any) {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
}

func withHeader(k string, v any) proofOpt {
	return func(h, _ map[string]any) {
		if v == nil {
			delete(h, k)
		} else {
			h[k] = v
		}
	}
}

// athOf is the ath claim for an access token.
func athOf(token string) string {
	s := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(s[:])
}

// proof signs a DPoP proof for method and u (ES256).
func (k *dpopKey) proof(t *testing.T, method, u string, opts ...proofOpt) string {
	t.Helper()
	h := map[string]any{"typ": "dpop+jwt", "alg": "ES256", "jwk": k.jwk}
	c := map[string]any{"jti": randomID(), "htm": method, "htu": u, "iat": time.Now().Unix()}
	for _, o := range opts {
		o(h, c)
	}
	hb, _ := json.Marshal(h)
	cb, _ := json.Marshal(c)
	input := base64.RawURLEncoding.EncodeToString(hb) + "." + base64.RawURLEncoding.EncodeToString(cb)
	sum := sha256.Sum256([]byte(input))
	r, s, err := ecdsa.Sign(rand.Reader, k.priv, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func randomID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// dpopTransport is a DPoP client for x/oauth2: it adds a proof to every
// request (with ath when the request carries Authorization: DPoP), and
// retries once with the server's nonce when asked to (RFC 9449 §8).
type dpopTransport struct {
	t     *testing.T
	key   *dpopKey
	nonce string
	// proofs counts the proofs sent.
	proofs int
}

func (d *dpopTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		_ = req.Body.Close()
	}
	for attempt := 0; ; attempt++ {
		r := req.Clone(req.Context())
		r.Body = io.NopCloser(bytes.NewReader(body))
		u := *r.URL
		u.RawQuery, u.Fragment = "", ""
		var opts []proofOpt
		if scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && scheme == "DPoP" {
			opts = append(opts, withClaim("ath", athOf(token)))
		}
		if d.nonce != "" {
			opts = append(opts, withClaim("nonce", d.nonce))
		}
		r.Header.Set("DPoP", d.key.proof(d.t, r.Method, u.String(), opts...))
		d.proofs++
		resp, err := http.DefaultTransport.RoundTrip(r)
		if err != nil {
			return nil, err
		}
		if n := resp.Header.Get("DPoP-Nonce"); n != "" {
			d.nonce = n
			if attempt == 0 && (resp.StatusCode == 400 || resp.StatusCode == 401) {
				_ = resp.Body.Close()
				continue
			}
		}
		return resp, nil
	}
}

// dpopContext gives x/oauth2 an HTTP client that speaks DPoP.
func dpopContext(d *dpopTransport) context.Context {
	return context.WithValue(context.Background(), oauth2.HTTPClient, &http.Client{Transport: d})
}

// jwtClaims reads a JWT's claims without verifying it.
func jwtClaims(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %.40s", token)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func cnfJKT(m map[string]any) string {
	cnf, _ := m["cnf"].(map[string]any)
	s, _ := cnf["jkt"].(string)
	return s
}

// wantDPoPError asserts an RFC 9449 §7.1 answer: a DPoP challenge with
// the algorithms Lucid accepts, the error and catalog text, the JSON body.
func wantDPoPError(t *testing.T, l *lucid, r *reply, name, code string, status int) {
	t.Helper()
	h := r.header.Get("WWW-Authenticate")
	scheme, params, err := parseChallenge(h)
	if err != nil {
		t.Fatalf("WWW-Authenticate %q: %v", h, err)
	}
	if scheme != "DPoP" || params["realm"] != l.URL || !strings.Contains(params["algs"], "ES256") {
		t.Fatalf("challenge %q: want scheme DPoP, realm %s and algs", h, l.URL)
	}
	if params["error"] != code {
		t.Fatalf("challenge error = %q, want %q (%s)", params["error"], code, h)
	}
	checkCatalogText(t, l, name, params["error_description"], params["error_uri"])
	var body oauthErr
	if err := json.Unmarshal(r.body, &body); err != nil {
		t.Fatalf("%d answer is not JSON: %.300s", r.status, r.body)
	}
	if r.status != status || body.Error != code || body.Code != name {
		t.Fatalf("got %d %s/%s, want %d %s/%s", r.status, body.Code, body.Error, status, name, code)
	}
	checkTraceAndCache(t, r.header, body.TraceID)
	triggered.add(name)
}

// ccForm is a client_credentials request for the orders API.
var ccForm = url.Values{"grant_type": {"client_credentials"}, "scope": {"orders:read"}}

func withDPoP(proofs ...string) func(*http.Request) {
	return func(r *http.Request) {
		for _, p := range proofs {
			r.Header.Add("DPoP", p)
		}
	}
}

func both(mods ...func(*http.Request)) func(*http.Request) {
	return func(r *http.Request) {
		for _, m := range mods {
			m(r)
		}
	}
}

// TestDPoPClientCredentials: x/oauth2 with proofs gets DPoP-bound tokens,
// JWT and opaque; introspection tells the binding (cnf, token_type DPoP).
func TestDPoPClientCredentials(t *testing.T) {
	l := start(t)
	for _, format := range []string{store.FormatJWT, store.FormatOpaque} {
		t.Run(format, func(t *testing.T) {
			c, sec := m2m(t, l, manage.ClientSpec{AccessTokenFormat: format})
			d := &dpopTransport{t: t, key: newDPoPKey(t)}
			cc := clientcredentials.Config{ClientID: c.ID, ClientSecret: sec, TokenURL: l.URL + "/token", Scopes: []string{"orders:read"}}
			tok, err := cc.Token(dpopContext(d))
			if err != nil {
				t.Fatal(err)
			}
			if tok.Type() != "DPoP" || d.proofs != 1 {
				t.Fatalf("token_type %q after %d proofs, want DPoP after 1", tok.Type(), d.proofs)
			}
			if format == store.FormatJWT {
				if got := cnfJKT(jwtClaims(t, tok.AccessToken)); got != d.key.jkt {
					t.Fatalf("cnf.jkt %q, want the key's thumbprint %q", got, d.key.jkt)
				}
			}
			in := introspect(t, l, c.ID, sec, tok.AccessToken, nil)
			if in["active"] != true || in["token_type"] != "DPoP" || cnfJKT(in) != d.key.jkt {
				t.Fatalf("introspection %v: want active, DPoP, cnf.jkt %s", in, d.key.jkt)
			}
		})
	}
	// Without a proof the same client still gets a Bearer token, unbound.
	c, sec := m2m(t, l, manage.ClientSpec{})
	r := postToken(t, l, ccForm, basicAuth(c.ID, sec))
	var tr map[string]any
	_ = json.Unmarshal(r.body, &tr)
	if r.status != 200 || tr["token_type"] != "Bearer" || cnfJKT(jwtClaims(t, tr["access_token"].(string))) != "" {
		t.Fatalf("without a proof: %d %s", r.status, r.body)
	}
}

// TestDPoPProofRefusals: every way a proof can be wrong at the token
// endpoint has its own entry, and nothing is issued.
func TestDPoPProofRefusals(t *testing.T) {
	l := start(t)
	c, sec := m2m(t, l, manage.ClientSpec{})
	k := newDPoPKey(t)
	tokenURL := l.URL + "/token"
	now := time.Now().Unix()
	tampered := func() string {
		p := k.proof(t, "POST", tokenURL)
		parts := strings.Split(p, ".")
		other := strings.Split(k.proof(t, "POST", tokenURL), ".")
		return parts[0] + "." + other[1] + "." + parts[2]
	}()
	private := map[string]any{}
	for kk, v := range k.jwk {
		private[kk] = v
	}
	private["d"] = base64.RawURLEncoding.EncodeToString(k.priv.D.FillBytes(make([]byte, 32)))
	hs := func() string {
		h, _ := json.Marshal(map[string]any{"typ": "dpop+jwt", "alg": "HS256", "jwk": k.jwk})
		cl, _ := json.Marshal(map[string]any{"jti": "x", "htm": "POST", "htu": tokenURL, "iat": now})
		return base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(cl) + ".c2ln"
	}()
	cases := []struct {
		name   string
		proofs []string
		entry  string
	}{
		{"two headers", []string{k.proof(t, "POST", tokenURL), k.proof(t, "POST", tokenURL)}, "dpop_proof_repeated"},
		{"not a JWT", []string{"not-a-proof"}, "dpop_proof_malformed"},
		{"typ JWT", []string{k.proof(t, "POST", tokenURL, withHeader("typ", "JWT"))}, "dpop_proof_type"},
		{"HS256", []string{hs}, "dpop_proof_algorithm"},
		{"alg none", []string{k.proof(t, "POST", tokenURL, withHeader("alg", "none"))}, "dpop_proof_algorithm"},
		{"no jwk", []string{k.proof(t, "POST", tokenURL, withHeader("jwk", nil))}, "dpop_proof_key"},
		{"private jwk", []string{k.proof(t, "POST", tokenURL, withHeader("jwk", private))}, "dpop_proof_key"},
		{"signature", []string{tampered}, "dpop_proof_signature"},
		{"no jti", []string{k.proof(t, "POST", tokenURL, withClaim("jti", nil))}, "dpop_proof_claims"},
		{"iat a string", []string{k.proof(t, "POST", tokenURL, withClaim("iat", "now"))}, "dpop_proof_malformed"},
		{"no htu", []string{k.proof(t, "POST", tokenURL, withClaim("htu", nil))}, "dpop_proof_claims"},
		{"htm GET", []string{k.proof(t, "GET", tokenURL)}, "dpop_proof_method"},
		{"htu userinfo", []string{k.proof(t, "POST", l.URL+"/userinfo")}, "dpop_proof_url"},
		{"iat ahead", []string{k.proof(t, "POST", tokenURL, withClaim("iat", now+300))}, "dpop_proof_future"},
		{"iat old", []string{k.proof(t, "POST", tokenURL, withClaim("iat", now-600))}, "dpop_proof_too_old"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := postToken(t, l, ccForm, both(basicAuth(c.ID, sec), withDPoP(tc.proofs...)))
			wantJSONError(t, l, r, tc.entry, "invalid_dpop_proof", 400)
		})
	}
	t.Run("reused", func(t *testing.T) {
		p := k.proof(t, "POST", tokenURL)
		if r := postToken(t, l, ccForm, both(basicAuth(c.ID, sec), withDPoP(p))); r.status != 200 {
			t.Fatalf("first use: %d %s", r.status, r.body)
		}
		r := postToken(t, l, ccForm, both(basicAuth(c.ID, sec), withDPoP(p)))
		wantJSONError(t, l, r, "dpop_proof_reused", "invalid_dpop_proof", 400)
	})
	t.Run("htu normalised", func(t *testing.T) {
		// Query, fragment, upper-case scheme and host are not differences.
		u := strings.Replace(tokenURL, "http://", "HTTP://", 1) + "?x=1#f"
		if r := postToken(t, l, ccForm, both(basicAuth(c.ID, sec), withDPoP(k.proof(t, "POST", u)))); r.status != 200 {
			t.Fatalf("normalised htu refused: %d %s", r.status, r.body)
		}
	})
}

// TestDPoPRequired: per client (dpop_bound_access_tokens) and globally.
func TestDPoPRequired(t *testing.T) {
	l := start(t)
	c, sec := m2m(t, l, manage.ClientSpec{DPoPBound: true})
	r := postToken(t, l, ccForm, basicAuth(c.ID, sec))
	body := wantJSONError(t, l, r, "dpop_proof_missing", "invalid_dpop_proof", 400)
	if !strings.Contains(body.Description, "dpop_bound_access_tokens") {
		t.Fatalf("description does not say why: %s", body.Description)
	}
	k := newDPoPKey(t)
	if r := postToken(t, l, ccForm, both(basicAuth(c.ID, sec), withDPoP(k.proof(t, "POST", l.URL+"/token")))); r.status != 200 {
		t.Fatalf("with a proof: %d %s", r.status, r.body)
	}

	g := start(t, func(c *config.Config) { c.DPoP.Required = true })
	c2, sec2 := m2m(t, g, manage.ClientSpec{})
	wantJSONError(t, g, postToken(t, g, ccForm, basicAuth(c2.ID, sec2)), "dpop_proof_missing", "invalid_dpop_proof", 400)
	var doc map[string]any
	_ = json.Unmarshal(send(t, http.MethodGet, g.URL+"/.well-known/openid-configuration", nil, nil).body, &doc)
	algs, _ := doc["dpop_signing_alg_values_supported"].([]any)
	if len(algs) == 0 || !slices.Contains(algs, any("ES256")) || slices.Contains(algs, any("HS256")) || slices.Contains(algs, any("none")) {
		t.Fatalf("dpop_signing_alg_values_supported = %v", doc["dpop_signing_alg_values_supported"])
	}
}

// TestDPoPNonces: with dpop.require_nonce, a proof without a nonce is
// answered use_dpop_nonce with a DPoP-Nonce header; x/oauth2 behind a
// retrying transport gets its token; another replica (same master key,
// its own database) accepts the same nonce; an unknown or expired one is
// refused.
func TestDPoPNonces(t *testing.T) {
	l := start(t, func(c *config.Config) { c.DPoP.RequireNonce = true })
	c, sec := m2m(t, l, manage.ClientSpec{})
	k := newDPoPKey(t)
	tokenURL := l.URL + "/token"
	r := postToken(t, l, ccForm, both(basicAuth(c.ID, sec), withDPoP(k.proof(t, "POST", tokenURL))))
	wantJSONError(t, l, r, "dpop_nonce_required", "use_dpop_nonce", 400)
	nonce := r.header.Get("DPoP-Nonce")
	if nonce == "" {
		t.Fatal("use_dpop_nonce without a DPoP-Nonce header")
	}
	r = postToken(t, l, ccForm, both(basicAuth(c.ID, sec), withDPoP(k.proof(t, "POST", tokenURL, withClaim("nonce", "made-up")))))
	wantJSONError(t, l, r, "dpop_nonce_stale", "use_dpop_nonce", 400)
	if r.header.Get("DPoP-Nonce") != nonce {
		t.Fatal("a stale nonce is not answered with the current one")
	}
	if r := postToken(t, l, ccForm, both(basicAuth(c.ID, sec), withDPoP(k.proof(t, "POST", tokenURL, withClaim("nonce", nonce))))); r.status != 200 {
		t.Fatalf("with the nonce: %d %s", r.status, r.body)
	}

	d := &dpopTransport{t: t, key: k}
	cc := clientcredentials.Config{ClientID: c.ID, ClientSecret: sec, TokenURL: tokenURL, Scopes: []string{"orders:read"}}
	if tok, err := cc.Token(dpopContext(d)); err != nil || tok.Type() != "DPoP" || d.proofs != 2 {
		t.Fatalf("x/oauth2 with a nonce-aware transport: %v, %d proofs", err, d.proofs)
	}

	// Another replica: same master key, its own database.
	other := start(t, func(cfg *config.Config) { cfg.DPoP.RequireNonce = true; cfg.MasterKey = l.cfg.MasterKey })
	c2, sec2 := m2m(t, other, manage.ClientSpec{})
	if r := postToken(t, other, ccForm, both(basicAuth(c2.ID, sec2), withDPoP(k.proof(t, "POST", other.URL+"/token", withClaim("nonce", nonce))))); r.status != 200 {
		t.Fatalf("another replica refused the nonce: %d %s", r.status, r.body)
	}

	// Two nonce lifetimes later the nonce is stale (the proof's iat moves
	// with the server's clock).
	l.Clock.Advance(11 * time.Minute)
	later := l.Clock.Now().Unix()
	r = postToken(t, l, ccForm, both(basicAuth(c.ID, sec), withDPoP(k.proof(t, "POST", tokenURL, withClaim("nonce", nonce), withClaim("iat", later)))))
	wantJSONError(t, l, r, "dpop_nonce_stale", "use_dpop_nonce", 400)

	// Userinfo asks for the nonce too, in its DPoP challenge.
	rs, rsSec := m2m(t, l, manage.ClientSpec{Name: "Self", Audiences: []string{l.URL}})
	fresh := r.header.Get("DPoP-Nonce")
	r = postToken(t, l, url.Values{"grant_type": {"client_credentials"}}, both(basicAuth(rs.ID, rsSec), withDPoP(k.proof(t, "POST", tokenURL, withClaim("nonce", fresh), withClaim("iat", later)))))
	var tr map[string]any
	if err := json.Unmarshal(r.body, &tr); err != nil || r.status != 200 {
		t.Fatalf("token for userinfo: %d %s", r.status, r.body)
	}
	at, _ := tr["access_token"].(string)
	r = send(t, http.MethodGet, l.URL+"/userinfo", nil, func(req *http.Request) {
		req.Header.Set("Authorization", "DPoP "+at)
		req.Header.Set("DPoP", k.proof(t, "GET", l.URL+"/userinfo", withClaim("ath", athOf(at)), withClaim("iat", later)))
	})
	wantDPoPError(t, l, r, "dpop_nonce_required", "use_dpop_nonce", 400)
	if r.header.Get("DPoP-Nonce") != fresh {
		t.Fatal("userinfo's use_dpop_nonce without the current nonce")
	}
}

// dpopCodeFlow signs alice in for a public client and returns the code.
func dpopCodeFlow(t *testing.T, l *lucid, cfg *oauth2.Config, verifier string, extra ...oauth2.AuthCodeOption) string {
	t.Helper()
	opts := append([]oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier)}, extra...)
	return codeFrom(t, l.browser(t).authorize(cfg.AuthCodeURL("st", opts...)), "st")
}

// TestDPoPCodeFlowUserinfoRefresh: a public client with x/oauth2 and DPoP
// through the code flow, userinfo with the DPoP scheme, and refresh bound
// to its key; every misuse of the bound tokens refused.
func TestDPoPCodeFlowUserinfoRefresh(t *testing.T) {
	l := start(t)
	l.user(t, demoUser)
	c, _ := l.client(t, manage.ClientSpec{Name: "Phone app", AuthMethod: store.AuthNone, SkipConsent: true})
	cfg := l.oauthConfig(c, "")
	d := &dpopTransport{t: t, key: newDPoPKey(t)}
	ctx := dpopContext(d)
	verifier := oauth2.GenerateVerifier()
	code := dpopCodeFlow(t, l, cfg, verifier)
	tok, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	if tok.Type() != "DPoP" || cnfJKT(jwtClaims(t, tok.AccessToken)) != d.key.jkt || tok.RefreshToken == "" {
		t.Fatalf("token %q, cnf.jkt %q, refresh %v", tok.Type(), cnfJKT(jwtClaims(t, tok.AccessToken)), tok.RefreshToken != "")
	}
	// Userinfo through x/oauth2's client: Authorization: DPoP and a proof.
	resp, err := cfg.Client(ctx, tok).Get(l.URL + "/userinfo")
	if err != nil {
		t.Fatal(err)
	}
	var ui map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&ui)
	_ = resp.Body.Close()
	if resp.StatusCode != 200 || ui["sub"] == nil {
		t.Fatalf("userinfo with DPoP: %d %v", resp.StatusCode, ui)
	}

	userinfo := func(auth string, proofs ...string) *reply {
		return send(t, http.MethodGet, l.URL+"/userinfo", nil, func(r *http.Request) {
			r.Header.Set("Authorization", auth)
			for _, p := range proofs {
				r.Header.Add("DPoP", p)
			}
		})
	}
	at, uiURL := tok.AccessToken, l.URL+"/userinfo"
	wantDPoPError(t, l, userinfo("Bearer "+at), "dpop_token_as_bearer", "invalid_token", 401)
	wantDPoPError(t, l, userinfo("DPoP "+at, d.key.proof(t, "GET", uiURL)), "dpop_proof_ath_missing", "invalid_dpop_proof", 401)
	wantDPoPError(t, l, userinfo("DPoP "+at, d.key.proof(t, "GET", uiURL, withClaim("ath", athOf("another token")))), "dpop_proof_ath_mismatch", "invalid_dpop_proof", 401)
	wantDPoPError(t, l, userinfo("DPoP "+at, newDPoPKey(t).proof(t, "GET", uiURL, withClaim("ath", athOf(at)))), "dpop_token_key_mismatch", "invalid_token", 401)
	wantDPoPError(t, l, userinfo("DPoP "+at), "dpop_proof_missing", "invalid_dpop_proof", 400)
	p := d.key.proof(t, "GET", uiURL, withClaim("ath", athOf(at)))
	if r := userinfo("DPoP "+at, p); r.status != 200 {
		t.Fatalf("userinfo with a good proof: %d %s", r.status, r.body)
	}
	wantDPoPError(t, l, userinfo("DPoP "+at, p), "dpop_proof_reused", "invalid_dpop_proof", 400)

	// An unbound token sent with the DPoP scheme.
	plain, _ := l.client(t, manage.ClientSpec{Name: "Web app", AuthMethod: store.AuthNone, SkipConsent: true})
	pcfg := l.oauthConfig(plain, "")
	v2 := oauth2.GenerateVerifier()
	bearer, err := pcfg.Exchange(context.Background(), dpopCodeFlow(t, l, pcfg, v2), oauth2.VerifierOption(v2))
	if err != nil || bearer.Type() != "Bearer" {
		t.Fatalf("exchange without DPoP: %v %q", err, bearer.Type())
	}
	wantDPoPError(t, l, userinfo("DPoP "+bearer.AccessToken, d.key.proof(t, "GET", uiURL, withClaim("ath", athOf(bearer.AccessToken)))), "dpop_token_not_bound", "invalid_token", 401)

	// Refresh: another key, then no proof, are refused; the same key works.
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}, "client_id": {c.ID}}
	r := postToken(t, l, form, withDPoP(newDPoPKey(t).proof(t, "POST", l.URL+"/token")))
	wantJSONError(t, l, r, "dpop_refresh_key_mismatch", "invalid_dpop_proof", 400)
	wantJSONError(t, l, postToken(t, l, form, nil), "dpop_refresh_proof_missing", "invalid_grant", 400)
	next, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	if err != nil || next.Type() != "DPoP" || cnfJKT(jwtClaims(t, next.AccessToken)) != d.key.jkt {
		t.Fatalf("refresh with the key: %v", err)
	}
	in := introspectAs(t, l, next.AccessToken)
	if in["token_type"] != "DPoP" || cnfJKT(in) != d.key.jkt {
		t.Fatalf("introspection of the refreshed token: %v", in)
	}
}

// introspectAs introspects with a fresh confidential client whose
// audience is Lucid itself (tokens of the code flow are for userinfo).
func introspectAs(t *testing.T, l *lucid, token string) map[string]any {
	t.Helper()
	rs, sec := m2m(t, l, manage.ClientSpec{Name: "Resource server", Audiences: []string{l.URL}})
	return introspect(t, l, rs.ID, sec, token, nil)
}

// TestDPoPConfidentialRefreshNewKey: a confidential client's refresh
// token is bound to its authentication, not to a key: it may move to a
// new key, and its new access token is bound to that one.
func TestDPoPConfidentialRefreshNewKey(t *testing.T) {
	l := start(t)
	l.user(t, demoUser)
	c, sec := l.client(t, manage.ClientSpec{Name: "Web backend", SkipConsent: true})
	cfg := l.oauthConfig(c, sec)
	verifier := oauth2.GenerateVerifier()
	tok, err := cfg.Exchange(dpopContext(&dpopTransport{t: t, key: newDPoPKey(t)}), dpopCodeFlow(t, l, cfg, verifier), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	k2 := &dpopTransport{t: t, key: newDPoPKey(t)}
	next, err := cfg.TokenSource(dpopContext(k2), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	if err != nil || cnfJKT(jwtClaims(t, next.AccessToken)) != k2.key.jkt {
		t.Fatalf("confidential refresh with a new key: %v", err)
	}
}

// TestDPoPAuthorizationCodeBinding: dpop_jkt binds the code to a key.
func TestDPoPAuthorizationCodeBinding(t *testing.T) {
	l := start(t)
	l.user(t, demoUser)
	c, _ := l.client(t, manage.ClientSpec{Name: "Phone app", AuthMethod: store.AuthNone, SkipConsent: true})
	cfg := l.oauthConfig(c, "")
	k := newDPoPKey(t)

	p := l.browser(t).get(cfg.AuthCodeURL("st", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()), oauth2.SetAuthURLParam("dpop_jkt", "not-a-thumbprint")))
	if p.location == nil {
		t.Fatalf("a malformed dpop_jkt did not redirect: %d", p.status)
	}
	wantAuthzError(t, l, p.location, "dpop_jkt_malformed", "invalid_request", "st")

	verifier := oauth2.GenerateVerifier()
	code := dpopCodeFlow(t, l, cfg, verifier, oauth2.SetAuthURLParam("dpop_jkt", k.jkt))
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {cfg.RedirectURL}, "client_id": {c.ID}, "code_verifier": {verifier}}
	r := postToken(t, l, form, withDPoP(newDPoPKey(t).proof(t, "POST", l.URL+"/token")))
	wantJSONError(t, l, r, "dpop_code_key_mismatch", "invalid_grant", 400)
	wantJSONError(t, l, postToken(t, l, form, nil), "dpop_code_key_mismatch", "invalid_grant", 400)
	tok, err := cfg.Exchange(dpopContext(&dpopTransport{t: t, key: k}), code, oauth2.VerifierOption(verifier))
	if err != nil || tok.Type() != "DPoP" || cnfJKT(jwtClaims(t, tok.AccessToken)) != k.jkt {
		t.Fatalf("exchange with the bound key: %v", err)
	}
}

// TestDPoPRegisteredClient: a client registers dpop_bound_access_tokens
// itself (RFC 9449 §5.2); its token requests then need a proof, and the
// client information says so.
func TestDPoPRegisteredClient(t *testing.T) {
	ctx := context.Background()
	l := start(t, withRegistration(config.RegistrationOpen))
	r := jsonCall(t, l, http.MethodPost, "/register", "", `{
		"client_name": "Bound backend",
		"grant_types": ["client_credentials"],
		"token_endpoint_auth_method": "client_secret_basic",
		"scope": "orders:read",
		"dpop_bound_access_tokens": true
	}`)
	reg := decodeRegistered(t, r, http.StatusCreated)
	var info map[string]any
	_ = json.Unmarshal(r.body, &info)
	if info["dpop_bound_access_tokens"] != true {
		t.Fatalf("client information lacks dpop_bound_access_tokens: %s", r.body)
	}
	aud := []string{ordersAPI}
	if _, err := l.Svc.UpdateClient(ctx, reg.ClientID, manage.ClientPatch{Audiences: &aud}); err != nil {
		t.Fatal(err)
	}
	wantJSONError(t, l, postToken(t, l, ccForm, basicAuth(reg.ClientID, reg.ClientSecret)), "dpop_proof_missing", "invalid_dpop_proof", 400)
	k := newDPoPKey(t)
	if r := postToken(t, l, ccForm, both(basicAuth(reg.ClientID, reg.ClientSecret), withDPoP(k.proof(t, "POST", l.URL+"/token")))); r.status != 200 {
		t.Fatalf("with a proof: %d %s", r.status, r.body)
	}
	bad := jsonCall(t, l, http.MethodPost, "/register", "", `{"client_name": "x", "grant_types": ["client_credentials"], "dpop_bound_access_tokens": "yes"}`)
	if bad.status != 400 || !strings.Contains(string(bad.body), "dpop_bound_access_tokens") {
		t.Fatalf("a non-boolean dpop_bound_access_tokens: %d %s", bad.status, bad.body)
	}
}

// TestDPoPResourceLibrary: an API using package resource accepts a
// DPoP-bound token from x/oauth2 with the DPoP transport, and refuses the
// same token as Bearer, with another key, for another token or URL, and a
// replayed proof (the single-use rule, in memory).
func TestDPoPResourceLibrary(t *testing.T) {
	ctx := context.Background()
	l := start(t)
	c, sec := m2m(t, l, manage.ClientSpec{})
	v, err := resource.New(ctx, l.URL, ordersAPI, resource.WithClock(l.Clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	api := httptest.NewServer(v.Require("orders:read")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cl, _ := resource.ClaimsFrom(r.Context())
		if !cl.Bound() {
			_, _ = io.WriteString(w, "bearer")
			return
		}
		_, _ = io.WriteString(w, cl.Cnf.JKT)
	})))
	defer api.Close()
	d := &dpopTransport{t: t, key: newDPoPKey(t)}
	cc := clientcredentials.Config{ClientID: c.ID, ClientSecret: sec, TokenURL: l.URL + "/token", Scopes: []string{"orders:read"}}
	resp, err := cc.Client(dpopContext(d)).Get(api.URL + "/orders?page=2")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != d.key.jkt {
		t.Fatalf("API with DPoP: %d %s", resp.StatusCode, body)
	}
	tok, err := cc.Token(dpopContext(d))
	if err != nil {
		t.Fatal(err)
	}
	at, u := tok.AccessToken, api.URL+"/orders"
	call := func(auth string, proofs ...string) *reply {
		return send(t, http.MethodGet, u, nil, func(r *http.Request) {
			r.Header.Set("Authorization", auth)
			for _, p := range proofs {
				r.Header.Add("DPoP", p)
			}
		})
	}
	wantDPoPError(t, l, call("Bearer "+at), "dpop_token_as_bearer", "invalid_token", 401)
	wantDPoPError(t, l, call("DPoP "+at), "dpop_proof_missing", "invalid_dpop_proof", 400)
	wantDPoPError(t, l, call("DPoP "+at, d.key.proof(t, "GET", u)), "dpop_proof_ath_missing", "invalid_dpop_proof", 401)
	wantDPoPError(t, l, call("DPoP "+at, d.key.proof(t, "GET", api.URL+"/other", withClaim("ath", athOf(at)))), "dpop_proof_url", "invalid_dpop_proof", 400)
	wantDPoPError(t, l, call("DPoP "+at, newDPoPKey(t).proof(t, "GET", u, withClaim("ath", athOf(at)))), "dpop_token_key_mismatch", "invalid_token", 401)
	p := d.key.proof(t, "GET", u, withClaim("ath", athOf(at)))
	if r := call("DPoP "+at, p); r.status != 200 {
		t.Fatalf("a good proof: %d %s", r.status, r.body)
	}
	wantDPoPError(t, l, call("DPoP "+at, p), "dpop_proof_reused", "invalid_dpop_proof", 400)
	if _, err := v.Verify(ctx, at); !strings.Contains(fmt.Sprint(err), "dpop_token_as_bearer") {
		t.Fatalf("Verify of a bound token without its proof: %v", err)
	}
	// An unbound token is still a Bearer token, and not one under DPoP.
	plain, psec := m2m(t, l, manage.ClientSpec{})
	r := postToken(t, l, ccForm, basicAuth(plain.ID, psec))
	var tr map[string]any
	_ = json.Unmarshal(r.body, &tr)
	bt, _ := tr["access_token"].(string)
	if r := call("Bearer " + bt); r.status != 200 || string(r.body) != "bearer" {
		t.Fatalf("a Bearer token: %d %s", r.status, r.body)
	}
	wantDPoPError(t, l, call("DPoP "+bt, d.key.proof(t, "GET", u, withClaim("ath", athOf(bt)))), "dpop_token_not_bound", "invalid_token", 401)
}
