package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"hash"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/store"
)

const ordersAPI = "https://orders.example.com"

// m2m registers a backend client allowed the orders API.
func m2m(t *testing.T, l *lucid, spec manage.ClientSpec) (*store.Client, string) {
	t.Helper()
	if spec.Name == "" {
		spec.Name = "Billing backend"
	}
	if spec.GrantTypes == nil {
		spec.GrantTypes = []string{"client_credentials"}
	}
	if spec.Scopes == nil {
		spec.Scopes = []string{"orders:read", "orders:write"}
	}
	if spec.Audiences == nil {
		spec.Audiences = []string{ordersAPI}
	}
	spec.RedirectURIs = nil
	c, sec, err := l.Svc.CreateClient(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	return c, sec
}

// introspect asks Lucid about token as the given client.
func introspect(t *testing.T, l *lucid, id, secret, token string, mod func(*http.Request)) map[string]any {
	t.Helper()
	r := send(t, http.MethodPost, l.URL+"/introspect", strings.NewReader(url.Values{"token": {token}}.Encode()), func(req *http.Request) {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(id, secret)
		if mod != nil {
			mod(req)
		}
	})
	if r.status != 200 || r.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("introspection: %d %v %s", r.status, r.header, r.body)
	}
	var out map[string]any
	if err := json.Unmarshal(r.body, &out); err != nil {
		t.Fatalf("introspection body %s: %v", r.body, err)
	}
	return out
}

func revoke(t *testing.T, l *lucid, id, secret, token string) *reply {
	t.Helper()
	return send(t, http.MethodPost, l.URL+"/revoke", strings.NewReader(url.Values{"token": {token}}.Encode()), func(req *http.Request) {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if secret != "" {
			req.SetBasicAuth(id, secret)
		}
	})
}

func TestClientCredentialsJWT(t *testing.T) {
	ctx := context.Background()
	l := start(t)
	c, sec := m2m(t, l, manage.ClientSpec{})
	cc := clientcredentials.Config{ClientID: c.ID, ClientSecret: sec, TokenURL: l.URL + "/token", Scopes: []string{"orders:read"}}
	tok, err := cc.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if tok.RefreshToken != "" || tok.Extra("id_token") != nil {
		t.Error("client_credentials must not issue a refresh or ID token")
	}
	// The token is an RFC 9068 JWT that a resource server verifies with the JWKS alone.
	parsed, err := jwt.ParseSigned(tok.AccessToken, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatal(err)
	}
	if typ := parsed.Headers[0].ExtraHeaders["typ"]; typ != "at+jwt" {
		t.Errorf("typ = %v, want at+jwt", typ)
	}
	var set jose.JSONWebKeySet
	r := send(t, http.MethodGet, l.URL+"/jwks", nil, nil)
	if err := json.Unmarshal(r.body, &set); err != nil {
		t.Fatal(err)
	}
	var claims struct {
		jwt.Claims
		ClientID string `json:"client_id"`
		Scope    string `json:"scope"`
	}
	keys := set.Key(parsed.Headers[0].KeyID)
	if len(keys) != 1 {
		t.Fatalf("kid %s not in JWKS", parsed.Headers[0].KeyID)
	}
	if err := parsed.Claims(keys[0].Public(), &claims); err != nil {
		t.Fatal(err)
	}
	if err := claims.Validate(jwt.Expected{Issuer: l.URL, Subject: c.ID, AnyAudience: jwt.Audience{ordersAPI}, Time: l.Clock.Now()}); err != nil {
		t.Errorf("claims: %v", err)
	}
	if claims.ClientID != c.ID || claims.Scope != "orders:read" || claims.ID == "" {
		t.Errorf("claims %+v", claims)
	}

	// Without scope, every non-user scope the client may have.
	cc.Scopes = nil
	all, err := cc.Token(ctx)
	if err != nil || all.Extra("scope") != "orders:read orders:write" {
		t.Fatalf("default scope: %v %v", all.Extra("scope"), err)
	}

	// The client may introspect its own token; revocation puts it on the denylist.
	info := introspect(t, l, c.ID, sec, tok.AccessToken, nil)
	if info["active"] != true || info["client_id"] != c.ID || info["aud"] != ordersAPI || info["token_type"] != "Bearer" {
		t.Fatalf("introspection %v", info)
	}
	if r := revoke(t, l, c.ID, sec, tok.AccessToken); r.status != 200 {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	if info := introspect(t, l, c.ID, sec, tok.AccessToken, nil); info["active"] != false || len(info) != 1 {
		t.Fatalf("after revocation: %v", info)
	}
	if info := introspect(t, l, c.ID, sec, all.AccessToken, nil); info["active"] != true {
		t.Fatalf("revoking one token touched another: %v", info)
	}
}

func TestClientCredentialsPrivateKeyJWT(t *testing.T) {
	l := start(t)
	priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	jwk := jose.JSONWebKey{Key: priv.Public(), KeyID: "k1", Algorithm: "ES256", Use: "sig"}
	set, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{jwk}})
	c, _ := m2m(t, l, manage.ClientSpec{AuthMethod: store.AuthPrivateKeyJWT, JWKS: string(set)})
	signer, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: priv, KeyID: "k1"}}, nil)
	now := l.Clock.Now()
	assertion, _ := jwt.Signed(signer).Claims(jwt.Claims{Issuer: c.ID, Subject: c.ID, Audience: jwt.Audience{l.URL + "/token"},
		Expiry: jwt.NewNumericDate(now.Add(time.Minute)), IssuedAt: jwt.NewNumericDate(now), ID: "a-1"}).Serialize()
	r := postToken(t, l, url.Values{"grant_type": {"client_credentials"}, "client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
		"client_assertion": {assertion}, "client_id": {c.ID}}, nil)
	if r.status != 200 || !strings.Contains(string(r.body), `"access_token"`) {
		t.Fatalf("private_key_jwt: %d %s", r.status, r.body)
	}
}

func TestOpaqueTokensAndRevocation(t *testing.T) {
	ctx := context.Background()
	l := start(t)
	if _, err := l.Svc.CreateAPI(ctx, manage.APISpec{ID: ordersAPI, Scopes: []string{"orders:read"}, TokenFormat: store.FormatOpaque, TokenTTL: 2 * time.Minute}); err != nil {
		t.Fatal(err)
	}
	c, sec := m2m(t, l, manage.ClientSpec{})
	// The resource server is a client whose audience is its own API.
	rs, rsSec := m2m(t, l, manage.ClientSpec{Name: "Orders API", Scopes: []string{"orders:read"}})
	other, otherSec := m2m(t, l, manage.ClientSpec{Name: "Other", Audiences: []string{"https://other.example.com"}})

	cc := clientcredentials.Config{ClientID: c.ID, ClientSecret: sec, TokenURL: l.URL + "/token", Scopes: []string{"orders:read"}}
	tok, err := cc.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(tok.AccessToken, ".") != 0 || tok.Expiry.Sub(time.Now()) > 2*time.Minute+5*time.Second {
		t.Fatalf("want an opaque token living 2m (the API's lifetime), got %q expiring %v", tok.AccessToken, tok.Expiry)
	}
	info := introspect(t, l, rs.ID, rsSec, tok.AccessToken, nil)
	if info["active"] != true || info["client_id"] != c.ID || info["scope"] != "orders:read" || info["sub"] != c.ID {
		t.Fatalf("resource server introspection: %v", info)
	}
	// A client that is neither the owner nor the audience learns nothing.
	if info := introspect(t, l, other.ID, otherSec, tok.AccessToken, nil); info["active"] != false || len(info) != 1 {
		t.Fatalf("foreign client learned %v", info)
	}
	// Signed answer (RFC 9701) on request.
	r := send(t, http.MethodPost, l.URL+"/introspect", strings.NewReader(url.Values{"token": {tok.AccessToken}}.Encode()), func(req *http.Request) {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "application/token-introspection+jwt")
		req.SetBasicAuth(rs.ID, rsSec)
	})
	if r.status != 200 || r.header.Get("Content-Type") != "application/token-introspection+jwt" || strings.Count(string(r.body), ".") != 2 {
		t.Fatalf("signed introspection: %d %v %.200s", r.status, r.header, r.body)
	}
	signed, err := jwt.ParseSigned(string(r.body), []jose.SignatureAlgorithm{jose.RS256})
	if err != nil || signed.Headers[0].ExtraHeaders["typ"] != "token-introspection+jwt" {
		t.Fatalf("signed introspection header: %v", err)
	}

	// Another client may not revoke it; the owner may.
	wantJSONError(t, l, revoke(t, l, other.ID, otherSec, tok.AccessToken), "revocation_token_other_client", "unauthorized_client", 400)
	if info := introspect(t, l, rs.ID, rsSec, tok.AccessToken, nil); info["active"] != true {
		t.Fatal("a refused revocation revoked the token")
	}
	if r := revoke(t, l, c.ID, sec, tok.AccessToken); r.status != 200 {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	if info := introspect(t, l, rs.ID, rsSec, tok.AccessToken, nil); info["active"] != false {
		t.Fatalf("revoked opaque token still active: %v", info)
	}
	// Unknown tokens are revoked "successfully" (RFC 7009 §2.2).
	if r := revoke(t, l, c.ID, sec, "no-such-token"); r.status != 200 {
		t.Fatalf("revoking an unknown token: %d", r.status)
	}
	// Expiry ends it too.
	tok2, _ := cc.Token(ctx)
	l.Clock.Advance(3 * time.Minute)
	if info := introspect(t, l, rs.ID, rsSec, tok2.AccessToken, nil); info["active"] != false {
		t.Fatalf("expired opaque token still active: %v", info)
	}
}

// TestRevocationOfUserTokens: revoking a refresh token ends its family,
// and a JWT access token revoked by its client is refused by userinfo.
func TestRevocationOfUserTokens(t *testing.T) {
	ctx := context.Background()
	l := start(t)
	l.user(t, demoUser)
	c, sec := l.client(t, manage.ClientSpec{Name: "Notes"})
	cfg := l.oauthConfig(c, sec)

	tok, _ := login(t, l, l.browser(t), cfg)
	info := introspect(t, l, c.ID, sec, tok.RefreshToken, nil)
	if info["active"] != true || info["token_type"] != "refresh_token" || info["client_id"] != c.ID {
		t.Fatalf("refresh token introspection: %v", info)
	}
	if r := revoke(t, l, c.ID, sec, tok.AccessToken); r.status != 200 {
		t.Fatalf("revoke access token: %d %s", r.status, r.body)
	}
	r := send(t, http.MethodGet, l.URL+"/userinfo", nil, func(req *http.Request) { req.Header.Set("Authorization", "Bearer "+tok.AccessToken) })
	wantBearerError(t, l, r, "access_token_revoked_by_client", "invalid_token", 401)

	tok2, _ := login(t, l, l.browser(t), cfg)
	if r := revoke(t, l, c.ID, sec, tok2.RefreshToken); r.status != 200 {
		t.Fatalf("revoke refresh token: %d %s", r.status, r.body)
	}
	_, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: tok2.RefreshToken}).Token()
	wantOAuthError(t, err, "refresh_token_revoked", "invalid_grant", 400)
	r = send(t, http.MethodGet, l.URL+"/userinfo", nil, func(req *http.Request) { req.Header.Set("Authorization", "Bearer "+tok2.AccessToken) })
	_, ch := wantBearerError(t, l, r, "access_token_revoked", "invalid_token", 401)
	if !strings.Contains(ch["error_description"], "revocation endpoint") {
		t.Errorf("description does not say who revoked it: %v", ch)
	}
	if info := introspect(t, l, c.ID, sec, tok2.AccessToken, nil); info["active"] != false {
		t.Fatalf("access token of a revoked family still active: %v", info)
	}

	// An opaque value Lucid never issued.
	r = send(t, http.MethodGet, l.URL+"/userinfo", nil, func(req *http.Request) { req.Header.Set("Authorization", "Bearer not-a-token") })
	wantBearerError(t, l, r, "access_token_unknown", "invalid_token", 401)
}

func TestMachineToMachineErrors(t *testing.T) {
	l := start(t)
	c, sec := m2m(t, l, manage.ClientSpec{})
	bare, bareSec := m2m(t, l, manage.ClientSpec{Name: "No audience", Audiences: []string{}})
	public, _ := l.client(t, manage.ClientSpec{Name: "SPA", AuthMethod: store.AuthNone})
	cases := []struct {
		name   string
		form   url.Values
		mod    func(*http.Request)
		path   string
		entry  string
		code   string
		status int
	}{
		{"user scope", url.Values{"grant_type": {"client_credentials"}, "scope": {"openid orders:read"}}, basicAuth(c.ID, sec), "/token", "scope_needs_user", "invalid_scope", 400},
		{"scope not allowed", url.Values{"grant_type": {"client_credentials"}, "scope": {"orders:delete"}}, basicAuth(c.ID, sec), "/token", "scope_not_allowed", "invalid_scope", 400},
		{"relative resource", url.Values{"grant_type": {"client_credentials"}, "resource": {"orders"}}, basicAuth(c.ID, sec), "/token", "resource_invalid", "invalid_target", 400},
		{"foreign resource", url.Values{"grant_type": {"client_credentials"}, "resource": {ordersAPI, "https://payroll.example.com"}}, basicAuth(c.ID, sec), "/token", "resource_unknown", "invalid_target", 400},
		{"no audience", url.Values{"grant_type": {"client_credentials"}}, basicAuth(bare.ID, bareSec), "/token", "resource_none_allowed", "invalid_target", 400},
		{"introspect without token", url.Values{}, basicAuth(c.ID, sec), "/introspect", "token_parameter_missing", "invalid_request", 400},
		{"revoke without token", url.Values{}, basicAuth(c.ID, sec), "/revoke", "token_parameter_missing", "invalid_request", 400},
		{"public client introspects", url.Values{"token": {"x"}, "client_id": {public.ID}}, nil, "/introspect", "confidential_client_required", "invalid_client", 401},
		{"unknown hint at revocation", url.Values{"token": {"x"}, "token_type_hint": {"id_token"}}, basicAuth(c.ID, sec), "/revoke", "revocation_token_type_unsupported", "unsupported_token_type", 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := send(t, http.MethodPost, l.URL+tc.path, strings.NewReader(tc.form.Encode()), func(req *http.Request) {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				if tc.mod != nil {
					tc.mod(req)
				}
			})
			wantJSONError(t, l, r, tc.entry, tc.code, tc.status)
		})
	}
	// A resource given twice is one audience, not a duplicate-parameter error.
	r := postToken(t, l, url.Values{"grant_type": {"client_credentials"}, "resource": {ordersAPI, ordersAPI}}, basicAuth(c.ID, sec))
	if r.status != 200 {
		t.Fatalf("repeated resource: %d %s", r.status, r.body)
	}
	var body struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.Unmarshal(r.body, &body)
	parsed, err := jwt.ParseSigned(body.AccessToken, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatal(err)
	}
	var claims jwt.Claims
	_ = parsed.UnsafeClaimsWithoutVerification(&claims)
	if !slices.Equal([]string(claims.Audience), []string{ordersAPI}) {
		t.Errorf("aud = %v", claims.Audience)
	}
}

// TestClientSecretJWT: HMAC client assertions keyed with the client secret,
// which Lucid keeps sealed for this method only.
// TestSecretsInQueryAtIntrospectionAndRevocation: the back-channel
// endpoints refuse the same secrets in the URL as the token endpoint,
// plus the token itself, and name the parameter.
func TestSecretsInQueryAtIntrospectionAndRevocation(t *testing.T) {
	l := start(t)
	c, sec := m2m(t, l, manage.ClientSpec{Name: "Billing", GrantTypes: []string{"client_credentials"}})
	for _, tc := range []struct{ path, param string }{
		{"/introspect", "token"},
		{"/introspect", "client_assertion"},
		{"/revoke", "client_secret"},
		{"/revoke", "refresh_token"},
	} {
		r := send(t, http.MethodPost, l.URL+tc.path+"?"+tc.param+"=x", strings.NewReader(url.Values{"token": {"x"}}.Encode()), func(req *http.Request) {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth(c.ID, sec)
		})
		e := wantJSONError(t, l, r, "secret_in_query", "invalid_request", 400)
		if !strings.Contains(e.Description, tc.param) {
			t.Errorf("%s?%s: description does not name the parameter: %s", tc.path, tc.param, e.Description)
		}
	}
}

func TestClientSecretJWT(t *testing.T) {
	l := start(t)
	c, sec := m2m(t, l, manage.ClientSpec{AuthMethod: store.AuthSecretJWT})
	short, shortSec := m2m(t, l, manage.ClientSpec{Name: "Short", AuthMethod: store.AuthSecretJWT, Secret: strings.Repeat("s", 40)})
	stored, err := l.Store.GetClient(context.Background(), c.ID)
	if err != nil || len(stored.Secrets) != 1 || stored.Secrets[0].Sealed == nil || strings.Contains(string(stored.Secrets[0].Sealed), sec) {
		t.Fatalf("stored secret: %v %+v", err, stored)
	}
	// Signed by hand: go-jose itself refuses keys shorter than the hash,
	// and a careless client might not.
	assert := func(alg jose.SignatureAlgorithm, id, key, jti string) url.Values {
		hashes := map[jose.SignatureAlgorithm]func() hash.Hash{jose.HS256: sha256.New, jose.HS384: sha512.New384, jose.HS512: sha512.New}
		now := l.Clock.Now()
		claims, _ := json.Marshal(jwt.Claims{Issuer: id, Subject: id, Audience: jwt.Audience{l.URL}, ID: jti,
			Expiry: jwt.NewNumericDate(now.Add(time.Minute)), IssuedAt: jwt.NewNumericDate(now)})
		b64 := base64.RawURLEncoding.EncodeToString
		input := b64([]byte(`{"alg":"`+string(alg)+`","typ":"JWT"}`)) + "." + b64(claims)
		mac := hmac.New(hashes[alg], []byte(key))
		mac.Write([]byte(input))
		a := input + "." + b64(mac.Sum(nil))
		return url.Values{"grant_type": {"client_credentials"}, "client_id": {id},
			"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {a}}
	}
	for _, alg := range []jose.SignatureAlgorithm{jose.HS256, jose.HS384, jose.HS512} {
		if r := postToken(t, l, assert(alg, c.ID, sec, "ok-"+string(alg)), nil); r.status != 200 {
			t.Fatalf("%s: %d %s", alg, r.status, r.body)
		}
	}
	wantJSONError(t, l, postToken(t, l, assert(jose.HS256, c.ID, sec+"x", "bad-key"), nil), "client_assertion_signature_invalid", "invalid_client", 401)
	wantJSONError(t, l, postToken(t, l, assert(jose.HS384, short.ID, shortSec, "short"), nil), "client_assertion_secret_too_short", "invalid_client", 401)
	if r := postToken(t, l, assert(jose.HS256, short.ID, shortSec, "short-256"), nil); r.status != 200 {
		t.Fatalf("a 40-byte secret suits HS256: %d %s", r.status, r.body)
	}
	// The same secret in a Basic header is another method than the registered one.
	wantJSONError(t, l, postToken(t, l, url.Values{"grant_type": {"client_credentials"}}, basicAuth(c.ID, sec)), "client_auth_method_mismatch", "invalid_client", 401)
}

// TestAdminAPIs: APIs are managed through the admin API as well as the CLI.
func TestAdminAPIs(t *testing.T) {
	l := start(t)
	call := func(method, path, body string) *reply {
		return send(t, method, l.URL+path, strings.NewReader(body), func(r *http.Request) {
			r.Header.Set("Authorization", "Bearer "+l.cfg.AdminToken)
			if body != "" {
				r.Header.Set("Content-Type", "application/json")
			}
		})
	}
	if r := call(http.MethodPost, "/admin/apis", `{"id":"`+ordersAPI+`","scopes":["orders:read"],"token_format":"opaque","token_ttl":"2m"}`); r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	wantJSONError(t, l, call(http.MethodPost, "/admin/apis", `{"id":"orders"}`), "admin_invalid_input", "invalid_request", 400)
	wantJSONError(t, l, call(http.MethodPost, "/admin/apis", `{"id":"https://x.example","token_ttl":"soon"}`), "admin_invalid_input", "invalid_request", 400)
	if r := call(http.MethodGet, "/admin/apis", ""); r.status != 200 || !strings.Contains(string(r.body), ordersAPI) || !strings.Contains(string(r.body), `"token_ttl": "2m0s"`) {
		t.Fatalf("list: %d %s", r.status, r.body)
	}
	// The API's format decides the token's.
	c, sec := m2m(t, l, manage.ClientSpec{})
	tok, err := (&clientcredentials.Config{ClientID: c.ID, ClientSecret: sec, TokenURL: l.URL + "/token"}).Token(context.Background())
	if err != nil || strings.Contains(tok.AccessToken, ".") {
		t.Fatalf("want an opaque token for the opaque API: %v %q", err, tok.AccessToken)
	}
	if r := call(http.MethodDelete, "/admin/apis?id="+url.QueryEscape(ordersAPI), ""); r.status != 204 {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	wantJSONError(t, l, call(http.MethodDelete, "/admin/apis?id="+url.QueryEscape(ordersAPI), ""), "admin_not_found", "not_found", 404)
}
