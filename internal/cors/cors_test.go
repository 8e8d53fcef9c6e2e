package cors

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	for _, c := range []struct {
		in, want, err string
	}{
		{in: "https://app.example.com", want: "https://app.example.com"},
		{in: "HTTPS://App.Example.COM/", want: "https://app.example.com"},
		{in: "https://app.example.com:443", want: "https://app.example.com"},
		{in: "http://localhost:80", want: "http://localhost"},
		{in: "http://127.0.0.1:05173", want: "http://127.0.0.1:5173"},
		{in: "https://[::1]:8443", want: "https://[::1]:8443"},
		{in: "+", want: "+"},
		{in: "", err: "empty"},
		{in: "null", err: "sandboxed"},
		{in: "https://*.example.com", err: "wildcard"},
		{in: "https://app.example.com/callback", err: "path, query or fragment"},
		{in: "https://app.example.com?x=1", err: "path, query or fragment"},
		{in: "https://app.example.com#", err: "path, query or fragment"},
		{in: "app.example.com", err: "not an origin"},
		{in: "com.example.app:/cb", err: "not an origin"},
		{in: "ftp://app.example.com", err: "scheme ftp"},
		{in: "https://user@app.example.com", err: "user information"},
		{in: "https://app.example.com:0", err: "between 1 and 65535"},
		{in: "https://app.example.com:70000", err: "between 1 and 65535"},
		{in: "https://bücher.example", err: "non-ASCII"},
		{in: " https://app.example.com", err: "whitespace"},
		{in: "https://" + strings.Repeat("a", 300) + ".example", err: "longer than"},
	} {
		got, err := Normalize(c.in)
		switch {
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("Normalize(%q) = %q, %v; want an error with %q", c.in, got, err, c.err)
		case c.err == "" && (err != nil || got != c.want):
			t.Errorf("Normalize(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func TestAllowed(t *testing.T) {
	redirects := []string{"https://app.example.com/cb", "http://127.0.0.1:5173?x", "HTTPS://Other.Example:443/cb", "com.example.app:/cb"}
	for _, c := range []struct {
		origin  string
		origins []string
		want    bool
	}{
		{"https://app.example.com", []string{"https://app.example.com"}, true},
		{"https://app.example.com", nil, false},
		{"https://app.example.com", []string{"https://app.example.com:8443"}, false},
		{"http://app.example.com", []string{"https://app.example.com"}, false},
		{"https://app.example.com.evil.example", []string{"https://app.example.com"}, false},
		{"https://app.example.com", []string{"+"}, true},
		{"http://127.0.0.1:5173", []string{"+"}, true},
		{"https://other.example", []string{"+"}, true},
		{"https://app.example.co", []string{"+"}, false},
		{"https://app.example.com.evil.example", []string{"+"}, false},
		{"null", []string{"+"}, false},
		{"", []string{"+"}, false},
	} {
		if got := Allowed(c.origin, c.origins, redirects); got != c.want {
			t.Errorf("Allowed(%q, %q) = %v, want %v", c.origin, c.origins, got, c.want)
		}
	}
}

func TestPreflight(t *testing.T) {
	for _, c := range []struct {
		name, method, origin, reqMethod string
		want                            bool
	}{
		{"preflight", http.MethodOptions, "https://app.example.com", "POST", true},
		{"options without request method", http.MethodOptions, "https://app.example.com", "", false},
		{"options without origin", http.MethodOptions, "", "POST", false},
		{"post", http.MethodPost, "https://app.example.com", "POST", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest(c.method, "/token", nil)
			if c.origin != "" {
				r.Header.Set("Origin", c.origin)
			}
			if c.reqMethod != "" {
				r.Header.Set("Access-Control-Request-Method", c.reqMethod)
			}
			w := httptest.NewRecorder()
			if got := Preflight(w, r, "POST"); got != c.want {
				t.Fatalf("Preflight = %v, want %v", got, c.want)
			}
			if !c.want {
				if w.Header().Get("Access-Control-Allow-Origin") != "" {
					t.Fatal("not a preflight, yet CORS headers were written")
				}
				return
			}
			h := w.Header()
			if w.Code != http.StatusNoContent || h.Get("Access-Control-Allow-Origin") != c.origin ||
				h.Get("Access-Control-Allow-Methods") != "POST" || !strings.Contains(h.Get("Access-Control-Allow-Headers"), "Authorization") ||
				h.Get("Access-Control-Max-Age") == "" || h.Get("Access-Control-Allow-Credentials") != "" {
				t.Fatalf("preflight answer %d %v", w.Code, h)
			}
		})
	}
}

func TestOriginIgnoresOwnOrigin(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "/token", nil)
	if Origin(r, "https://id.example") != "" {
		t.Fatal("no Origin header, yet an origin")
	}
	r.Header.Set("Origin", "https://id.example")
	if Origin(r, "https://id.example") != "" {
		t.Fatal("Lucid's own origin needs no CORS")
	}
	r.Header.Set("Origin", "https://app.example")
	if Origin(r, "https://id.example") != "https://app.example" {
		t.Fatal("a foreign origin was dropped")
	}
}

// BenchmarkAllowed is the token endpoint's cost of a page's request.
func BenchmarkAllowed(b *testing.B) {
	origins := []string{"https://a.example", "https://b.example", "+"}
	redirects := []string{"https://a.example/cb", "https://app.example.com/callback"}
	for b.Loop() {
		if !Allowed("https://app.example.com", origins, redirects) {
			b.Fatal("refused")
		}
	}
}
