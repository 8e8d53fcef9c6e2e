// Package traced wraps a store.Store so that every call made on behalf of
// a traced request is an OpenTelemetry span ("store.GetClient"…), a
// child of the request's span. Calls with no span in their context (the
// outbox's polls, the chores) make none, so that an idle Lucid exports
// nothing. Its methods are generated (methods.go, by ./gen) from the
// interface, so the wrapper cannot fall behind it: a new method leaves
// this package uncompiled until `go generate` runs.
//
// The server puts it in front of internal/store/deadline only when
// tracing is on: clientcache → traced → deadline → backend, so a cached
// client read is no store call and a span includes the deadline's wait.
package traced

//go:generate go run ./gen

import (
	"context"
	"errors"

	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	oteltrace "go.opentelemetry.io/otel/trace"

	"github.com/lucid-auth/lucid/internal/store"
)

// Store is a store.Store whose calls are spans.
type Store struct {
	inner  store.Store
	tracer oteltrace.Tracer
	system string
}

var _ store.Store = (*Store)(nil)

// New wraps st; system names the database for the spans' db.system.name
// ("sqlite", "postgresql").
func New(st store.Store, tracer oteltrace.Tracer, system string) *Store {
	return &Store{inner: st, tracer: tracer, system: system}
}

// Unwrap is the store wrapped.
func (s *Store) Unwrap() store.Store { return s.inner }

// start begins the span of one call, or returns nil when ctx has no
// recording span to be a child of.
func (s *Store) start(ctx context.Context, name string) (context.Context, oteltrace.Span) {
	if !oteltrace.SpanFromContext(ctx).IsRecording() {
		return ctx, nil
	}
	return s.tracer.Start(ctx, name, oteltrace.WithSpanKind(oteltrace.SpanKindClient),
		oteltrace.WithAttributes(
			semconv.DBSystemNameKey.String(s.system),
			semconv.DBOperationNameKey.String(name[len("store."):]),
		))
}

// expected are answers of the store that are outcomes, not faults: a
// missing row, a taken id, a spent code.
var expected = []error{store.ErrNotFound, store.ErrConflict, store.ErrAlreadyUsed, store.ErrInvalidated}

// end ends span, marking it failed for an error that is a fault.
func end(span oteltrace.Span, err error) {
	if span == nil {
		return
	}
	if err != nil {
		fault := true
		for _, e := range expected {
			if errors.Is(err, e) {
				fault = false
				span.SetAttributes(semconv.ErrorTypeKey.String(e.Error()))
				break
			}
		}
		if fault {
			span.RecordError(err)
			span.SetStatus(codes.Error, "store error")
		}
	}
	span.End()
}
