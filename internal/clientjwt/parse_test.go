package clientjwt

import (
	"bytes"
	"encoding/json"
	"testing"
)

// tokenRepeats is the rule repeatsMember implements, read token by token.
func tokenRepeats(b []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(b))
	if _, err := dec.Token(); err != nil {
		return false
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		key, _ := tok.(string)
		if seen[key] {
			return true
		}
		seen[key] = true
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return false
		}
	}
	return false
}

func TestRepeatsMember(t *testing.T) {
	for _, h := range []string{
		`{}`,
		`{"alg":"ES256"}`,
		`{"alg":"ES256","alg":"ES256"}`,
		`{"alg":"ES256","\u0061lg":"RS256"}`,
		`{"a\"":1,"a":2}`,
		`{"a\\":1,"a":2}`,
		`{"a\\":1,"a\\":2}`,
		`{"jwk":{"kty":"EC","x":"1","x":"2"},"alg":"ES256"}`,
		`{"jwk":{"kty":"EC"},"kty":"EC"}`,
		`{"a":[{"b":1},{"b":2}],"b":"x:y,{}[]"}`,
		`{"a":"}","a":"]"}`,
		` { "a" : 1 , "b" : 2 } `,
		"{\"\xff\":1,\"\xfe\":2}",
		`{"\ud800":1,"\udc00":2}`,
	} {
		var m map[string]json.RawMessage
		if err := strictObject([]byte(h), &m); err != nil {
			t.Fatalf("%s: %v", h, err)
		}
		if got, want := repeatsMember([]byte(h), m), tokenRepeats([]byte(h)); got != want {
			t.Errorf("%s: repeatsMember %v, want %v", h, got, want)
		}
	}
}

// TestStrictObject: the fast path accepts and refuses what the decoder
// alone did.
func TestStrictObject(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{`{"a":1}`, true},
		{" {\"a\":1}\n", true},
		{`{"a":1}}`, false},
		{`{"a":1}]`, false},
		{"{\"a\":1} \t", true},
		{`{"a":1} x`, false},
		{`{"a":1} {}`, false},
		{`null`, false},
		{`[]`, false},
		{`"x"`, false},
		{`{"a":}`, false},
		{``, false},
	} {
		var m map[string]json.RawMessage
		err := strictObject([]byte(tc.in), &m)
		if (err == nil) != tc.ok {
			t.Errorf("%q: error %v, want ok %v", tc.in, err, tc.ok)
		}
	}
}
