package failure

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/store"
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
	rec.report(r, endpoint, clientID, e, now, kind{note: true, sample: true})
}

// logNote writes the line of a note: at debug level, since nothing failed.
func logNote(ctx context.Context, log *slog.Logger, tid string, endpoint catalog.Endpoint, client string, e *catalog.Error) {
	log.LogAttrs(ctx, slog.LevelDebug, "request succeeded with a note",
		slog.String("trace_id", tid), slog.String("endpoint", string(endpoint)),
		slog.String("client_id", client), slog.String("note", string(e.Name())))
}
