package provider

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/lucid-auth/lucid/internal/catalog"
)

// FuzzFormBody feeds arbitrary bodies and content types to the form
// reader every JSON endpoint uses. It must never panic, must refuse with a
// catalogued entry, and whatever it accepts must hold no repeated
// parameter other than the repeatable ones.
func FuzzFormBody(f *testing.F) {
	f.Add("application/x-www-form-urlencoded", "grant_type=client_credentials&scope=a+b")
	f.Add("application/x-www-form-urlencoded; charset=utf-8", "code=%ZZ&code_verifier=x")
	f.Add("application/x-www-form-urlencoded", "resource=https%3A%2F%2Fa&resource=https%3A%2F%2Fb")
	f.Add("application/x-www-form-urlencoded", "a=1&a=2")
	f.Add("application/json", `{"grant_type":"client_credentials"}`)
	f.Add("", "")
	f.Add("application/x-www-form-urlencoded", strings.Repeat("x", maxBody+1))
	f.Fuzz(func(t *testing.T, contentType, body string) {
		r := httptest.NewRequest(http.MethodPost, "/token", strings.NewReader(body))
		r.Header.Set("Content-Type", contentType)
		w := httptest.NewRecorder()
		if e := readForm(w, r); e != nil {
			if _, ok := catalog.Lookup(e.Name()); !ok {
				t.Fatalf("uncatalogued refusal %q", e.Name())
			}
			return
		}
		params, e := single(r.PostForm)
		if e != nil {
			if e.Name() != catalog.ParameterDuplicated {
				t.Fatalf("single refused with %s", e.Name())
			}
			return
		}
		for k, vals := range r.PostForm {
			if len(vals) > 1 && !repeatable[k] {
				t.Fatalf("accepted %q repeated", k)
			}
			if len(vals) > 0 && params[k] != vals[0] {
				t.Fatalf("param %q = %q, want %q", k, params[k], vals[0])
			}
		}
		if len(body) > maxBody {
			t.Fatalf("accepted a %d-byte body over the %d-byte limit", len(body), maxBody)
		}
	})
}
