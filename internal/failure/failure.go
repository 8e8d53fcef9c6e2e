// Package failure is the operator's side of every failed request: it is
// logged once (trace id, endpoint, client, the catalog entry and the
// internal detail the client must not see), counted, and its story is
// stored for `lucid explain`. Every handler that answers with a catalog
// error reports it here, so the story is the same wherever it failed.
package failure

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/trace"
)

// Store keeps failure stories; store.Store is one.
type Store interface {
	RecordFailure(ctx context.Context, f *store.Failure) error
}

// Recorder reports failures. Every field may be nil: a nil Log discards,
// a nil Store keeps no stories, a nil Count counts nothing.
type Recorder struct {
	Log   *slog.Logger
	Store Store
	Count func(name, rfcError, endpoint string)
}

// saveTimeout bounds storing a story, which must never hold up the answer
// for long.
const saveTimeout = 2 * time.Second

// maxPath bounds how much of a request path a story keeps.
const maxPath = 200

// Record reports e, the answer to r at endpoint for clientID ("" when the
// client is unknown). Storing is best effort: losing a story is logged and
// never changes the answer.
func (rec *Recorder) Record(r *http.Request, endpoint catalog.Endpoint, clientID string, e *catalog.Error, now time.Time) {
	ctx := r.Context()
	tid := trace.ID(ctx)
	if rec.Log != nil {
		attrs := append([]slog.Attr{
			slog.String("trace_id", tid),
			slog.String("endpoint", string(endpoint)),
			slog.String("client_id", clientID),
		}, e.LogAttrs()...)
		level := slog.LevelInfo
		if e.Status() >= 500 {
			level = slog.LevelError
		}
		rec.Log.LogAttrs(ctx, level, "request failed", attrs...)
	}
	if rec.Count != nil {
		rec.Count(string(e.Name()), e.Code(), string(endpoint))
	}
	// A story of the database not answering would go to that database:
	// trying holds the answer up by another timeout. The log has it.
	if rec.Store == nil || tid == "" || e.Name() == catalog.StorageUnavailable {
		return
	}
	f := &store.Failure{
		TraceID:   tid,
		Time:      now,
		Name:      string(e.Name()),
		Endpoint:  string(endpoint),
		ClientID:  clientID,
		Request:   Summary(r),
		Text:      e.Text(),
		CreatedAt: now,
	}
	if iv := e.InternalValues(); len(iv) > 0 {
		f.Internal = make(map[string]string, len(iv))
		for _, kv := range iv {
			f.Internal[kv[0]] = kv[1]
		}
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), saveTimeout)
	defer cancel()
	if err := rec.Store.RecordFailure(sctx, f); err != nil && rec.Log != nil {
		rec.Log.WarnContext(ctx, "could not record failure", "trace_id", tid, "err", err)
	}
}

// Summary names the method, path and parameter names of a request; values
// are left out because some are secrets.
func Summary(r *http.Request) string {
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte(' ')
	path := r.URL.Path
	if len(path) > maxPath {
		path = path[:maxPath] + "…"
	}
	b.WriteString(path)
	names := func(label string, m map[string][]string) {
		if len(m) == 0 {
			return
		}
		b.WriteString(" " + label + ":")
		for k := range m {
			b.WriteString(" " + k)
		}
	}
	names("query", r.URL.Query())
	names("form", r.PostForm)
	return b.String()
}

// FromStore is the entry a client sees when storage failed unexpectedly:
// storage_unavailable (retry later) when the database did not answer,
// server_error for anything else.
func FromStore(err error) *catalog.Error {
	if store.Unavailable(err) {
		return catalog.New(catalog.StorageUnavailable).Wrap(err)
	}
	return catalog.New(catalog.ServerError).Wrap(err)
}

// RespondJSON reports err at endpoint and answers it as JSON. err is a
// *catalog.Error, or a storage error, which FromStore maps. A 401 carries
// a Bearer challenge (RFC 6750 §3): the endpoints that answer this way,
// the admin API and client registration, take bearer tokens.
func (rec *Recorder) RespondJSON(w http.ResponseWriter, r *http.Request, endpoint catalog.Endpoint, clientID string, err error, issuer string, now time.Time) {
	var ce *catalog.Error
	if !errors.As(err, &ce) {
		ce = FromStore(err)
	}
	rec.Record(r, endpoint, clientID, ce, now)
	tid := trace.ID(r.Context())
	if ce.Status() == http.StatusUnauthorized {
		ce.WithChallenge("Bearer").WriteBearer(w, issuer, tid, now)
		return
	}
	ce.WriteJSON(w, issuer, tid, now)
}
