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

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/clientjwt"
)

// TestVerifiersAgree: the shared verifier (internal/clientjwt) and the
// go-jose one name every broken proof the same way and find the same
// thumbprint for a good one.
func TestVerifiersAgree(t *testing.T) {
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
			_, _, a := JOSE{}.Verify(context.Background(), tc.proof)
			_, _, b := shared.Verify(context.Background(), tc.proof)
			if a == nil || b == nil {
				t.Fatalf("accepted: jose %v, shared %v", a, b)
			}
			if tc.want != "" && (a.Name() != tc.want || b.Name() != tc.want) {
				t.Fatalf("jose %s, shared %s, want %s", a.Name(), b.Name(), tc.want)
			}
		})
	}
	_, jktA, a := JOSE{}.Verify(context.Background(), good)
	payload, jktB, b := shared.Verify(context.Background(), good)
	if a != nil || b != nil || jktA != jktB || jktA == "" {
		t.Fatalf("good proof: %v %v, thumbprints %q %q", a, b, jktA, jktB)
	}
	if cl, e := readClaims(payload); e != nil || cl.JTI != "j" || cl.IAT == nil || *cl.IAT != now.Unix() {
		t.Fatalf("claims through the shared verifier: %+v %v", cl, e)
	}
}
