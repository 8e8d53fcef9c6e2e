package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/store"
)

const jwtBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// clientCase is one token request and the answer it must get. A case
// whose entry is authorization_code_unknown is a control: the client
// authenticated and the request failed only at the (bogus) code.
type clientCase struct {
	name   string
	form   url.Values
	mod    func(*http.Request)
	entry  string
	code   string
	status int
	// also, when set, is sent first and must get authorization_code_unknown.
	also url.Values
}

func runClientCases(t *testing.T, l *lucid, cases []clientCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			base := url.Values{"grant_type": {"authorization_code"}, "code": {"no-such-code"}}
			if tc.also != nil {
				wantJSONError(t, l, postToken(t, l, mergeForm(base, tc.also), nil), "authorization_code_unknown", "invalid_grant", 400)
			}
			r := postToken(t, l, mergeForm(base, tc.form), tc.mod)
			body := wantJSONError(t, l, r, tc.entry, tc.code, tc.status)
			if tc.status == http.StatusUnauthorized {
				wantBasicChallenge(t, l, r)
			}
			// The disclosure rule: no credential is ever echoed.
			for _, k := range []string{"client_secret", "client_assertion"} {
				if v := tc.form.Get(k); len(v) > 8 && strings.Contains(body.Description, v) {
					t.Fatalf("description echoes %s: %s", k, body.Description)
				}
			}
		})
	}
}

func mergeForm(a, b url.Values) url.Values {
	out := url.Values{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

func TestClientSecretAuthentication(t *testing.T) {
	ctx := context.Background()
	l := start(t)
	basic, basicSecret := l.client(t, manage.ClientSpec{Name: "Basic", AuthMethod: store.AuthSecretBasic})
	post, postSecret := l.client(t, manage.ClientSpec{Name: "Post", AuthMethod: store.AuthSecretPost})
	pub, _ := l.client(t, manage.ClientSpec{Name: "SPA", AuthMethod: store.AuthNone})
	off, offSecret := l.client(t, manage.ClientSpec{Name: "Retired"})
	if _, err := l.Svc.UpdateClient(ctx, off.ID, manage.ClientPatch{Disabled: ptrTo(true)}); err != nil {
		t.Fatal(err)
	}
	runClientCases(t, l, []clientCase{
		{name: "control: basic", mod: basicAuth(basic.ID, basicSecret), entry: "authorization_code_unknown", code: "invalid_grant", status: 400},
		{name: "control: post", form: url.Values{"client_id": {post.ID}, "client_secret": {postSecret}}, entry: "authorization_code_unknown", code: "invalid_grant", status: 400},
		{name: "control: public", form: url.Values{"client_id": {pub.ID}}, entry: "authorization_code_unknown", code: "invalid_grant", status: 400},
		{name: "no client at all", entry: "client_not_identified", code: "invalid_client", status: 401},
		{name: "bearer instead of basic", mod: func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+basicSecret) },
			entry: "client_not_identified", code: "invalid_client", status: 401},
		{name: "unknown client", mod: basicAuth("nobody", "whatever-secret"), entry: "client_unknown", code: "invalid_client", status: 401},
		{name: "disabled client", mod: basicAuth(off.ID, offSecret), entry: "client_disabled", code: "invalid_client", status: 401},
		{name: "confidential client sends only its id", form: url.Values{"client_id": {basic.ID}},
			entry: "client_credentials_missing", code: "invalid_client", status: 401},
		{name: "basic and client_secret", form: url.Values{"client_secret": {basicSecret}}, mod: basicAuth(basic.ID, basicSecret),
			entry: "client_credentials_twice", code: "invalid_request", status: 400},
		{name: "basic credentials not base64", mod: func(r *http.Request) { r.Header.Set("Authorization", "Basic %%%") },
			entry: "client_basic_header_malformed", code: "invalid_client", status: 401},
		{name: "basic without a colon", mod: func(r *http.Request) { r.Header.Set("Authorization", "Basic bm9jb2xvbg==") },
			entry: "client_basic_header_malformed", code: "invalid_client", status: 401},
		{name: "two Authorization headers", mod: func(r *http.Request) {
			basicAuth(basic.ID, basicSecret)(r)
			r.Header.Add("Authorization", "Basic bm9jb2xvbg==")
		}, entry: "client_basic_header_malformed", code: "invalid_client", status: 401},
		{name: "post client uses basic", mod: basicAuth(post.ID, postSecret),
			entry: "client_auth_method_mismatch", code: "invalid_client", status: 401},
		{name: "basic client uses post", form: url.Values{"client_id": {basic.ID}, "client_secret": {basicSecret}},
			entry: "client_auth_method_mismatch", code: "invalid_client", status: 401},
		{name: "public client sends a secret", form: url.Values{"client_id": {pub.ID}, "client_secret": {"made-up-secret-value"}},
			entry: "client_public_presented_secret", code: "invalid_client", status: 401},
		{name: "body client_id differs from basic", form: url.Values{"client_id": {post.ID}}, mod: basicAuth(basic.ID, basicSecret),
			entry: "client_id_mismatch", code: "invalid_request", status: 400},
		{name: "client_id twice", form: url.Values{"client_id": {pub.ID, pub.ID}},
			entry: "parameter_duplicated", code: "invalid_request", status: 400},
	})
}

func TestClientSecretExpired(t *testing.T) {
	ctx := context.Background()
	l := start(t)
	c, old := l.client(t, manage.ClientSpec{Name: "Rotating"})
	soon := l.Clock.Now().Add(time.Second)
	planned, plannedSecret := l.client(t, manage.ClientSpec{Name: "Expiring", SecretExpiresAt: &soon})
	_, fresh, err := l.Svc.RotateClientSecret(ctx, c.ID, time.Millisecond, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Past the grace period by either clock: the server's and the wall clock.
	time.Sleep(5 * time.Millisecond)
	l.Clock.Advance(time.Minute)
	runClientCases(t, l, []clientCase{
		{name: "new secret", mod: basicAuth(c.ID, fresh), entry: "authorization_code_unknown", code: "invalid_grant", status: 400},
		// Retired by the rotation when its grace ended: said so, not "expired".
		{name: "old secret after its grace", mod: basicAuth(c.ID, old), entry: "client_secret_retired", code: "invalid_client", status: 401},
		{name: "secret past its planned expiry", mod: basicAuth(planned.ID, plannedSecret), entry: "client_secret_expired", code: "invalid_client", status: 401},
	})
}

// clientKey is one private_key_jwt signing key of a test client.
type clientKey struct {
	priv *ecdsa.PrivateKey
	kid  string
}

func newClientKey(t *testing.T, kid string) clientKey {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return clientKey{priv: priv, kid: kid}
}

// jwks is the public JWK set of keys, as a client registers it.
func clientJWKS(t *testing.T, keys ...clientKey) string {
	t.Helper()
	set := jose.JSONWebKeySet{}
	for _, k := range keys {
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: &k.priv.PublicKey, KeyID: k.kid, Algorithm: "ES256", Use: "sig"})
	}
	b, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// assertionClaims are the claims of a good RFC 7523 client assertion.
// Times are the wall clock's: clientauth runs on it, not on the test clock.
func assertionClaims(l *lucid, clientID string) map[string]any {
	now := time.Now()
	return map[string]any{
		"iss": clientID, "sub": clientID, "aud": l.URL + "/token",
		"iat": now.Unix(), "exp": now.Add(2 * time.Minute).Unix(), "jti": rand.Text(),
	}
}

// signJWT signs claims compactly; kid "" leaves the kid header out.
func signJWT(t *testing.T, alg jose.SignatureAlgorithm, priv any, kid string, claims map[string]any) string {
	t.Helper()
	k := priv
	if kid != "" {
		k = jose.JSONWebKey{Key: priv, KeyID: kid}
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: k}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	payload, err := json.Marshal(claims)
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

// unsignedJWT is an "alg":"none" JWT, the classic forgery.
func unsignedJWT(t *testing.T, claims map[string]any) string {
	t.Helper()
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"none","kid":"k1"}`)) + "." + enc(payload) + "."
}

func assertionForm(assertion string) url.Values {
	return url.Values{"client_assertion_type": {jwtBearer}, "client_assertion": {assertion}}
}

func TestPrivateKeyJWT(t *testing.T) {
	ctx := context.Background()
	// The client key server below listens on loopback.
	l := start(t, withLocalKeySets)
	k1, k2, k3, stranger := newClientKey(t, "k1"), newClientKey(t, "k2"), newClientKey(t, "k3"), newClientKey(t, "k1")
	c, _ := l.client(t, manage.ClientSpec{Name: "Service", AuthMethod: store.AuthPrivateKeyJWT, JWKS: clientJWKS(t, k1)})
	// Two ES256 keys: during a rotation an assertion without kid is ambiguous.
	two, _ := l.client(t, manage.ClientSpec{Name: "Rotating keys", AuthMethod: store.AuthPrivateKeyJWT, JWKS: clientJWKS(t, k2, k3)})
	basic, basicSecret := l.client(t, manage.ClientSpec{Name: "Basic"})

	// A client's own key server: /keys serves its keys, /gone is a 404.
	keyServer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/keys" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/jwk-set+json")
		_, _ = w.Write([]byte(clientJWKS(t, k1)))
	}))
	t.Cleanup(keyServer.Close)
	remote, _ := l.client(t, manage.ClientSpec{Name: "Remote keys", AuthMethod: store.AuthPrivateKeyJWT, JWKSURI: keyServer.URL + "/keys"})
	gone, _ := l.client(t, manage.ClientSpec{Name: "Lost keys", AuthMethod: store.AuthPrivateKeyJWT, JWKSURI: keyServer.URL + "/gone"})

	// Registrations that manage refuses but a database can still hold,
	// written by an older Lucid or by hand: the token endpoint must explain
	// them rather than fail obscurely.
	noKeys, _ := l.client(t, manage.ClientSpec{Name: "Keys removed", AuthMethod: store.AuthPrivateKeyJWT, JWKS: clientJWKS(t, k1)})
	dupKids, _ := l.client(t, manage.ClientSpec{Name: "Duplicate kids", AuthMethod: store.AuthPrivateKeyJWT, JWKS: clientJWKS(t, k1)})
	for id, set := range map[string]string{noKeys.ID: "", dupKids.ID: clientJWKS(t, k1, newClientKey(t, "k1"))} {
		if _, err := l.Store.UpdateClient(ctx, id, func(c *store.Client) error {
			c.JWKS = set
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}

	// RSA keys under 2048 bits are refused even though they verify.
	weak, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	weakSet, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &weak.PublicKey, KeyID: "old", Algorithm: "RS256", Use: "sig"}}})
	if err != nil {
		t.Fatal(err)
	}
	weakClient, _ := l.client(t, manage.ClientSpec{Name: "Old keys", AuthMethod: store.AuthPrivateKeyJWT, JWKS: string(weakSet)})

	good := func(clientID string) map[string]any { return assertionClaims(l, clientID) }
	with := func(m map[string]any, kv ...any) map[string]any {
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(m, kv[i].(string))
			} else {
				m[kv[i].(string)] = kv[i+1]
			}
		}
		return m
	}
	es := func(k clientKey, kid string, claims map[string]any) url.Values {
		return assertionForm(signJWT(t, jose.ES256, k.priv, kid, claims))
	}
	now := time.Now()
	replayed := es(k1, "k1", good(c.ID))
	hmacKey := make([]byte, 32)
	_, _ = rand.Read(hmacKey)

	runClientCases(t, l, []clientCase{
		{name: "control: inline keys", form: es(k1, "k1", good(c.ID)), entry: "authorization_code_unknown", code: "invalid_grant", status: 400},
		{name: "control: no kid, one fitting key", form: es(k1, "", good(c.ID)), entry: "authorization_code_unknown", code: "invalid_grant", status: 400},
		{name: "control: jwks_uri", form: es(k1, "k1", good(remote.ID)), entry: "authorization_code_unknown", code: "invalid_grant", status: 400},
		{name: "saml assertion type", form: url.Values{"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:saml2-bearer"}, "client_assertion": {"x"}},
			entry: "client_assertion_type_invalid", code: "invalid_client", status: 401},
		{name: "assertion type missing", form: url.Values{"client_assertion": es(k1, "k1", good(c.ID))["client_assertion"]},
			entry: "parameter_missing", code: "invalid_request", status: 400},
		{name: "not a JWT", form: assertionForm("opaque-string"), entry: "client_assertion_malformed", code: "invalid_client", status: 401},
		{name: "encrypted JWT", form: assertionForm("a.b.c.d.e"), entry: "client_assertion_malformed", code: "invalid_client", status: 401},
		{name: "iss is not the client", form: es(k1, "k1", with(good(c.ID), "iss", "someone-else")),
			entry: "client_assertion_issuer_mismatch", code: "invalid_client", status: 401},
		{name: "client_id differs from sub", form: mergeForm(es(k1, "k1", good(c.ID)), url.Values{"client_id": {basic.ID}}),
			entry: "client_id_mismatch", code: "invalid_request", status: 400},
		{name: "aud of another server", form: es(k1, "k1", with(good(c.ID), "aud", "https://elsewhere.example/token")),
			entry: "client_assertion_audience_invalid", code: "invalid_client", status: 401},
		{name: "no exp", form: es(k1, "k1", with(good(c.ID), "exp", nil)),
			entry: "client_assertion_expiry_missing", code: "invalid_client", status: 401},
		{name: "expired", form: es(k1, "k1", with(good(c.ID), "iat", now.Add(-10*time.Minute).Unix(), "exp", now.Add(-5*time.Minute).Unix())),
			entry: "client_assertion_expired", code: "invalid_client", status: 401},
		{name: "lives too long", form: es(k1, "k1", with(good(c.ID), "exp", now.Add(time.Hour).Unix())),
			entry: "client_assertion_lifetime_too_long", code: "invalid_client", status: 401},
		{name: "issued in the future", form: es(k1, "k1", with(good(c.ID), "iat", now.Add(5*time.Minute).Unix(), "exp", now.Add(8*time.Minute).Unix())),
			entry: "client_assertion_issued_in_future", code: "invalid_client", status: 401},
		{name: "not before in the future", form: es(k1, "k1", with(good(c.ID), "nbf", now.Add(5*time.Minute).Unix(), "exp", now.Add(8*time.Minute).Unix())),
			entry: "client_assertion_issued_in_future", code: "invalid_client", status: 401},
		{name: "no jti", form: es(k1, "k1", with(good(c.ID), "jti", nil)),
			entry: "client_assertion_jti_missing", code: "invalid_client", status: 401},
		{name: "replayed", also: replayed, form: replayed,
			entry: "client_assertion_replayed", code: "invalid_client", status: 401},
		{name: "alg none", form: assertionForm(unsignedJWT(t, good(c.ID))),
			entry: "client_assertion_alg_not_allowed", code: "invalid_client", status: 401},
		{name: "1024-bit RSA key", form: assertionForm(signJWT(t, jose.RS256, weak, "", good(weakClient.ID))),
			entry: "client_assertion_alg_not_allowed", code: "invalid_client", status: 401},
		// An HMAC is client_secret_jwt: a private_key_jwt client cannot
		// downgrade to a shared secret.
		{name: "HMAC signed", form: assertionForm(signJWT(t, jose.HS256, hmacKey, "k1", good(c.ID))),
			entry: "client_secret_for_key_client", code: "invalid_client", status: 401},
		{name: "unknown kid", form: es(k1, "k9", good(c.ID)),
			entry: "client_assertion_key_unknown", code: "invalid_client", status: 401},
		{name: "signed by another key under a registered kid", form: es(stranger, "k1", good(c.ID)),
			entry: "client_assertion_signature_invalid", code: "invalid_client", status: 401},
		{name: "no kid, two fitting keys", form: es(k2, "", good(two.ID)),
			entry: "client_assertion_key_not_chosen", code: "invalid_client", status: 401},
		{name: "secret client sends an assertion", form: es(k1, "k1", good(basic.ID)),
			entry: "client_auth_method_mismatch", code: "invalid_client", status: 401},
		{name: "assertion client uses basic", mod: basicAuth(c.ID, basicSecret),
			entry: "client_secret_for_key_client", code: "invalid_client", status: 401},
		{name: "assertion and basic", form: es(k1, "k1", good(c.ID)), mod: basicAuth(basic.ID, basicSecret),
			entry: "client_credentials_twice", code: "invalid_request", status: 400},
		{name: "jwks_uri answers 404", form: es(k1, "k1", good(gone.ID)),
			entry: "client_jwks_uri_unreachable", code: "invalid_client", status: 401},
		{name: "registration lost its keys", form: es(k1, "k1", good(noKeys.ID)),
			entry: "client_jwks_missing", code: "invalid_client", status: 401},
		{name: "registered keys share a kid", form: es(k1, "k1", good(dupKids.ID)),
			entry: "client_jwks_invalid", code: "invalid_client", status: 401},
	})
}

func ptrTo[T any](v T) *T { return &v }
