package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	oteltrace "go.opentelemetry.io/otel/trace"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/server"
	"github.com/lucid-auth/lucid/internal/telemetry"
	"github.com/lucid-auth/lucid/internal/trace"
)

// TestTraceparentRoundTrip runs Lucid with OpenTelemetry tracing into an
// in-memory exporter and drives the token endpoint with
// golang.org/x/oauth2 sending a W3C traceparent: the recorded server span
// continues the caller's trace (same trace id, the caller's span as its
// remote parent, named for the route), its store calls are its children,
// X-Trace-Id is the trace id, and the failure's story is found under it.
// Without a traceparent, or with an invalid one, Lucid starts a trace of
// its own whose id is the X-Trace-Id.
func TestTraceparentRoundTrip(t *testing.T) {
	ctx := context.Background()
	exp := tracetest.NewInMemoryExporter()
	tr, err := telemetry.NewWithProcessor(ctx, sdktrace.NewSimpleSpanProcessor(exp), "e2e")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tr.Shutdown(context.Background()) })
	l := startWith(t, startOpts{Server: []server.Option{server.WithTracing(tr)}})
	c, sec := m2m(t, l, manage.ClientSpec{})

	const callerTrace, callerSpan = "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331"
	tests := []struct {
		name        string
		traceparent string
		secret      string
		continues   bool // the span continues the caller's trace
	}{
		{"caller's trace, failure", "00-" + callerTrace + "-" + callerSpan + "-01", "wrong", true},
		{"no traceparent, success", "", sec, false},
		{"invalid traceparent, success", "00-" + strings.ToUpper(callerTrace) + "-" + callerSpan + "-01", sec, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exp.Reset()
			var traceID string
			hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
				r = r.Clone(r.Context())
				if tt.traceparent != "" {
					r.Header.Set("traceparent", tt.traceparent)
				}
				resp, err := http.DefaultTransport.RoundTrip(r)
				if resp != nil {
					traceID = resp.Header.Get(trace.Header)
				}
				return resp, err
			})}
			cc := clientcredentials.Config{ClientID: c.ID, ClientSecret: tt.secret, TokenURL: l.URL + "/token", Scopes: []string{"orders:read"}}
			_, err := cc.Token(context.WithValue(ctx, oauth2.HTTPClient, hc))
			var re *oauth2.RetrieveError
			if failed := errors.As(err, &re); failed != (tt.secret == "wrong") {
				t.Fatalf("token: %v", err)
			}
			if !trace.Valid(traceID) {
				t.Fatalf("X-Trace-Id %q", traceID)
			}
			if (traceID == callerTrace) != tt.continues {
				t.Fatalf("X-Trace-Id %s, caller's trace %s: continues = %v, want %v", traceID, callerTrace, traceID == callerTrace, tt.continues)
			}
			// x/oauth2 may send a failed request twice (Basic, then the
			// form): every server span is judged, the last one answered.
			spans := exp.GetSpans()
			servers := map[oteltrace.SpanID]bool{}
			for _, srv := range spans {
				if srv.SpanKind != oteltrace.SpanKindServer {
					continue
				}
				servers[srv.SpanContext.SpanID()] = true
				if got := srv.SpanContext.TraceID().String(); got != traceID {
					t.Fatalf("server span trace id %s, X-Trace-Id %s", got, traceID)
				}
				if srv.Name != "POST /token" {
					t.Errorf("server span named %q, want the route", srv.Name)
				}
				parent := srv.Parent
				switch {
				case tt.continues && (!parent.IsRemote() || parent.SpanID().String() != callerSpan || parent.TraceID().String() != callerTrace):
					t.Fatalf("server span's parent %v, want the caller's span %s", parent, callerSpan)
				case !tt.continues && parent.IsValid():
					t.Fatalf("server span has parent %v, want a root", parent)
				}
			}
			if len(servers) == 0 {
				t.Fatalf("no server span among %d", len(spans))
			}
			var stores int
			for _, s := range spans {
				if strings.HasPrefix(s.Name, "store.") {
					stores++
					if !servers[s.Parent.SpanID()] || s.SpanContext.TraceID().String() != traceID {
						t.Errorf("store span %s is not a request's child", s.Name)
					}
				}
			}
			// The first request finds the client in the database; later
			// ones in the client cache, without a store call.
			if tt.continues && stores == 0 {
				t.Errorf("no store span under the request: %d spans", len(spans))
			}
			if tt.secret != "wrong" {
				return
			}
			// The failure's story is found by the caller's trace id.
			if err := l.Server.FlushFailures(ctx); err != nil {
				t.Fatal(err)
			}
			v := jsonCall(t, l, http.MethodGet, "/admin/failures/"+callerTrace, l.cfg.AdminToken, "")
			var story struct {
				Failure struct {
					Endpoint string `json:"endpoint"`
					ClientID string `json:"client_id"`
				} `json:"failure"`
			}
			if v.status != http.StatusOK || json.Unmarshal(v.body, &story) != nil || story.Failure.Endpoint != "token" || story.Failure.ClientID != c.ID {
				t.Fatalf("no token story under the caller's trace id: %d %.300s", v.status, v.body)
			}
		})
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
