package catalog

import (
	"encoding/base64"
	"testing"
)

func TestExplainJARMResponse(t *testing.T) {
	b64 := base64.RawURLEncoding.EncodeToString
	jwt := b64([]byte(`{"alg":"ES256","kid":"k1"}`)) + "." +
		b64([]byte(`{"iss":"https://id.example.com","aud":"app","exp":1,"state":"s","error":"access_denied","error_description":"consent_denied: The user declined.","error_code":"consent_denied","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"}`)) +
		".c2ln"
	codeJWT := b64([]byte(`{"alg":"ES256"}`)) + "." + b64([]byte(`{"code":"lc_ac_x","state":"s"}`)) + ".c2ln"
	for _, tc := range []struct {
		name, in string
		entry    Name
	}{
		{"query.jwt redirect", "https://app.example.com/cb?response=" + jwt, ConsentDenied},
		{"fragment.jwt redirect", "https://app.example.com/cb#response=" + jwt, ConsentDenied},
		{"form body", "state=x&response=" + jwt, ConsentDenied},
		{"the JWT alone", jwt, ConsentDenied},
		{"a success has nothing to explain", "https://app.example.com/cb?response=" + codeJWT, ""},
		{"not a JWT", "https://app.example.com/cb?response=abc.%%%.def", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := ExplainText(tc.in)
			var got Name
			if x.Entry != nil {
				got = x.Entry.Name
			}
			if got != tc.entry {
				t.Fatalf("entry %q, want %q", got, tc.entry)
			}
			if tc.entry != "" && x.TraceID != "4bf92f3577b34da6a3ce929d0e0e4736" {
				t.Fatalf("trace id %q", x.TraceID)
			}
		})
	}
}
