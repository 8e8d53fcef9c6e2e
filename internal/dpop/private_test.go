package dpop

import (
	"encoding/base64"
	"testing"
)

// TestPrivateMember: the quick scan never hides a private member, spelled
// plainly or through a JSON escape.
func TestPrivateMember(t *testing.T) {
	proof := func(header string) string {
		return base64.RawURLEncoding.EncodeToString([]byte(header)) + ".e30.c2ln"
	}
	for _, tc := range []struct {
		header, want string
	}{
		{`{"alg":"ES256","jwk":{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}}`, ""},
		{`{"alg":"ES256","jwk":{"kty":"EC","crv":"P-256","x":"AA","y":"AA","d":"AA"}}`, "d"},
		{`{"alg":"ES256","jwk":{"kty":"EC","crv":"P-256","x":"AA","y":"AA","\u0064":"AA"}}`, "d"},
		{`{"alg":"HS256","jwk":{"kty":"oct","k":"AA"}}`, "k"},
		{`{"alg":"ES256","kid":"k","jwk":{"kty":"EC"}}`, ""},
	} {
		if got := privateMember(proof(tc.header)); got != tc.want {
			t.Errorf("privateMember(%s) = %q, want %q", tc.header, got, tc.want)
		}
	}
}
