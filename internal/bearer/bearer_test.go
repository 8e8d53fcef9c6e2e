package bearer

import (
	"encoding/base64"
	"net/http/httptest"
	"testing"

	"github.com/lucid-auth/lucid/internal/catalog"
)

func TestTokenHeader(t *testing.T) {
	for _, tc := range []struct {
		header, token string
		want          catalog.Name
	}{
		{"Bearer abc", "abc", ""},
		{"bearer   abc  ", "abc", ""},
		{"", "", catalog.BearerMissing},
		{"Basic dXNlcjpwYXNz", "", catalog.BearerMissing},
		{"Bearer", "", catalog.BearerEmpty},
		{"Bearer ", "", catalog.BearerEmpty},
		{"BEARER \t ", "", catalog.BearerEmpty},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		if tc.header != "" {
			r.Header.Set("Authorization", tc.header)
		}
		got, e := Token(httptest.NewRecorder(), r, 1024)
		var name catalog.Name
		if e != nil {
			name = e.Name()
		}
		if got != tc.token || name != tc.want {
			t.Errorf("%q: got %q %q, want %q %q", tc.header, got, name, tc.token, tc.want)
		}
	}
}

func TestUnverifiedIssuer(t *testing.T) {
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for token, want := range map[string]string{
		"h." + enc(`{"iss":"https://a.example"}`) + ".s": "https://a.example",
		"h." + enc(`{"iss":7}`) + ".s":                   "",
		"h." + enc(`{}`) + ".s":                          "",
		"h.!!.s":                                         "",
		"opaque":                                         "",
	} {
		if got := UnverifiedIssuer(token); got != want {
			t.Errorf("%q: got %q, want %q", token, got, want)
		}
	}
}
