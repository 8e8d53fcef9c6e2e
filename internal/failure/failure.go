// Package failure is the operator's side of every failed request: it is
// logged once (trace id, endpoint, client, the catalog entry and the
// internal detail the client must not see), counted, and its story is
// stored for `lucid explain`. Every handler that answers with a catalog
// error reports it here, so the story is the same wherever it failed.
//
// Anyone can make requests fail, as fast as the network carries them and
// with values as long as a URL allows, so everything here is bounded:
// every value from the request is cut to a fixed length with a marker
// (Clip), repeated failures are summarised instead of logged and stored
// one by one (Sampler), and stories are written in the background through
// a bounded queue that drops, and counts, what it cannot hold (Writer).
package failure

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/lucid-auth/lucid/internal/access"
	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/throttle"
	"github.com/lucid-auth/lucid/internal/trace"
)

// Store keeps failure stories; store.Store is one.
type Store interface {
	RecordFailure(ctx context.Context, f *store.Failure) error
}

// Recorder reports failures. Every field may be nil: a nil Log discards,
// a nil Store and Writer keep no stories, a nil Count counts nothing, a
// nil Sampler reports every failure in full.
type Recorder struct {
	Log   *slog.Logger
	Store Store
	Count func(name, rfcError, endpoint string)
	// Writer, when set, stores stories in the background; without it
	// (tests, tools) Record stores the story before it returns.
	Writer *Writer
	// Sampler, when set, lets only the first few of repeated identical
	// failures be logged and stored, and summarises the rest.
	Sampler *Sampler
	// Known tells whether clientID names a registered client; failures of
	// no registered client are stored as unattributed. Without it, a
	// failure is attributed whenever it names a client.
	Known func(ctx context.Context, clientID string) bool
}

// saveTimeout bounds storing a story, which must never hold up the answer
// for long.
const saveTimeout = 2 * time.Second

// Bounds of what one failure's log line and story hold. Catalog values
// are already clipped to catalog.MaxValue and causes to catalog.MaxCause;
// these bound the rest, so a story is at most a few KiB whatever the
// request held.
const (
	maxPath        = 200  // of the request path
	maxParamName   = 40   // of one parameter name
	maxParamNames  = 600  // of all parameter names of one kind (query, form)
	maxClientID    = 128  // a longer client_id is no registered client's
	maxDescription = 2048 // the description filled with public values
)

// Clip cuts s to at most about n bytes, marking what was left out.
func Clip(s string, n int) string { return catalog.Clip(s, n) }

// Record reports e, the answer to r at endpoint for clientID ("" when the
// client is unknown). Storing is best effort: losing a story is logged and
// counted, and never changes the answer.
func (rec *Recorder) Record(r *http.Request, endpoint catalog.Endpoint, clientID string, e *catalog.Error, now time.Time) {
	rec.record(r, endpoint, clientID, e, now, true)
}

// RecordInFull reports e like Record, but past the Sampler: for failures
// whose number a caller already bounds (sign-ins, limited per network),
// and whose trace id a person was given to report, so its story must be
// there.
func (rec *Recorder) RecordInFull(r *http.Request, endpoint catalog.Endpoint, clientID string, e *catalog.Error, now time.Time) {
	rec.record(r, endpoint, clientID, e, now, false)
}

func (rec *Recorder) record(r *http.Request, endpoint catalog.Endpoint, clientID string, e *catalog.Error, now time.Time, sample bool) {
	if rec.Count != nil {
		rec.Count(string(e.Name()), e.Code(), string(endpoint))
	}
	rec.report(r, endpoint, clientID, e, now, kind{sample: sample})
}

// kind tells what report reports: a failure, or a note on a success.
type kind struct {
	note   bool // a success with a note: logged at debug level, marked by Outcome
	sample bool // through the Sampler, if there is one
}

// report is the one path of failures and notes alike: sampled, logged,
// and its story stored, bounded the same way.
func (rec *Recorder) report(r *http.Request, endpoint catalog.Endpoint, clientID string, e *catalog.Error, now time.Time, k kind) {
	ctx := r.Context()
	tid := trace.ID(ctx)
	client := Clip(clientID, maxClientID)
	access.SetClient(ctx, client)
	if k.sample && rec.Sampler != nil {
		full, summaries := rec.Sampler.Take(now, Key{
			Network:  network(r),
			Name:     string(e.Name()),
			Endpoint: string(endpoint),
			Client:   clientID,
		}, tid)
		logSummaries(ctx, rec.Log, summaries)
		if !full {
			if rec.Writer != nil {
				rec.Writer.countDrop(DropRepeated)
			}
			return
		}
	}
	if rec.Log != nil {
		if k.note {
			logNote(ctx, rec.Log, tid, endpoint, client, e)
		} else {
			logFailure(ctx, rec.Log, tid, endpoint, client, e)
		}
	}
	// A story of the database not answering would go to that database,
	// only to time out there too: the log has it.
	if (rec.Store == nil && rec.Writer == nil) || tid == "" || e.Name() == catalog.StorageUnavailable {
		return
	}
	f := &store.Failure{
		TraceID:   tid,
		Time:      now,
		Name:      string(e.Name()),
		Endpoint:  string(endpoint),
		ClientID:  client,
		Request:   Summary(r),
		Text:      Clip(e.Text(), maxDescription),
		CreatedAt: now,
		// Refined by Known before the story is written.
		Unattributed: client == "" || len(clientID) > maxClientID,
	}
	if iv := e.InternalValues(); k.note || len(iv) > 0 {
		f.Internal = make(map[string]string, len(iv)+1)
		if k.note {
			f.Internal[Outcome] = NoteOutcome
		}
		for _, kv := range iv {
			f.Internal[kv[0]] = kv[1]
		}
	}
	if rec.Writer != nil {
		rec.Writer.Enqueue(f)
		return
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), saveTimeout)
	defer cancel()
	classify(sctx, rec.Known, f)
	if err := rec.Store.RecordFailure(sctx, f); err != nil && rec.Log != nil {
		what := "failure"
		if k.note {
			what = "note"
		}
		rec.Log.WarnContext(ctx, "could not record "+what, "trace_id", tid, "err", err)
	}
}

// logFailure writes the line of a failure, at error level for a 5xx.
func logFailure(ctx context.Context, log *slog.Logger, tid string, endpoint catalog.Endpoint, client string, e *catalog.Error) {
	attrs := append([]slog.Attr{
		slog.String("trace_id", tid),
		slog.String("endpoint", string(endpoint)),
		slog.String("client_id", client),
	}, e.LogAttrs()...)
	for i := range attrs {
		if attrs[i].Key == "description" {
			attrs[i].Value = slog.StringValue(Clip(attrs[i].Value.String(), maxDescription))
		}
	}
	level := slog.LevelInfo
	if e.Status() >= 500 {
		level = slog.LevelError
	}
	log.LogAttrs(ctx, level, "request failed", attrs...)
}

// classify settles whether a story names a registered client.
func classify(ctx context.Context, known func(context.Context, string) bool, f *store.Failure) {
	if !f.Unattributed && known != nil && !known(ctx, f.ClientID) {
		f.Unattributed = true
	}
}

// logSummaries writes one line per group of failures that were counted
// but not reported one by one.
func logSummaries(ctx context.Context, log *slog.Logger, summaries []Summarised) {
	if log == nil {
		return
	}
	for _, s := range summaries {
		log.LogAttrs(ctx, slog.LevelWarn, "request failures summarised",
			slog.Int("count", s.Count),
			slog.String("like_trace_id", s.Like),
			slog.String("error_code", s.Key.Name),
			slog.String("endpoint", s.Key.Endpoint),
			slog.String("client_id", s.Key.Client),
			slog.String("network", s.Key.Network),
			slog.Time("since", s.Since),
		)
	}
}

// network is the client network of r: an IPv4 address or an IPv6 /64.
// r.RemoteAddr is already the client's (the server resolves trusted
// proxies first).
func network(r *http.Request) string {
	if p, ok := throttle.Network(r.RemoteAddr); ok {
		return p.String()
	}
	return "unknown"
}

// Summary names the method, path and parameter names of a request; values
// are left out because some are secrets. The path and each parameter name
// are clipped, and the names of one kind are listed up to a budget, then
// counted: a request may carry thousands.
func Summary(r *http.Request) string {
	var b strings.Builder
	b.WriteString(Clip(r.Method, 16))
	b.WriteByte(' ')
	b.WriteString(Clip(r.URL.Path, maxPath))
	names := func(label string, m map[string][]string) {
		if len(m) == 0 {
			return
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteString(" " + label + ":")
		used := 0
		for i, k := range keys {
			k = Clip(k, maxParamName)
			if used+len(k) > maxParamNames {
				b.WriteString(" ...(+" + strconv.Itoa(len(keys)-i) + " more)")
				return
			}
			used += len(k) + 1
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
