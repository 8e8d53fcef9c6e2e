package failure

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/trace"
)

// Outcome is the Internal key that marks a stored story as a note: a
// request that succeeded, but with something its client may later trip
// over (a token response without a refresh token, say). Its value is what
// the client got.
const Outcome = "outcome"

// NoteOutcome is the Outcome of a note.
const NoteOutcome = "succeeded (200): this is a note, not a failure"

// IsNote tells a note from the story of a failure.
func IsNote(f *store.Failure) bool { return f.Internal[Outcome] == NoteOutcome }

// Note records that the request r at endpoint succeeded, with e as the
// reason for something it left out, so that `lucid explain` finds it
// under the request's trace id. A note goes the bounded way of a failure
// (sampled, clipped, queued) but is logged at debug level and not counted
// as a failure.
func (rec *Recorder) Note(r *http.Request, endpoint catalog.Endpoint, clientID string, e *catalog.Error, now time.Time) {
	ctx := r.Context()
	tid := trace.ID(ctx)
	client := Clip(clientID, maxClientID)
	if rec.Sampler != nil {
		full, summaries := rec.Sampler.Take(now, Key{Network: network(r), Name: string(e.Name()), Endpoint: string(endpoint), Client: clientID}, tid)
		logSummaries(ctx, rec.Log, summaries)
		if !full {
			if rec.Writer != nil {
				rec.Writer.countDrop(DropRepeated)
			}
			return
		}
	}
	if rec.Log != nil {
		rec.Log.LogAttrs(ctx, slog.LevelDebug, "request succeeded with a note",
			slog.String("trace_id", tid), slog.String("endpoint", string(endpoint)),
			slog.String("client_id", client), slog.String("note", string(e.Name())))
	}
	if (rec.Store == nil && rec.Writer == nil) || tid == "" {
		return
	}
	f := &store.Failure{
		TraceID:      tid,
		Time:         now,
		Name:         string(e.Name()),
		Endpoint:     string(endpoint),
		ClientID:     client,
		Request:      Summary(r),
		Text:         Clip(e.Text(), maxDescription),
		CreatedAt:    now,
		Internal:     map[string]string{Outcome: NoteOutcome},
		Unattributed: client == "" || len(clientID) > maxClientID,
	}
	for _, kv := range e.InternalValues() {
		f.Internal[kv[0]] = kv[1]
	}
	if rec.Writer != nil {
		rec.Writer.Enqueue(f)
		return
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), saveTimeout)
	defer cancel()
	classify(sctx, rec.Known, f)
	if err := rec.Store.RecordFailure(sctx, f); err != nil && rec.Log != nil {
		rec.Log.WarnContext(ctx, "could not record note", "trace_id", tid, "err", err)
	}
}
