package e2e

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/store"
)

// Issue 11: request objects by value (JAR, RFC 9101). The client code
// here is the test's own: it signs request objects with go-jose, as a JAR
// client library would.

// signRequestObject signs claims as a request object; alg none makes an
// unsigned one, kid "" leaves the kid out, typ "" leaves typ out.
func signRequestObject(t *testing.T, alg jose.SignatureAlgorithm, priv any, kid, typ string, claims map[string]any) string {
	t.Helper()
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	if alg == "none" {
		hdr := `{"alg":"none"}`
		enc := base64.RawURLEncoding.EncodeToString
		return enc([]byte(hdr)) + "." + enc(payload) + "."
	}
	opts := &jose.SignerOptions{}
	if typ != "" {
		opts = opts.WithType(jose.ContentType(typ))
	}
	k := priv
	if kid != "" {
		k = jose.JSONWebKey{Key: priv, KeyID: kid}
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: k}, opts)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := s.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	out, err := obj.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// jarClaims is a complete authorization request as request object claims.
func jarClaims(l *lucid, clientID, verifier string) map[string]any {
	now := l.Clock.Now()
	sum := sha256.Sum256([]byte(verifier))
	return map[string]any{
		"iss": clientID, "aud": l.URL, "client_id": clientID,
		"response_type": "code", "redirect_uri": clientCB, "scope": "openid profile",
		"state": "from-the-object", "nonce": "n-jar",
		"code_challenge": base64.RawURLEncoding.EncodeToString(sum[:]), "code_challenge_method": "S256",
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(), "jti": rand.Text(),
	}
}

func edited(m map[string]any, kv ...any) map[string]any {
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(m, kv[i].(string))
		} else {
			m[kv[i].(string)] = kv[i+1]
		}
	}
	return m
}

// jarURL is an authorization request carrying a request object; query
// holds the other query parameters, which must not count.
func jarURL(l *lucid, clientID, request string, query url.Values) string {
	q := url.Values{"client_id": {clientID}, "request": {request}}
	for k, v := range query {
		q[k] = v
	}
	return l.URL + "/authorize?" + q.Encode()
}

// TestRequestObjectCodeFlow: a signed request object drives the whole
// code flow; only its parameters count, and it is accepted once.
func TestRequestObjectCodeFlow(t *testing.T) {
	l := start(t)
	l.user(t, demoUser)
	k1 := newClientKey(t, "k1")
	c, sec := l.client(t, manage.ClientSpec{Name: "JAR app", JWKS: clientJWKS(t, k1), RequestObjectAlg: "ES256"})
	cfg := l.oauthConfig(c, sec)

	verifier := oauth2.GenerateVerifier()
	obj := signRequestObject(t, jose.ES256, k1.priv, "k1", "oauth-authz-req+jwt", jarClaims(l, c.ID, verifier))
	// The query's own scope, state and redirect_uri are ignored (§6.3).
	ignored := url.Values{"scope": {"openid email"}, "state": {"from-the-query"}, "response_type": {"token"}, "redirect_uri": {"https://evil.example/cb"}}
	back := l.browser(t).authorize(jarURL(l, c.ID, obj, ignored))
	code := codeFrom(t, back, "from-the-object")
	tok, err := cfg.Exchange(context.Background(), code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	if got := tok.Extra("scope"); got != "openid profile" {
		t.Errorf("scope %v, want the object's openid profile", got)
	}

	// The same request object again: its jti is spent. The error goes to
	// the client's one registered redirect URI with the query's state.
	p := l.browser(t).get(jarURL(l, c.ID, obj, url.Values{"state": {"again"}}))
	if p.location == nil {
		t.Fatalf("no redirect: %d %.300s", p.status, p.body)
	}
	wantAuthzError(t, l, p.location, "request_object_replayed", "invalid_request_object", "again")

	// Registered for unsigned request objects: alg none goes through.
	open, openSec := l.client(t, manage.ClientSpec{Name: "Unsigned JAR", RequestObjectAlg: "none"})
	v2 := oauth2.GenerateVerifier()
	back = l.browser(t).authorize(jarURL(l, open.ID, signRequestObject(t, "none", nil, "", "", edited(jarClaims(l, open.ID, v2), "iss", nil)), nil))
	if _, err := l.oauthConfig(open, openSec).Exchange(context.Background(), codeFrom(t, back, "from-the-object"), oauth2.VerifierOption(v2)); err != nil {
		t.Fatalf("exchange after an unsigned request object: %v", err)
	}
}

// TestRequestObjectErrors: every way a request object fails has its own
// entry, sent back to the registered redirect URI as invalid_request_object.
func TestRequestObjectErrors(t *testing.T) {
	ctx := context.Background()
	l := start(t, withLocalKeySets)
	k1, k2, k3, stranger := newClientKey(t, "k1"), newClientKey(t, "k2"), newClientKey(t, "k3"), newClientKey(t, "k1")
	es, _ := l.client(t, manage.ClientSpec{Name: "ES256 JAR", JWKS: clientJWKS(t, k1), RequestObjectAlg: "ES256"})
	// Any signed alg: keys registered for private_key_jwt serve request objects too.
	anyAlg, _ := l.client(t, manage.ClientSpec{Name: "Any alg", AuthMethod: store.AuthPrivateKeyJWT, JWKS: clientJWKS(t, k1)})
	noKeys, _ := l.client(t, manage.ClientSpec{Name: "No keys"})
	two, _ := l.client(t, manage.ClientSpec{Name: "Two keys", AuthMethod: store.AuthPrivateKeyJWT, JWKS: clientJWKS(t, k2, k3)})
	keyServer := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(keyServer.Close)
	gone, _ := l.client(t, manage.ClientSpec{Name: "Lost key server", AuthMethod: store.AuthPrivateKeyJWT, JWKSURI: keyServer.URL + "/gone"})
	// A registration manage refuses but a database can still hold.
	dupKids, _ := l.client(t, manage.ClientSpec{Name: "Duplicate kids", AuthMethod: store.AuthPrivateKeyJWT, JWKS: clientJWKS(t, k1)})
	if _, err := l.Store.UpdateClient(ctx, dupKids.ID, func(c *store.Client) error {
		c.JWKS = clientJWKS(t, k1, newClientKey(t, "k1"))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	hmacKey := make([]byte, 32)
	_, _ = rand.Read(hmacKey)

	now := l.Clock.Now()
	v := oauth2.GenerateVerifier()
	good := func(c *store.Client) map[string]any { return jarClaims(l, c.ID, v) }
	signed := func(k clientKey, kid string, claims map[string]any) string {
		return signRequestObject(t, jose.ES256, k.priv, kid, "", claims)
	}
	replayed := signed(k1, "k1", good(es))

	tests := []struct {
		name    string
		client  *store.Client
		request string
		query   url.Values
		entry   string
		code    string
	}{
		{"control: the sign-in page", es, signed(k1, "k1", good(es)), nil, "", ""},
		{"any signed alg, but no RSA key", anyAlg, signRequestObject(t, jose.PS256, rsaKey, "", "", good(anyAlg)), nil, "request_object_key_not_chosen", "invalid_request_object"},
		{"not a JWT", es, "not-a-jwt", nil, "request_object_malformed", "invalid_request_object"},
		{"encrypted", es, "a.b.c.d.e", nil, "request_object_malformed", "invalid_request_object"},
		{"nested request_uri", es, signed(k1, "k1", edited(good(es), "request_uri", "urn:ietf:params:oauth:request_uri:x")), nil, "request_object_nested", "invalid_request_object"},
		{"HMAC from a key client", anyAlg, signRequestObject(t, jose.HS256, hmacKey, "k1", "", good(anyAlg)), nil, "request_object_secret_unusable", "invalid_request_object"},
		{"RS512", anyAlg, signRequestObject(t, jose.RS512, rsaKey, "", "", good(anyAlg)), nil, "request_object_alg_not_allowed", "invalid_request_object"},
		{"not the registered alg", es, signRequestObject(t, jose.RS256, rsaKey, "k1", "", good(es)), nil, "request_object_alg_not_registered", "invalid_request_object"},
		{"unsigned, not registered for it", es, signRequestObject(t, "none", nil, "", "", good(es)), nil, "request_object_unsigned", "invalid_request_object"},
		{"a DPoP proof's typ", es, signRequestObject(t, jose.ES256, k1.priv, "k1", "dpop+jwt", good(es)), nil, "request_object_typ_invalid", "invalid_request_object"},
		{"client has no keys", noKeys, signed(k1, "k1", good(noKeys)), nil, "request_object_keys_missing", "invalid_request_object"},
		{"registered keys share a kid", dupKids, signed(k1, "k1", good(dupKids)), nil, "request_object_keys_invalid", "invalid_request_object"},
		{"jwks_uri answers 404", gone, signed(k1, "k1", good(gone)), nil, "request_object_keys_unreachable", "invalid_request_object"},
		{"unknown kid", es, signed(k1, "k9", good(es)), nil, "request_object_key_unknown", "invalid_request_object"},
		{"no kid, two fitting keys", two, signed(k2, "", good(two)), nil, "request_object_key_not_chosen", "invalid_request_object"},
		{"another key under the kid", es, signed(stranger, "k1", good(es)), nil, "request_object_signature_invalid", "invalid_request_object"},
		{"iss is not the client", es, signed(k1, "k1", edited(good(es), "iss", "someone-else")), nil, "request_object_issuer_mismatch", "invalid_request_object"},
		{"client_id claim of another client", es, signed(k1, "k1", edited(good(es), "client_id", anyAlg.ID)), nil, "request_object_client_id_mismatch", "invalid_request_object"},
		{"no client_id claim", es, signed(k1, "k1", edited(good(es), "client_id", nil)), nil, "request_object_client_id_mismatch", "invalid_request_object"},
		{"aud the authorization endpoint", es, signed(k1, "k1", edited(good(es), "aud", l.URL+"/authorize")), nil, "request_object_audience_invalid", "invalid_request_object"},
		{"aud of two servers", es, signed(k1, "k1", edited(good(es), "aud", []string{l.URL, "https://other.example"})), nil, "request_object_audience_multiple", "invalid_request_object"},
		{"no exp", es, signed(k1, "k1", edited(good(es), "exp", nil)), nil, "request_object_expiry_missing", "invalid_request_object"},
		{"expired", es, signed(k1, "k1", edited(good(es), "iat", now.Add(-20*time.Minute).Unix(), "nbf", nil, "exp", now.Add(-10*time.Minute).Unix())), nil, "request_object_expired", "invalid_request_object"},
		{"nbf ahead", es, signed(k1, "k1", edited(good(es), "nbf", now.Add(5*time.Minute).Unix())), nil, "request_object_not_yet_valid", "invalid_request_object"},
		{"lives two hours", es, signed(k1, "k1", edited(good(es), "exp", now.Add(2*time.Hour).Unix())), nil, "request_object_lifetime_too_long", "invalid_request_object"},
		{"no jti", es, signed(k1, "k1", edited(good(es), "jti", nil)), nil, "request_object_jti_missing", "invalid_request_object"},
		{"first use", es, replayed, nil, "", ""},
		{"second use", es, replayed, nil, "request_object_replayed", "invalid_request_object"},
		{"request and request_uri", es, signed(k1, "k1", good(es)), url.Values{"request_uri": {"urn:ietf:params:oauth:request_uri:x"}}, "request_and_request_uri", "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			query := url.Values{"state": {"st"}}
			for k, v := range tt.query {
				query[k] = v
			}
			p := l.browser(t).get(jarURL(l, tt.client.ID, tt.request, query))
			if tt.entry == "" {
				if !p.isSignIn() {
					t.Fatalf("want the sign-in page, got %d %v: %.400s", p.status, p.location, p.body)
				}
				return
			}
			if p.location == nil {
				t.Fatalf("no redirect: %d %.400s", p.status, p.body)
			}
			wantAuthzError(t, l, p.location, tt.entry, tt.code, "st")
		})
	}

	// A query redirect URI that is not registered: nowhere safe to
	// redirect, so a page says what is wrong with the request object.
	p := l.browser(t).get(jarURL(l, es.ID, "not-a-jwt", url.Values{"redirect_uri": {"https://evil.example/cb"}}))
	wantErrorPage(t, l, p, "request_object_malformed", http.StatusBadRequest)
	// A clock far ahead is named as such.
	p = l.browser(t).get(jarURL(l, es.ID, signed(k1, "k1", edited(good(es), "iat", now.Add(5*time.Minute).Unix(), "exp", now.Add(10*time.Minute).Unix())), nil))
	if p.location == nil || !strings.Contains(p.location.Query().Get("error_description"), "clock is 5m0s ahead") {
		t.Errorf("clock ahead: %v", p.location)
	}
}

// TestRequestObjectStrictAndDiscovery: discovery advertises request
// objects and their algorithms exactly as served; the strict mode never
// accepts an unsigned one, even from a client registered for it.
func TestRequestObjectStrictAndDiscovery(t *testing.T) {
	for _, strict := range []bool{false, true} {
		l := start(t, func(c *config.Config) { c.StrictAssertionAudience = strict })
		r := send(t, http.MethodGet, l.URL+"/.well-known/openid-configuration", nil, nil)
		var doc struct {
			RequestParameter bool     `json:"request_parameter_supported"`
			Algs             []string `json:"request_object_signing_alg_values_supported"`
		}
		if err := json.Unmarshal(r.body, &doc); err != nil {
			t.Fatal(err)
		}
		want := []string{"RS256", "PS256", "ES256", "EdDSA", "HS256", "HS384", "HS512", "none"}
		if strict {
			want = want[:7]
		}
		if !doc.RequestParameter || !slices.Equal(doc.Algs, want) {
			t.Errorf("strict=%v: request_parameter_supported %v, algs %v; want true, %v", strict, doc.RequestParameter, doc.Algs, want)
		}
		if !strict {
			continue
		}
		c, _ := l.client(t, manage.ClientSpec{Name: "Unsigned JAR", RequestObjectAlg: "none"})
		obj := signRequestObject(t, "none", nil, "", "", jarClaims(l, c.ID, oauth2.GenerateVerifier()))
		p := l.browser(t).get(jarURL(l, c.ID, obj, url.Values{"state": {"st"}}))
		if p.location == nil {
			t.Fatalf("no redirect: %d %.300s", p.status, p.body)
		}
		wantAuthzError(t, l, p.location, "request_object_unsigned", "invalid_request_object", "st")
		if !strings.Contains(p.location.Query().Get("error_description"), "strict") {
			t.Errorf("the refusal does not name the strict mode: %s", p.location.Query().Get("error_description"))
		}
	}
}

// TestRequestObjectAlgRegistration: request_object_signing_alg is client
// metadata at the registration endpoint, echoed back, and checked.
func TestRequestObjectAlgRegistration(t *testing.T) {
	l := start(t, withRegistration(config.RegistrationOpen))
	k := newClientKey(t, "k1")
	body := `{"redirect_uris":["` + clientCB + `"],"request_object_signing_alg":"ES256","jwks":` + clientJWKS(t, k) + `}`
	r := jsonCall(t, l, http.MethodPost, "/register", "", body)
	if r.status != http.StatusCreated {
		t.Fatalf("registration: %d %s", r.status, r.body)
	}
	var got struct {
		ClientID string `json:"client_id"`
		Alg      string `json:"request_object_signing_alg"`
	}
	if err := json.Unmarshal(r.body, &got); err != nil || got.Alg != "ES256" {
		t.Fatalf("request_object_signing_alg not echoed: %s", r.body)
	}
	c, err := l.Store.GetClient(context.Background(), got.ClientID)
	if err != nil || c.RequestObjectAlg != "ES256" {
		t.Fatalf("stored %+v %v", c, err)
	}
	r = jsonCall(t, l, http.MethodPost, "/register", "", `{"redirect_uris":["`+clientCB+`"],"request_object_signing_alg":"HS256"}`)
	wantJSONError(t, l, r, "registration_metadata_invalid", "invalid_client_metadata", http.StatusBadRequest)
}
