package failure

import (
	"context"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/store"
)

// Background is a failure of work Lucid did on its own, outside any
// request: an outbox delivery attempt. It has its own trace id, under
// which `lucid explain` finds its story.
type Background struct {
	TraceID  string
	Endpoint catalog.Endpoint
	ClientID string
	// Request says what was attempted, as a request summary does
	// ("POST https://rp.example/logout").
	Request string
	Err     *catalog.Error
	Now     time.Time
}

// RecordBackground reports a failure of background work: logged, counted
// and its story kept, like a request's. Not sampled: the work bounds its
// own failures (an outbox item is attempted a bounded number of times).
func (rec *Recorder) RecordBackground(ctx context.Context, b Background) {
	e := b.Err
	if rec.Count != nil {
		rec.Count(string(e.Name()), e.Code(), string(b.Endpoint))
	}
	client := Clip(b.ClientID, maxClientID)
	if rec.Log != nil {
		logFailure(ctx, rec.Log, b.TraceID, b.Endpoint, client, e)
	}
	if (rec.Store == nil && rec.Writer == nil) || b.TraceID == "" || e.Name() == catalog.StorageUnavailable {
		return
	}
	f := &store.Failure{
		TraceID:      b.TraceID,
		Time:         b.Now,
		Name:         string(e.Name()),
		Endpoint:     string(b.Endpoint),
		ClientID:     client,
		Request:      Clip(b.Request, maxPath+16),
		Text:         Clip(e.Text(), maxDescription),
		CreatedAt:    b.Now,
		Unattributed: client == "" || len(b.ClientID) > maxClientID,
	}
	if iv := e.InternalValues(); len(iv) > 0 {
		f.Internal = make(map[string]string, len(iv))
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
		rec.Log.WarnContext(ctx, "could not record failure", "trace_id", b.TraceID, "err", err)
	}
}
