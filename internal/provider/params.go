package provider

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/store"
)

// maxBody bounds every form body Lucid reads.
const maxBody = 64 << 10

// repeatable parameters may legitimately appear more than once (RFC 8707
// resource, RFC 8693 audience); every other OAuth parameter must not
// (RFC 6749 §3.1, §3.2).
var repeatable = map[string]bool{"resource": true, "audience": true}

// single checks that no parameter repeats and flattens the values.
func single(v url.Values) (map[string]string, *catalog.Error) {
	out := make(map[string]string, len(v))
	for k, vals := range v {
		if len(vals) > 1 && !repeatable[k] {
			return nil, catalog.New(catalog.ParameterDuplicated, "parameter", k)
		}
		if len(vals) > 0 {
			out[k] = vals[0]
		}
	}
	return out, nil
}

// queryOrForm reads the parameters of an endpoint that takes GET with a
// query or POST with a form (authorization, end session); on a failure it
// has answered with a page and returns false.
func (p *Provider) queryOrForm(w http.ResponseWriter, r *http.Request, ep catalog.Endpoint) (url.Values, bool) {
	switch r.Method {
	case http.MethodGet:
		return r.URL.Query(), true
	case http.MethodPost:
		if e := readForm(w, r); e != nil {
			p.failPage(w, r, ep, "", e)
			return nil, false
		}
		return r.PostForm, true
	default:
		w.Header().Set("Allow", "GET, POST")
		p.failPage(w, r, ep, "", catalog.New(catalog.MethodNotAllowed, "allowed", "GET and POST", "method", r.Method))
		return nil, false
	}
}

// readForm parses an application/x-www-form-urlencoded POST body, refusing
// other content types and bodies over maxBody.
func readForm(w http.ResponseWriter, r *http.Request) *catalog.Error {
	ct := r.Header.Get("Content-Type")
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	ct = strings.TrimSpace(strings.ToLower(ct))
	if ct != "application/x-www-form-urlencoded" {
		if ct == "" {
			ct = "(none)"
		}
		return catalog.New(catalog.ContentTypeInvalid, "content_type", ct)
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return catalog.New(catalog.BodyTooLarge, "limit", maxBody)
		}
		return catalog.New(catalog.ParameterMalformed, "parameter", "request body", "expected", "a valid application/x-www-form-urlencoded body").Wrap(err)
	}
	return nil
}

// scopes splits a scope parameter (RFC 6749 §3.3), dropping repeats.
func scopes(s string) []string {
	fields := strings.Fields(s)
	out := fields[:0]
	seen := make(map[string]bool, len(fields))
	for _, f := range fields {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// missing returns the elements of want that are not in have.
func missing(want, have []string) []string {
	var out []string
	for _, s := range want {
		if !contains(have, s) {
			out = append(out, s)
		}
	}
	return out
}

// union returns a followed by the elements of b not in a.
func union(a, b []string) []string {
	out := append([]string(nil), a...)
	for _, s := range b {
		if !contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
