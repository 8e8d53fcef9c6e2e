package provider

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/config"
)

func signTest(t *testing.T, hdr map[string]any, claims string) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	opts := &jose.SignerOptions{}
	for k, v := range hdr {
		opts = opts.WithHeader(jose.HeaderKey(k), v)
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key}, opts)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := s.Sign([]byte(claims))
	if err != nil {
		t.Fatal(err)
	}
	out, err := obj.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// rawJWT assembles a compact JWS from a header and claims as written,
// with a dummy signature: the parser must judge the shape before any key.
func rawJWT(header, claims string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(header)) + "." + enc([]byte(claims)) + "." + enc([]byte("sig"))
}

func TestParseBearerAssertion(t *testing.T) {
	good := `{"iss":"https://k8s.example.com","sub":"sa","aud":["a","b"],"exp":1700000600,"iat":1700000000.9,"nbf":null,"jti":"j"}`
	tests := []struct {
		name   string
		in     string
		want   catalog.Name
		reason string
	}{
		{name: "good", in: signTest(t, map[string]any{"kid": "k1"}, good)},
		{name: "aud as a string", in: signTest(t, nil, `{"iss":"i","aud":"a"}`)},
		{name: "too long", in: strings.Repeat("a", maxBearerLen+1), want: catalog.JWTBearerMalformed, reason: "longer than"},
		{name: "two parts", in: "a.b", want: catalog.JWTBearerMalformed, reason: "this has 2"},
		{name: "JWE", in: "a.b.c.d.e", want: catalog.JWTBearerMalformed, reason: "JWE"},
		{name: "header not JSON", in: "e30x.e30.c2ln", want: catalog.JWTBearerMalformed, reason: "header"},
		{name: "header with trailing data", in: rawJWT(`{"alg":"ES256"} {}`, `{}`), want: catalog.JWTBearerMalformed, reason: "header"},
		{name: "no alg", in: rawJWT(`{"kid":"k"}`, `{}`), want: catalog.JWTBearerMalformed, reason: "no alg"},
		{name: "kid not a string", in: rawJWT(`{"alg":"ES256","kid":7}`, `{}`), want: catalog.JWTBearerMalformed, reason: "kid"},
		{name: "crit", in: rawJWT(`{"alg":"ES256","crit":["x"],"x":1}`, `{}`), want: catalog.JWTBearerMalformed, reason: "crit"},
		{name: "alg none", in: rawJWT(`{"alg":"none"}`, `{}`), want: catalog.JWTBearerAlgNotAllowed},
		{name: "alg HS256", in: rawJWT(`{"alg":"HS256"}`, `{}`), want: catalog.JWTBearerAlgNotAllowed},
		{name: "alg empty", in: rawJWT(`{"alg":""}`, `{}`), want: catalog.JWTBearerAlgNotAllowed},
		{name: "payload not an object", in: rawJWT(`{"alg":"ES256"}`, `[1]`), want: catalog.JWTBearerMalformed, reason: "payload"},
		{name: "sub not a string", in: rawJWT(`{"alg":"ES256"}`, `{"sub":1}`), want: catalog.JWTBearerMalformed, reason: "sub claim"},
		{name: "aud a number", in: rawJWT(`{"alg":"ES256"}`, `{"aud":1}`), want: catalog.JWTBearerMalformed, reason: "aud claim"},
		{name: "exp a string", in: rawJWT(`{"alg":"ES256"}`, `{"exp":"soon"}`), want: catalog.JWTBearerMalformed, reason: "exp claim"},
		{name: "exp negative", in: rawJWT(`{"alg":"ES256"}`, `{"exp":-1}`), want: catalog.JWTBearerMalformed, reason: "exp claim"},
		{name: "iat past 9999", in: rawJWT(`{"alg":"ES256"}`, `{"iat":1e12}`), want: catalog.JWTBearerMalformed, reason: "iat claim"},
		{name: "repeated alg", in: rawJWT(`{"alg":"ES256","alg":"RS256"}`, `{}`), want: catalog.JWTBearerMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, e := parseBearerAssertion(tt.in)
			if tt.want == "" {
				if e != nil {
					t.Fatalf("unexpected %s: %s", e.Name(), e.Description())
				}
				return
			}
			if e == nil || e.Name() != tt.want {
				t.Fatalf("got %v %v, want %s", a, e, tt.want)
			}
			if !strings.Contains(e.Text(), tt.reason) {
				t.Errorf("text %q lacks %q", e.Text(), tt.reason)
			}
		})
	}

	a, e := parseBearerAssertion(signTest(t, map[string]any{"kid": "k1"}, good))
	if e != nil {
		t.Fatal(e)
	}
	if a.Iss != "https://k8s.example.com" || a.Sub != "sa" || a.JTI != "j" || !a.HasKid || a.Kid != "k1" || a.Alg != "ES256" ||
		strings.Join(a.Aud, ",") != "a,b" || a.Exp.Unix() != 1700000600 || a.Iat.Unix() != 1700000000 || a.Nbf != nil {
		t.Errorf("parsed %+v", a)
	}
}

func TestSubjectAllowed(t *testing.T) {
	allowed := []string{"system:serviceaccount:shop:*", "repo:shop/orders"}
	for sub, want := range map[string]bool{
		"system:serviceaccount:shop:orders": true,
		"system:serviceaccount:shop:":       true,
		"system:serviceaccount:shopping:x":  false,
		"repo:shop/orders":                  true,
		"repo:shop/orders-evil":             false,
		"":                                  false,
	} {
		if got := subjectAllowed(allowed, sub); got != want {
			t.Errorf("subjectAllowed(%q) = %v, want %v", sub, got, want)
		}
	}
}

func TestLoadTrustedIssuers(t *testing.T) {
	dir := t.TempDir()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	set, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "f1"}}})
	good := filepath.Join(dir, "good.jwks")
	bad := filepath.Join(dir, "bad.jwks")
	_ = os.WriteFile(good, set, 0o600)
	_ = os.WriteFile(bad, []byte(`{"keys":"no"}`), 0o600)

	m, err := loadTrustedIssuers([]config.TrustedIssuer{
		{Issuer: "https://a.example", JWKSFile: good},
		{Issuer: "https://b.example", JWKSURI: "https://b.example/jwks", MaxLifetime: time.Minute},
	})
	if err != nil {
		t.Fatal(err)
	}
	if a := m["https://a.example"]; a == nil || a.static == nil || strings.Join(a.static.Kids(), " ") != "f1" || a.MaxLifetime != config.DefaultAssertionLifetime {
		t.Errorf("file issuer %+v", a)
	}
	if b := m["https://b.example"]; b == nil || b.static != nil || b.MaxLifetime != time.Minute {
		t.Errorf("fetched issuer %+v", b)
	}
	for _, f := range []string{bad, filepath.Join(dir, "missing.jwks")} {
		if _, err := loadTrustedIssuers([]config.TrustedIssuer{{Issuer: "https://c.example", JWKSFile: f}}); err == nil || !strings.Contains(err.Error(), "https://c.example") {
			t.Errorf("%s: err = %v, want one naming the issuer", f, err)
		}
	}
}

// FuzzParseBearerAssertion: any input is refused or parsed without a
// panic, and a refusal never repeats the assertion.
func FuzzParseBearerAssertion(f *testing.F) {
	f.Add(rawJWT(`{"alg":"ES256","kid":"k"}`, `{"iss":"i","sub":"s","aud":["a"],"exp":1}`))
	f.Add(rawJWT(`{"alg":"RS256"}`, `{"exp":1e300}`))
	f.Add("a.b.c.d.e")
	f.Add("..")
	f.Fuzz(func(t *testing.T, s string) {
		_, e := parseBearerAssertion(s)
		if e != nil && len(s) > 40 && strings.Contains(e.Description(), s) {
			t.Fatalf("the refusal repeats the assertion: %s", e.Description())
		}
	})
}
