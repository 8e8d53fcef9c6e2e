package e2e

// FAPI 2.0 Security Profile §5.4.1 for every JWT a client under the
// profile brings and every key Lucid verifies one with: algorithms PS256,
// ES256, EdDSA (item 1), RSA keys of at least 2048 bits (item 2),
// elliptic curve keys of at least 224 (item 3; every curve Lucid reads is
// larger). Client assertions and request objects with keys from a
// jwks_uri, DPoP proofs at the token endpoint, at userinfo per client and
// at an API on the resource library, JWT bearer assertions of a trusted
// issuer, and registrations.

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/granttype"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/resource"
)

func rsaKey(t *testing.T, bits int) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// rsaProof is a DPoP proof signed with an RSA key in alg, its public key
// embedded; claims are added to jti, htm, htu and iat.
func rsaProof(t *testing.T, priv *rsa.PrivateKey, alg jose.SignatureAlgorithm, method, u string, now time.Time, claims ...any) string {
	t.Helper()
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: priv}, (&jose.SignerOptions{EmbedJWK: true}).WithType("dpop+jwt"))
	if err != nil {
		t.Fatal(err)
	}
	c := map[string]any{"jti": randomID(), "htm": method, "htu": u, "iat": now.Unix()}
	for i := 0; i+1 < len(claims); i += 2 {
		c[claims[i].(string)] = claims[i+1]
	}
	payload, _ := json.Marshal(c)
	obj, err := s.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := obj.CompactSerialize()
	return out
}

// jwksWith is a JWK set of the public keys, each with its kid.
func jwksWith(t *testing.T, keys map[string]any) []byte {
	t.Helper()
	set := jose.JSONWebKeySet{}
	for kid, k := range keys {
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: k, KeyID: kid, Use: "sig"})
	}
	b, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const fapiIssuer = "https://workloads.example.com"

// TestFAPI2KeySizes: keys a client under the profile uses, from its
// jwks_uri, a DPoP proof or a trusted issuer, are refused when short.
func TestFAPI2KeySizes(t *testing.T) {
	short, long := rsaKey(t, 1024), rsaKey(t, 2048)
	good := newClientKey(t, "fapi-1")
	clientSet := jwksWith(t, map[string]any{"fapi-1": &good.priv.PublicKey, "short": &short.PublicKey})
	keyServer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/jwk-set+json")
		_, _ = w.Write(clientSet)
	}))
	t.Cleanup(keyServer.Close)
	issuerFile := filepath.Join(t.TempDir(), "issuer.jwks")
	if err := os.WriteFile(issuerFile, jwksWith(t, map[string]any{"short": &short.PublicKey, "long": &long.PublicKey}), 0o600); err != nil {
		t.Fatal(err)
	}
	l := start(t, withLocalKeySets, func(c *config.Config) {
		c.TrustedIssuers = []config.TrustedIssuer{{Issuer: fapiIssuer, JWKSFile: issuerFile}}
	})
	l.user(t, demoUser)
	c, _ := l.client(t, manage.ClientSpec{Name: "Bank worker", AuthMethod: store.AuthPrivateKeyJWT, JWKSURI: keyServer.URL + "/jwks", FAPI2: true,
		GrantTypes: []string{"authorization_code", "refresh_token", string(granttype.JWTBearer)}, Scopes: []string{"openid", "profile", "orders:read"}, Audiences: []string{ordersAPI},
		JWTBearer: &store.JWTBearerPolicy{Issuers: []string{fapiIssuer}}})
	f := &fapiClient{c: c, key: good, cfg: l.oauthConfig(c, "", "openid")}
	f.cfg.Endpoint.AuthStyle = oauth2.AuthStyleInParams
	now := func() time.Time { return l.Clock.Now() }
	dk := newDPoPKey(t)
	proof := func() func(*http.Request) { return withDPoP(dk.proof(t, "POST", l.URL+"/token")) }
	verifier := oauth2.GenerateVerifier()
	pushForm := pushParams(t, f.cfg, "st-k", oauth2.S256ChallengeOption(verifier))

	// A client assertion verified with the short key of the jwks_uri.
	shortAssertion := assertionForm(signJWT(t, jose.PS256, short, "short", edited(assertionClaims(l, c.ID), "aud", l.URL)))
	wantJSONError(t, l, push(t, l, mergeForm(pushForm, shortAssertion), nil), "fapi_client_assertion_key_size", "invalid_client", http.StatusUnauthorized)
	cc := url.Values{"grant_type": {string(granttype.JWTBearer)}, "client_id": {c.ID}}
	wantJSONError(t, l, postToken(t, l, mergeForm(cc, shortAssertion), proof()), "fapi_client_assertion_key_size", "invalid_client", http.StatusUnauthorized)
	// The ES256 key of the same set authenticates.
	if r := push(t, l, mergeForm(pushForm, f.assertion(t, l)), nil); r.status != http.StatusCreated {
		t.Fatalf("push with the good key: %d %s", r.status, r.body)
	}

	// A request object signed with the short key.
	object := url.Values{"client_id": {c.ID}, "request": {signJWT(t, jose.PS256, short, "short", jarClaims(l, c.ID, verifier))}}
	wantJSONError(t, l, push(t, l, mergeForm(object, f.assertion(t, l)), nil), "fapi_request_object_key_size", "invalid_request_object", http.StatusBadRequest)
	object.Set("request", signJWT(t, jose.ES256, good.priv, "fapi-1", jarClaims(l, c.ID, verifier)))
	if r := push(t, l, mergeForm(object, f.assertion(t, l)), nil); r.status != http.StatusCreated {
		t.Fatalf("a request object signed with the good key: %d %s", r.status, r.body)
	}

	// A DPoP proof whose embedded key is short, though its alg is allowed.
	small := rsaProof(t, short, jose.PS256, "POST", l.URL+"/token", now())
	wantJSONError(t, l, postToken(t, l, mergeForm(cc, f.assertion(t, l)), withDPoP(small)), "fapi_dpop_key_size", "invalid_dpop_proof", http.StatusBadRequest)

	// JWT bearer assertions of the trusted issuer: RS256 is not the
	// profile's, and its short key is too short even with PS256.
	claims := func() map[string]any {
		n := now()
		return map[string]any{"iss": fapiIssuer, "sub": "system:serviceaccount:bank:worker", "aud": l.URL + "/token",
			"iat": n.Unix(), "exp": n.Add(5 * time.Minute).Unix(), "jti": rand.Text()}
	}
	bearer := func(a string) *reply {
		return postToken(t, l, mergeForm(bearerForm(a, "client_id", c.ID), f.assertion(t, l)), proof())
	}
	wantJSONError(t, l, bearer(signJWT(t, jose.RS256, long, "long", claims())), "fapi_jwt_bearer_alg", "invalid_grant", http.StatusBadRequest)
	wantJSONError(t, l, bearer(signJWT(t, jose.PS256, short, "short", claims())), "fapi_jwt_bearer_key_size", "invalid_grant", http.StatusBadRequest)
	if r := bearer(signJWT(t, jose.PS256, long, "long", claims())); r.status != http.StatusOK {
		t.Fatalf("a PS256 assertion with the long key: %d %s", r.status, r.body)
	}
	// The same issuer's RS256 assertion is fine for a client outside the
	// profile: the rule is the client's.
	plain, psec := m2m(t, l, manage.ClientSpec{GrantTypes: []string{string(granttype.JWTBearer)}, Scopes: []string{"orders:read"},
		JWTBearer: &store.JWTBearerPolicy{Issuers: []string{fapiIssuer}}})
	if r := postToken(t, l, bearerForm(signJWT(t, jose.RS256, long, "long", claims())), basicAuth(plain.ID, psec)); r.status != http.StatusOK {
		t.Fatalf("RS256 JWT bearer outside the profile: %d %s", r.status, r.body)
	}
}

// TestFAPI2UserinfoProofs: on a server not under the profile, userinfo
// holds the DPoP proofs sent with a FAPI client's token to the profile,
// and not those of another client's.
func TestFAPI2UserinfoProofs(t *testing.T) {
	l := start(t)
	l.user(t, demoUser)
	f := newFAPIClient(t, l)
	d := &dpopTransport{t: t, key: newDPoPKey(t)}
	tok := fapiTokens(t, l, f, d, "openid")
	at, ui := tok.AccessToken, l.URL+"/userinfo"
	userinfo := func(proof string) *reply {
		return send(t, http.MethodGet, ui, nil, func(r *http.Request) {
			r.Header.Set("Authorization", "DPoP "+at)
			r.Header.Set("DPoP", proof)
		})
	}
	long, short := rsaKey(t, 2048), rsaKey(t, 1024)
	for _, tc := range []struct {
		proof, entry string
	}{
		{rsaProof(t, long, jose.RS256, "GET", ui, time.Now(), "ath", athOf(at)), "fapi_dpop_proof_alg"},
		{rsaProof(t, short, jose.PS256, "GET", ui, time.Now(), "ath", athOf(at)), "fapi_dpop_key_size"},
	} {
		r := userinfo(tc.proof)
		wantDPoPError(t, l, r, tc.entry, "invalid_dpop_proof", http.StatusBadRequest)
		if _, params, _ := parseChallenge(r.header.Get("WWW-Authenticate")); params["algs"] != "PS256 ES256 EdDSA" {
			t.Fatalf("%s: challenge algs %q, want the profile's", tc.entry, params["algs"])
		}
	}
	if r := userinfo(d.key.proof(t, "GET", ui, withClaim("ath", athOf(at)))); r.status != http.StatusOK {
		t.Fatalf("userinfo with the ES256 proof of the bound key: %d %s", r.status, r.body)
	}

	// A client outside the profile whose DPoP key is RSA with RS256: its
	// token works at userinfo with its RS256 proofs.
	c, sec := l.client(t, manage.ClientSpec{Name: "Web", SkipConsent: true})
	cfg := l.oauthConfig(c, sec, "openid")
	v := oauth2.GenerateVerifier()
	code := codeFrom(t, l.browser(t).authorize(cfg.AuthCodeURL("st-rs", oauth2.S256ChallengeOption(v))), "st-rs")
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {clientCB}, "code_verifier": {v}}
	r := postToken(t, l, form, both(basicAuth(c.ID, sec), withDPoP(rsaProof(t, long, jose.RS256, "POST", l.URL+"/token", time.Now()))))
	var answer struct {
		AccessToken string `json:"access_token"`
	}
	if r.status != http.StatusOK || json.Unmarshal(r.body, &answer) != nil {
		t.Fatalf("RS256 DPoP outside the profile: %d %s", r.status, r.body)
	}
	at = answer.AccessToken
	if r := userinfo(rsaProof(t, long, jose.RS256, "GET", ui, time.Now(), "ath", athOf(at))); r.status != http.StatusOK {
		t.Fatalf("userinfo with an RS256 proof outside the profile: %d %s", r.status, r.body)
	}
}

// TestFAPI2ResourceLibrary: an API built with resource.WithFAPI2 refuses
// RS256 proofs and short DPoP keys that an API without it accepts.
func TestFAPI2ResourceLibrary(t *testing.T) {
	ctx := context.Background()
	l := start(t)
	c, sec := m2m(t, l, manage.ClientSpec{})
	long, short := rsaKey(t, 2048), rsaKey(t, 1024)
	api := func(opts ...resource.Option) string {
		v, err := resource.New(ctx, l.URL, ordersAPI, append(opts, resource.WithClock(l.Clock.Now))...)
		if err != nil {
			t.Fatal(err)
		}
		s := httptest.NewServer(v.Require("orders:read")(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			_, _ = io.WriteString(w, "ok")
		})))
		t.Cleanup(s.Close)
		return s.URL + "/orders"
	}
	plainAPI, fapiAPI := api(), api(resource.WithFAPI2())
	token := func(key *rsa.PrivateKey, alg jose.SignatureAlgorithm) string {
		r := postToken(t, l, ccForm, both(basicAuth(c.ID, sec), withDPoP(rsaProof(t, key, alg, "POST", l.URL+"/token", time.Now()))))
		var a struct {
			AccessToken string `json:"access_token"`
			TokenType   string `json:"token_type"`
		}
		if r.status != http.StatusOK || json.Unmarshal(r.body, &a) != nil || a.TokenType != "DPoP" {
			t.Fatalf("client_credentials with an %s DPoP proof: %d %s", alg, r.status, r.body)
		}
		return a.AccessToken
	}
	call := func(u, at, proof string) *reply {
		return send(t, http.MethodGet, u, nil, func(r *http.Request) {
			r.Header.Set("Authorization", "DPoP "+at)
			r.Header.Set("DPoP", proof)
		})
	}
	rs := token(long, jose.RS256)
	if r := call(plainAPI, rs, rsaProof(t, long, jose.RS256, "GET", plainAPI, time.Now(), "ath", athOf(rs))); r.status != http.StatusOK {
		t.Fatalf("an RS256 proof at an API without WithFAPI2: %d %s", r.status, r.body)
	}
	r := call(fapiAPI, rs, rsaProof(t, long, jose.RS256, "GET", fapiAPI, time.Now(), "ath", athOf(rs)))
	wantDPoPError(t, l, r, "fapi_dpop_proof_alg", "invalid_dpop_proof", http.StatusBadRequest)
	if _, params, _ := parseChallenge(r.header.Get("WWW-Authenticate")); params["algs"] != "PS256 ES256 EdDSA" {
		t.Fatalf("challenge algs %q, want the profile's", params["algs"])
	}
	// Lucid binds no token to a short key; the API judges the proof's
	// key before it compares it with the token's.
	ps := token(long, jose.PS256)
	wantDPoPError(t, l, call(fapiAPI, ps, rsaProof(t, short, jose.PS256, "GET", fapiAPI, time.Now(), "ath", athOf(ps))), "fapi_dpop_key_size", "invalid_dpop_proof", http.StatusBadRequest)
	// The profile's own: PS256 with the long key, ES256.
	if r := call(fapiAPI, ps, rsaProof(t, long, jose.PS256, "GET", fapiAPI, time.Now(), "ath", athOf(ps))); r.status != http.StatusOK {
		t.Fatalf("a PS256 proof at an API with WithFAPI2: %d %s", r.status, r.body)
	}
	d := &dpopTransport{t: t, key: newDPoPKey(t)}
	cfg := clientcredentials.Config{ClientID: c.ID, ClientSecret: sec, TokenURL: l.URL + "/token", Scopes: []string{"orders:read"}}
	resp, err := cfg.Client(dpopContext(d)).Get(fapiAPI)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("ES256 through x/oauth2 at an API with WithFAPI2: %d", resp.StatusCode)
	}
}

// TestFAPI2RegistrationKeySize: registrations under the profile with a
// short key are refused, through dynamic registration and the admin API.
func TestFAPI2RegistrationKeySize(t *testing.T) {
	l := start(t, withRegistration(config.RegistrationOpen))
	good := newClientKey(t, "k1")
	set := string(jwksWith(t, map[string]any{"k1": &good.priv.PublicKey, "old-rsa": &rsaKey(t, 1024).PublicKey}))
	body := `{"redirect_uris":["` + clientCB + `"],"fapi2_security_profile":true,"token_endpoint_auth_method":"private_key_jwt","jwks":` + set + `}`
	e := wantJSONError(t, l, jsonCall(t, l, http.MethodPost, "/register", "", body), "fapi_client_metadata_key_size", "invalid_client_metadata", http.StatusBadRequest)
	if !strings.Contains(e.Description, "old-rsa") || !strings.Contains(e.Description, "1024-bit") {
		t.Fatalf("the refusal does not name the key: %s", e.Description)
	}
	wantJSONError(t, l, jsonCall(t, l, http.MethodPost, "/admin/clients", l.cfg.AdminToken, `{"client_name":"Bank",`+body[1:]),
		"fapi_client_metadata_key_size", "invalid_client_metadata", http.StatusBadRequest)
	// The same key set outside the profile is registered (Lucid's own
	// rule, 2048 bits, holds when a signature is verified).
	if r := jsonCall(t, l, http.MethodPost, "/register", "", strings.Replace(body, `"fapi2_security_profile":true,`, "", 1)); r.status != http.StatusCreated {
		t.Fatalf("the key set outside the profile: %d %s", r.status, r.body)
	}
}
