// Package access keeps what is known about one request while it is
// served (its route pattern, the client it was for, its status and size)
// and writes the access log: one structured line per request.
//
// The line names the route pattern, never the path or the query, and no
// header: query values, form bodies, cookies and the Authorization header
// carry secrets and never reach it. The client network is the one the
// server settled on after trusted proxies (an IPv4 address or an IPv6
// /64), as in failure summaries.
package access

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/lucid-auth/lucid/internal/throttle"
)

// Record is what the layers of the server learn about one request. The
// server puts one in the context only when something reads it (the
// access log, tracing), so it costs nothing otherwise.
type Record struct {
	Route    string // the ServeMux pattern that matched, "" when none did
	ClientID string // the client the request was for, when known
	Status   int
	Bytes    int64
}

type ctxKey struct{}

// With returns ctx carrying rec.
func With(ctx context.Context, rec *Record) context.Context {
	return context.WithValue(ctx, ctxKey{}, rec)
}

// From is the record carried by ctx, or nil.
func From(ctx context.Context) *Record {
	rec, _ := ctx.Value(ctxKey{}).(*Record)
	return rec
}

// maxClientID bounds the client id logged: an unregistered one may be
// any string a caller chose.
const maxClientID = 128

// SetClient notes the client a request is for (authenticated, or named by
// a failure) if none is noted yet; without a record it does nothing.
func SetClient(ctx context.Context, id string) {
	if rec := From(ctx); rec != nil && rec.ClientID == "" && id != "" {
		if len(id) > maxClientID {
			id = id[:maxClientID] + "…"
		}
		rec.ClientID = id
	}
}

// Route records the pattern of the route that served the request. It
// wraps the ServeMux itself: only the request the mux was given carries
// the pattern.
func Route(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
		if rec := From(r.Context()); rec != nil {
			rec.Route = r.Pattern
		}
	})
}

// Writer counts the status and the bytes of a response into its record.
type Writer struct {
	http.ResponseWriter
	Rec *Record
}

// WriteHeader records the first status written.
func (w *Writer) WriteHeader(code int) {
	if w.Rec.Status == 0 {
		w.Rec.Status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *Writer) Write(b []byte) (int, error) {
	if w.Rec.Status == 0 {
		w.Rec.Status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.Rec.Bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *Writer) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Log writes the access line of r, answered as rec says, under trace id
// tid, started at start.
func Log(ctx context.Context, log *slog.Logger, r *http.Request, rec *Record, tid string, start time.Time) {
	status := rec.Status
	if status == 0 {
		status = http.StatusOK // nothing written: net/http answers 200
	}
	route := rec.Route
	if route == "" {
		route = "unmatched"
	}
	network := "unknown"
	if p, ok := throttle.Network(r.RemoteAddr); ok {
		network = p.String()
	}
	log.LogAttrs(ctx, slog.LevelInfo, "request",
		slog.String("method", clip(r.Method, 16)),
		slog.String("route", route),
		slog.Int("status", status),
		slog.Duration("duration", time.Since(start)),
		slog.Int64("bytes", rec.Bytes),
		slog.String("client_id", rec.ClientID),
		slog.String("trace_id", tid),
		slog.String("network", network),
	)
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
