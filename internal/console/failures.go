package console

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/store"
)

// failuresData is the failures page: the search form, its results, and
// the story of one trace id as `lucid explain TRACE_ID` tells it.
type failuresData struct {
	TraceID, ClientID, Name, From, To string
	Searched                          bool
	Results                           []*store.Failure
	Story                             *story
}

type story struct {
	F        *store.Failure
	Entry    *catalog.Entry
	Status   string
	ErrorURI string
	Internal [][2]string
}

// timeForm is the value of an <input type="datetime-local">, read as UTC.
const timeForm = "2006-01-02T15:04"

func (c *Console) failures(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := failuresData{
		TraceID: strings.ToLower(strings.TrimSpace(q.Get("trace_id"))), ClientID: strings.TrimSpace(q.Get("client_id")),
		Name: strings.TrimSpace(q.Get("name")), From: q.Get("from"), To: q.Get("to"),
	}
	ctx := r.Context()
	if d.TraceID != "" {
		f, err := c.o.Service.Store.GetFailure(ctx, d.TraceID)
		if errors.Is(err, store.ErrNotFound) && c.o.Failures != nil && c.o.Failures.Writer != nil {
			// The story of a request that just failed may still be queued.
			fctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			if c.o.Failures.Writer.Flush(fctx) == nil {
				f, err = c.o.Service.Store.GetFailure(ctx, d.TraceID)
			}
			cancel()
		}
		if err != nil {
			if errors.Is(err, store.ErrNotFound) {
				err = catalog.New(catalog.AdminNotFound, "kind", "failure", "id", catalog.Clip(d.TraceID, 64))
			}
			e := c.problemOf(r, err)
			c.render(w, r, e.Status(), "failures", "Failures", "failures", d, c.describe(r, e))
			return
		}
		st := &story{F: f}
		if en, ok := catalog.Lookup(catalog.Name(f.Name)); ok {
			st.Entry, st.Status = en, catalog.StatusText(en.Status)
			st.ErrorURI = catalog.New(en.Name).URI(c.o.Issuer)
		}
		for _, k := range sortedKeys(f.Internal) {
			st.Internal = append(st.Internal, [2]string{k, f.Internal[k]})
		}
		d.Story = st
		c.render(w, r, http.StatusOK, "failures", "Failure "+f.TraceID, "failures", d, nil)
		return
	}
	if d.ClientID != "" || d.Name != "" || d.From != "" || d.To != "" || q.Has("search") {
		fq := store.FailureQuery{ClientID: d.ClientID, Name: d.Name, Limit: 100}
		for _, t := range []struct {
			field, v string
			dst      *time.Time
		}{{"from", d.From, &fq.From}, {"to", d.To, &fq.To}} {
			if t.v == "" {
				continue
			}
			at, err := time.Parse(timeForm, t.v)
			if err != nil {
				e := c.problemOf(r, catalog.New(catalog.AdminInvalid, "field", t.field, "reason", "expected a date and time like 2026-01-31T14:05 (UTC)"))
				c.render(w, r, e.Status(), "failures", "Failures", "failures", d, c.describe(r, e))
				return
			}
			*t.dst = at
		}
		if c.o.Failures != nil && c.o.Failures.Writer != nil {
			fctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			_ = c.o.Failures.Writer.Flush(fctx)
			cancel()
		}
		fs, err := c.o.Service.Store.ListFailures(ctx, fq)
		if err != nil {
			c.refuse(w, r, err)
			return
		}
		d.Searched, d.Results = true, fs
	}
	c.render(w, r, http.StatusOK, "failures", "Failures", "failures", d, nil)
}
