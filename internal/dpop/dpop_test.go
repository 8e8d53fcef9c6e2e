package dpop

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/clientjwt"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
)

func TestNormalizeURL(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"https://id.example.com/token", "https://id.example.com/token"},
		{"HTTPS://ID.Example.COM:443/token?x=1#frag", "https://id.example.com/token"},
		{"http://127.0.0.1:80/token", "http://127.0.0.1/token"},
		{"http://127.0.0.1:8080/token", "http://127.0.0.1:8080/token"},
		{"https://id.example.com", "https://id.example.com/"},
		{"https://[::1]:8443/token", "https://[::1]:8443/token"},
		{"https://id.example.com/Token", "https://id.example.com/Token"}, // paths are case-sensitive
		{"/token", ""},
		{"ftp://id.example.com/token", ""},
		{"https://", ""},
		{"%zz", ""},
	} {
		if got := NormalizeURL(tc.in); got != tc.want {
			t.Errorf("NormalizeURL(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestThumbprintRFC7638(t *testing.T) {
	// RFC 7638 §3.1.
	const jwk = `{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}`
	var k jose.JSONWebKey
	if err := json.Unmarshal([]byte(jwk), &k); err != nil {
		t.Fatal(err)
	}
	got, err := Thumbprint(&k)
	if err != nil || got != "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs" {
		t.Fatalf("thumbprint %q, %v", got, err)
	}
	if !ValidJKT(got) || ValidJKT(got+"=") || ValidJKT("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9X+") {
		t.Fatal("ValidJKT")
	}
}

func keys(t *testing.T, b byte) *secret.Keys {
	t.Helper()
	master := make([]byte, 32)
	master[0] = b
	k, err := secret.Derive(master)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestNonces: stateless, so two replicas with one master key agree; a
// nonce lives for its window and the next; another key's are refused.
func TestNonces(t *testing.T) {
	a, b := NewNonces(keys(t, 1), time.Minute), NewNonces(keys(t, 1), time.Minute)
	other := NewNonces(keys(t, 2), time.Minute)
	t0 := time.Unix(1_800_000_000, 0)
	n := a.Current(t0)
	if n == "" || n != b.Current(t0) || n == other.Current(t0) {
		t.Fatal("replicas with one master key must agree, others must not")
	}
	for _, tc := range []struct {
		at   time.Duration
		want bool
	}{{0, true}, {59 * time.Second, true}, {time.Minute, true}, {119 * time.Second, true}, {2 * time.Minute, false}, {-time.Minute, false}} {
		if got := b.Valid(n, t0.Add(tc.at)); got != tc.want {
			t.Errorf("nonce of t0 at t0+%s: valid %v, want %v", tc.at, got, tc.want)
		}
	}
	if other.Valid(n, t0) || a.Valid("", t0) || a.Current(t0.Add(time.Minute)) == n {
		t.Fatal("a foreign or empty nonce passed, or the nonce did not rotate")
	}
}

type memReplay struct {
	mu   sync.Mutex
	seen map[string]bool
}

func (m *memReplay) UseJTI(_ context.Context, issuer, jti string, _ time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.seen[issuer+"\x00"+jti] {
		return store.ErrAlreadyUsed
	}
	m.seen[issuer+"\x00"+jti] = true
	return nil
}

func sign(t testing.TB, priv *ecdsa.PrivateKey, claims map[string]any) string {
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: priv},
		(&jose.SignerOptions{EmbedJWK: true}).WithType("dpop+jwt"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(claims)
	jws, err := s.Sign(b)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCheckOrder: a proof refused for its nonce does not spend its jti,
// so the client can retry the same request with the nonce; a proof that
// passed is spent.
func TestCheckOrder(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	nonces := NewNonces(keys(t, 1), time.Minute)
	c := &Checker{Verifier: NewShared(clientjwt.New(nil, func() time.Time { return now }), nil), Replay: &memReplay{seen: map[string]bool{}}, Nonces: nonces, RequireNonce: true, Now: func() time.Time { return now }}
	priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	u := "https://id.example.com/token"
	claims := map[string]any{"jti": "j1", "htm": "POST", "htu": u, "iat": now.Unix()}
	_, e := c.Check(context.Background(), Request{Proofs: []string{sign(t, priv, claims)}, Method: "POST", URL: u})
	if e == nil || e.Name() != catalog.DPoPNonceRequired {
		t.Fatalf("without a nonce: %v", e)
	}
	claims["nonce"] = nonces.Current(now)
	p := sign(t, priv, claims)
	proof, e := c.Check(context.Background(), Request{Proofs: []string{p}, Method: "POST", URL: u})
	if e != nil || proof.JKT == "" || proof.Claims.JTI != "j1" {
		t.Fatalf("same jti with the nonce: %v", e)
	}
	if _, e := c.Check(context.Background(), Request{Proofs: []string{p}, Method: "POST", URL: u}); e == nil || e.Name() != catalog.DPoPProofReused {
		t.Fatalf("replay: %v", e)
	}
}

// FuzzVerify: no input makes the verifier panic or accept an unsigned proof.
func FuzzVerify(f *testing.F) {
	f.Add("eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2In0.e30.c2ln")
	f.Add("a.b.c")
	f.Add("..")
	f.Fuzz(func(t *testing.T, s string) {
		if _, _, e := NewShared(clientjwt.New(nil, nil), nil).Verify(context.Background(), s); e == nil {
			t.Fatalf("accepted %q", s)
		}
	})
}

func TestMemory(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	m := NewMemory(2, func() time.Time { return now })
	ctx := context.Background()
	if m.UseJTI(ctx, "k", "a", now.Add(time.Minute)) != nil || m.UseJTI(ctx, "k", "a", now.Add(time.Minute)) != store.ErrAlreadyUsed {
		t.Fatal("a second use must be refused")
	}
	if m.UseJTI(ctx, "other", "a", now.Add(time.Minute)) != nil {
		t.Fatal("the same id under another key is another proof")
	}
	// Full: room is made, the bound holds.
	if m.UseJTI(ctx, "k", "b", now.Add(2*time.Minute)) != nil || len(m.seen) > 2 {
		t.Fatalf("bound not kept: %d ids", len(m.seen))
	}
	now = now.Add(3 * time.Minute)
	if m.UseJTI(ctx, "k", "b", now.Add(time.Minute)) != nil {
		t.Fatal("an expired id is forgotten")
	}
}
