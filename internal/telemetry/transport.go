package telemetry

import (
	"net"
	"net/http"
	"strconv"

	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	oteltrace "go.opentelemetry.io/otel/trace"
)

// Transport wraps rt (nil: http.DefaultTransport) so that each outbound
// request (a jwks_uri fetch, a back-channel logout POST, a CIBA ping) is a
// client span; with t nil it returns rt unchanged.
//
// It does not send traceparent: the other end is a server someone
// registered, and Lucid's trace ids (the callers' ones included) are not
// theirs to learn. The span ends when the response headers arrive.
func (t *Tracing) Transport(rt http.RoundTripper) http.RoundTripper {
	if t == nil {
		return rt
	}
	if rt == nil {
		rt = http.DefaultTransport
	}
	return &transport{next: rt, tracer: t.tracer}
}

type transport struct {
	next   http.RoundTripper
	tracer oteltrace.Tracer
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	host, port, err := net.SplitHostPort(req.URL.Host)
	if err != nil {
		host, port = req.URL.Host, ""
	}
	ctx, span := t.tracer.Start(req.Context(), req.Method, oteltrace.WithSpanKind(oteltrace.SpanKindClient),
		oteltrace.WithAttributes(
			semconv.HTTPRequestMethodKey.String(req.Method),
			semconv.ServerAddressKey.String(host),
			semconv.URLSchemeKey.String(req.URL.Scheme),
		))
	if n, err := strconv.Atoi(port); err == nil {
		span.SetAttributes(semconv.ServerPortKey.Int(n))
	}
	defer span.End()
	resp, err := t.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, "request failed")
		return resp, err
	}
	span.SetAttributes(semconv.HTTPResponseStatusCodeKey.Int(resp.StatusCode))
	if resp.StatusCode >= 400 {
		span.SetStatus(codes.Error, http.StatusText(resp.StatusCode))
	}
	return resp, nil
}
