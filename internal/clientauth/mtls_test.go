package clientauth

import "testing"

func TestNormalizeDN(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{"CN=svc,O=Example", "cn=svc, o=Example", true},
		{"CN=svc;O=Example", "CN=svc,O=Example", true},
		{"CN=svc,O=Example", "O=Example,CN=svc", false},
		{"CN=svc,O=Example", "CN=SVC,O=Example", false},
		{`CN=a\,b,O=x`, `CN=a\,b, O=x`, true},
		{`CN=a\,b,O=x`, `CN=a,B=b,O=x`, false},
	} {
		if got := NormalizeDN(tc.a) == NormalizeDN(tc.b); got != tc.same {
			t.Errorf("%q vs %q: same %v, want %v (%q, %q)", tc.a, tc.b, got, tc.same, NormalizeDN(tc.a), NormalizeDN(tc.b))
		}
	}
}
