package clientjwt

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/store/sqlite"
)

// testNames borrows the client assertion's entries: the verifier only
// needs real catalog names to build errors.
var testNames = Names{
	Malformed:        catalog.AssertionMalformed,
	AlgNotAllowed:    catalog.AssertionAlgNotAllowed,
	KeyUnknown:       catalog.AssertionKeyUnknown,
	KeyNotChosen:     catalog.AssertionKeyNotChosen,
	SignatureInvalid: catalog.AssertionSignatureInvalid,
	SecretTooShort:   catalog.AssertionSecretTooShort,
	TypInvalid:       catalog.AssertionTypeInvalid,
	AudienceInvalid:  catalog.AssertionAudienceInvalid,
	AudienceMultiple: catalog.AssertionAudienceMultiple,
	ExpiryMissing:    catalog.AssertionExpiryMissing,
	Expired:          catalog.AssertionExpired,
	NotYetValid:      catalog.AssertionIssuedInFuture,
	LifetimeTooLong:  catalog.AssertionLifetimeTooLong,
	SubjectMissing:   catalog.JWTBearerSubjectMissing,
	JTIMissing:       catalog.AssertionJTIMissing,
	Replayed:         catalog.AssertionReplayed,
}

func testUse() Use {
	return Use{
		Names:           testNames,
		Algs:            []jose.SignatureAlgorithm{jose.ES256, jose.RS256, jose.HS256},
		AlgsText:        "ES256, RS256, HS256",
		Audiences:       []string{"https://lucid.test"},
		AudienceText:    "https://lucid.test",
		RequireExp:      true,
		MaxLifetime:     10 * time.Minute,
		ReplayNamespace: "client-1",
		Context:         []any{"client_id", "client-1"},
	}
}

// t0 is now: the SQLite store forgets a jti past its expiry by its own clock.
var t0 = time.Now().UTC().Truncate(time.Second)

func sign(t testing.TB, alg jose.SignatureAlgorithm, key any, hdr map[string]any, claims map[string]any) string {
	t.Helper()
	opts := &jose.SignerOptions{}
	for k, v := range hdr {
		opts = opts.WithHeader(jose.HeaderKey(k), v)
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(claims)
	obj, err := s.Sign(b)
	if err != nil {
		t.Fatal(err)
	}
	out, err := obj.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func goodClaims(edit func(map[string]any)) map[string]any {
	c := map[string]any{"iss": "client-1", "sub": "client-1", "aud": "https://lucid.test",
		"iat": t0.Unix(), "exp": t0.Add(5 * time.Minute).Unix(), "jti": "j-" + rand.Text()}
	if edit != nil {
		edit(c)
	}
	return c
}

func newVerifier(t *testing.T) *Verifier {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "lucid.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return New(st, func() time.Time { return t0 })
}

// TestVerify runs each failure kind through one use, with real keys and
// a real SQLite store for the jti.
func TestVerify(t *testing.T) {
	v := newVerifier(t)
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ec2, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	set := StaticKeys{
		{Key: &ec.PublicKey, KeyID: "ec1"},
		{Key: &small.PublicKey, KeyID: "small"},
		{Key: &p384.PublicKey, KeyID: "p384"},
	}
	keys := KeySourceFunc(func(context.Context, *Token) (Keys, *catalog.Error) {
		return Keys{Set: set, Detail: func() []any { return []any{"registered_kids", "ec1 small p384"} }}, nil
	})
	secret := []byte("0123456789abcdef0123456789abcdef")
	kid := func(k string) map[string]any { return map[string]any{"kid": k} }
	es := func(edit func(map[string]any)) string { return sign(t, jose.ES256, ec, kid("ec1"), goodClaims(edit)) }

	tests := []struct {
		name  string
		jwt   string
		src   KeySource
		edit  func(*Use)
		want  catalog.Name
		value [2]string // a public value the error must carry
	}{
		{name: "good", jwt: es(nil)},
		{name: "good without kid: the one fitting key", jwt: sign(t, jose.ES256, ec, nil, goodClaims(nil))},
		{name: "unknown kid", jwt: sign(t, jose.ES256, ec, kid("nope"), goodClaims(nil)), want: testNames.KeyUnknown, value: [2]string{"kid", "nope"}},
		{name: "kid of a key on another curve", jwt: sign(t, jose.ES256, ec, kid("p384"), goodClaims(nil)), want: testNames.SignatureInvalid},
		{name: "wrong key", jwt: sign(t, jose.ES256, ec2, kid("ec1"), goodClaims(nil)), want: testNames.SignatureInvalid, value: [2]string{"kid", "ec1"}},
		{name: "RSA key too small", jwt: sign(t, jose.RS256, small, kid("small"), goodClaims(nil)), want: testNames.AlgNotAllowed},
		{name: "no kid, two fitting keys", jwt: sign(t, jose.ES256, ec, nil, goodClaims(nil)),
			src: KeySourceFunc(func(context.Context, *Token) (Keys, *catalog.Error) {
				return Keys{Set: StaticKeys{{Key: &ec.PublicKey, KeyID: "a"}, {Key: &ec2.PublicKey, KeyID: "b"}}}, nil
			}), want: testNames.KeyNotChosen, value: [2]string{"fitting", "2"}},
		{name: "HMAC with the secret", jwt: sign(t, jose.HS256, secret, nil, goodClaims(nil)), src: Secret("(the client secret)", secret)},
		{name: "HMAC with a short secret", jwt: sign(t, jose.HS256, secret, nil, goodClaims(nil)), src: Secret("(the client secret)", []byte("short")),
			want: testNames.SecretTooShort, value: [2]string{"bytes", "5"}},
		{name: "HMAC with another secret", jwt: sign(t, jose.HS256, secret, nil, goodClaims(nil)), src: Secret("(the client secret)", []byte("another secret, long enough, 32+")),
			want: testNames.SignatureInvalid, value: [2]string{"kid", "(the client secret)"}},
		{name: "aud missing", jwt: es(func(c map[string]any) { delete(c, "aud") }), want: testNames.AudienceInvalid, value: [2]string{"aud", "(missing)"}},
		{name: "aud another server", jwt: es(func(c map[string]any) { c["aud"] = "https://other.test" }), want: testNames.AudienceInvalid},
		{name: "aud array with ours", jwt: es(func(c map[string]any) { c["aud"] = []string{"https://lucid.test", "https://other.test"} }),
			want: testNames.AudienceMultiple, value: [2]string{"count", "2"}},
		{name: "aud array of one", jwt: es(func(c map[string]any) { c["aud"] = []string{"https://lucid.test"} })},
		{name: "no aud rule", jwt: es(func(c map[string]any) { delete(c, "aud") }), edit: func(u *Use) { u.Audiences = nil }},
		{name: "exp missing", jwt: es(func(c map[string]any) { delete(c, "exp") }), want: testNames.ExpiryMissing},
		{name: "exp missing, not required", jwt: es(func(c map[string]any) { delete(c, "exp") }), edit: func(u *Use) { u.RequireExp = false }},
		{name: "expired beyond the skew", jwt: es(func(c map[string]any) {
			c["iat"], c["exp"] = t0.Add(-5*time.Minute).Unix(), t0.Add(-61*time.Second).Unix()
		}),
			want: testNames.Expired, value: [2]string{"ago", "1m1s"}},
		{name: "expired within the skew", jwt: es(func(c map[string]any) {
			c["iat"], c["exp"] = t0.Add(-5*time.Minute).Unix(), t0.Add(-59*time.Second).Unix()
		})},
		{name: "clock ahead", jwt: es(func(c map[string]any) {
			c["iat"], c["exp"] = t0.Add(5*time.Minute).Unix(), t0.Add(15*time.Minute).Unix()
		}),
			want: testNames.NotYetValid, value: [2]string{"ahead", "5m0s"}},
		{name: "nbf ahead", jwt: es(func(c map[string]any) { c["nbf"] = t0.Add(2 * time.Minute).Unix() }), want: testNames.NotYetValid, value: [2]string{"claim", "nbf"}},
		{name: "clock ahead within the skew, full lifetime", jwt: es(func(c map[string]any) {
			c["iat"], c["exp"] = t0.Add(30*time.Second).Unix(), t0.Add(10*time.Minute+30*time.Second).Unix()
		})},
		// Counted from iat, not from now: an old iat is not made young.
		{name: "lifetime from an old iat", jwt: es(func(c map[string]any) {
			c["iat"], c["exp"] = t0.Add(-8*time.Minute).Unix(), t0.Add(5*time.Minute).Unix()
		}),
			want: testNames.LifetimeTooLong, value: [2]string{"lifetime", "13m0s"}},
		{name: "lifetime without iat, from now", jwt: es(func(c map[string]any) { delete(c, "iat"); c["exp"] = t0.Add(11 * time.Minute).Unix() }),
			want: testNames.LifetimeTooLong},
		{name: "sub required", jwt: es(func(c map[string]any) { delete(c, "sub") }), edit: func(u *Use) { u.RequireSub = true }, want: testNames.SubjectMissing},
		{name: "jti missing", jwt: es(func(c map[string]any) { delete(c, "jti") }), want: testNames.JTIMissing},
		{name: "jti missing, no replay rule", jwt: es(func(c map[string]any) { delete(c, "jti") }), edit: func(u *Use) { u.ReplayNamespace = "" }},
		{name: "typ required and absent", jwt: es(nil), edit: func(u *Use) { u.Typ = []string{"oauth-authz-req+jwt"} }, want: testNames.TypInvalid, value: [2]string{"typ", "(missing)"}},
		{name: "typ with application/ prefix", jwt: sign(t, jose.ES256, ec, map[string]any{"kid": "ec1", "typ": "application/oauth-authz-req+jwt"}, goodClaims(nil)),
			edit: func(u *Use) { u.Typ = []string{"oauth-authz-req+jwt"} }},
		{name: "typ wrong", jwt: sign(t, jose.ES256, ec, map[string]any{"kid": "ec1", "typ": "JWT"}, goodClaims(nil)),
			edit: func(u *Use) { u.Typ = []string{"oauth-authz-req+jwt", ""} }, want: testNames.TypInvalid, value: [2]string{"typ", "JWT"}},
		{name: "typ absent allowed", jwt: es(nil), edit: func(u *Use) { u.Typ = []string{"oauth-authz-req+jwt", ""} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := testUse()
			if tt.edit != nil {
				tt.edit(&u)
			}
			src := tt.src
			if src == nil {
				src = keys
			}
			tok, e := Parse(tt.jwt, &u)
			if e == nil {
				e = v.Check(context.Background(), tok, &u, src)
			}
			if tt.want == "" {
				if e != nil {
					t.Fatalf("%s: %s %v", e.Name(), e.Description(), e.InternalValues())
				}
				return
			}
			if e == nil || e.Name() != tt.want {
				t.Fatalf("got %v, want %s", e, tt.want)
			}
			if k := tt.value[0]; k != "" && e.Value(k) != tt.value[1] {
				t.Errorf("%s = %q, want %q", k, e.Value(k), tt.value[1])
			}
			if e.Value("client_id") != "client-1" {
				t.Errorf("the use's context is missing: %q", e.Value("client_id"))
			}
		})
	}
}

// TestReplay: a jti is accepted once per namespace.
func TestReplay(t *testing.T) {
	v := newVerifier(t)
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	src := KeySourceFunc(func(context.Context, *Token) (Keys, *catalog.Error) {
		return Keys{Set: StaticKeys{{Key: &ec.PublicKey, KeyID: "ec1"}}}, nil
	})
	jwt := sign(t, jose.ES256, ec, map[string]any{"kid": "ec1"}, goodClaims(func(c map[string]any) { c["jti"] = "once" }))
	check := func(ns string) *catalog.Error {
		u := testUse()
		u.ReplayNamespace = ns
		tok, e := Parse(jwt, &u)
		if e != nil {
			t.Fatal(e)
		}
		return v.Check(context.Background(), tok, &u, src)
	}
	if e := check("a"); e != nil {
		t.Fatalf("first use: %v", e)
	}
	if e := check("a"); e == nil || e.Name() != testNames.Replayed || e.Value("jti") != "once" {
		t.Fatalf("second use: %v", e)
	}
	if e := check("b"); e != nil {
		t.Fatalf("another namespace: %v", e)
	}
}

// TestEmbeddedJWK: a DPoP-style proof verifies with the key in its own
// header; a proof without one, or with a private key there, is refused.
func TestEmbeddedJWK(t *testing.T) {
	v := newVerifier(t)
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	u := testUse()
	u.Audiences, u.ReplayNamespace = nil, ""
	src := EmbeddedJWK(testNames.Malformed)

	pub := jose.JSONWebKey{Key: &ec.PublicKey}
	good := sign(t, jose.ES256, ec, map[string]any{"jwk": pub, "typ": "dpop+jwt"}, goodClaims(nil))
	tok, e := Parse(good, &u)
	if e != nil {
		t.Fatal(e)
	}
	if e := v.Check(context.Background(), tok, &u, src); e != nil {
		t.Fatalf("%s: %s", e.Name(), e.Description())
	}

	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	forged := sign(t, jose.ES256, ec, map[string]any{"jwk": jose.JSONWebKey{Key: &other.PublicKey}}, goodClaims(nil))
	tok, _ = Parse(forged, &u)
	if e := v.Check(context.Background(), tok, &u, src); e == nil || e.Name() != testNames.SignatureInvalid {
		t.Fatalf("another key in the header: %v", e)
	}

	tok, _ = Parse(sign(t, jose.ES256, ec, nil, goodClaims(nil)), &u)
	if e := v.Check(context.Background(), tok, &u, src); e == nil || e.Name() != testNames.Malformed || !strings.Contains(e.Text(), "jwk") {
		t.Fatalf("no jwk: %v", e)
	}

	priv := sign(t, jose.ES256, ec, map[string]any{"jwk": jose.JSONWebKey{Key: ec}}, goodClaims(nil))
	if _, e := Parse(priv, &u); e == nil || e.Name() != testNames.Malformed {
		t.Fatalf("private jwk: %v", e)
	}
}

// TestParseShape: the shape rules, with the reasons clients read.
func TestParseShape(t *testing.T) {
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	hdr := enc(`{"alg":"ES256","kid":"k"}`)
	sig := enc("sig")
	u := testUse()
	tests := []struct {
		name, in, reason string
		want             catalog.Name
	}{
		{"too long", strings.Repeat("a", MaxLen+1), "longer than", testNames.Malformed},
		{"JWE", "a.b.c.d.e", "JWE", testNames.Malformed},
		{"two parts", "a.b", "this has 2", testNames.Malformed},
		{"alg none", enc(`{"alg":"none"}`) + "." + enc(`{}`) + ".", "", testNames.AlgNotAllowed},
		{"alg not in this use", enc(`{"alg":"EdDSA"}`) + "." + enc(`{}`) + "." + sig, "", testNames.AlgNotAllowed},
		{"crit", enc(`{"alg":"ES256","crit":["x"]}`) + "." + enc(`{}`) + "." + sig, "crit", testNames.Malformed},
		{"duplicate alg", enc(`{"alg":"RS256","alg":"ES256"}`) + "." + enc(`{}`) + "." + sig, "repeats a member", testNames.Malformed},
		{"payload an array", hdr + "." + enc(`[]`) + "." + sig, "payload", testNames.Malformed},
		{"exp out of range", hdr + "." + enc(`{"exp":1e300}`) + "." + sig, "exp claim", testNames.Malformed},
		{"aud numbers", hdr + "." + enc(`{"aud":[1]}`) + "." + sig, "aud claim", testNames.Malformed},
		{"well-formed", hdr + "." + enc(`{"iss":"a","aud":["x"],"exp":1.5e9,"nbf":null,"x":{"y":1}}`) + "." + sig, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, e := Parse(tt.in, &u)
			if tt.want == "" {
				if e != nil {
					t.Fatal(e)
				}
				if tok.Iss != "a" || tok.Exp.Unix() != 1500000000 || tok.Nbf != nil || string(tok.Claims["x"]) != `{"y":1}` {
					t.Fatalf("parsed %+v", tok)
				}
				return
			}
			if e == nil || e.Name() != tt.want || !strings.Contains(e.Text(), tt.reason) {
				t.Fatalf("got %v, want %s with %q", e, tt.want, tt.reason)
			}
		})
	}
}

// FuzzParse: any input is refused with the use's malformed or alg entry,
// or parsed into a token with an allowed alg and in-range times; a
// refusal never repeats the input. Its seeds run with go test.
func FuzzParse(f *testing.F) {
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	f.Add(enc(`{"alg":"ES256","kid":"k"}`) + "." + enc(`{"iss":"c","sub":"c","aud":"https://x","exp":1700000000,"jti":"j"}`) + "." + enc("sig"))
	f.Add(enc(`{"alg":"none"}`) + "." + enc(`{}`) + ".")
	f.Add(enc(`{"alg":"RS256","typ":7}`) + "." + enc(`{"aud":["a","b"],"exp":1e20}`) + "." + enc("s"))
	f.Add(enc(`{"alg":"ES256","jwk":{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}}`) + "." + enc(`{}`) + "." + enc("s"))
	f.Add("a.b.c.d.e")
	f.Add("..")
	u := testUse()
	u.Typ = []string{"dpop+jwt"}
	limit := time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		tok, e := Parse(s, &u)
		if e != nil {
			if tok != nil {
				t.Fatal("error and token both returned")
			}
			if n := e.Name(); n != u.Names.Malformed && n != u.Names.AlgNotAllowed {
				t.Fatalf("parsing failed with %s", n)
			}
			if len(s) > 40 && strings.Contains(e.Description(), s) {
				t.Fatalf("the refusal repeats the input: %s", e.Description())
			}
			if len(e.Description()) > 300 {
				t.Fatalf("description of %d bytes echoes too much", len(e.Description()))
			}
			return
		}
		ok := false
		for _, a := range u.Algs {
			ok = ok || string(a) == tok.Alg
		}
		if !ok || tok.sig == nil || tok.Claims == nil {
			t.Fatalf("accepted alg %q", tok.Alg)
		}
		for _, tm := range []*time.Time{tok.Exp, tok.Iat, tok.Nbf} {
			if tm != nil && (tm.After(limit) || tm.Before(time.Unix(0, 0))) {
				t.Fatalf("time out of range: %v", tm)
			}
		}
		if tok.JWK != nil && !tok.JWK.IsPublic() {
			t.Fatal("accepted a private embedded key")
		}
	})
}

// TestUnsigned: alg none is refused with the use's Unsigned entry unless
// AllowNone, and even then only with an empty signature part; accepted,
// its claims are still checked.
func TestUnsigned(t *testing.T) {
	v := newVerifier(t)
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	claims, _ := json.Marshal(goodClaims(nil))
	none := enc(`{"alg":"none"}`) + "." + enc(string(claims)) + "."
	never := KeySourceFunc(func(context.Context, *Token) (Keys, *catalog.Error) {
		t.Fatal("an unsigned token asked for keys")
		return Keys{}, nil
	})

	u := testUse()
	if _, e := Parse(none, &u); e == nil || e.Name() != testNames.AlgNotAllowed {
		t.Fatalf("without an Unsigned entry: %v", e)
	}
	u.Names.Unsigned, u.NoneRefusal = catalog.RequestObjectUnsigned, "not registered"
	if _, e := Parse(none, &u); e == nil || e.Name() != catalog.RequestObjectUnsigned || e.Value("reason") != "not registered" {
		t.Fatalf("with an Unsigned entry: %v", e)
	}

	u.AllowNone = true
	tok, e := Parse(none, &u)
	if e != nil {
		t.Fatal(e)
	}
	if e := v.Check(context.Background(), tok, &u, never); e != nil {
		t.Fatalf("allowed: %s", e.Description())
	}
	if _, e := Parse(none+enc("sig"), &u); e == nil || e.Name() != testNames.Malformed {
		t.Fatalf("none with a signature: %v", e)
	}
	expired, _ := json.Marshal(goodClaims(func(c map[string]any) { c["exp"] = t0.Add(-time.Hour).Unix() }))
	tok, _ = Parse(enc(`{"alg":"none"}`)+"."+enc(string(expired))+".", &u)
	if e := v.Check(context.Background(), tok, &u, never); e == nil || e.Name() != testNames.Expired {
		t.Fatalf("expired unsigned: %v", e)
	}
	// A use without AllowNone never lets an unsigned token through Verify,
	// even one parsed under another use.
	strict := testUse()
	if e := v.Verify(context.Background(), tok, &strict, never); e == nil || e.Name() != testNames.SignatureInvalid {
		t.Fatalf("unsigned under a use without AllowNone: %v", e)
	}
}

// TestJWKCache: a key read once is handed out again for the same text,
// shared; a text that is not a public key is never kept.
func TestJWKCache(t *testing.T) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := json.Marshal(jose.JSONWebKey{Key: &priv.PublicKey})
	private, _ := json.Marshal(jose.JSONWebKey{Key: priv})
	header := func(jwk []byte) string {
		return base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"ES256","typ":"dpop+jwt","jwk":`+string(jwk)+`}`)) + ".e30.c2ln"
	}
	u := Use{Algs: []jose.SignatureAlgorithm{jose.ES256}, JWKs: NewJWKCache(1),
		Names: Names{Malformed: catalog.DPoPProofMalformed, AlgNotAllowed: catalog.DPoPProofAlgorithm}}
	a, e := Parse(header(pub), &u)
	if e != nil {
		t.Fatal(e)
	}
	b, e := Parse(header(pub), &u)
	if e != nil || a.JWK != b.JWK {
		t.Fatalf("the same key text read twice: %v, shared %v", e, a.JWK == b.JWK)
	}
	want, _ := Thumbprint(&jose.JSONWebKey{Key: &priv.PublicKey})
	for _, tok := range []*Token{a, b} {
		if got, err := tok.JWKThumbprint(); err != nil || got != want {
			t.Fatalf("thumbprint %q, %v; want %q", got, err, want)
		}
	}
	for range 2 {
		if _, e := Parse(header(private), &u); e == nil || e.Name() != catalog.DPoPProofMalformed {
			t.Fatalf("a private jwk: %v", e)
		}
	}
	if _, ok := u.JWKs.get(private); ok {
		t.Fatal("a private jwk was kept")
	}
}
