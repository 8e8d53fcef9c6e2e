// Package cors decides which web origins may read Lucid's answers from a
// browser (the Fetch standard's CORS protocol) and writes the headers that
// say so.
//
// A client registers its web origins like its redirect URIs: exact
// origins (scheme://host[:port]), or "+" for the origins of its redirect
// URIs (as Keycloak's "Web origins"). The check is a few string
// comparisons on the client already in hand: no store read.
package cors

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// RedirectOrigins is the web origin entry that stands for the origins of
// the client's redirect URIs.
const RedirectOrigins = "+"

// maxOrigin bounds a registered origin: a host name is at most 253
// characters, plus scheme and port.
const maxOrigin = 300

// Normalize checks a web origin a client registers and returns it in the
// form browsers send in the Origin header (RFC 6454 §6.1): lower-case
// scheme and host, no default port, no path, query or fragment. "+" is
// returned as it is. The error says why an origin cannot be registered.
func Normalize(raw string) (string, error) {
	if raw == RedirectOrigins {
		return raw, nil
	}
	switch {
	case raw == "":
		return "", errors.New("an empty origin cannot be registered")
	case len(raw) > maxOrigin:
		return "", fmt.Errorf("%.60q… is longer than %d characters", raw, maxOrigin)
	case raw == "null":
		return "", errors.New(`"null" is the origin of sandboxed and local pages, which any page can have; register the real origin of the app`)
	case strings.Contains(raw, "*"):
		return "", fmt.Errorf("%q contains a wildcard; register every exact origin instead (origins are compared exactly)", raw)
	case strings.ContainsFunc(raw, func(r rune) bool { return r <= ' ' || r >= 0x7f }):
		return "", fmt.Errorf("%q contains whitespace, control or non-ASCII characters; write an internationalised host name in its xn-- form", raw)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" || u.Opaque != "" {
		return "", fmt.Errorf("%q is not an origin; give scheme, host and port only, such as https://app.example.com", raw)
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "https" && scheme != "http" {
		return "", fmt.Errorf("%q uses the scheme %s; web origins are https (or http)", raw, u.Scheme)
	}
	if u.User != nil {
		return "", fmt.Errorf("%q contains user information (user@host); an origin has none", raw)
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery || strings.HasSuffix(raw, "#") {
		return "", fmt.Errorf("%q has a path, query or fragment; an origin is scheme://host[:port] only, such as %s://%s", raw, scheme, u.Host)
	}
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return "", fmt.Errorf("%q: the port %.10s is not between 1 and 65535", raw, port)
		}
		port = strconv.Itoa(n)
		if (scheme == "https" && n == 443) || (scheme == "http" && n == 80) {
			port = ""
		}
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	return scheme + "://" + host, nil
}

// Of returns the origin of an absolute http or https URL in normalised
// form, or "" when it has none (a private-use scheme of a native app).
func Of(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return ""
	}
	if s := strings.ToLower(u.Scheme); s != "https" && s != "http" {
		return ""
	}
	o, err := Normalize((&url.URL{Scheme: u.Scheme, Host: u.Host}).String())
	if err != nil {
		return ""
	}
	return o
}

// Allowed reports whether origin (as the browser sent it) may read a
// client's answers: it is one of webOrigins, or webOrigins has "+" and it
// is the origin of one of redirectURIs. Registered origins are
// normalised, and browsers send the normalised form, so the comparison is
// exact.
func Allowed(origin string, webOrigins, redirectURIs []string) bool {
	if origin == "" {
		return false
	}
	plus := false
	for _, o := range webOrigins {
		if o == origin {
			return true
		}
		plus = plus || o == RedirectOrigins
	}
	if !plus {
		return false
	}
	for _, r := range redirectURIs {
		if sameOrigin(r, origin) {
			return true
		}
	}
	return false
}

// sameOrigin reports whether uri's origin is origin (normalised). The
// scheme and authority of a redirect URI are compared as text; only one
// with a port (which may be the default one) is parsed.
func sameOrigin(uri, origin string) bool {
	i := strings.Index(uri, "://")
	if i < 0 {
		return false
	}
	end := len(uri)
	if j := strings.IndexAny(uri[i+3:], "/?#"); j >= 0 {
		end = i + 3 + j
	}
	if prefix := uri[:end]; strings.EqualFold(prefix, origin) {
		return true
	} else if !strings.Contains(prefix[i+3:], ":") {
		return false
	}
	return Of(uri) == origin
}

// Headers of the CORS protocol (Fetch standard §3.2).
const (
	hOrigin        = "Origin"
	hAllowOrigin   = "Access-Control-Allow-Origin"
	hAllowMethods  = "Access-Control-Allow-Methods"
	hAllowHeaders  = "Access-Control-Allow-Headers"
	hExposeHeaders = "Access-Control-Expose-Headers"
	hMaxAge        = "Access-Control-Max-Age"
	hRequestMethod = "Access-Control-Request-Method"
)

// exposed are the answer headers a page may read beyond the safelisted
// ones: the trace id to report, the authentication challenge, the wait of
// a 429 or 503, and DPoP's nonce (RFC 9449 §8).
const exposed = "X-Trace-Id, WWW-Authenticate, Retry-After, DPoP-Nonce"

// requestHeaders are the request headers a page may send: credentials,
// the form or JSON type, and a DPoP proof (RFC 9449).
const requestHeaders = "Authorization, Content-Type, DPoP"

// maxAge is how long a browser may keep a preflight's answer, in seconds;
// Chromium caps it at 7200.
const maxAge = "7200"

// Origin is the request's Origin header, or "" when it has none (a
// server-side client) or is the issuer's own origin (same-origin, which
// needs no CORS).
func Origin(r *http.Request, self string) string {
	o := r.Header.Get(hOrigin)
	if o == self {
		return ""
	}
	return o
}

// Preflight reports whether r is a CORS preflight (OPTIONS with Origin and
// Access-Control-Request-Method) and, if so, answers it: 204 allowing
// methods and the request headers above. A preflight grants nothing
// readable: the answer to the request that follows is allowed or refused
// for the client it names, which the preflight does not carry.
func Preflight(w http.ResponseWriter, r *http.Request, methods string) bool {
	if r.Method != http.MethodOptions || r.Header.Get(hOrigin) == "" || r.Header.Get(hRequestMethod) == "" {
		return false
	}
	h := w.Header()
	h.Add("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers")
	h.Set(hAllowOrigin, r.Header.Get(hOrigin))
	h.Set(hAllowMethods, methods)
	h.Set(hAllowHeaders, requestHeaders)
	h.Set(hMaxAge, maxAge)
	h.Set("Allow", methods+", OPTIONS")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
	return true
}

// Allow lets the page of origin read this answer and the headers it needs
// (trace id, challenge, waits). No credentials: Lucid's back-channel
// endpoints never read cookies. Every answer varies by Origin, also one
// without it, so that no cache serves one page's answer to another.
func Allow(h http.Header, origin string) {
	if _, ok := h["Vary"]; ok {
		h.Add("Vary", "Origin")
	} else {
		h["Vary"] = varyOrigin
	}
	if origin == "" {
		return
	}
	h[hAllowOrigin] = []string{origin}
	h[hExposeHeaders] = exposedValue
}

// Shared header values, never appended to (each has no spare capacity,
// so an Add copies): one allocation less for every answer.
var (
	varyOrigin   = []string{"Origin"}
	exposedValue = []string{exposed}
)

// Public lets any page read this answer (discovery, JWKS, the catalog).
func Public(h http.Header) {
	h.Set(hAllowOrigin, "*")
	h.Set(hExposeHeaders, exposed)
}
