package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/store"
)

// Encrypted JARM responses (JARM §2.3): the test is the client. It holds
// an RSA and an EC private key, publishes their public halves with use
// enc, and reads every response as a relying party must: decrypt the JWE
// with the key its kid names, then verify the inner JWT against Lucid's
// JWKS (jarmReader), then use the parameters.

// encClient is a client's encryption key pair set.
type encClient struct {
	rsa *rsa.PrivateKey
	ec  *ecdsa.PrivateKey
}

func newEncClient(t *testing.T) *encClient {
	t.Helper()
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &encClient{rsa: rk, ec: ek}
}

// jwks is the public JWK set the client registers: both keys, use enc,
// plus any extra keys.
func (k *encClient) jwks(t *testing.T, extra ...jose.JSONWebKey) string {
	t.Helper()
	set := jose.JSONWebKeySet{Keys: append([]jose.JSONWebKey{
		{Key: &k.rsa.PublicKey, KeyID: "enc-rsa", Use: "enc"},
		{Key: &k.ec.PublicKey, KeyID: "enc-ec", Use: "enc"},
	}, extra...)}
	b, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// open decrypts response, which must be a compact JWE with the given alg
// and enc, cty JWT and a kid of ours; it returns the inner JWT.
func (k *encClient) open(response, wantAlg, wantEnc string) (string, error) {
	parts := strings.Split(response, ".")
	if len(parts) != 5 {
		return "", fmt.Errorf("the response has %d parts, not the 5 of a compact JWE", len(parts))
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return "", err
	}
	var h struct{ Alg, Enc, Cty, Kid string }
	if err := json.Unmarshal(raw, &h); err != nil {
		return "", err
	}
	if h.Alg != wantAlg || h.Enc != wantEnc || h.Cty != "JWT" {
		return "", fmt.Errorf("JWE header %+v, want alg %s enc %s cty JWT", h, wantAlg, wantEnc)
	}
	var priv any
	switch h.Kid {
	case "enc-rsa":
		priv = k.rsa
	case "enc-ec":
		priv = k.ec
	default:
		return "", fmt.Errorf("the JWE names kid %q, none of ours", h.Kid)
	}
	obj, err := jose.ParseEncryptedCompact(response,
		[]jose.KeyAlgorithm{jose.RSA_OAEP_256, jose.ECDH_ES, jose.ECDH_ES_A128KW, jose.ECDH_ES_A256KW},
		[]jose.ContentEncryption{jose.A128GCM, jose.A256GCM, jose.A128CBC_HS256})
	if err != nil {
		return "", fmt.Errorf("parse JWE: %w", err)
	}
	inner, err := obj.Decrypt(priv)
	if err != nil {
		return "", fmt.Errorf("decrypt: %w", err)
	}
	return string(inner), nil
}

func jarmMode(m string) string {
	if m == "jwt" {
		return "query.jwt"
	}
	return m
}

// TestJARMEncryptedCodeFlow: one case per key management family and
// content encryption, in every JARM mode; the code comes only inside a
// signed JWT inside a JWE, and it redeems.
func TestJARMEncryptedCodeFlow(t *testing.T) {
	l := start(t, withLocalKeySets)
	l.user(t, demoUser)
	jr := newJARMReader(t, l)
	k := newEncClient(t)
	// The keys served from a jwks_uri, through the same fetcher as
	// signature keys.
	keyServer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/jwk-set+json")
		_, _ = w.Write([]byte(k.jwks(t)))
	}))
	t.Cleanup(keyServer.Close)

	for _, tc := range []struct {
		name, mode, sig, alg, enc, wantEnc, wantSig string
		uri                                         bool
	}{
		{"RSA-OAEP-256, default enc", "jwt", "", "RSA-OAEP-256", "", "A128CBC-HS256", "RS256", false},
		{"RSA-OAEP-256 A256GCM, jwks_uri", "form_post.jwt", "ES256", "RSA-OAEP-256", "A256GCM", "A256GCM", "ES256", true},
		{"ECDH-ES A256GCM", "fragment.jwt", "ES256", "ECDH-ES", "A256GCM", "A256GCM", "ES256", false},
		{"ECDH-ES+A128KW A128GCM", "query.jwt", "EdDSA", "ECDH-ES+A128KW", "A128GCM", "A128GCM", "EdDSA", false},
		{"ECDH-ES+A256KW A128CBC-HS256, jwks_uri", "form_post.jwt", "RS256", "ECDH-ES+A256KW", "A128CBC-HS256", "A128CBC-HS256", "RS256", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec := manage.ClientSpec{Name: "Bank app", AuthorizationAlg: tc.sig, AuthorizationEncAlg: tc.alg, AuthorizationEncEnc: tc.enc, JWKS: k.jwks(t)}
			if tc.uri {
				spec.JWKS, spec.JWKSURI = "", keyServer.URL+"/jwks"
			}
			c, sec := l.client(t, spec)
			if c.AuthorizationEncEnc != tc.wantEnc {
				t.Fatalf("stored enc %q, want %q", c.AuthorizationEncEnc, tc.wantEnc)
			}
			cfg := l.oauthConfig(c, sec)
			verifier := oauth2.GenerateVerifier()
			b := l.browser(t)
			p := finish(b, b.get(cfg.AuthCodeURL("s-enc", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("response_mode", tc.mode))), "allow")
			resp := jarmOf(t, jarmMode(tc.mode), p)
			if _, err := jr.read(resp, c.ID, tc.wantSig); err == nil {
				t.Fatal("the response reads as a plain signed JWT: it is not encrypted")
			}
			inner, err := k.open(resp, tc.alg, tc.wantEnc)
			if err != nil {
				t.Fatal(err)
			}
			v, err := jr.read(inner, c.ID, tc.wantSig)
			if err != nil {
				t.Fatal(err)
			}
			if v.Get("state") != "s-enc" || v.Get("code") == "" || v.Has("error") {
				t.Fatalf("response claims %v", v)
			}
			tok, err := cfg.Exchange(context.Background(), v.Get("code"), oauth2.VerifierOption(verifier))
			if err != nil || tok.AccessToken == "" {
				t.Fatalf("the code from the encrypted response does not redeem: %v", err)
			}
			// Only the client's private key opens it.
			other := newEncClient(t)
			if _, err := other.open(resp, tc.alg, tc.wantEnc); err == nil {
				t.Fatal("another key decrypted the response")
			}
		})
	}
}

// TestJARMEncryptedErrors: errors go back encrypted too, before and
// after sign-in.
func TestJARMEncryptedErrors(t *testing.T) {
	l := start(t)
	l.user(t, demoUser)
	jr := newJARMReader(t, l)
	k := newEncClient(t)
	c, sec := l.client(t, manage.ClientSpec{Name: "Bank app", AuthorizationAlg: "ES256", AuthorizationEncAlg: "ECDH-ES+A128KW", AuthorizationEncEnc: "A256GCM", JWKS: k.jwks(t)})
	cfg := l.oauthConfig(c, sec)
	pkce := oauth2.S256ChallengeOption(oauth2.GenerateVerifier())
	mode := func(m string) oauth2.AuthCodeOption { return oauth2.SetAuthURLParam("response_mode", m) }
	for _, tc := range []struct {
		name, mode, url, decision, entry, code, state string
	}{
		{"prompt none without session", "query.jwt", cfg.AuthCodeURL("e1", pkce, mode("query.jwt"), oauth2.SetAuthURLParam("prompt", "none")), "", "login_required", "login_required", "e1"},
		{"unknown scope", "fragment.jwt", cfg.AuthCodeURL("e2", pkce, mode("fragment.jwt"), oauth2.SetAuthURLParam("scope", "openid wallet")), "", "scope_unknown", "invalid_scope", "e2"},
		{"consent denied", "form_post.jwt", cfg.AuthCodeURL("e3", pkce, mode("form_post.jwt")), "deny", "consent_denied", "access_denied", "e3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := l.browser(t)
			p := b.get(tc.url)
			if tc.decision != "" {
				p = finish(b, p, tc.decision)
			}
			inner, err := k.open(jarmOf(t, tc.mode, p), "ECDH-ES+A128KW", "A256GCM")
			if err != nil {
				t.Fatal(err)
			}
			v, err := jr.read(inner, c.ID, "ES256")
			if err != nil {
				t.Fatal(err)
			}
			wantJARMError(t, l, v, tc.entry, tc.code, tc.state)
		})
	}
}

// TestJARMEncryptionKeyTrouble: a client whose encryption key cannot be
// found or fetched gets a page naming why, before anyone signs in, or
// when the key disappears while the person signs in.
func TestJARMEncryptionKeyTrouble(t *testing.T) {
	ctx := context.Background()
	l := start(t, withLocalKeySets)
	l.user(t, demoUser)
	k := newEncClient(t)
	sig := newClientKey(t, "sig")
	sigOnly := clientJWKS(t, sig)
	keyServer := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(keyServer.Close)
	authURL := func(c *store.Client) string {
		return l.oauthConfig(c, "").AuthCodeURL("st", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()), oauth2.SetAuthURLParam("response_mode", "jwt"))
	}

	// The client replaced its keys (around the checks) with a signature key only.
	lost, _ := l.client(t, manage.ClientSpec{Name: "Lost key", AuthorizationEncAlg: "RSA-OAEP-256", JWKS: k.jwks(t)})
	if _, err := l.Store.UpdateClient(ctx, lost.ID, func(c *store.Client) error { c.JWKS = sigOnly; return nil }); err != nil {
		t.Fatal(err)
	}
	p := l.browser(t).get(authURL(lost))
	wantErrorPage(t, l, p, "jarm_encryption_key_missing", http.StatusBadRequest)
	if !strings.Contains(p.body, "RSA-OAEP-256") {
		t.Errorf("the page does not name the algorithm: %.600s", p.body)
	}

	// The key goes away while the person signs in: no response at all,
	// rather than one the client cannot read or one not encrypted.
	midway, _ := l.client(t, manage.ClientSpec{Name: "Key rotated midway", AuthorizationEncAlg: "ECDH-ES", JWKS: k.jwks(t)})
	b := l.browser(t)
	p = b.get(authURL(midway))
	if !p.isSignIn() {
		t.Fatalf("want the sign-in page, got %d %v", p.status, p.location)
	}
	rsaOnly := newEncClient(t)
	rsaOnlyJWKS, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &rsaOnly.rsa.PublicKey, KeyID: "enc-rsa", Use: "enc"}}})
	if _, err := l.Store.UpdateClient(ctx, midway.ID, func(c *store.Client) error { c.JWKS = string(rsaOnlyJWKS); return nil }); err != nil {
		t.Fatal(err)
	}
	p = finish(b, p, "allow")
	wantErrorPage(t, l, p, "jarm_encryption_key_missing", http.StatusBadRequest)

	// The jwks_uri answers 404.
	gone, _ := l.client(t, manage.ClientSpec{Name: "Lost key server", AuthorizationEncAlg: "ECDH-ES+A256KW", JWKSURI: keyServer.URL + "/gone"})
	wantErrorPage(t, l, l.browser(t).get(authURL(gone)), "jarm_encryption_keys_unreachable", http.StatusBadRequest)

	// Plain response modes do not need the key.
	back := l.browser(t).authorize(l.oauthConfig(lost, "").AuthCodeURL("plain", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	codeFrom(t, back, "plain")
}

// TestJARMEncryptionRegistration: the metadata through dynamic
// registration and the admin API, with its checks, and discovery.
func TestJARMEncryptionRegistration(t *testing.T) {
	l := start(t, withRegistration(config.RegistrationOpen))
	l.user(t, demoUser)
	k := newEncClient(t)
	doc := discoveryDoc(t, l)
	if got := fmt.Sprint(doc["authorization_encryption_alg_values_supported"]); got != "[RSA-OAEP-256 ECDH-ES ECDH-ES+A128KW ECDH-ES+A256KW]" {
		t.Errorf("authorization_encryption_alg_values_supported = %s", got)
	}
	if got := fmt.Sprint(doc["authorization_encryption_enc_values_supported"]); got != "[A128GCM A256GCM A128CBC-HS256]" {
		t.Errorf("authorization_encryption_enc_values_supported = %s", got)
	}

	reg := func(extra string) *reply {
		return jsonCall(t, l, http.MethodPost, "/register", "", `{"redirect_uris":["`+clientCB+`"]`+extra+`}`)
	}
	// Only the alg: enc is A128CBC-HS256, and it is said so.
	r := reg(`,"authorization_encrypted_response_alg":"RSA-OAEP-256","jwks":` + k.jwks(t))
	out := decodeRegistered(t, r, http.StatusCreated)
	var info map[string]any
	_ = json.Unmarshal(r.body, &info)
	if info["authorization_encrypted_response_alg"] != "RSA-OAEP-256" || info["authorization_encrypted_response_enc"] != "A128CBC-HS256" {
		t.Fatalf("client information: %s", r.body)
	}
	c, err := l.Store.GetClient(context.Background(), out.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	cfg := l.oauthConfig(c, out.ClientSecret, "openid")
	b := l.browser(t)
	p := finish(b, b.get(cfg.AuthCodeURL("r", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()), oauth2.SetAuthURLParam("response_mode", "query.jwt"))), "allow")
	inner, err := k.open(jarmOf(t, "query.jwt", p), "RSA-OAEP-256", "A128CBC-HS256")
	if err != nil {
		t.Fatal(err)
	}
	if v, err := newJARMReader(t, l).read(inner, c.ID, "RS256"); err != nil || v.Get("code") == "" {
		t.Fatalf("registered client's response: %v %v", v, err)
	}

	ecOnly, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &k.ec.PublicKey, KeyID: "enc-ec", Use: "enc"}}})
	sigRSA, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &k.rsa.PublicKey, KeyID: "s", Use: "sig"}}})
	for _, tc := range []struct{ name, extra, entry, says string }{
		{"RSA1_5", `,"authorization_encrypted_response_alg":"RSA1_5","jwks":` + k.jwks(t), "jarm_encryption_unsupported", "RSA-OAEP-256"},
		{"A256CBC-HS512", `,"authorization_encrypted_response_alg":"ECDH-ES","authorization_encrypted_response_enc":"A256CBC-HS512","jwks":` + k.jwks(t), "jarm_encryption_unsupported", "A128GCM"},
		{"enc without alg", `,"authorization_encrypted_response_enc":"A128GCM"`, "registration_metadata_invalid", "needs authorization_encrypted_response_alg"},
		{"no keys", `,"authorization_encrypted_response_alg":"ECDH-ES"`, "registration_metadata_invalid", "give jwks or jwks_uri"},
		{"no EC key", `,"authorization_encrypted_response_alg":"ECDH-ES","jwks":` + string(sigRSA), "registration_metadata_invalid", "needs a key to encrypt to"},
		{"RSA alg, EC key", `,"authorization_encrypted_response_alg":"RSA-OAEP-256","jwks":` + string(ecOnly), "registration_metadata_invalid", "needs an RSA key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := wantJSONError(t, l, reg(tc.extra), tc.entry, "invalid_client_metadata", http.StatusBadRequest)
			if !strings.Contains(body.Description, tc.says) {
				t.Errorf("description %q does not say %q", body.Description, tc.says)
			}
		})
	}

	// The admin API: the same checks, and the values shown.
	path := "/admin/clients/" + c.ID
	wantJSONError(t, l, jsonCall(t, l, http.MethodPatch, path, l.cfg.AdminToken, `{"authorization_encrypted_response_alg":"A128KW"}`), "jarm_encryption_unsupported", "invalid_client_metadata", http.StatusBadRequest)
	r = jsonCall(t, l, http.MethodPatch, path, l.cfg.AdminToken, `{"authorization_encrypted_response_alg":"ECDH-ES+A256KW","authorization_encrypted_response_enc":"A128GCM"}`)
	var view map[string]any
	if r.status != http.StatusOK || json.Unmarshal(r.body, &view) != nil || view["authorization_encrypted_response_alg"] != "ECDH-ES+A256KW" || view["authorization_encrypted_response_enc"] != "A128GCM" {
		t.Fatalf("admin update: %d %s", r.status, r.body)
	}
	// Turning encryption off clears the enc too.
	r = jsonCall(t, l, http.MethodPatch, path, l.cfg.AdminToken, `{"authorization_encrypted_response_alg":""}`)
	view = nil
	if r.status != http.StatusOK || json.Unmarshal(r.body, &view) != nil || view["authorization_encrypted_response_alg"] != nil || view["authorization_encrypted_response_enc"] != nil {
		t.Fatalf("admin update turning encryption off: %d %s", r.status, r.body)
	}
}

// TestRequestObjectHMAC: request objects signed with the client secret
// (HS256/384/512), for clients whose secret Lucid can read back
// (client_secret_jwt); every other refusal names why.
func TestRequestObjectHMAC(t *testing.T) {
	l := start(t, withRegistration(config.RegistrationOpen))
	l.user(t, demoUser)
	jwtClient, jwtSecret := l.client(t, manage.ClientSpec{Name: "HS256 JAR", AuthMethod: store.AuthSecretJWT, RequestObjectAlg: "HS256"})
	anyAlg, anySecret := l.client(t, manage.ClientSpec{Name: "Any alg", AuthMethod: store.AuthSecretJWT})
	short, shortSecret := l.client(t, manage.ClientSpec{Name: "Chosen secret", AuthMethod: store.AuthSecretJWT, Secret: strings.Repeat("s", 40)})
	basic, basicSecret := l.client(t, manage.ClientSpec{Name: "Basic"})
	keyClient, _ := l.client(t, manage.ClientSpec{Name: "Keys", AuthMethod: store.AuthPrivateKeyJWT, JWKS: clientJWKS(t, newClientKey(t, "k1"))})
	expired, expiredSecret := l.client(t, manage.ClientSpec{Name: "Expired", AuthMethod: store.AuthSecretJWT})
	if _, err := l.Store.UpdateClient(context.Background(), expired.ID, func(c *store.Client) error {
		past := l.Clock.Now().Add(-1)
		for i := range c.Secrets {
			c.Secrets[i].ExpiresAt = &past
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	v := oauth2.GenerateVerifier()
	// Signed by hand: go-jose will not sign with a key shorter than the
	// hash, and the test needs such a one.
	hs := func(alg jose.SignatureAlgorithm, c *store.Client, secret string) string {
		hash := map[jose.SignatureAlgorithm]func() hash.Hash{jose.HS256: sha256.New, jose.HS384: sha512.New384, jose.HS512: sha512.New}[alg]
		hdr, _ := json.Marshal(map[string]string{"alg": string(alg), "typ": "oauth-authz-req+jwt"})
		payload, _ := json.Marshal(jarClaims(l, c.ID, v))
		enc := base64.RawURLEncoding.EncodeToString
		input := enc(hdr) + "." + enc(payload)
		m := hmac.New(hash, []byte(secret))
		m.Write([]byte(input))
		return input + "." + enc(m.Sum(nil))
	}
	// Accepted: the flow runs to the code.
	back := l.browser(t).authorize(jarURL(l, jwtClient.ID, hs(jose.HS256, jwtClient, jwtSecret), nil))
	codeFrom(t, back, "from-the-object")
	back = l.browser(t).authorize(jarURL(l, anyAlg.ID, hs(jose.HS512, anyAlg, anySecret), nil))
	codeFrom(t, back, "from-the-object")

	for _, tc := range []struct {
		name    string
		client  *store.Client
		request string
		entry   string
		says    string
	}{
		{"wrong secret", jwtClient, hs(jose.HS256, jwtClient, strings.Repeat("x", 64)), "request_object_signature_invalid", ""},
		{"not the registered HMAC", jwtClient, hs(jose.HS384, jwtClient, jwtSecret), "request_object_alg_not_registered", ""},
		{"secret too short for HS512", short, hs(jose.HS512, short, shortSecret), "request_object_secret_too_short", "40 bytes"},
		{"client_secret_basic keeps a hash", basic, hs(jose.HS256, basic, basicSecret), "request_object_secret_unusable", "keyed hash"},
		{"a key client has no secret", keyClient, hs(jose.HS256, keyClient, strings.Repeat("k", 64)), "request_object_secret_unusable", "private_key_jwt"},
		{"every secret expired", expired, hs(jose.HS256, expired, expiredSecret), "request_object_secret_unusable", "expired"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := l.browser(t).get(jarURL(l, tc.client.ID, tc.request, url.Values{"state": {"st"}}))
			if p.location == nil {
				t.Fatalf("no redirect: %d %.300s", p.status, p.body)
			}
			wantAuthzError(t, l, p.location, tc.entry, "invalid_request_object", "st")
			if d := p.location.Query().Get("error_description"); !strings.Contains(d, tc.says) {
				t.Errorf("description %q does not say %q", d, tc.says)
			}
		})
	}

	// Registration: HS256 for a client_secret_jwt client; refused, with
	// the reason, for one whose secret is kept as a hash.
	r := jsonCall(t, l, http.MethodPost, "/register", "", `{"redirect_uris":["`+clientCB+`"],"token_endpoint_auth_method":"client_secret_jwt","request_object_signing_alg":"HS256"}`)
	out := decodeRegistered(t, r, http.StatusCreated)
	var info map[string]any
	if json.Unmarshal(r.body, &info) != nil || info["request_object_signing_alg"] != "HS256" {
		t.Fatalf("registration: %s", r.body)
	}
	regClient, err := l.Store.GetClient(context.Background(), out.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	back = l.browser(t).authorize(jarURL(l, regClient.ID, hs(jose.HS256, regClient, out.ClientSecret), nil))
	codeFrom(t, back, "from-the-object")
	r = jsonCall(t, l, http.MethodPost, "/register", "", `{"redirect_uris":["`+clientCB+`"],"token_endpoint_auth_method":"client_secret_post","request_object_signing_alg":"HS256"}`)
	body := wantJSONError(t, l, r, "registration_metadata_invalid", "invalid_client_metadata", http.StatusBadRequest)
	if !strings.Contains(body.Description, "client_secret_jwt") {
		t.Errorf("the refusal does not say which clients may: %s", body.Description)
	}

	// Discovery lists exactly what is served.
	algs, _ := discoveryDoc(t, l)["request_object_signing_alg_values_supported"].([]any)
	var got []string
	for _, a := range algs {
		got = append(got, fmt.Sprint(a))
	}
	if !slices.Equal(got, []string{"RS256", "PS256", "ES256", "EdDSA", "HS256", "HS384", "HS512", "none"}) {
		t.Errorf("request_object_signing_alg_values_supported = %v", got)
	}
}
