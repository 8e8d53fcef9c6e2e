package dpop

import (
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strings"
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

// reflectClaims is how readClaims read claims before it read them
// directly: each through json.Unmarshal.
func reflectClaims(raw map[string]json.RawMessage) (Claims, string) {
	var cl Claims
	for _, f := range []struct {
		name string
		dst  any
	}{{"jti", &cl.JTI}, {"htm", &cl.HTM}, {"htu", &cl.HTU}, {"nonce", &cl.Nonce}, {"ath", &cl.ATH}, {"iat", &cl.IAT}} {
		if v, ok := raw[f.name]; ok && json.Unmarshal(v, f.dst) != nil {
			return Claims{}, f.name
		}
	}
	return cl, ""
}

// TestReadClaims: readClaims reads and refuses what json.Unmarshal did.
func TestReadClaims(t *testing.T) {
	for _, payload := range []string{
		`{"jti":"j","htm":"POST","htu":"https://x/token","iat":1700000000}`,
		`{"jti":"j\u0031","htm":"POST","htu":"https://x/t\/oken","iat":1700000000,"nonce":"n","ath":"a"}`,
		`{"jti":null,"iat":null}`,
		`{"jti":1}`, `{"htm":true}`, `{"htu":["a"]}`, `{"nonce":{}}`, `{"ath":2}`,
		`{"iat":1.5}`, `{"iat":"1700000000"}`, `{"iat":1e9}`, `{"iat":-1}`, `{"iat":0}`, `{"iat":99999999999999999999}`,
		"{\"jti\":\"\xff\"}",
	} {
		var raw map[string]json.RawMessage
		if err := json.Unmarshal([]byte(payload), &raw); err != nil {
			t.Fatal(err)
		}
		want, wantBad := reflectClaims(raw)
		got, e := readClaims(raw)
		switch {
		case wantBad != "" && (e == nil || !strings.Contains(e.Description(), wantBad)):
			t.Errorf("%s: %v, want the refusal of %s", payload, e, wantBad)
		case wantBad == "" && e != nil:
			t.Errorf("%s: %v", payload, e)
		case wantBad == "" && !reflect.DeepEqual(got, want):
			t.Errorf("%s: %+v, want %+v", payload, got, want)
		}
	}
}

// TestMatchURL: the shortcut for an htu equal to the URL decides as the
// comparison of both normalized forms.
func TestMatchURL(t *testing.T) {
	for _, tc := range []struct {
		htu, url string
		ok       bool
	}{
		{"https://x/token", "https://x/token", true},
		{"HTTPS://X:443/token?q#f", "https://x/token", true},
		{"https://x/token", "https://y/token", false},
		{"ftp://x/token", "ftp://x/token", false},
		{"", "", false},
		{"/token", "/token", false},
	} {
		if e := matchURL(tc.htu, tc.url); (e == nil) != tc.ok {
			t.Errorf("matchURL(%q, %q) = %v, want ok %v", tc.htu, tc.url, e, tc.ok)
		}
	}
}
