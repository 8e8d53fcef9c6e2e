package clientauth

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
)

const (
	testIssuer   = "https://lucid.example"
	testTokenURL = testIssuer + "/token"

	// basicSecret has every character RFC 6749 §2.3.1 form-encoding changes.
	basicSecret  = "a:b+c%d e/é="
	secondSecret = "second-active-secret"
	oldSecret    = "expired-secret"
	postSecret   = "post-secret"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// clock is a settable clock; tests move it instead of sleeping.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// jwksServer serves JWK sets on loopback and counts fetches per path.
type jwksServer struct {
	*httptest.Server
	mu     sync.Mutex
	bodies map[string]string
	status map[string]int
	hits   map[string]int
}

func newJWKSServer(t *testing.T) *jwksServer {
	s := &jwksServer{bodies: map[string]string{}, status: map[string]int{}, hits: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.URL.Path]++
		body, st := s.bodies[r.URL.Path], s.status[r.URL.Path]
		s.mu.Unlock()
		if st == 0 {
			st = http.StatusOK
		}
		w.Header().Set("Content-Type", "application/jwk-set+json")
		w.WriteHeader(st)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) set(path, body string, status int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bodies[path], s.status[path] = body, status
	return s.URL + path
}

func (s *jwksServer) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

type signingKey struct {
	alg jose.SignatureAlgorithm
	kid string
	key any // private key
}

func (k signingKey) public(t *testing.T) jose.JSONWebKey {
	t.Helper()
	jwk := jose.JSONWebKey{Key: k.key, KeyID: k.kid}
	return jwk.Public()
}

func jwks(t *testing.T, keys ...signingKey) string {
	t.Helper()
	set := jose.JSONWebKeySet{}
	for _, k := range keys {
		set.Keys = append(set.Keys, k.public(t))
	}
	b, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

type fixture struct {
	st    store.Store
	sk    *secret.Keys
	clock *clock
	a     *Authenticator
	srv   *jwksServer

	rsa, rsaSmall, ec, ec384, ed, other signingKey
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	sk, err := secret.Derive([]byte("0123456789abcdef0123456789abcdef-test-master"))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{st: newTestStore(t), sk: sk, clock: &clock{t: t0}, srv: newJWKSServer(t)}
	f.a = New(f.st, sk, testIssuer, testTokenURL, WithClock(f.clock.now), WithHTTPClient(f.srv.Client()), WithLocalKeySets(true))

	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	e384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	_, edk, _ := ed25519.GenerateKey(rand.Reader)
	f.rsa = signingKey{jose.RS256, "rsa1", rk}
	f.rsaSmall = signingKey{jose.RS256, "rsa-small", small}
	f.ec = signingKey{jose.ES256, "ec1", ek}
	f.ec384 = signingKey{jose.ES384, "ec384", e384}
	f.ed = signingKey{jose.EdDSA, "ed1", edk}
	f.other = signingKey{jose.ES256, "ec1", other} // same kid as ec, different key
	return f
}

func (f *fixture) addClient(t *testing.T, c store.Client) {
	t.Helper()
	c.CreatedAt, c.UpdatedAt = t0, t0
	if err := f.st.CreateClient(context.Background(), &c); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) secret(id, plain string, expires *time.Time) store.ClientSecret {
	return store.ClientSecret{ID: id, Hash: f.sk.HashClientSecret(plain), CreatedAt: t0.Add(-48 * time.Hour), ExpiresAt: expires}
}

// sign makes a compact JWS over claims with k; kid "" leaves the header without kid.
func sign(t *testing.T, k signingKey, alg jose.SignatureAlgorithm, kid string, claims map[string]any) string {
	t.Helper()
	var key any = k.key
	if kid != "" {
		key = jose.JSONWebKey{Key: k.key, KeyID: kid}
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, nil)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	s, err := obj.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// claims are valid assertion claims for client id at time now; edit adjusts them.
func claims(id string, now time.Time, edit func(map[string]any)) map[string]any {
	c := map[string]any{
		"iss": id, "sub": id, "aud": testTokenURL,
		"iat": now.Unix(), "exp": now.Add(2 * time.Minute).Unix(),
		"jti": secret.Token(12),
	}
	if edit != nil {
		edit(c)
	}
	return c
}

func unsigned(header, payload string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(header)) + "." + enc([]byte(payload)) + "."
}

// request is a token request built on the real form parser.
func request(t *testing.T, authz []string, form url.Values) (*http.Request, url.Values) {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, testTokenURL, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, v := range authz {
		r.Header.Add("Authorization", v)
	}
	if err := r.ParseForm(); err != nil {
		t.Fatal(err)
	}
	return r, r.PostForm
}

func basic(id, sec string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(sec)))
}

func rawBasic(s string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte(s)) }

func assertionForm(a string, extra ...string) url.Values {
	v := url.Values{"client_assertion_type": {AssertionType}, "client_assertion": {a}}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return v
}

func (f *fixture) registerAll(t *testing.T) {
	expired := t0.Add(-time.Hour)
	later := t0.Add(24 * time.Hour)
	f.addClient(t, store.Client{ID: "basic", TokenEndpointAuthMethod: store.AuthSecretBasic, Secrets: []store.ClientSecret{
		f.secret("sec-old", oldSecret, &expired),
		f.secret("sec-1", basicSecret, &later),
		f.secret("sec-2", secondSecret, nil),
	}})
	f.addClient(t, store.Client{ID: "default-method", Secrets: []store.ClientSecret{f.secret("s", postSecret, nil)}})
	f.addClient(t, store.Client{ID: "post", TokenEndpointAuthMethod: store.AuthSecretPost, Secrets: []store.ClientSecret{f.secret("s", postSecret, nil)}})
	f.addClient(t, store.Client{ID: "public", TokenEndpointAuthMethod: store.AuthNone})
	f.addClient(t, store.Client{ID: "disabled", TokenEndpointAuthMethod: store.AuthSecretBasic, Disabled: true,
		Secrets: []store.ClientSecret{f.secret("s", postSecret, nil)}})
	f.addClient(t, store.Client{ID: "jwt", TokenEndpointAuthMethod: store.AuthPrivateKeyJWT,
		JWKS: jwks(t, f.rsa, f.rsaSmall, f.ec, f.ec384, f.ed)})
	f.addClient(t, store.Client{ID: "jwt-one", TokenEndpointAuthMethod: store.AuthPrivateKeyJWT,
		JWKS: jwks(t, signingKey{jose.ES256, "", f.ec.key})})
	f.addClient(t, store.Client{ID: "jwt-uri", TokenEndpointAuthMethod: store.AuthPrivateKeyJWT,
		JWKSURI: f.srv.set("/jwt-uri", jwks(t, f.rsa, f.ec), 0)})
	f.addClient(t, store.Client{ID: "jwt-nokeys", TokenEndpointAuthMethod: store.AuthPrivateKeyJWT})
	f.addClient(t, store.Client{ID: "jwt-badjwks", TokenEndpointAuthMethod: store.AuthPrivateKeyJWT, JWKS: `{"keys": 7}`})
	f.addClient(t, store.Client{ID: "jwt-dupkid", TokenEndpointAuthMethod: store.AuthPrivateKeyJWT,
		JWKSURI: f.srv.set("/dup", jwks(t, f.ec, f.other), 0)})
	f.addClient(t, store.Client{ID: "jwt-500", TokenEndpointAuthMethod: store.AuthPrivateKeyJWT,
		JWKSURI: f.srv.set("/broken", "oops", http.StatusInternalServerError)})
	f.addClient(t, store.Client{ID: "jwt-html", TokenEndpointAuthMethod: store.AuthPrivateKeyJWT,
		JWKSURI: f.srv.set("/html", "<html>hello</html>", 0)})
}

type authCase struct {
	name  string
	authz []string
	form  url.Values
	// replay runs the same request once first, expecting success.
	replay bool

	// On success:
	client, method string
	// On failure:
	want      catalog.Name
	code      string
	status    int
	challenge string
	// values are public values the error must carry.
	values map[string]string
	// internal are operator-only values the error must carry.
	internal map[string]string
}

// internalKV adds an operator-only value the error must carry.
func (c authCase) internalKV(k, v string) authCase {
	m := map[string]string{k: v}
	for kk, vv := range c.internal {
		m[kk] = vv
	}
	c.internal = m
	return c
}

func TestAuthenticate(t *testing.T) {
	f := newFixture(t)
	f.registerAll(t)
	now := t0
	jwtFor := func(cid string, k signingKey, kid string, edit func(map[string]any)) string {
		return sign(t, k, k.alg, kid, claims(cid, now, edit))
	}
	hmacKey := signingKey{jose.HS256, "h", []byte("0123456789abcdef0123456789abcdef")}
	goodJWT := jwtFor("jwt", f.ec, "ec1", nil)

	const invalidClient, invalidRequest = "invalid_client", "invalid_request"
	fail := func(name string, n catalog.Name, code string, status int) authCase {
		return authCase{name: name, want: n, code: code, status: status}
	}
	with := func(c authCase, authz []string, form url.Values, kv ...string) authCase {
		c.authz, c.form = authz, form
		if len(kv) > 0 {
			c.values = map[string]string{}
			for i := 0; i+1 < len(kv); i += 2 {
				c.values[kv[i]] = kv[i+1]
			}
		}
		for _, v := range authz {
			if strings.HasPrefix(strings.ToLower(v), "basic") {
				c.challenge = "Basic"
			}
		}
		return c
	}
	ok := func(name string, authz []string, form url.Values, client, method string) authCase {
		return authCase{name: name, authz: authz, form: form, client: client, method: method}
	}
	B := func(v ...string) []string { return v }

	cases := []authCase{
		// ---- success ----
		ok("basic, secret with : + % space form-encoded", B(basic("basic", basicSecret)), url.Values{"grant_type": {"x"}}, "basic", store.AuthSecretBasic),
		ok("basic, second active secret", B(basic("basic", secondSecret)), nil, "basic", store.AuthSecretBasic),
		ok("basic scheme is case-insensitive", B("bAsIc "+strings.TrimPrefix(basic("basic", secondSecret), "Basic ")), nil, "basic", store.AuthSecretBasic),
		ok("basic plus the same client_id in the body", B(basic("basic", secondSecret)), url.Values{"client_id": {"basic"}}, "basic", store.AuthSecretBasic),
		ok("empty registered method means client_secret_basic", B(basic("default-method", postSecret)), nil, "default-method", store.AuthSecretBasic),
		ok("post", nil, url.Values{"client_id": {"post"}, "client_secret": {postSecret}}, "post", store.AuthSecretPost),
		ok("none", nil, url.Values{"client_id": {"public"}}, "public", store.AuthNone),
		ok("none with an empty client_secret", nil, url.Values{"client_id": {"public"}, "client_secret": {""}}, "public", store.AuthNone),
		ok("public client, Basic with empty secret", B(basic("public", "")), nil, "public", store.AuthNone),
		ok("private_key_jwt ES256 inline", nil, assertionForm(goodJWT), "jwt", store.AuthPrivateKeyJWT),
		ok("private_key_jwt RS256 inline", nil, assertionForm(jwtFor("jwt", f.rsa, "rsa1", nil)), "jwt", store.AuthPrivateKeyJWT),
		ok("private_key_jwt PS256 inline", nil, assertionForm(sign(t, f.rsa, jose.PS256, "rsa1", claims("jwt", now, nil))), "jwt", store.AuthPrivateKeyJWT),
		ok("private_key_jwt EdDSA inline", nil, assertionForm(jwtFor("jwt", f.ed, "ed1", nil)), "jwt", store.AuthPrivateKeyJWT),
		ok("private_key_jwt with client_id and aud a one-element array", nil,
			assertionForm(jwtFor("jwt", f.ec, "ec1", func(c map[string]any) { c["aud"] = []string{testIssuer} }), "client_id", "jwt"),
			"jwt", store.AuthPrivateKeyJWT),
		ok("private_key_jwt with aud the issuer as a string", nil,
			assertionForm(jwtFor("jwt", f.ec, "ec1", func(c map[string]any) { c["aud"] = testIssuer })),
			"jwt", store.AuthPrivateKeyJWT),
		ok("private_key_jwt without kid, one fitting key", nil, assertionForm(jwtFor("jwt-one", f.ec, "", nil)), "jwt-one", store.AuthPrivateKeyJWT),
		ok("private_key_jwt exp within clock skew", nil, assertionForm(jwtFor("jwt", f.ec, "ec1", func(c map[string]any) {
			c["exp"] = now.Add(-30 * time.Second).Unix()
			c["iat"] = now.Add(30 * time.Second).Unix()
		})), "jwt", store.AuthPrivateKeyJWT),
		ok("private_key_jwt full lifetime from a clock ahead within the skew", nil, assertionForm(jwtFor("jwt", f.ec, "ec1", func(c map[string]any) {
			c["iat"], c["exp"] = now.Add(30*time.Second).Unix(), now.Add(30*time.Second+MaxAssertionLifetime).Unix()
		})), "jwt", store.AuthPrivateKeyJWT),
		ok("private_key_jwt ES256 via jwks_uri", nil, assertionForm(jwtFor("jwt-uri", f.ec, "ec1", nil)), "jwt-uri", store.AuthPrivateKeyJWT),
		ok("private_key_jwt RS256 via jwks_uri", nil, assertionForm(jwtFor("jwt-uri", f.rsa, "rsa1", nil)), "jwt-uri", store.AuthPrivateKeyJWT),

		// ---- request shape ----
		with(fail("basic and post", catalog.ClientCredentialsTwice, invalidRequest, 400),
			B(basic("basic", basicSecret)), url.Values{"client_secret": {basicSecret}}, "methods", "client_secret_basic and client_secret_post"),
		with(fail("post and assertion", catalog.ClientCredentialsTwice, invalidRequest, 400),
			nil, assertionForm(goodJWT, "client_id", "jwt", "client_secret", "x"), "methods", "client_secret_post and a client assertion"),
		with(fail("basic and assertion", catalog.ClientCredentialsTwice, invalidRequest, 400),
			B(basic("jwt", "x")), assertionForm(goodJWT), "methods", "client_secret_basic and a client assertion"),
		with(fail("client_id twice", catalog.ParameterDuplicated, invalidRequest, 400),
			nil, url.Values{"client_id": {"public", "public"}}, "parameter", "client_id"),
		with(fail("client_secret without client_id", catalog.ParameterMissing, invalidRequest, 400),
			nil, url.Values{"client_secret": {postSecret}}, "parameter", "client_id"),
		with(fail("nothing at all", catalog.ClientNotIdentified, invalidClient, 401), nil, url.Values{"grant_type": {"x"}}),

		// ---- Basic header ----
		with(fail("basic not base64", catalog.ClientBasicMalformed, invalidClient, 401),
			B("Basic !!!not-base64"), nil, "reason", "the credentials are not valid base64 (RFC 4648 §4, with padding)"),
		with(fail("basic without colon", catalog.ClientBasicMalformed, invalidClient, 401),
			B(rawBasic("basic")), nil, "reason", "the decoded credentials have no ':' between client id and secret"),
		with(fail("basic bad escape in id", catalog.ClientBasicMalformed, invalidClient, 401),
			B(rawBasic("ba%zzsic:x")), nil, "reason", "the client id is not correctly form-encoded (invalid %-escape)"),
		with(fail("basic bad escape in secret", catalog.ClientBasicMalformed, invalidClient, 401),
			B(rawBasic("basic:a%b")), nil, "reason", "the client secret is not correctly form-encoded (invalid %-escape)"),
		with(fail("basic empty id", catalog.ClientBasicMalformed, invalidClient, 401),
			B(rawBasic(":secret")), nil, "reason", "the client id before the ':' is empty"),
		with(fail("basic without credentials", catalog.ClientBasicMalformed, invalidClient, 401),
			B("Basic"), nil, "reason", "there are no credentials after the Basic scheme"),
		with(fail("two Authorization headers", catalog.ClientBasicMalformed, invalidClient, 401),
			B(basic("basic", basicSecret), basic("basic", basicSecret)), nil, "reason", "the request has 2 Authorization headers; send one"),

		// ---- client identity ----
		with(fail("unknown via basic", catalog.ClientUnknown, invalidClient, 401), B(basic("nobody", "x")), nil, "client_id", "nobody"),
		with(fail("unknown via post", catalog.ClientUnknown, invalidClient, 401), nil, url.Values{"client_id": {"nobody"}, "client_secret": {"x"}}, "client_id", "nobody"),
		with(fail("unknown public", catalog.ClientUnknown, invalidClient, 401), nil, url.Values{"client_id": {"nobody"}}, "client_id", "nobody"),
		with(fail("disabled", catalog.ClientDisabled, invalidClient, 401), B(basic("disabled", postSecret)), nil, "client_id", "disabled"),
		with(fail("confidential without credentials", catalog.ClientCredentialsMissing, invalidClient, 401),
			nil, url.Values{"client_id": {"basic"}}, "client_id", "basic", "method", "client_secret_basic"),
		with(fail("confidential, Bearer header is no client credential", catalog.ClientCredentialsMissing, invalidClient, 401),
			B("Bearer abc"), url.Values{"client_id": {"jwt"}}, "method", "private_key_jwt"),
		with(fail("basic id differs from body client_id", catalog.ClientIDMismatch, invalidRequest, 400),
			B(basic("basic", basicSecret)), url.Values{"client_id": {"post"}}, "given", "post", "client_id", "basic"),

		// ---- secrets ----
		with(fail("wrong secret via basic", catalog.ClientSecretWrong, invalidClient, 401), B(basic("basic", "nope")), nil, "client_id", "basic"),
		with(fail("wrong secret via post", catalog.ClientSecretWrong, invalidClient, 401), nil, url.Values{"client_id": {"post"}, "client_secret": {"nope"}}),
		with(fail("secret sent unencoded is wrong", catalog.ClientSecretWrong, invalidClient, 401), B(rawBasic("basic:second+active-secret")), nil),
		with(fail("empty secret for confidential", catalog.ClientSecretWrong, invalidClient, 401), B(basic("basic", "")), nil),
		{name: "expired secret", authz: B(basic("basic", oldSecret)), want: catalog.ClientSecretExpired, code: invalidClient, status: 401, challenge: "Basic",
			values: map[string]string{"client_id": "basic", "expired_at": "2026-03-01T11:00:00Z"}, internal: map[string]string{"secret_id": "sec-old", "active_secrets": "2"}},

		// ---- methods ----
		with(fail("basic client uses post", catalog.ClientAuthMethodMismatch, invalidClient, 401),
			nil, url.Values{"client_id": {"basic"}, "client_secret": {basicSecret}}, "registered", "client_secret_basic", "used", "client_secret_post"),
		with(fail("post client uses basic", catalog.ClientAuthMethodMismatch, invalidClient, 401),
			B(basic("post", postSecret)), nil, "registered", "client_secret_post", "used", "client_secret_basic"),
		with(fail("jwt client uses basic", catalog.ClientSecretForKeyClient, invalidClient, 401),
			B(basic("jwt", "x")), nil, "client_id", "jwt", "used", "a client secret (client_secret_basic)"),
		with(fail("basic client uses assertion", catalog.ClientAuthMethodMismatch, invalidClient, 401),
			nil, assertionForm(jwtFor("basic", f.ec, "ec1", nil)), "registered", "client_secret_basic", "used", "private_key_jwt"),
		with(fail("public client uses assertion", catalog.ClientAuthMethodMismatch, invalidClient, 401),
			nil, assertionForm(jwtFor("public", f.ec, "ec1", nil)), "registered", "none", "used", "private_key_jwt"),
		with(fail("public client posts a secret", catalog.ClientPublicSecret, invalidClient, 401),
			nil, url.Values{"client_id": {"public"}, "client_secret": {"s"}}, "client_id", "public"),
		with(fail("public client Basic with a secret", catalog.ClientPublicSecret, invalidClient, 401), B(basic("public", "s")), nil),

		// ---- assertion parameters ----
		with(fail("assertion type wrong", catalog.AssertionTypeInvalid, invalidClient, 401),
			nil, url.Values{"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:saml2-bearer"}, "client_assertion": {goodJWT}},
			"value", "urn:ietf:params:oauth:client-assertion-type:saml2-bearer"),
		with(fail("assertion without type", catalog.ParameterMissing, invalidRequest, 400),
			nil, url.Values{"client_assertion": {goodJWT}}, "parameter", "client_assertion_type"),
		with(fail("type without assertion", catalog.ParameterMissing, invalidRequest, 400),
			nil, url.Values{"client_assertion_type": {AssertionType}}, "parameter", "client_assertion"),
		with(fail("assertion not a JWT", catalog.AssertionMalformed, invalidClient, 401),
			nil, assertionForm("not-a-jwt"), "reason", "a signed JWT has three dot-separated parts, this has 1"),
		with(fail("assertion is a JWE", catalog.AssertionMalformed, invalidClient, 401), nil, assertionForm("a.b.c.d.e")),
		with(fail("assertion exp is a string", catalog.AssertionMalformed, invalidClient, 401),
			nil, assertionForm(jwtFor("jwt", f.ec, "ec1", func(c map[string]any) { c["exp"] = "tomorrow" })),
			"reason", "the exp claim is not a number of seconds since 1970"),

		// ---- assertion identity ----
		with(fail("iss differs from sub", catalog.AssertionIssuerMismatch, invalidClient, 401),
			nil, assertionForm(jwtFor("jwt", f.ec, "ec1", func(c map[string]any) { c["iss"] = "someone" })),
			"iss", "someone", "sub", "jwt", "rule", "both must be the client's client_id, and here they are not the same"),
		with(fail("no iss or sub", catalog.AssertionIssuerMismatch, invalidClient, 401),
			nil, assertionForm(jwtFor("jwt", f.ec, "ec1", func(c map[string]any) { delete(c, "iss"); delete(c, "sub") })),
			"iss", "(missing)", "sub", "(missing)"),
		with(fail("client_id differs from assertion", catalog.ClientIDMismatch, invalidRequest, 400),
			nil, assertionForm(goodJWT, "client_id", "jwt-one"), "given", "jwt-one", "client_id", "jwt"),
		with(fail("assertion for unknown client", catalog.ClientUnknown, invalidClient, 401),
			nil, assertionForm(jwtFor("ghost", f.ec, "ec1", nil)), "client_id", "ghost"),

		// ---- keys ----
		// An HMAC assertion means client_secret_jwt, which this client is not registered for.
		with(fail("HS256 for a private_key_jwt client", catalog.ClientSecretForKeyClient, invalidClient, 401),
			nil, assertionForm(sign(t, hmacKey, jose.HS256, "h", claims("jwt", now, nil))), "client_id", "jwt", "used", "an assertion signed with a shared secret (HS256, client_secret_jwt)"),
		with(fail("alg none", catalog.AssertionAlgNotAllowed, invalidClient, 401),
			nil, assertionForm(unsigned(`{"alg":"none"}`, `{"iss":"jwt","sub":"jwt"}`)), "alg", "none"),
		with(fail("ES384 not allowed", catalog.AssertionAlgNotAllowed, invalidClient, 401),
			nil, assertionForm(jwtFor("jwt", f.ec384, "ec384", nil)), "alg", "ES384"),
		with(fail("RSA key under 2048 bits", catalog.AssertionAlgNotAllowed, invalidClient, 401),
			nil, assertionForm(jwtFor("jwt", f.rsaSmall, "rsa-small", nil)), "alg", "RS256 with a 1024-bit RSA key (kid rsa-small)"),
		with(fail("kid unknown", catalog.AssertionKeyUnknown, invalidClient, 401),
			nil, assertionForm(jwtFor("jwt", f.ec, "nope", nil)), "kid", "nope", "client_id", "jwt"),
		with(fail("kid unknown via jwks_uri", catalog.AssertionKeyUnknown, invalidClient, 401),
			nil, assertionForm(jwtFor("jwt-uri", f.ec, "nope", nil)), "kid", "nope"),
		with(fail("no kid, two RSA keys fit", catalog.AssertionKeyNotChosen, invalidClient, 401),
			nil, assertionForm(jwtFor("jwt", f.rsa, "", nil)), "fitting", "2", "alg", "RS256"),
		with(fail("no kid, no key fits", catalog.AssertionKeyNotChosen, invalidClient, 401),
			nil, assertionForm(jwtFor("jwt-one", f.ed, "", nil)), "fitting", "0", "alg", "EdDSA"),
		with(fail("signed by another key", catalog.AssertionSignatureInvalid, invalidClient, 401),
			nil, assertionForm(jwtFor("jwt", f.other, "ec1", nil)), "kid", "ec1", "client_id", "jwt"),
		with(fail("kid names a key of another type", catalog.AssertionSignatureInvalid, invalidClient, 401),
			nil, assertionForm(sign(t, f.rsa, jose.RS256, "ec1", claims("jwt", now, nil))), "kid", "ec1"),
		with(fail("no keys registered", catalog.ClientJWKSMissing, invalidClient, 401),
			nil, assertionForm(jwtFor("jwt-nokeys", f.ec, "ec1", nil)), "client_id", "jwt-nokeys"),
		with(fail("inline jwks unusable", catalog.ClientJWKSInvalid, invalidClient, 401),
			nil, assertionForm(jwtFor("jwt-badjwks", f.ec, "ec1", nil)), "reason", "it is not a JSON object with a keys array"),
		with(fail("jwks_uri with duplicate kids", catalog.ClientJWKSUnreachable, invalidClient, 401),
			nil, assertionForm(jwtFor("jwt-dupkid", f.ec, "ec1", nil))).internalKV("reason", "the response is not a usable JWK set: two keys have kid ec1"),
		with(fail("jwks_uri answers 500", catalog.ClientJWKSUnreachable, invalidClient, 401),
			nil, assertionForm(jwtFor("jwt-500", f.ec, "ec1", nil))).internalKV("reason", "it answered HTTP 500, not 200"),
		with(fail("jwks_uri answers HTML", catalog.ClientJWKSUnreachable, invalidClient, 401),
			nil, assertionForm(jwtFor("jwt-html", f.ec, "ec1", nil))).internalKV("reason", "the response is not a usable JWK set: it is not a JSON object with a keys array"),

		// ---- claims ----
		with(fail("aud is someone else", catalog.AssertionAudienceInvalid, invalidClient, 401),
			nil, assertionForm(jwtFor("jwt", f.ec, "ec1", func(c map[string]any) { c["aud"] = "https://a" })),
			"aud", "https://a", "accepted", testIssuer+" (the issuer) or "+testTokenURL+" (the token endpoint)"),
		// Audience injection (2025): an array that also names another
		// server is refused even when one of its values is Lucid's.
		with(fail("aud array: token endpoint and a foreign value", catalog.AssertionAudienceMultiple, invalidClient, 401),
			nil, assertionForm(jwtFor("jwt", f.ec, "ec1", func(c map[string]any) { c["aud"] = []string{testTokenURL, "https://evil.test"} })),
			"count", "2", "aud", testTokenURL+", https://evil.test"),
		with(fail("aud array: a foreign token endpoint and the issuer", catalog.AssertionAudienceMultiple, invalidClient, 401),
			nil, assertionForm(jwtFor("jwt", f.ec, "ec1", func(c map[string]any) { c["aud"] = []string{"https://attacker-as.test/token", testIssuer} })),
			"count", "2"),
		with(fail("aud array: issuer and token endpoint", catalog.AssertionAudienceMultiple, invalidClient, 401),
			nil, assertionForm(jwtFor("jwt", f.ec, "ec1", func(c map[string]any) { c["aud"] = []string{testIssuer, testTokenURL} })),
			"count", "2"),
		with(fail("aud empty array", catalog.AssertionAudienceInvalid, invalidClient, 401),
			nil, assertionForm(jwtFor("jwt", f.ec, "ec1", func(c map[string]any) { c["aud"] = []string{} })), "aud", "(missing)"),
		with(fail("aud missing", catalog.AssertionAudienceInvalid, invalidClient, 401),
			nil, assertionForm(jwtFor("jwt", f.ec, "ec1", func(c map[string]any) { delete(c, "aud") })), "aud", "(missing)"),
		with(fail("exp missing", catalog.AssertionExpiryMissing, invalidClient, 401),
			nil, assertionForm(jwtFor("jwt", f.ec, "ec1", func(c map[string]any) { delete(c, "exp") }))),
		with(fail("expired", catalog.AssertionExpired, invalidClient, 401),
			nil, assertionForm(jwtFor("jwt", f.ec, "ec1", func(c map[string]any) { c["exp"] = now.Add(-5 * time.Minute).Unix() })),
			"exp", "2026-03-01T11:55:00Z", "ago", "5m0s", "now", "2026-03-01T12:00:00Z"),
		with(fail("lives too long", catalog.AssertionLifetimeTooLong, invalidClient, 401),
			nil, assertionForm(jwtFor("jwt", f.ec, "ec1", func(c map[string]any) { c["exp"] = now.Add(time.Hour).Unix() })),
			"exp", "2026-03-01T13:00:00Z", "max", "10m0s"),
		with(fail("iat in the future", catalog.AssertionIssuedInFuture, invalidClient, 401),
			nil, assertionForm(jwtFor("jwt", f.ec, "ec1", func(c map[string]any) { c["iat"] = now.Add(5 * time.Minute).Unix() })),
			"time", "2026-03-01T12:05:00Z", "now", "2026-03-01T12:00:00Z"),
		// A fast clock pushes exp ahead too: the clock is named, not the lifetime.
		with(fail("clock ahead with a full lifetime", catalog.AssertionIssuedInFuture, invalidClient, 401),
			nil, assertionForm(jwtFor("jwt", f.ec, "ec1", func(c map[string]any) {
				c["iat"], c["exp"] = now.Add(5*time.Minute).Unix(), now.Add(15*time.Minute).Unix()
			})),
			"claim", "iat", "ahead", "5m0s", "skew", "1m0s"),
		with(fail("nbf in the future", catalog.AssertionIssuedInFuture, invalidClient, 401),
			nil, assertionForm(jwtFor("jwt", f.ec, "ec1", func(c map[string]any) { c["nbf"] = now.Add(2 * time.Minute).Unix() })),
			"time", "2026-03-01T12:02:00Z"),
		with(fail("clock ahead within the skew, lifetime too long from iat", catalog.AssertionLifetimeTooLong, invalidClient, 401),
			nil, assertionForm(jwtFor("jwt", f.ec, "ec1", func(c map[string]any) {
				c["iat"], c["exp"] = now.Add(30*time.Second).Unix(), now.Add(11*time.Minute).Unix()
			}))),
		with(fail("jti missing", catalog.AssertionJTIMissing, invalidClient, 401),
			nil, assertionForm(jwtFor("jwt", f.ec, "ec1", func(c map[string]any) { delete(c, "jti") }))),
		func() authCase {
			c := with(fail("replayed", catalog.AssertionReplayed, invalidClient, 401),
				nil, assertionForm(jwtFor("jwt", f.ec, "ec1", func(c map[string]any) { c["jti"] = "once-only" })), "jti", "once-only")
			c.replay = true
			return c
		}(),
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			if tc.replay {
				r, form := request(t, tc.authz, tc.form)
				if _, _, e := f.a.Authenticate(ctx, r, form); e != nil {
					t.Fatalf("first use: %v", e)
				}
			}
			r, form := request(t, tc.authz, tc.form)
			c, method, e := f.a.Authenticate(ctx, r, form)
			if tc.want == "" {
				if e != nil {
					t.Fatalf("unexpected error %s: %s %v", e.Name(), e.Description(), e.InternalValues())
				}
				if c.ID != tc.client || method != tc.method {
					t.Fatalf("got client %s method %s, want %s %s", c.ID, method, tc.client, tc.method)
				}
				return
			}
			if e == nil {
				t.Fatalf("authenticated %s with %s; want %s", c.ID, method, tc.want)
			}
			if c != nil || method != "" {
				t.Errorf("failure also returned client %v method %q", c, method)
			}
			if e.Name() != tc.want || e.Code() != tc.code || e.Status() != tc.status {
				t.Fatalf("got %s (%s %d): %s %v; want %s (%s %d)", e.Name(), e.Code(), e.Status(), e.Description(), e.InternalValues(), tc.want, tc.code, tc.status)
			}
			if e.Challenge != tc.challenge {
				t.Errorf("challenge %q, want %q", e.Challenge, tc.challenge)
			}
			for k, v := range tc.values {
				if got := e.Value(k); got != v {
					t.Errorf("value %s = %q, want %q", k, got, v)
				}
			}
			internal := map[string]string{}
			for _, kv := range e.InternalValues() {
				internal[kv[0]] = kv[1]
			}
			for k, v := range tc.internal {
				if internal[k] != v {
					t.Errorf("internal %s = %q, want %q", k, internal[k], v)
				}
			}
			if strings.Contains(e.Description(), "{") {
				t.Errorf("unfilled placeholder: %s", e.Description())
			}
			assertNoSecrets(t, e, tc)
		})
	}
}

// assertNoSecrets checks nothing the client presented as a credential
// comes back in the error, public or internal.
func assertNoSecrets(t *testing.T, e *catalog.Error, tc authCase) {
	t.Helper()
	var secrets []string
	for _, k := range []string{"client_secret", "client_assertion"} {
		if v := tc.form.Get(k); len(v) > 3 {
			secrets = append(secrets, v)
		}
	}
	for _, h := range tc.authz {
		if _, rest := splitAuthorization(h); len(rest) > 3 {
			secrets = append(secrets, rest)
			if creds, reason := parseBasic(rest); reason == "" && len(creds.Secret) > 3 {
				secrets = append(secrets, creds.Secret)
			}
		}
	}
	text := e.Description() + "\n" + e.Error() + "\n" + fmt.Sprint(e.InternalValues())
	for _, s := range secrets {
		if strings.Contains(text, s) {
			t.Errorf("error repeats a presented credential: %s", text)
		}
	}
	for _, s := range []string{basicSecret, secondSecret, oldSecret, postSecret} {
		if strings.Contains(text, s) {
			t.Errorf("error contains a registered secret: %s", text)
		}
	}
}

// TestJWKSURIRefresh follows a client rotating its keys: an unknown kid
// triggers at most one fetch per refresh interval, a failed refresh keeps
// fresh keys, and keys older than the TTL are refetched.
func TestJWKSURIRefresh(t *testing.T) {
	f := newFixture(t)
	ec2 := f.other
	ec2.kid = "ec2"
	uri := f.srv.set("/rot", jwks(t, f.ec), 0)
	f.addClient(t, store.Client{ID: "rot", TokenEndpointAuthMethod: store.AuthPrivateKeyJWT, JWKSURI: uri})

	try := func(k signingKey) *catalog.Error {
		t.Helper()
		r, form := request(t, nil, assertionForm(sign(t, k, k.alg, k.kid, claims("rot", f.clock.now(), nil))))
		_, _, e := f.a.Authenticate(context.Background(), r, form)
		return e
	}
	wantName := func(e *catalog.Error, n catalog.Name) {
		t.Helper()
		switch {
		case n == "" && e != nil:
			t.Fatalf("unexpected %s: %s %v", e.Name(), e.Description(), e.InternalValues())
		case n != "" && (e == nil || e.Name() != n):
			t.Fatalf("got %v, want %s", e, n)
		}
	}
	wantFetches := func(n int) {
		t.Helper()
		if got := f.srv.count("/rot"); got != n {
			t.Fatalf("%d fetches, want %d", got, n)
		}
	}

	wantName(try(f.ec), "")
	wantName(try(f.ec), "")
	wantFetches(1)

	f.srv.set("/rot", jwks(t, f.ec, ec2), 0)
	f.clock.advance(5 * time.Second)
	wantName(try(ec2), catalog.AssertionKeyUnknown) // too soon after the last fetch
	wantFetches(1)

	f.clock.advance(DefaultJWKSMinRefresh)
	wantName(try(ec2), "")
	wantFetches(2)
	wantName(try(signingKey{jose.ES256, "forged", f.other.key}), catalog.AssertionKeyUnknown)
	wantFetches(2)

	// A failed refresh leaves the still-fresh keys in use.
	f.srv.set("/rot", "down", http.StatusServiceUnavailable)
	f.clock.advance(DefaultJWKSMinRefresh)
	e := try(signingKey{jose.ES256, "forged", f.other.key})
	wantName(e, catalog.AssertionKeyUnknown)
	if !strings.Contains(fmt.Sprint(e.InternalValues()), "HTTP 503") {
		t.Errorf("the operator is not told the refresh failed: %v", e.InternalValues())
	}
	wantFetches(3)
	wantName(try(f.ec), "")
	wantFetches(3)

	// Past the TTL the keys are refetched; if that fails they are not used.
	f.clock.advance(DefaultJWKSTTL)
	wantName(try(f.ec), catalog.ClientJWKSUnreachable)
	wantFetches(4)
	wantName(try(f.ec), catalog.ClientJWKSUnreachable) // the failure is not retried at once
	wantFetches(4)
	f.srv.set("/rot", jwks(t, f.ec), 0)
	f.clock.advance(DefaultJWKSMinRefresh)
	wantName(try(f.ec), "")
	wantFetches(5)
	wantName(try(ec2), catalog.AssertionKeyUnknown) // ec2 was removed
}

// TestJWKSURIConcurrent authenticates one client from many goroutines on a
// cold cache: every request succeeds and the keys are fetched once.
func TestJWKSURIConcurrent(t *testing.T) {
	f := newFixture(t)
	uri := f.srv.set("/many", jwks(t, f.ec), 0)
	f.addClient(t, store.Client{ID: "many", TokenEndpointAuthMethod: store.AuthPrivateKeyJWT, JWKSURI: uri})
	const n = 16
	forms := make([]url.Values, n)
	for i := range forms {
		forms[i] = assertionForm(sign(t, f.ec, jose.ES256, "ec1", claims("many", t0, nil)))
	}
	var wg sync.WaitGroup
	errs := make(chan *catalog.Error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, form := request(t, nil, forms[i])
			if _, _, e := f.a.Authenticate(context.Background(), r, form); e != nil {
				errs <- e
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("%s: %s", e.Name(), e.Description())
	}
	if got := f.srv.count("/many"); got != 1 {
		t.Errorf("%d fetches, want 1", got)
	}
}

// TestJWKSURIChanged: a new jwks_uri for a client is fetched at once.
func TestJWKSURIChanged(t *testing.T) {
	f := newFixture(t)
	f.addClient(t, store.Client{ID: "mv", TokenEndpointAuthMethod: store.AuthPrivateKeyJWT, JWKSURI: f.srv.set("/a", jwks(t, f.ec), 0)})
	auth := func() *catalog.Error {
		r, form := request(t, nil, assertionForm(sign(t, f.ed, jose.EdDSA, "ed1", claims("mv", t0, nil))))
		_, _, e := f.a.Authenticate(context.Background(), r, form)
		return e
	}
	if e := auth(); e == nil || e.Name() != catalog.AssertionKeyUnknown {
		t.Fatalf("got %v, want key unknown", e)
	}
	newURI := f.srv.set("/b", jwks(t, f.ed), 0)
	if _, err := f.st.UpdateClient(context.Background(), "mv", func(c *store.Client) error { c.JWKSURI = newURI; return nil }); err != nil {
		t.Fatal(err)
	}
	if e := auth(); e != nil {
		t.Fatalf("after the jwks_uri changed: %s %v", e.Description(), e.InternalValues())
	}
}

func TestParseJWKS(t *testing.T) {
	f := newFixture(t)
	pub := f.ec.public(t)
	pubJSON, _ := json.Marshal(pub)
	priv, _ := json.Marshal(jose.JSONWebKey{Key: f.ec.key, KeyID: "priv"})
	cases := []struct {
		name    string
		in      string
		keys    int
		skipped int
		err     string
	}{
		{"one key", `{"keys":[` + string(pubJSON) + `]}`, 1, 0, ""},
		{"unknown kty and enc key are skipped", `{"keys":[{"kty":"oct","k":"AAAA"},{"kty":"XYZ"},` +
			strings.Replace(string(pubJSON), `"kty"`, `"use":"enc","kty"`, 1) + `,` + string(pubJSON) + `]}`, 1, 3, ""},
		{"private key is skipped", `{"keys":[` + string(priv) + `]}`, 0, 1, ""},
		{"broken key is skipped", `{"keys":[{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}]}`, 0, 1, ""},
		{"no keys member", `{}`, 0, 0, "it has no keys array"},
		{"not JSON", `[`, 0, 0, "it is not a JSON object with a keys array"},
		{"duplicate kid", `{"keys":[` + string(pubJSON) + `,` + string(pubJSON) + `]}`, 0, 0, "two keys have kid ec1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			set, err := parseJWKS([]byte(tc.in))
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("err %v, want %s", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(set.keys) != tc.keys || len(set.skipped) != tc.skipped {
				t.Fatalf("%d keys, %d skipped (%v); want %d, %d", len(set.keys), len(set.skipped), set.skipped, tc.keys, tc.skipped)
			}
		})
	}
}

func TestParseBasic(t *testing.T) {
	cases := []struct {
		name, token, id, secret string
		bad                     bool
	}{
		{"plain", base64.StdEncoding.EncodeToString([]byte("app:s3cret")), "app", "s3cret", false},
		{"split at the first colon", base64.StdEncoding.EncodeToString([]byte("app:a:b")), "app", "a:b", false},
		{"plus is space", base64.StdEncoding.EncodeToString([]byte("my+app:a+b")), "my app", "a b", false},
		{"percent escapes", base64.StdEncoding.EncodeToString([]byte("app%3A1:%25%2B%3A")), "app:1", "%+:", false},
		{"empty secret", base64.StdEncoding.EncodeToString([]byte("app:")), "app", "", false},
		{"surrounding spaces", "  " + base64.StdEncoding.EncodeToString([]byte("app:x")) + " ", "app", "x", false},
		{"missing padding", strings.TrimRight(base64.StdEncoding.EncodeToString([]byte("app:x")), "="), "", "", true},
		{"url alphabet", base64.URLEncoding.EncodeToString([]byte("app:\xfb\xff")), "", "", true},
		{"empty", "", "", "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, reason := parseBasic(tc.token)
			if (reason != "") != tc.bad {
				t.Fatalf("reason %q, bad=%v", reason, tc.bad)
			}
			if !tc.bad && (c.ID != tc.id || c.Secret != tc.secret) {
				t.Fatalf("got %q %q, want %q %q", c.ID, c.Secret, tc.id, tc.secret)
			}
		})
	}
}

func TestParseAssertion(t *testing.T) {
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	hdr := enc(`{"alg":"ES256","kid":"k"}`)
	sig := enc("sig")
	cases := []struct {
		name, in string
		want     catalog.Name
		reason   string
	}{
		{"too long", strings.Repeat("a", maxAssertionLen+1), catalog.AssertionMalformed, "it is longer than 16384 bytes"},
		{"header not base64", "***." + enc("{}") + "." + sig, catalog.AssertionMalformed, "the header is not unpadded base64url"},
		{"header not object", enc(`[1]`) + "." + enc("{}") + "." + sig, catalog.AssertionMalformed, "the header is not a JSON object"},
		{"header null", enc(`null`) + "." + enc("{}") + "." + sig, catalog.AssertionMalformed, "the header is not a JSON object"},
		{"no alg", enc(`{"kid":"k"}`) + "." + enc("{}") + "." + sig, catalog.AssertionMalformed, "the header has no alg"},
		{"alg not string", enc(`{"alg":1}`) + "." + enc("{}") + "." + sig, catalog.AssertionMalformed, "the header's alg is not a string"},
		{"kid not string", enc(`{"alg":"ES256","kid":7}`) + "." + enc("{}") + "." + sig, catalog.AssertionMalformed, "the header's kid is not a string"},
		{"crit", enc(`{"alg":"ES256","crit":["x"],"x":1}`) + "." + enc("{}") + "." + sig, catalog.AssertionMalformed, "the header has crit, and Lucid understands no critical header extension"},
		{"empty alg", enc(`{"alg":""}`) + "." + enc("{}") + "." + sig, catalog.AssertionAlgNotAllowed, ""},
		{"payload not base64", hdr + ".***." + sig, catalog.AssertionMalformed, "the payload is not unpadded base64url"},
		{"payload trailing data", hdr + "." + enc(`{} {}`) + "." + sig, catalog.AssertionMalformed, "the payload is not a JSON object"},
		{"iss not string", hdr + "." + enc(`{"iss":1}`) + "." + sig, catalog.AssertionMalformed, "the iss claim is not a string"},
		{"aud numbers", hdr + "." + enc(`{"aud":[1]}`) + "." + sig, catalog.AssertionMalformed, "the aud claim is neither a string nor an array of strings"},
		{"exp too large", hdr + "." + enc(`{"exp":1e300}`) + "." + sig, catalog.AssertionMalformed, "the exp claim is out of range (0 to 9999-12-31)"},
		{"iat negative", hdr + "." + enc(`{"iat":-1}`) + "." + sig, catalog.AssertionMalformed, "the iat claim is out of range (0 to 9999-12-31)"},
		{"duplicate alg", enc(`{"alg":"RS256","alg":"ES256"}`) + "." + enc(`{}`) + "." + sig, catalog.AssertionMalformed, "the header repeats a member"},
		{"signature not base64", hdr + "." + enc(`{}`) + ".***", catalog.AssertionMalformed, "the JWS structure or its signature encoding is invalid"},
		{"well-formed", hdr + "." + enc(`{"iss":"a","sub":"a","aud":"x","exp":1.5e9,"jti":"j","nbf":null}`) + "." + sig, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, e := parseAssertion(tc.in)
			if tc.want == "" {
				if e != nil {
					t.Fatalf("%s: %s", e.Name(), e.Description())
				}
				if a.Alg != "ES256" || a.Kid != "k" || !a.HasKid || a.Iss != "a" || a.JTI != "j" ||
					len(a.Aud) != 1 || a.Exp.Unix() != 1500000000 || a.Nbf != nil {
					t.Fatalf("parsed %+v", a)
				}
				return
			}
			if e == nil || e.Name() != tc.want {
				t.Fatalf("got %v, want %s", e, tc.want)
			}
			if tc.reason != "" && e.Value("reason") != tc.reason {
				t.Fatalf("reason %q, want %q", e.Value("reason"), tc.reason)
			}
		})
	}
}

// TestJWKSFetchOutlivesCaller: a caller that hangs up during the first
// fetch does not leave a cached failure for the client's next request.
func TestJWKSFetchOutlivesCaller(t *testing.T) {
	f := newFixture(t)
	f.addClient(t, store.Client{ID: "hang", TokenEndpointAuthMethod: store.AuthPrivateKeyJWT, JWKSURI: f.srv.set("/hang", jwks(t, f.ec), 0)})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r, form := request(t, nil, assertionForm(sign(t, f.ec, jose.ES256, "ec1", claims("hang", t0, nil))))
	_, _, _ = f.a.Authenticate(ctx, r, form)
	r, form = request(t, nil, assertionForm(sign(t, f.ec, jose.ES256, "ec1", claims("hang", t0, nil))))
	if _, _, e := f.a.Authenticate(context.Background(), r, form); e != nil {
		t.Fatalf("%s: %s %v", e.Name(), e.Description(), e.InternalValues())
	}
	if got := f.srv.count("/hang"); got != 1 {
		t.Fatalf("%d fetches, want 1", got)
	}
}
