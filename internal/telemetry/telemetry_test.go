package telemetry

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	oteltrace "go.opentelemetry.io/otel/trace"

	"github.com/lucid-auth/lucid/internal/trace"
)

func TestNewFromEnvironment(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		on   bool
		err  error
	}{
		{"defaults: OTLP over HTTP", nil, true, nil},
		{"sdk disabled", map[string]string{"OTEL_SDK_DISABLED": "true"}, false, nil},
		{"exporter none", map[string]string{"OTEL_TRACES_EXPORTER": "none"}, false, nil},
		{"exporter otlp, json", map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json"}, true, nil},
		{"exporter console", map[string]string{"OTEL_TRACES_EXPORTER": "console"}, false, ErrUnsupported},
		{"grpc", map[string]string{"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, false, ErrUnsupported},
		{"grpc for traces only", map[string]string{"OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "grpc"}, false, ErrUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, err := New(context.Background(), func(k string) string { return tt.env[k] }, "test")
			if !errors.Is(err, tt.err) {
				t.Fatalf("New: %v, want %v", err, tt.err)
			}
			if (tr != nil) != tt.on {
				t.Fatalf("tracing on: %v, want %v", tr != nil, tt.on)
			}
			_ = tr.Shutdown(context.Background())
		})
	}
}

// TestTransportSpan: an outbound request through the wrapped transport
// is a client span, a child of the span in its context, carrying the
// status; no traceparent reaches the other server.
func TestTransportSpan(t *testing.T) {
	var sent []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sent = r.Header.Values("Traceparent")
		w.WriteHeader(http.StatusTeapot)
	}))
	defer srv.Close()
	exp := tracetest.NewInMemoryExporter()
	tr, err := NewWithProcessor(context.Background(), sdktrace.NewSimpleSpanProcessor(exp), "test")
	if err != nil {
		t.Fatal(err)
	}
	const tid = "4bf92f3577b34da6a3ce929d0e0e4736"
	ctx, parent := tr.Tracer().Start(trace.With(context.Background(), tid), "parent")
	c := &http.Client{Transport: tr.Transport(nil)}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/backchannel?x=1", nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	parent.End()
	if len(sent) != 0 {
		t.Errorf("traceparent sent to the other server: %v", sent)
	}
	spans := exp.GetSpans()
	if len(spans) != 2 {
		t.Fatalf("%d spans, want 2", len(spans))
	}
	out := spans[0]
	if out.Name != "POST" || out.SpanKind != oteltrace.SpanKindClient || out.Parent.SpanID() != parent.SpanContext().SpanID() {
		t.Fatalf("outbound span %q kind %v parent %v", out.Name, out.SpanKind, out.Parent)
	}
	// A root span started with Lucid's trace id in the context has it.
	if got := spans[1].SpanContext.TraceID().String(); got != tid {
		t.Fatalf("root span trace id %s, want Lucid's %s", got, tid)
	}
	var status int64
	for _, a := range out.Attributes {
		if a.Key == "http.response.status_code" {
			status = a.Value.AsInt64()
		}
	}
	if status != http.StatusTeapot {
		t.Fatalf("status attribute %d", status)
	}
}
