// Package telemetry is Lucid's OpenTelemetry tracing: a span for each
// request (named by its route pattern), each store call and each
// outbound fetch, exported over OTLP/HTTP as the standard OTEL_*
// environment variables say.
//
// Lucid's trace id is the trace's id: a request with a valid W3C
// traceparent continues the caller's trace (its span is a child of the
// caller's), and any other request starts a trace whose id is the one
// internal/trace gave it. So the X-Trace-Id of a failure finds both
// Lucid's story (`lucid explain`) and the spans in the tracing backend.
//
// When tracing is off none of this is built: the server adds no wrapper,
// no span and no allocation to a request.
package telemetry

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	oteltrace "go.opentelemetry.io/otel/trace"

	"github.com/lucid-auth/lucid/internal/access"
	"github.com/lucid-auth/lucid/internal/trace"
)

// scope is the instrumentation scope of every span Lucid makes.
const scope = "github.com/lucid-auth/lucid"

// Tracing makes and exports Lucid's spans.
type Tracing struct {
	provider *sdktrace.TracerProvider
	tracer   oteltrace.Tracer
}

// ErrUnsupported is an OTEL_* setting this build of Lucid cannot honour.
var ErrUnsupported = errors.New("unsupported OpenTelemetry setting")

// New builds tracing from the OTEL_* variables getenv reads, or returns
// nil (tracing off) when OTEL_SDK_DISABLED is true or OTEL_TRACES_EXPORTER
// is none. Only the OTLP exporter over HTTP is built in (protocol
// http/protobuf or http/json); asking for another is an error rather than
// silently exporting nothing. The exporter itself reads the endpoint,
// headers, timeout and TLS variables (OTEL_EXPORTER_OTLP_*), the SDK the
// sampler (OTEL_TRACES_SAMPLER, default parentbased_always_on) and the
// batch settings (OTEL_BSP_*), the resource OTEL_SERVICE_NAME and
// OTEL_RESOURCE_ATTRIBUTES.
func New(ctx context.Context, getenv func(string) string, version string) (*Tracing, error) {
	if strings.EqualFold(strings.TrimSpace(getenv("OTEL_SDK_DISABLED")), "true") {
		return nil, nil
	}
	switch exp := strings.TrimSpace(getenv("OTEL_TRACES_EXPORTER")); exp {
	case "", "otlp":
	case "none":
		return nil, nil
	default:
		return nil, fmt.Errorf("OTEL_TRACES_EXPORTER=%q: %w (Lucid exports traces with otlp, or none)", exp, ErrUnsupported)
	}
	proto := getenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL")
	if proto == "" {
		proto = getenv("OTEL_EXPORTER_OTLP_PROTOCOL")
	}
	switch proto {
	case "", "http/protobuf", "http/json":
	default:
		return nil, fmt.Errorf("OTEL_EXPORTER_OTLP_PROTOCOL=%q: %w (Lucid's OTLP exporter speaks http/protobuf or http/json)", proto, ErrUnsupported)
	}
	exp, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("OTLP trace exporter: %w", err)
	}
	return build(ctx, sdktrace.NewBatchSpanProcessor(exp), version)
}

// NewWithProcessor builds tracing that hands every span to sp (tests: an
// in-memory exporter behind a synchronous processor).
func NewWithProcessor(ctx context.Context, sp sdktrace.SpanProcessor, version string) (*Tracing, error) {
	return build(ctx, sp, version)
}

func build(ctx context.Context, sp sdktrace.SpanProcessor, version string) (*Tracing, error) {
	// Lucid's defaults first: OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES
	// (WithFromEnv) override them.
	res, err := resource.New(ctx,
		resource.WithAttributes(semconv.ServiceName("lucid"), semconv.ServiceVersion(version)),
		resource.WithTelemetrySDK(),
		resource.WithFromEnv(),
	)
	if err != nil {
		return nil, fmt.Errorf("OpenTelemetry resource: %w", err)
	}
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithSpanProcessor(sp),
		sdktrace.WithResource(res),
		sdktrace.WithIDGenerator(ids{}),
	)
	return &Tracing{provider: tp, tracer: tp.Tracer(scope)}, nil
}

// Shutdown exports the spans still queued and stops the exporter.
func (t *Tracing) Shutdown(ctx context.Context) error {
	if t == nil {
		return nil
	}
	return t.provider.Shutdown(ctx)
}

// Tracer makes Lucid's spans.
func (t *Tracing) Tracer() oteltrace.Tracer { return t.tracer }

// StartRequest starts the server span of r, whose trace id is already in
// ctx (internal/trace). A valid traceparent makes the caller's span its
// parent, with the caller's sampling decision and tracestate.
func (t *Tracing) StartRequest(ctx context.Context, r *http.Request) (context.Context, oteltrace.Span) {
	if v := r.Header[trace.ParentHeader]; len(v) == 1 {
		if p, ok := trace.ParseParent(v[0]); ok {
			ctx = oteltrace.ContextWithRemoteSpanContext(ctx, remote(p, r.Header.Get("Tracestate")))
		}
	}
	// Named for the method until the route is known (EndRequest).
	return t.tracer.Start(ctx, r.Method, oteltrace.WithSpanKind(oteltrace.SpanKindServer),
		oteltrace.WithAttributes(
			semconv.HTTPRequestMethodKey.String(r.Method),
			semconv.ClientAddressKey.String(host(r.RemoteAddr)),
		))
}

// EndRequest names the span for its route pattern, records the answer
// and ends it. A 5xx is an error of Lucid's; a 4xx is the caller's, so it
// leaves the span's status unset (OpenTelemetry's HTTP conventions).
func (t *Tracing) EndRequest(span oteltrace.Span, r *http.Request, rec *access.Record) {
	status := rec.Status
	if status == 0 {
		status = http.StatusOK
	}
	route := rec.Route
	if route == "" {
		route = "unmatched"
	}
	// A ServeMux pattern may start with its method ("POST /token"); the
	// span name is "METHOD route" either way.
	name := route
	if !strings.HasPrefix(route, r.Method+" ") {
		name = r.Method + " " + route
	}
	span.SetName(name)
	span.SetAttributes(
		semconv.HTTPRouteKey.String(route),
		semconv.HTTPResponseStatusCodeKey.Int(status),
	)
	if rec.ClientID != "" {
		span.SetAttributes(attribute.String("oauth.client_id", rec.ClientID))
	}
	if status >= 500 {
		span.SetStatus(codes.Error, http.StatusText(status))
	}
	span.End()
}

// remote is the caller's span context from a parsed traceparent.
func remote(p trace.Parent, state string) oteltrace.SpanContext {
	var cfg oteltrace.SpanContextConfig
	_, _ = hex.Decode(cfg.TraceID[:], []byte(p.TraceID))
	_, _ = hex.Decode(cfg.SpanID[:], []byte(p.SpanID))
	if p.Sampled {
		cfg.TraceFlags = oteltrace.FlagsSampled
	}
	if ts, err := oteltrace.ParseTraceState(state); err == nil {
		cfg.TraceState = ts
	}
	cfg.Remote = true
	return oteltrace.NewSpanContext(cfg)
}

// host is the address part of host:port.
func host(addr string) string {
	if h, _, err := net.SplitHostPort(addr); err == nil {
		return h
	}
	return addr
}

// ids gives a new trace the id internal/trace already gave the request
// (or the outbox attempt), so that Lucid's trace id and the span's agree;
// without one in the context it is random, like the SDK's own.
type ids struct{}

func (ids) NewIDs(ctx context.Context) (oteltrace.TraceID, oteltrace.SpanID) {
	var tid oteltrace.TraceID
	if id := trace.ID(ctx); trace.Valid(id) {
		_, _ = hex.Decode(tid[:], []byte(id))
	} else {
		for !tid.IsValid() {
			binary.BigEndian.PutUint64(tid[:8], rand.Uint64())
			binary.BigEndian.PutUint64(tid[8:], rand.Uint64())
		}
	}
	return tid, newSpanID()
}

func (ids) NewSpanID(context.Context, oteltrace.TraceID) oteltrace.SpanID { return newSpanID() }

func newSpanID() oteltrace.SpanID {
	var sid oteltrace.SpanID
	for !sid.IsValid() {
		binary.BigEndian.PutUint64(sid[:], rand.Uint64())
	}
	return sid
}
