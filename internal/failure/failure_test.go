package failure

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// Summary names parameters but never repeats a value: some are secrets.
func TestSummaryKeepsNoValues(t *testing.T) {
	r := httptest.NewRequest("POST", "/token?client_secret=leaked-in-query", strings.NewReader(url.Values{"code": {"the-code"}, "code_verifier": {"the-verifier"}}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if err := r.ParseForm(); err != nil {
		t.Fatal(err)
	}
	got := Summary(r)
	for _, want := range []string{"POST /token", "query: client_secret", "code_verifier", "form:"} {
		if !strings.Contains(got, want) {
			t.Errorf("summary %q lacks %q", got, want)
		}
	}
	for _, secret := range []string{"leaked-in-query", "the-code", "the-verifier"} {
		if strings.Contains(got, secret) {
			t.Errorf("summary %q repeats the value %q", got, secret)
		}
	}
	long := httptest.NewRequest("GET", "/"+strings.Repeat("x", 1000), nil)
	if s := Summary(long); len(s) > maxPath+20 {
		t.Errorf("a long path is kept whole: %d bytes", len(s))
	}
}
