package catalog

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Body is the RFC 6749 §5.2 JSON error body with Lucid's extension members.
type Body struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
	ErrorURI         string `json:"error_uri"`
	ErrorCode        string `json:"error_code"`
	TraceID          string `json:"trace_id"`
	Timestamp        string `json:"timestamp"`
}

// Body builds the JSON body for this error.
func (e *Error) Body(base, traceID string, now time.Time) Body {
	return Body{
		Error:            e.Entry.Error,
		ErrorDescription: e.Description(),
		ErrorURI:         e.URI(base),
		ErrorCode:        string(e.Entry.Name),
		TraceID:          traceID,
		Timestamp:        now.UTC().Format(time.RFC3339),
	}
}

// WriteJSON writes the error as an RFC 6749 §5.2 response: the JSON body,
// Cache-Control: no-store, and on a 401 a WWW-Authenticate challenge in the
// scheme the client used.
func (e *Error) WriteJSON(w http.ResponseWriter, base, traceID string, now time.Time) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	e.SetRetryAfter(h)
	if e.Entry.Status == http.StatusUnauthorized {
		scheme := e.Challenge
		if scheme == "" {
			scheme = "Basic"
		}
		if scheme == "Basic" {
			h.Set("WWW-Authenticate", `Basic realm="`+quote(base)+`", charset="UTF-8"`)
		} else {
			h.Set("WWW-Authenticate", e.ChallengeHeader(scheme, base))
		}
	}
	w.WriteHeader(e.Entry.Status)
	_ = json.NewEncoder(w).Encode(e.Body(base, traceID, now))
}

// ChallengeHeader renders an RFC 6750 §3 challenge for scheme ("Bearer" or
// "DPoP"). The bare "no token" case carries only the realm, as §3.1 asks.
func (e *Error) ChallengeHeader(scheme, realm string) string {
	var b strings.Builder
	b.WriteString(scheme)
	b.WriteString(` realm="`)
	b.WriteString(quote(realm))
	b.WriteByte('"')
	if e != nil && e.Algs != "" {
		b.WriteString(`, algs="`)
		b.WriteString(quote(e.Algs))
		b.WriteByte('"')
	}
	if e == nil || e.Entry.Error == "" {
		return b.String()
	}
	param := func(k, v string) {
		b.WriteString(", ")
		b.WriteString(k)
		b.WriteString(`="`)
		b.WriteString(quote(v))
		b.WriteByte('"')
	}
	param("error", e.Entry.Error)
	param("error_description", e.Description())
	param("error_uri", e.URI(realm))
	if e.Scope != "" {
		param("scope", e.Scope)
	}
	return b.String()
}

// WriteBearer answers a resource request (userinfo, or a resource server
// using Lucid's library) per RFC 6750 §3: the challenge header on 401 and
// 403, and the JSON body for tools that read it.
func (e *Error) WriteBearer(w http.ResponseWriter, base, traceID string, now time.Time) {
	scheme := e.Challenge
	if scheme == "" {
		scheme = "Bearer"
	}
	h := w.Header()
	h.Set("WWW-Authenticate", e.ChallengeHeader(scheme, base))
	h.Set("Cache-Control", "no-store")
	e.SetRetryAfter(h)
	if e.Entry.Error == "" {
		// No token at all: just the challenge (RFC 6750 §3.1).
		w.WriteHeader(e.Entry.Status)
		return
	}
	h.Set("Content-Type", "application/json")
	w.WriteHeader(e.Entry.Status)
	_ = json.NewEncoder(w).Encode(e.Body(base, traceID, now))
}

// RedirectParams are the parameters of an authorization error response
// (RFC 6749 §4.1.2.1, RFC 9207 iss).
func (e *Error) RedirectParams(base, state, traceID string) url.Values {
	v := url.Values{}
	v.Set("error", e.Entry.Error)
	v.Set("error_description", e.Description())
	v.Set("error_uri", e.URI(base))
	v.Set("error_code", string(e.Entry.Name))
	v.Set("trace_id", traceID)
	if state != "" {
		v.Set("state", state)
	}
	v.Set("iss", base)
	return v
}

// quote escapes a value for an RFC 7235 quoted-string.
func quote(s string) string {
	if !strings.ContainsAny(s, `"\`) {
		return s
	}
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s)
}

// StatusText is a short human label for a status, for pages.
func StatusText(status int) string {
	return strconv.Itoa(status) + " " + http.StatusText(status)
}
