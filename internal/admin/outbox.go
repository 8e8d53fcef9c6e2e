package admin

import (
	"net/http"
	"strconv"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/store"
)

// outboxItemView is one outbox item as the operator sees it: never its
// payload, which may hold a secret (a bearer token to present).
type outboxItemView struct {
	ID          string     `json:"id"`
	Kind        string     `json:"kind"`
	Target      string     `json:"target"`
	ClientID    string     `json:"client_id,omitempty"`
	State       string     `json:"state"`
	CreatedAt   time.Time  `json:"created_at"`
	NextAttempt *time.Time `json:"next_attempt,omitempty"` // pending only
	Attempts    int        `json:"attempts"`
	LastError   string     `json:"last_error,omitempty"`
	// LastTraceID names the last failed attempt: `lucid explain` it.
	LastTraceID string     `json:"last_trace_id,omitempty"`
	FinishedAt  *time.Time `json:"finished_at,omitempty"`
}

// maxOutboxList bounds one listing.
const maxOutboxList = 1000

// listOutbox is GET /admin/outbox?state=pending|dead|delivered&limit=N:
// the counts of every state and the items of one (pending by default).
func (a *api) listOutbox(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	state := q.Get("state")
	if state == "" {
		state = store.OutboxPending
	}
	if state != store.OutboxPending && state != store.OutboxDead && state != store.OutboxDelivered {
		a.fail(w, r, catalog.New(catalog.AdminInvalid, "field", "state", "reason", "must be pending, dead or delivered"))
		return
	}
	limit := 100
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxOutboxList {
			a.fail(w, r, catalog.New(catalog.AdminInvalid, "field", "limit", "reason", "must be a number from 1 to "+strconv.Itoa(maxOutboxList)))
			return
		}
		limit = n
	}
	ctx := r.Context()
	items, err := a.svc.Store.ListOutbox(ctx, state, limit)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	// Counted after the list: an item listed as finished is counted so
	// (finished is final), whatever the worker did in between.
	counts, err := a.svc.Store.CountOutbox(ctx)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := make([]outboxItemView, len(items))
	for i, it := range items {
		out[i] = viewOutbox(it)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"counts": map[string]int{"pending": counts.Pending, "dead": counts.Dead, "delivered": counts.Delivered},
		"items":  out,
	})
}

func viewOutbox(it *store.OutboxItem) outboxItemView {
	v := outboxItemView{ID: it.ID, Kind: it.Kind, Target: it.Target, ClientID: it.ClientID, State: it.State,
		CreatedAt: it.CreatedAt, Attempts: it.Attempts, LastError: it.LastError, LastTraceID: it.LastTraceID, FinishedAt: it.FinishedAt}
	if it.State == store.OutboxPending {
		next := it.NextAttempt
		v.NextAttempt = &next
	}
	return v
}

// retryOutbox is POST /admin/outbox/{id}/retry: a dead item pending
// again, due now, its attempts reset (manage.RetryOutbox).
func (a *api) retryOutbox(w http.ResponseWriter, r *http.Request) {
	it, err := a.svc.RetryOutbox(r.Context(), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.log.InfoContext(r.Context(), "admin: outbox item retried", "trace_id", traceID(r), "outbox_item", it.ID, "kind", it.Kind)
	writeJSON(w, http.StatusOK, viewOutbox(it))
}
