package e2e

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// The wire forms of Lucid's errors, asserted in full. Each helper counts
// its entry as triggered only after every check passed, so a test that
// provokes the right name with a wrong status or a missing header does not
// count towards catalog coverage.

// reply is a raw HTTP answer with its body read.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// send makes one request without following redirects; mod may set headers.
func send(t *testing.T, method, u string, body io.Reader, mod func(*http.Request)) *reply {
	t.Helper()
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if mod != nil {
		mod(req)
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &reply{status: resp.StatusCode, header: resp.Header, body: raw}
}

// postToken sends a form to the token endpoint the way a client library
// does: form-encoded body, credentials wherever mod puts them.
func postToken(t *testing.T, l *lucid, form url.Values, mod func(*http.Request)) *reply {
	t.Helper()
	return send(t, http.MethodPost, l.URL+"/token", strings.NewReader(form.Encode()), func(r *http.Request) {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if mod != nil {
			mod(r)
		}
	})
}

// basicAuth returns a mod that authenticates with client_secret_basic.
func basicAuth(id, secret string) func(*http.Request) {
	return func(r *http.Request) { r.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret)) }
}

// checkCatalogText asserts that the description starts with the catalog
// name and the error_uri points at its page, which is how a developer who
// sees only error_description finds the entry.
func checkCatalogText(t *testing.T, l *lucid, name, description, uri string) {
	t.Helper()
	if !strings.HasPrefix(description, name+": ") {
		t.Fatalf("error_description %q does not start with %q", description, name+": ")
	}
	if uri != l.URL+"/errors/"+name {
		t.Fatalf("error_uri = %q, want %q", uri, l.URL+"/errors/"+name)
	}
	// RFC 6749 §5.2: %x20-21 / %x23-5B / %x5D-7E only.
	for i, c := range []byte(description) {
		if c < 0x20 || c == '"' || c == '\\' || c > 0x7e {
			t.Fatalf("error_description has %q at %d, outside the RFC 6749 §5.2 set: %q", c, i, description)
		}
	}
}

// checkTraceAndCache asserts the headers every error answer carries.
func checkTraceAndCache(t *testing.T, h http.Header, bodyTrace string) {
	t.Helper()
	if h.Get("Cache-Control") != "no-store" {
		t.Fatalf("Cache-Control = %q, want no-store", h.Get("Cache-Control"))
	}
	tid := h.Get("X-Trace-Id")
	if tid == "" || bodyTrace != tid {
		t.Fatalf("trace id header %q, body %q: both must be there and agree", tid, bodyTrace)
	}
}

// wantJSONError asserts an RFC 6749 §5.2 JSON error answer.
func wantJSONError(t *testing.T, l *lucid, r *reply, name, code string, status int) oauthErr {
	t.Helper()
	var body oauthErr
	if err := json.Unmarshal(r.body, &body); err != nil {
		t.Fatalf("%d answer is not JSON (want %s): %.300s", r.status, name, r.body)
	}
	if r.status != status || body.Error != code || body.Code != name {
		t.Fatalf("got %d %s/%s (%s), want %d %s/%s", r.status, body.Code, body.Error, body.Description, status, name, code)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type = %q, want application/json", ct)
	}
	checkCatalogText(t, l, name, body.Description, body.URI)
	checkTraceAndCache(t, r.header, body.TraceID)
	if status == http.StatusUnauthorized && r.header.Get("WWW-Authenticate") == "" {
		t.Fatal("401 without WWW-Authenticate (RFC 9110 §15.5.2)")
	}
	triggered.add(name)
	return body
}

// wantBasicChallenge asserts the RFC 7617 challenge of a token-endpoint 401.
func wantBasicChallenge(t *testing.T, l *lucid, r *reply) {
	t.Helper()
	scheme, params, err := parseChallenge(r.header.Get("WWW-Authenticate"))
	if err != nil {
		t.Fatalf("WWW-Authenticate %q: %v", r.header.Get("WWW-Authenticate"), err)
	}
	if scheme != "Basic" || params["realm"] != l.URL {
		t.Fatalf("challenge %s %v, want Basic with realm %s", scheme, params, l.URL)
	}
}

// wantBearerError asserts an RFC 6750 §3 answer: the challenge carries the
// error, a description that starts with the catalog name and the error_uri,
// all correctly quoted; the JSON body says the same. It returns the body
// and the challenge's parameters.
func wantBearerError(t *testing.T, l *lucid, r *reply, name, code string, status int) (oauthErr, map[string]string) {
	t.Helper()
	h := r.header.Get("WWW-Authenticate")
	scheme, params, err := parseChallenge(h)
	if err != nil {
		t.Fatalf("WWW-Authenticate %q: %v", h, err)
	}
	if scheme != "Bearer" || params["realm"] != l.URL {
		t.Fatalf("challenge %q: want scheme Bearer and realm %s", h, l.URL)
	}
	if params["error"] != code {
		t.Fatalf("challenge error = %q, want %q (%s)", params["error"], code, h)
	}
	checkCatalogText(t, l, name, params["error_description"], params["error_uri"])
	var body oauthErr
	if err := json.Unmarshal(r.body, &body); err != nil {
		t.Fatalf("%d answer is not JSON: %.300s", r.status, r.body)
	}
	if r.status != status || body.Error != code || body.Code != name {
		t.Fatalf("got %d %s/%s, want %d %s/%s", r.status, body.Code, body.Error, status, name, code)
	}
	if body.Description != params["error_description"] {
		t.Fatalf("header and body disagree:\n%s\n%s", params["error_description"], body.Description)
	}
	checkTraceAndCache(t, r.header, body.TraceID)
	triggered.add(name)
	return body, params
}

// wantErrorPage asserts the human error page: never a redirect, the status,
// the catalog name with its documentation link, the trace id, no caching
// and no framing.
func wantErrorPage(t *testing.T, l *lucid, p *page, name string, status int) {
	t.Helper()
	if p.location != nil {
		t.Fatalf("redirected to %s; want the %s page", p.location, name)
	}
	if p.status != status {
		t.Fatalf("status %d, want %d for %s: %.400s", p.status, status, name, p.body)
	}
	if !strings.Contains(p.body, name) || !strings.Contains(p.body, l.URL+"/errors/"+name) {
		t.Fatalf("page does not name %s or link its documentation: %.600s", name, p.body)
	}
	tid := p.header.Get("X-Trace-Id")
	if tid == "" || !strings.Contains(p.body, tid) {
		t.Fatalf("page does not show the trace id %q", tid)
	}
	if p.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("Cache-Control = %q, want no-store", p.header.Get("Cache-Control"))
	}
	if !strings.Contains(p.header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Fatalf("missing CSP frame-ancestors: %q", p.header.Get("Content-Security-Policy"))
	}
	triggered.add(name)
}

// wantSignInError asserts a failed sign-in answered on the sign-in form:
// the status, the form again, the alert marked with the catalog name, a
// reference that is the trace id of the answer, no caching and no framing;
// and that the reference leads the operator to the story of this failure
// (the admin API's /admin/failures/{trace_id} names the same entry). It
// returns the alert's text.
func wantSignInError(t *testing.T, l *lucid, p *page, name string, status int) string {
	t.Helper()
	if p.location != nil || p.status != status || !p.isSignIn() {
		t.Fatalf("got %d (location %v), want the sign-in form with %d for %s: %.400s", p.status, p.location, status, name, p.body)
	}
	alert := signInAlert.FindStringSubmatch(p.body)
	if alert == nil || alert[1] != name {
		t.Fatalf("the alert does not name %s: %v", name, alert)
	}
	tid := p.header.Get("X-Trace-Id")
	ref := signInReference.FindStringSubmatch(p.body)
	if tid == "" || ref == nil || ref[1] != name || ref[2] != tid {
		t.Fatalf("reference %v, want %s with the trace id %q", ref, name, tid)
	}
	if p.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("Cache-Control = %q, want no-store", p.header.Get("Cache-Control"))
	}
	if !strings.Contains(p.header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Fatalf("missing CSP frame-ancestors: %q", p.header.Get("Content-Security-Policy"))
	}
	v := jsonCall(t, l, http.MethodGet, "/admin/failures/"+tid, l.cfg.AdminToken, "")
	var story struct {
		Failure struct{ Name, Endpoint string }
	}
	if v.status != http.StatusOK || json.Unmarshal(v.body, &story) != nil || story.Failure.Name != name || story.Failure.Endpoint != "sign_in" {
		t.Fatalf("the reference %s does not lead to a %s story: %d %.300s", tid, name, v.status, v.body)
	}
	triggered.add(name)
	return strings.TrimSpace(html.UnescapeString(alert[2]))
}

var (
	signInAlert     = regexp.MustCompile(`<div class="alert" role="alert" id="sign-in-error" data-error-name="([a-z_]+)">([^<]*)</div>`)
	signInReference = regexp.MustCompile(`id="sign-in-reference">[^<]*<code id="trace-id" class="trace" data-error-name="([a-z_]+)">([0-9a-f]+)</code>`)
)

// parseChallenge reads one RFC 9110 §11.6.1 challenge: a scheme, then
// comma-separated auth-params whose values are tokens or quoted-strings.
// It is strict where a careful client library is: an unterminated or
// badly escaped quoted-string, a repeated parameter or stray text fails.
func parseChallenge(h string) (string, map[string]string, error) {
	scheme, rest, _ := strings.Cut(h, " ")
	if !isToken(scheme) {
		return "", nil, fmt.Errorf("scheme %q is not a token", scheme)
	}
	params := map[string]string{}
	s := strings.TrimLeft(rest, " ")
	for s != "" {
		eq := strings.IndexByte(s, '=')
		if eq <= 0 {
			return "", nil, fmt.Errorf("expected name=value at %q", s)
		}
		name := strings.ToLower(strings.TrimRight(s[:eq], " "))
		if !isToken(name) {
			return "", nil, fmt.Errorf("parameter name %q is not a token", name)
		}
		s = strings.TrimLeft(s[eq+1:], " ")
		var val string
		if strings.HasPrefix(s, `"`) {
			var b strings.Builder
			i := 1
			for ; i < len(s) && s[i] != '"'; i++ {
				c := s[i]
				if c == '\\' {
					i++
					if i == len(s) {
						return "", nil, fmt.Errorf("%s: quoted-string ends in a backslash", name)
					}
					c = s[i]
				}
				if (c < 0x20 && c != '\t') || c == 0x7f {
					return "", nil, fmt.Errorf("%s: control character in quoted-string", name)
				}
				b.WriteByte(c)
			}
			if i >= len(s) {
				return "", nil, fmt.Errorf("%s: unterminated quoted-string", name)
			}
			val, s = b.String(), s[i+1:]
		} else {
			end := strings.IndexByte(s, ',')
			if end < 0 {
				end = len(s)
			}
			val, s = strings.TrimRight(s[:end], " "), s[end:]
			if !isToken(val) {
				return "", nil, fmt.Errorf("%s: unquoted value %q is not a token", name, val)
			}
		}
		if _, dup := params[name]; dup {
			return "", nil, fmt.Errorf("parameter %s repeated", name)
		}
		params[name] = val
		s = strings.TrimLeft(s, " ")
		if s == "" {
			break
		}
		if s[0] != ',' {
			return "", nil, fmt.Errorf("expected a comma at %q", s)
		}
		s = strings.TrimLeft(s[1:], " ")
	}
	return scheme, params, nil
}

// isToken reports whether s is an RFC 9110 token.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

func TestParseChallenge(t *testing.T) {
	cases := []struct {
		in     string
		scheme string
		want   map[string]string
		bad    bool
	}{
		{in: `Bearer realm="x"`, scheme: "Bearer", want: map[string]string{"realm": "x"}},
		{in: `Bearer realm="a \"b\" \\c", error=invalid_token`, scheme: "Bearer", want: map[string]string{"realm": `a "b" \c`, "error": "invalid_token"}},
		{in: `Basic realm="x", charset="UTF-8"`, scheme: "Basic", want: map[string]string{"realm": "x", "charset": "UTF-8"}},
		{in: `Bearer realm="x`, bad: true},
		{in: `Bearer realm="x" error="y"`, bad: true},
		{in: `Bearer realm="x", realm="y"`, bad: true},
		{in: `Bearer realm=a b`, bad: true},
		{in: `Bearer realm="x\`, bad: true},
	}
	for _, tc := range cases {
		scheme, params, err := parseChallenge(tc.in)
		if tc.bad {
			if err == nil {
				t.Errorf("%q parsed as %s %v; want an error", tc.in, scheme, params)
			}
			continue
		}
		if err != nil || scheme != tc.scheme || fmt.Sprint(params) != fmt.Sprint(tc.want) {
			t.Errorf("%q: %s %v %v; want %s %v", tc.in, scheme, params, err, tc.scheme, tc.want)
		}
	}
}

// jsonCall sends a request with a JSON body (none when body is "") and a
// bearer token (none when token is ""): the admin API and registration.
func jsonCall(t *testing.T, l *lucid, method, path, token, body string) *reply {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	return send(t, method, l.URL+path, rd, func(r *http.Request) {
		if token != "" {
			r.Header.Set("Authorization", "Bearer "+token)
		}
		if body != "" {
			r.Header.Set("Content-Type", "application/json")
		}
	})
}
