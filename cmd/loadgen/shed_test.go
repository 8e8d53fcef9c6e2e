package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"
)

// TestShedCounted: a 503 server_overloaded is neither a result nor an
// error, its step's check and abort are not told (a refresh chain keeps
// its token, which the server never saw), and with a backoff the worker
// waits before its next request; on the event loop and with a goroutine
// per worker alike. Another 503 is an error.
func TestShedCounted(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/other" {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"error_code":"storage_unavailable"}`))
			return
		}
		if n.Add(1)%2 == 0 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"error":"temporarily_unavailable","error_code":"server_overloaded"}`))
			return
		}
		_, _ = w.Write([]byte("ok"))
	}))
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	var checked, aborted atomic.Int64
	newStep := func(path string) step {
		return step{
			next: func() (request, error) { return request{"GET", path, "", "", ""}, nil },
			check: func(status int, body []byte) error {
				checked.Add(1)
				if status != 200 {
					return errNoToken
				}
				return nil
			},
			abort: func() { aborted.Add(1) },
		}
	}
	for _, backoff := range []time.Duration{0, 300 * time.Millisecond} {
		g := &generator{raw: newRawClient(u.Host, u.Host, 1, 5*time.Second), o: &options{timeout: 5 * time.Second, backoff: backoff}}
		phases := map[string]func(steps []step, max int) phase{
			"workers": func(steps []step, max int) phase {
				return g.runWorkers(context.Background(), target{raw: g.raw}, steps, 10*time.Second, max)
			},
		}
		if haveEventLoop {
			phases["event loop"] = func(steps []step, max int) phase {
				return runLoop(context.Background(), u.Host, u.Host, steps, 10*time.Second, max, 5*time.Second, backoff)
			}
		}
		for name, run := range phases {
			checked.Store(0)
			aborted.Store(0)
			n.Store(0)
			start := time.Now()
			ph := run([]step{newStep("/")}, 10)
			took := time.Since(start)
			if ph.shed != 5 || len(ph.latencies) != 5 || ph.errors != 0 || checked.Load() != 5 || aborted.Load() != 0 {
				t.Errorf("%s, backoff %s: %d shed, %d results, %d errors, %d checks, %d aborts; want 5 shed and 5 results, checked, never aborted",
					name, backoff, ph.shed, len(ph.latencies), ph.errors, checked.Load(), aborted.Load())
			}
			// Five sheds, each followed by at least half the backoff.
			if min := 5 * backoff / 2; took < min {
				t.Errorf("%s: took %s with backoff %s; the worker did not wait", name, took, backoff)
			}
			if ph := run([]step{newStep("/other")}, 3); ph.shed != 0 || ph.errors != 3 {
				t.Errorf("%s: another 503 gave %d shed, %d errors; want 3 errors", name, ph.shed, ph.errors)
			}
		}
		g.raw.close()
	}
}
