// Package trace gives every request a trace id: sent back in a response
// header and attached to every log line and error, so an operator can find
// the full story of one request.
//
// The id is a W3C trace id (32 lowercase hex digits, not all zero). A
// request that arrives with a valid W3C `traceparent` header keeps the
// caller's trace id, so a failure's X-Trace-Id finds both Lucid's story
// (`lucid explain`) and the caller's distributed trace; any other request
// gets a fresh random id, as before.
package trace

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
)

// Header is the response header that carries the trace id.
const Header = "X-Trace-Id"

// ParentHeader is the W3C Trace Context request header (canonical form).
const ParentHeader = "Traceparent"

type ctxKey struct{}

// New returns a fresh random trace id (128 bits, hex).
func New() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// With returns ctx carrying id.
func With(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, ctxKey{}, id)
}

// ID returns the trace id carried by ctx, or "".
func ID(ctx context.Context) string {
	id, _ := ctx.Value(ctxKey{}).(string)
	return id
}

// Parent is the caller's position in a distributed trace, read from a
// W3C traceparent header.
type Parent struct {
	TraceID string // 32 lowercase hex digits
	SpanID  string // 16 lowercase hex digits: the caller's span
	Sampled bool   // the caller records this trace
}

// ParseParent reads a traceparent header value (W3C Trace Context §3.2):
// version-traceid-parentid-flags in lowercase hex. Version ff, an all-zero
// trace or parent id, upper case, and a version 00 value with anything
// after the flags are invalid; a later version may append fields after a
// dash, which are ignored.
func ParseParent(h string) (Parent, bool) {
	if len(h) < 55 || h[2] != '-' || h[35] != '-' || h[52] != '-' {
		return Parent{}, false
	}
	if !lowerHex(h[0:2]) || h[0:2] == "ff" || !lowerHex(h[36:52]) || !lowerHex(h[53:55]) ||
		!lowerHex(h[3:35]) || zeros(h[3:35]) || zeros(h[36:52]) {
		return Parent{}, false
	}
	if len(h) > 55 && (h[0:2] == "00" || h[55] != '-') {
		return Parent{}, false
	}
	flags, _ := hex.DecodeString(h[53:55])
	return Parent{TraceID: h[3:35], SpanID: h[36:52], Sampled: flags[0]&1 == 1}, true
}

// Valid reports whether id has the form of a trace id: 32 lowercase hex
// digits, not all zero.
func Valid(id string) bool { return len(id) == 32 && lowerHex(id) && !zeros(id) }

func lowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func zeros(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != '0' {
			return false
		}
	}
	return true
}

// FromRequest is the trace id for r: the caller's trace id when r carries
// exactly one valid traceparent header, else a fresh one.
func FromRequest(r *http.Request) string {
	if v := r.Header[ParentHeader]; len(v) == 1 {
		if p, ok := ParseParent(v[0]); ok {
			return p.TraceID
		}
	}
	return New()
}

// Middleware assigns a trace id to every request (FromRequest) and sets
// the header before the handler runs, so success and failure both carry
// it.
func Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := FromRequest(r)
		w.Header().Set(Header, id)
		next.ServeHTTP(w, r.WithContext(With(r.Context(), id)))
	})
}
