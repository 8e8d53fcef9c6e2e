package admin

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/store"
)

// failureView is GET /admin/failures/{trace_id}: the story of one failed
// request and the catalog entry it reported, as `lucid explain TRACE_ID`
// prints it. Entry is null when this server's catalog lacks the name (the
// failure was recorded by another version).
type failureView struct {
	Failure *store.Failure `json:"failure"`
	Entry   *catalog.Entry `json:"entry"`
}

// flushWait bounds how long a lookup waits for queued stories.
const flushWait = 2 * time.Second

func (a *api) getFailure(w http.ResponseWriter, r *http.Request) {
	// Trace ids are lower-case hex; one copied from a log may not be.
	id := strings.ToLower(strings.TrimSpace(r.PathValue("trace_id")))
	f, err := a.svc.Store.GetFailure(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) && a.failures.Writer != nil {
		// Stories are written in the background: one of a request that
		// just failed may still be queued.
		ctx, cancel := context.WithTimeout(r.Context(), flushWait)
		if a.failures.Writer.Flush(ctx) == nil {
			f, err = a.svc.Store.GetFailure(r.Context(), id)
		}
		cancel()
	}
	if errors.Is(err, store.ErrNotFound) {
		if len(id) > 64 {
			id = id[:64] + "…"
		}
		a.fail(w, r, catalog.New(catalog.AdminNotFound, "kind", "failure", "id", id))
		return
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	en, _ := catalog.Lookup(catalog.Name(f.Name))
	writeJSON(w, http.StatusOK, failureView{Failure: f, Entry: en})
}
