package provider

import "testing"

func TestResponseMode(t *testing.T) {
	for _, tc := range []struct {
		in, mode string
		ok       bool
		jwt      bool
	}{
		{"", "query", true, false},
		{"query", "query", true, false},
		{"fragment", "fragment", true, false},
		{"form_post", "form_post", true, false},
		{"jwt", "query.jwt", true, true}, // the default for code (JARM §2.3.4)
		{"query.jwt", "query.jwt", true, true},
		{"fragment.jwt", "fragment.jwt", true, true},
		{"form_post.jwt", "form_post.jwt", true, true},
		{"jwt.query", "query", false, false},
		{"JWT", "query", false, false},
		{".jwt", "query", false, false},
		{"web_message", "query", false, false},
	} {
		mode, ok := responseMode(tc.in)
		_, jwt := jwtMode(mode)
		if mode != tc.mode || ok != tc.ok || jwt != tc.jwt {
			t.Errorf("responseMode(%q) = %q, %v (jwt %v); want %q, %v (jwt %v)", tc.in, mode, ok, jwt, tc.mode, tc.ok, tc.jwt)
		}
	}
}
