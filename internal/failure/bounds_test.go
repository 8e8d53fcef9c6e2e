package failure

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/sqlite"
	"github.com/lucid-auth/lucid/internal/trace"
)

// memStore keeps stories in memory; block, when set, holds every write
// until it is closed.
type memStore struct {
	mu      sync.Mutex
	stories map[string]*store.Failure
	block   chan struct{}
	batches int
}

func (m *memStore) RecordFailure(ctx context.Context, f *store.Failure) error {
	return m.RecordFailures(ctx, []*store.Failure{f})
}

func (m *memStore) RecordFailures(_ context.Context, fs []*store.Failure) error {
	if m.block != nil {
		<-m.block
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.stories == nil {
		m.stories = map[string]*store.Failure{}
	}
	m.batches++
	for _, f := range fs {
		m.stories[f.TraceID] = f
	}
	return nil
}

func (m *memStore) TrimFailures(context.Context, bool, int) (int64, error) { return 0, nil }

func (m *memStore) len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.stories)
}

// attack is a request the way the flood sent it: a client_id of 30,000
// characters, a long path and thousands of parameter names.
func attack(t *testing.T, traceID string) (*http.Request, *catalog.Error) {
	t.Helper()
	q := url.Values{"client_id": {strings.Repeat("A", 30000)}}
	for i := range 3000 {
		q.Set(fmt.Sprintf("p%04d_%s", i, strings.Repeat("n", 20)), "v")
	}
	r := httptest.NewRequest("GET", "/authorize/"+strings.Repeat("x", 5000)+"?"+q.Encode(), nil)
	r = r.WithContext(trace.With(r.Context(), traceID))
	e := catalog.New(catalog.AuthorizeClientUnknown, "client_id", q.Get("client_id")).
		Internal("seen", strings.Repeat("i", 20000)).
		Wrap(errors.New(strings.Repeat("cause ", 5000)))
	return r, e
}

// TestAttackerValuesAreClipped: every value the request chose is cut,
// with a marker, in the log line, the stored story and the answer; the
// flood wrote 50 kB per failure to each.
func TestAttackerValuesAreClipped(t *testing.T) {
	var logged bytes.Buffer
	st := &memStore{}
	rec := &Recorder{Log: slog.New(slog.NewJSONHandler(&logged, nil)), Store: st}
	r, e := attack(t, "trace-1")
	rec.Record(r, catalog.Authorize, strings.Repeat("A", 30000), e, time.Now())

	const bound = 8 << 10
	if n := logged.Len(); n > bound {
		t.Errorf("log line is %d bytes, want at most %d", n, bound)
	}
	f := st.stories["trace-1"]
	if f == nil {
		t.Fatal("no story")
	}
	size := len(f.ClientID) + len(f.Request) + len(f.Text)
	for k, v := range f.Internal {
		size += len(k) + len(v)
	}
	if size > bound {
		t.Errorf("story holds %d bytes, want at most %d", size, bound)
	}
	for what, s := range map[string]string{"client_id": f.ClientID, "description": f.Text, "cause": f.Internal["cause"], "internal": f.Internal["seen"], "request": f.Request, "log": logged.String()} {
		if !strings.Contains(s, "bytes)") && !strings.Contains(s, "more)") {
			t.Errorf("%s carries no marker of what was cut: %.200s", what, s)
		}
	}
	if !f.Unattributed {
		t.Error("a client_id no client can have is attributed")
	}
	if d := e.Description(); len(d) > catalog.MaxValue+300 {
		t.Errorf("error_description sent back is %d bytes", len(d))
	}
}

// TestSampler: how many failures of a flood are reported in full, and
// what the summaries say when the window ends.
func TestSampler(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		keys      func(i int) Key
		n         int
		wantFull  int
		wantTotal int // counted in the summaries
	}{
		{"one repeated failure", func(int) Key { return Key{"192.0.2.1/32", "client_unknown", "authorize", "x"} }, 1000, 3, 997},
		{"client_id varied from one network", func(i int) Key {
			return Key{"192.0.2.1/32", "client_unknown", "authorize", fmt.Sprint("c", i)}
		}, 1000, 10 + 3, 1000 - 13}, // ten keys of one failure each, then the network's overflow key
		{"many networks", func(i int) Key {
			return Key{fmt.Sprintf("10.0.%d.%d/32", i/250, i%250), "page_not_found", "other", ""}
		}, 5000, 100 + 3, 5000 - 103}, // MaxKeys keys of one each, then the global overflow key
		{"different failures each get their burst", func(i int) Key {
			return Key{"192.0.2.1/32", fmt.Sprint("entry", i%5), "token", "app"}
		}, 100, 15, 85},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Sampler{Window: time.Minute, Burst: 3, PerNetwork: 10, MaxKeys: 100}
			full := 0
			for i := range tt.n {
				ok, done := s.Take(t0.Add(time.Duration(i)*time.Millisecond), tt.keys(i), fmt.Sprint("trace-", i))
				if len(done) > 0 {
					t.Fatalf("summaries before the window ended: %v", done)
				}
				if ok {
					full++
				}
			}
			if full != tt.wantFull {
				t.Errorf("%d reported in full, want %d", full, tt.wantFull)
			}
			done := s.Flush(t0.Add(time.Minute + time.Hour))
			total := 0
			for _, d := range done {
				total += d.Count
				if d.Like == "" {
					t.Errorf("summary %+v names no trace", d)
				}
			}
			if total != tt.wantTotal {
				t.Errorf("summaries count %d, want %d", total, tt.wantTotal)
			}
			if len(done) > 101 {
				t.Errorf("%d summaries, want at most MaxKeys+1", len(done))
			}
			// A new window starts afresh.
			if ok, _ := s.Take(t0.Add(2*time.Hour), tt.keys(0), "again"); !ok {
				t.Error("the first failure of a new window was not reported")
			}
		})
	}
}

// TestSummaryLine: one line for the repeated failures, naming the count
// and a trace id like them.
func TestSummaryLine(t *testing.T) {
	var logged bytes.Buffer
	s := NewSampler()
	rec := &Recorder{Log: slog.New(slog.NewTextHandler(&logged, nil)), Sampler: s}
	t0 := time.Now()
	for i := range 50 {
		r := httptest.NewRequest("GET", "/nowhere", nil)
		r.RemoteAddr = "192.0.2.7:4444"
		r = r.WithContext(trace.With(r.Context(), fmt.Sprint("t", i)))
		rec.Record(r, catalog.Other, "", catalog.New(catalog.PageNotFound, "path", r.URL.Path), t0)
	}
	logSummaries(context.Background(), rec.Log, s.Flush(t0.Add(DefaultWindow)))
	out := logged.String()
	if n := strings.Count(out, "msg=\"request failed\""); n != DefaultBurst {
		t.Errorf("%d failures logged one by one, want %d", n, DefaultBurst)
	}
	if !strings.Contains(out, "msg=\"request failures summarised\" count=47 like_trace_id=t0 error_code=page_not_found endpoint=other client_id=\"\" network=192.0.2.7/32") {
		t.Errorf("no summary line:\n%s", out)
	}
}

// TestWriterNeverWaits: with the database stuck, Record returns at once;
// what the queue cannot hold is dropped and counted, reported in one log
// line rather than one per drop; what it holds is written once the
// database answers, in batches, and Close writes what is left.
func TestWriterNeverWaits(t *testing.T) {
	var logged bytes.Buffer
	var mu sync.Mutex
	log := slog.New(slog.NewTextHandler(&lockedWriter{w: &logged, mu: &mu}, nil))
	st := &memStore{block: make(chan struct{})}
	var metric sync.Map
	w := NewWriter(WriterOptions{Store: st, Log: log, QueueSize: 8, Dropped: func(r string) {
		v, _ := metric.LoadOrStore(r, new(int))
		mu.Lock()
		*v.(*int)++
		mu.Unlock()
	}, ReportEvery: 20 * time.Millisecond})
	w.Start()
	rec := &Recorder{Log: log, Writer: w}
	// The store holds every write until st.block is closed: had Record
	// waited on a write, this loop would never end.
	for i := range 100 {
		r := httptest.NewRequest("GET", "/x", nil)
		r = r.WithContext(trace.With(r.Context(), fmt.Sprint("t", i)))
		rec.Record(r, catalog.Other, "", catalog.New(catalog.PageNotFound, "path", "/x"), time.Now())
	}
	// The queue holds 8, and one batch (at most 1+8) waits on the store.
	dropped := w.Dropped(DropQueueFull)
	if dropped < 100-8-9 || dropped > 100-8 {
		t.Errorf("%d dropped, want 83 to 92", dropped)
	}
	time.Sleep(60 * time.Millisecond)
	close(st.block)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if got := int64(st.len()); got != 100-dropped {
		t.Errorf("%d stories written, want %d", got, 100-dropped)
	}
	if st.batches >= st.len() {
		t.Errorf("%d stories in %d writes: not batched", st.len(), st.batches)
	}
	mu.Lock()
	out := logged.String()
	n, _ := metric.Load(DropQueueFull)
	mu.Unlock()
	if lines := strings.Count(out, "failure stories dropped"); lines != 1 {
		t.Errorf("%d drop reports, want 1:\n%s", lines, out)
	}
	if !strings.Contains(out, fmt.Sprintf("queue_full=%d", dropped)) {
		t.Errorf("the report does not count the drops:\n%s", out)
	}
	if n == nil || int64(*n.(*int)) != dropped {
		t.Errorf("metric counted %v, want %d", n, dropped)
	}
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// TestWriterBoundsEachClass: on a real database, a flood of unattributed
// stories is trimmed to its own share and leaves the stories of a
// registered client alone.
func TestWriterBoundsEachClass(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "lucid.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.CreateClient(ctx, &store.Client{ID: "app", Name: "App", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	w := NewWriter(WriterOptions{Store: st, QueueSize: 1000, MaxStories: 20, MaxUnattributed: 10,
		Known: func(ctx context.Context, id string) bool { _, err := st.GetClient(ctx, id); return err == nil }})
	w.Start()
	t0 := time.Now()
	story := func(id, client string, at time.Time) *store.Failure {
		return &store.Failure{TraceID: id, Time: at, CreatedAt: at, Name: "x", Endpoint: "token", ClientID: client, Unattributed: client == ""}
	}
	for i := range 5 {
		w.Enqueue(story(fmt.Sprint("app-", i), "app", t0))
	}
	for i := range 500 {
		client := ""
		if i%2 == 1 {
			client = fmt.Sprint("unknown-", i) // names a client that does not exist
		}
		w.Enqueue(story(fmt.Sprint("noise-", i), client, t0.Add(time.Duration(i+1)*time.Millisecond)))
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, err := st.GetFailure(ctx, fmt.Sprint("app-", i)); err != nil {
			t.Errorf("story of the registered client pushed out: %v", err)
		}
	}
	// Within a tenth of the bound over it, until the next trim.
	if n, err := st.TrimFailures(ctx, true, 11); err != nil || n != 0 {
		t.Errorf("unattributed stories over their bound: %d more than 11 (%v)", n, err)
	}
	if _, err := st.GetFailure(ctx, "noise-499"); err != nil {
		t.Errorf("the newest noise was trimmed: %v", err)
	}
}
