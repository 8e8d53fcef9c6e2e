package e2e

// Encrypted ID tokens (OpenID Connect Core §10.2, Registration §2): a
// client that registers id_token_encrypted_response_alg gets its ID
// tokens signed, then encrypted to its key. go-oidc cannot decrypt, so the
// test decrypts with go-jose as a relying party would, then hands the
// inner JWS to go-oidc's verifier.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/store"
)

func TestIDTokenEncryption(t *testing.T) {
	ctx := context.Background()
	l := start(t, withLocalKeySets, withRegistration(config.RegistrationOpen))
	l.user(t, demoUser)
	doc := discoveryDoc(t, l)
	if got := fmt.Sprint(doc["id_token_encryption_alg_values_supported"]); got != "[RSA-OAEP-256 ECDH-ES ECDH-ES+A128KW ECDH-ES+A256KW]" {
		t.Errorf("id_token_encryption_alg_values_supported = %s", got)
	}
	if got := fmt.Sprint(doc["id_token_encryption_enc_values_supported"]); got != "[A128GCM A256GCM A128CBC-HS256]" {
		t.Errorf("id_token_encryption_enc_values_supported = %s", got)
	}
	k := newEncClient(t)
	verifier := newProvider(t, l).Verifier(&oidc.Config{ClientID: "", SkipClientIDCheck: true})

	// Dynamic registration: the metadata, shown back as registered.
	r := jsonCall(t, l, http.MethodPost, "/register", "", `{"redirect_uris":["`+clientCB+`"],"grant_types":["authorization_code","refresh_token"],"id_token_encrypted_response_alg":"ECDH-ES+A128KW","id_token_encrypted_response_enc":"A256GCM","jwks":`+k.jwks(t)+`}`)
	out := decodeRegistered(t, r, http.StatusCreated)
	var info map[string]any
	_ = json.Unmarshal(r.body, &info)
	if info["id_token_encrypted_response_alg"] != "ECDH-ES+A128KW" || info["id_token_encrypted_response_enc"] != "A256GCM" {
		t.Fatalf("client information: %s", r.body)
	}
	c, err := l.Store.GetClient(ctx, out.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	cfg := l.oauthConfig(c, out.ClientSecret, oidc.ScopeOpenID, "email", oidc.ScopeOfflineAccess)

	// The code flow through x/oauth2: the id_token is a JWE of five parts,
	// cty JWT, to our EC key; inside, a JWS that go-oidc verifies.
	openID := func(tok *oauth2.Token, alg, enc, nonce string) *oidc.IDToken {
		t.Helper()
		raw, _ := tok.Extra("id_token").(string)
		if _, err := verifier.Verify(ctx, raw); err == nil {
			t.Fatal("the ID token verifies as a plain JWS: it is not encrypted")
		}
		inner, err := k.open(raw, alg, enc)
		if err != nil {
			t.Fatalf("decrypt the ID token: %v", err)
		}
		idt, err := newProvider(t, l).Verifier(&oidc.Config{ClientID: c.ID}).Verify(ctx, inner)
		if err != nil {
			t.Fatalf("the inner ID token: %v", err)
		}
		if idt.Nonce != nonce || idt.Subject == "" {
			t.Fatalf("inner ID token nonce %q subject %q", idt.Nonce, idt.Subject)
		}
		return idt
	}
	code := func(state, nonce string) (string, string) {
		v := oauth2.GenerateVerifier()
		b := l.browser(t)
		return codeFrom(t, b.authorize(cfg.AuthCodeURL(state, oauth2.S256ChallengeOption(v), oidc.Nonce(nonce))), state), v
	}
	cd, v := code("st-enc", "n-enc")
	tok, err := cfg.Exchange(ctx, cd, oauth2.VerifierOption(v))
	if err != nil {
		t.Fatal(err)
	}
	idt := openID(tok, "ECDH-ES+A128KW", "A256GCM", "n-enc")
	var claims struct {
		Email string `json:"email"`
	}
	if err := idt.Claims(&claims); err != nil || claims.Email == "" {
		t.Fatalf("claims of the decrypted ID token: %v %+v", err, claims)
	}
	// A refresh brings an encrypted ID token too.
	next, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	if err != nil {
		t.Fatal(err)
	}
	openID(next, "ECDH-ES+A128KW", "A256GCM", "")

	// The admin API moves it to RSA-OAEP-256 with the default enc.
	if r := jsonCall(t, l, http.MethodPatch, "/admin/clients/"+c.ID, l.cfg.AdminToken, `{"id_token_encrypted_response_alg":"RSA-OAEP-256","id_token_encrypted_response_enc":""}`); r.status != http.StatusOK {
		t.Fatalf("admin update: %d %s", r.status, r.body)
	}
	cd, v = code("st-rsa", "n-rsa")
	tok, err = cfg.Exchange(ctx, cd, oauth2.VerifierOption(v))
	if err != nil {
		t.Fatal(err)
	}
	openID(tok, "RSA-OAEP-256", "A128CBC-HS256", "n-rsa")

	// The client loses its encryption key: the code exchange is refused
	// before the code is spent, and redeems once the key is back.
	cd, v = code("st-lost", "n-lost")
	sigOnly, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &k.rsa.PublicKey, KeyID: "s", Use: "sig"}}})
	setJWKS := func(set string) {
		if _, err := l.Store.UpdateClient(ctx, c.ID, func(c *store.Client) error { c.JWKS = set; return nil }); err != nil {
			t.Fatal(err)
		}
	}
	setJWKS(string(sigOnly))
	_, err = cfg.Exchange(ctx, cd, oauth2.VerifierOption(v))
	wantOAuthError(t, err, "id_token_encryption_key_missing", "invalid_request", http.StatusBadRequest)
	setJWKS(k.jwks(t))
	if tok, err = cfg.Exchange(ctx, cd, oauth2.VerifierOption(v)); err != nil {
		t.Fatalf("the same code once the key is back: %v", err)
	}
	openID(tok, "RSA-OAEP-256", "A128CBC-HS256", "n-lost")

	// Keys at a jwks_uri: served, then gone.
	serve := true
	keyServer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if !serve {
			http.NotFound(w, nil)
			return
		}
		w.Header().Set("Content-Type", "application/jwk-set+json")
		_, _ = w.Write([]byte(k.jwks(t)))
	}))
	t.Cleanup(keyServer.Close)
	remote, sec := l.client(t, manage.ClientSpec{Name: "Remote keys", IDTokenEncAlg: "ECDH-ES", JWKSURI: keyServer.URL + "/jwks", SkipConsent: true})
	rcfg := l.oauthConfig(remote, sec, oidc.ScopeOpenID)
	rv := oauth2.GenerateVerifier()
	rcode := codeFrom(t, l.browser(t).authorize(rcfg.AuthCodeURL("st-uri", oauth2.S256ChallengeOption(rv), oidc.Nonce("n-uri"))), "st-uri")
	if tok, err = rcfg.Exchange(ctx, rcode, oauth2.VerifierOption(rv)); err != nil {
		t.Fatal(err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if inner, err := k.open(raw, "ECDH-ES", "A128CBC-HS256"); err != nil {
		t.Fatalf("ID token to a jwks_uri key: %v", err)
	} else if _, err := newProvider(t, l).Verifier(&oidc.Config{ClientID: remote.ID}).Verify(ctx, inner); err != nil {
		t.Fatal(err)
	}
	gone, gsec := l.client(t, manage.ClientSpec{Name: "Lost key server", IDTokenEncAlg: "ECDH-ES", JWKSURI: keyServer.URL + "/gone-keys", SkipConsent: true})
	serve = false
	gcfg := l.oauthConfig(gone, gsec, oidc.ScopeOpenID)
	gv := oauth2.GenerateVerifier()
	gcode := codeFrom(t, l.browser(t).authorize(gcfg.AuthCodeURL("st-gone", oauth2.S256ChallengeOption(gv))), "st-gone")
	_, err = gcfg.Exchange(ctx, gcode, oauth2.VerifierOption(gv))
	wantOAuthError(t, err, "id_token_encryption_keys_unreachable", "invalid_request", http.StatusBadRequest)

	// A token request without openid carries no ID token to encrypt.
	plain := l.oauthConfig(gone, gsec, "profile")
	pv := oauth2.GenerateVerifier()
	pcode := codeFrom(t, l.browser(t).authorize(plain.AuthCodeURL("st-plain", oauth2.S256ChallengeOption(pv))), "st-plain")
	if _, err := plain.Exchange(ctx, pcode, oauth2.VerifierOption(pv)); err != nil {
		t.Fatalf("a code without openid for a client whose keys are gone: %v", err)
	}
}

// TestIDTokenEncryptionRegistration: what registration and the admin API
// refuse, under the ID token's own entry or the metadata entry.
func TestIDTokenEncryptionRegistration(t *testing.T) {
	l := start(t, withRegistration(config.RegistrationOpen))
	k := newEncClient(t)
	ecOnly, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &k.ec.PublicKey, KeyID: "enc-ec", Use: "enc"}}})
	for _, tc := range []struct{ name, extra, entry, says string }{
		{"RSA1_5", `,"id_token_encrypted_response_alg":"RSA1_5","jwks":` + k.jwks(t), "id_token_encryption_unsupported", "RSA-OAEP-256"},
		{"A256CBC-HS512", `,"id_token_encrypted_response_alg":"ECDH-ES","id_token_encrypted_response_enc":"A256CBC-HS512","jwks":` + k.jwks(t), "id_token_encryption_unsupported", "A128GCM"},
		{"enc without alg", `,"id_token_encrypted_response_enc":"A128GCM"`, "registration_metadata_invalid", "needs id_token_encrypted_response_alg"},
		{"no keys", `,"id_token_encrypted_response_alg":"ECDH-ES"`, "registration_metadata_invalid", "give jwks or jwks_uri"},
		{"RSA alg, EC key", `,"id_token_encrypted_response_alg":"RSA-OAEP-256","jwks":` + string(ecOnly), "registration_metadata_invalid", "needs an RSA key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := jsonCall(t, l, http.MethodPost, "/register", "", `{"redirect_uris":["`+clientCB+`"]`+tc.extra+`}`)
			body := wantJSONError(t, l, r, tc.entry, "invalid_client_metadata", http.StatusBadRequest)
			if !strings.Contains(body.Description, tc.says) {
				t.Errorf("description %q does not say %q", body.Description, tc.says)
			}
		})
	}
	wantJSONError(t, l, jsonCall(t, l, http.MethodPost, "/admin/clients", l.cfg.AdminToken,
		`{"client_name":"Web","redirect_uris":["`+clientCB+`"],"id_token_encrypted_response_alg":"dir","jwks":`+k.jwks(t)+`}`),
		"id_token_encryption_unsupported", "invalid_client_metadata", http.StatusBadRequest)
}

// TestUserInfoSignedEncrypted: userinfo answers a JWT (OpenID Connect
// Core §5.3.2) for clients registered for it: signed (go-oidc verifies
// it), signed then encrypted, or encrypted only; and plain JSON for the
// rest.
func TestUserInfoSignedEncrypted(t *testing.T) {
	ctx := context.Background()
	l := start(t, withLocalKeySets, withRegistration(config.RegistrationOpen))
	l.user(t, demoUser)
	doc := discoveryDoc(t, l)
	if got := fmt.Sprint(doc["userinfo_signing_alg_values_supported"]); !strings.Contains(got, "ES256") || strings.Contains(got, "none") {
		t.Errorf("userinfo_signing_alg_values_supported = %s", got)
	}
	if got := fmt.Sprint(doc["userinfo_encryption_alg_values_supported"]); got != "[RSA-OAEP-256 ECDH-ES ECDH-ES+A128KW ECDH-ES+A256KW]" {
		t.Errorf("userinfo_encryption_alg_values_supported = %s", got)
	}
	k := newEncClient(t)
	gone := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(gone.Close)
	provider := newProvider(t, l)
	login := func(spec manage.ClientSpec) (*store.Client, *oauth2.Token) {
		t.Helper()
		spec.Name, spec.SkipConsent = "Userinfo "+spec.UserInfoAlg+spec.UserInfoEncAlg, true
		c, sec := l.client(t, spec)
		cfg := l.oauthConfig(c, sec, oidc.ScopeOpenID, "email")
		v := oauth2.GenerateVerifier()
		code := codeFrom(t, l.browser(t).authorize(cfg.AuthCodeURL("st-ui", oauth2.S256ChallengeOption(v))), "st-ui")
		tok, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(v))
		if err != nil {
			t.Fatal(err)
		}
		return c, tok
	}
	get := func(tok *oauth2.Token) *reply {
		return send(t, http.MethodGet, l.URL+"/userinfo", nil, func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok.AccessToken) })
	}
	claimsOf := func(t *testing.T, payload []byte, c *store.Client, signed bool) {
		t.Helper()
		var m map[string]any
		if err := json.Unmarshal(payload, &m); err != nil || m["sub"] == nil || m["email"] == nil {
			t.Fatalf("userinfo claims: %v %s", err, payload)
		}
		if signed && (m["iss"] != l.URL || m["aud"] != c.ID) {
			t.Fatalf("a signed userinfo answer needs iss and aud: %s", payload)
		}
	}

	// Signed: go-oidc reads an application/jwt answer and checks it.
	c, tok := login(manage.ClientSpec{UserInfoAlg: "ES256"})
	if r := get(tok); r.status != http.StatusOK || r.header.Get("Content-Type") != "application/jwt" || jwtHeaderAlg(t, string(r.body)) != "ES256" {
		t.Fatalf("signed userinfo: %d %s %.100s", r.status, r.header.Get("Content-Type"), r.body)
	}
	ui, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil || ui.Email == "" {
		t.Fatalf("go-oidc on the signed userinfo answer: %v", err)
	}
	var all map[string]any
	_ = ui.Claims(&all)
	if all["aud"] != c.ID {
		t.Fatalf("signed userinfo aud %v, want %s", all["aud"], c.ID)
	}

	// Signed, then encrypted: decrypt, then verify with Lucid's keys.
	keys := oidc.NewRemoteKeySet(ctx, l.URL+"/jwks")
	c, tok = login(manage.ClientSpec{UserInfoAlg: "EdDSA", UserInfoEncAlg: "ECDH-ES", JWKS: k.jwks(t)})
	r := get(tok)
	inner, err := k.open(string(r.body), "ECDH-ES", "A128CBC-HS256")
	if err != nil || r.header.Get("Content-Type") != "application/jwt" {
		t.Fatalf("signed and encrypted userinfo: %v", err)
	}
	payload, err := keys.VerifySignature(ctx, inner)
	if err != nil {
		t.Fatalf("the inner userinfo JWT: %v", err)
	}
	claimsOf(t, payload, c, true)

	// Encrypted only: the JWE holds the JSON claims.
	c, tok = login(manage.ClientSpec{UserInfoEncAlg: "RSA-OAEP-256", UserInfoEncEnc: "A256GCM", JWKS: k.jwks(t)})
	r = get(tok)
	obj, err := jose.ParseEncryptedCompact(string(r.body), []jose.KeyAlgorithm{jose.RSA_OAEP_256}, []jose.ContentEncryption{jose.A256GCM})
	if err != nil {
		t.Fatalf("encrypted userinfo: %v %.100s", err, r.body)
	}
	plain, err := obj.Decrypt(k.rsa)
	if err != nil {
		t.Fatal(err)
	}
	claimsOf(t, plain, c, false)
	// Its key removed: no claims, the failure named.
	if _, err := l.Store.UpdateClient(ctx, c.ID, func(c *store.Client) error {
		set, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &k.ec.PublicKey, KeyID: "enc-ec", Use: "enc"}}})
		c.JWKS = string(set)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	wantJSONError(t, l, get(tok), "userinfo_encryption_key_missing", "invalid_request", http.StatusBadRequest)
	_, tok = login(manage.ClientSpec{UserInfoEncAlg: "ECDH-ES", JWKSURI: gone.URL + "/jwks"})
	wantJSONError(t, l, get(tok), "userinfo_encryption_keys_unreachable", "invalid_request", http.StatusBadRequest)

	// Clients that registered nothing get JSON.
	_, tok = login(manage.ClientSpec{})
	if r := get(tok); r.header.Get("Content-Type") != "application/json" {
		t.Fatalf("plain userinfo: %s", r.header.Get("Content-Type"))
	}
	wantJSONError(t, l, jsonCall(t, l, http.MethodPost, "/register", "", `{"redirect_uris":["`+clientCB+`"],"userinfo_encrypted_response_alg":"RSA1_5","jwks":`+k.jwks(t)+`}`),
		"userinfo_encryption_unsupported", "invalid_client_metadata", http.StatusBadRequest)
}
