// Package trace gives every request a trace id: sent back in a response
// header and attached to every log line and error, so an operator can find
// the full story of one request.
package trace

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
)

// Header is the response header that carries the trace id.
const Header = "X-Trace-Id"

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

// Middleware assigns a trace id to every request and sets the header
// before the handler runs, so success and failure both carry it.
func Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := New()
		w.Header().Set(Header, id)
		next.ServeHTTP(w, r.WithContext(With(r.Context(), id)))
	})
}
