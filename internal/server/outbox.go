package server

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/failure"
	"github.com/lucid-auth/lucid/internal/metrics"
	"github.com/lucid-auth/lucid/internal/outbox"
	"github.com/lucid-auth/lucid/internal/store"
)

// newOutbox builds this replica's outbox worker from outbox.* settings;
// every failed attempt is a failure story of its own (catalog.Outbox).
func newOutbox(cfg config.Outbox, st store.Store, met *metrics.Metrics, rec *failure.Recorder, o options) *outbox.Outbox {
	return outbox.New(outbox.Options{
		Store:        st,
		Log:          rec.Log,
		Now:          o.now,
		PollInterval: cfg.PollInterval,
		MaxAttempts:  cfg.MaxAttempts,
		Backoff:      outbox.Backoff{Base: cfg.BackoffBase, Cap: cfg.BackoffCap},
		Timeout:      cfg.Timeout,
		Count:        met.OutboxAttempt,
		Backlog:      func(c store.OutboxCounts) { met.OutboxBacklog(c.Pending, c.Dead) },
		Report: func(ctx context.Context, f outbox.Failure) {
			rec.RecordBackground(ctx, failure.Background{
				TraceID:  f.Item.TraceID,
				Endpoint: catalog.Outbox,
				ClientID: f.Item.ClientID,
				Request:  "deliver " + f.Item.Kind + " to " + f.Item.Target,
				Err:      deliveryError(f, o.now()),
				Now:      o.now(),
			})
		},
	})
}

// deliveryError is the catalog entry of a failed attempt: the handler's
// own when it returned one, the outbox's otherwise, and for the last
// attempt the entry that says Lucid gave up, with the cause inside.
func deliveryError(f outbox.Failure, now time.Time) *catalog.Error {
	it := f.Item
	var cause *catalog.Error
	if !errors.As(f.Err, &cause) {
		next := "It is attempted again at " + f.Next.UTC().Format(time.RFC3339) + "."
		if f.Dead {
			next = "It is not attempted again."
		}
		cause = catalog.New(catalog.OutboxDeliveryFailed, "attempt", it.Attempt, "max", f.MaxAttempts, "kind", it.Kind,
			"target", it.Target, "reason", f.Err.Error(), "next", next)
	}
	var e *catalog.Error
	switch {
	case f.NoHandler:
		e = catalog.New(catalog.OutboxKindUnknown, "kind", it.Kind, "id", it.ID)
	case f.Dead && !outbox.IsPermanent(f.Err):
		e = catalog.New(catalog.OutboxGaveUp, "kind", it.Kind, "target", it.Target, "attempts", it.Attempt,
			"since", now.Sub(it.CreatedAt).Round(time.Second), "last", cause.Text()).
			Internal("last_failure", string(cause.Name()))
		for _, kv := range cause.InternalValues() {
			e.Internal("last_"+kv[0], kv[1])
		}
	default:
		e = cause
	}
	e.Internal("outbox_item", it.ID, "attempt", strconv.Itoa(it.Attempt)+" of "+strconv.Itoa(f.MaxAttempts))
	if !f.Dead {
		e.Internal("next_attempt", f.Next.UTC().Format(time.RFC3339))
	}
	return e
}
