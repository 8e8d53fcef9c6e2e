package dpop

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/clientjwt"
)

// TestSharedVerifier: each broken proof gets its entry from the shared
// verifier (internal/clientjwt), and a good one its key's thumbprint.
func TestSharedVerifier(t *testing.T) {
	now := time.Now()
	priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	good := sign(t, priv, map[string]any{"jti": "j", "htm": "POST", "htu": "https://x/token", "iat": now.Unix()})
	header := func(h map[string]any) string {
		b, _ := json.Marshal(h)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	parts := func(s string) []string {
		var out []string
		start := 0
		for i := range len(s) {
			if s[i] == '.' {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
		return append(out, s[start:])
	}
	g := parts(good)
	var jwk map[string]any
	raw, _ := base64.RawURLEncoding.DecodeString(g[0])
	var h map[string]any
	_ = json.Unmarshal(raw, &h)
	jwk, _ = h["jwk"].(map[string]any)
	priv2 := map[string]any{}
	for k, v := range jwk {
		priv2[k] = v
	}
	priv2["d"] = "AAAA"
	other := parts(sign(t, priv, map[string]any{"jti": "k", "htm": "GET", "htu": "https://x/token", "iat": now.Unix()}))
	cases := []struct {
		name, proof string
		want        catalog.Name
	}{
		{"not a JWT", "abc", catalog.DPoPProofMalformed},
		{"typ", header(map[string]any{"typ": "JWT", "alg": "ES256", "jwk": jwk}) + "." + g[1] + "." + g[2], ""}, // signature fails first or typ: either is a refusal
		{"alg none", header(map[string]any{"typ": "dpop+jwt", "alg": "none", "jwk": jwk}) + "." + g[1] + ".", catalog.DPoPProofAlgorithm},
		{"HS256", header(map[string]any{"typ": "dpop+jwt", "alg": "HS256", "jwk": jwk}) + "." + g[1] + ".c2ln", catalog.DPoPProofAlgorithm},
		{"no jwk", header(map[string]any{"typ": "dpop+jwt", "alg": "ES256"}) + "." + g[1] + "." + g[2], catalog.DPoPProofKey},
		{"private jwk", header(map[string]any{"typ": "dpop+jwt", "alg": "ES256", "jwk": priv2}) + "." + g[1] + "." + g[2], catalog.DPoPProofKey},
		{"signature", g[0] + "." + other[1] + "." + g[2], catalog.DPoPProofSignature},
	}
	shared := NewShared(clientjwt.New(&memReplay{seen: map[string]bool{}}, nil), nil)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, e := shared.Verify(context.Background(), tc.proof)
			if e == nil {
				t.Fatal("accepted")
			}
			if tc.want != "" && e.Name() != tc.want {
				t.Fatalf("got %s, want %s", e.Name(), tc.want)
			}
		})
	}
	want, _ := Thumbprint(&jose.JSONWebKey{Key: &priv.PublicKey})
	claims, jkt, e := shared.Verify(context.Background(), good)
	if e != nil || jkt != want || jkt == "" {
		t.Fatalf("good proof: %v, thumbprint %q, want %q", e, jkt, want)
	}
	if cl, e := readClaims(claims); e != nil || cl.JTI != "j" || cl.IAT == nil || *cl.IAT != now.Unix() {
		t.Fatalf("claims through the shared verifier: %+v %v", cl, e)
	}
}
