package outbox_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/outbox"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/sqlite"
)

func openStore(t *testing.T) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "lucid.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type counts struct {
	mu sync.Mutex
	m  map[string]int
}

func (c *counts) add(kind, outcome string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]int{}
	}
	c.m[kind+"/"+outcome]++
}

func (c *counts) get(k string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[k]
}

func TestDeliversThenRetriesThenGivesUp(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	clk := &clock{t: time.Now()}
	var cnt counts
	var reports []outbox.Failure
	var rmu sync.Mutex
	x := outbox.New(outbox.Options{Store: st, Now: clk.Now, MaxAttempts: 3,
		Backoff: outbox.Backoff{Base: time.Minute, Cap: 90 * time.Second}, Count: cnt.add,
		Report: func(_ context.Context, f outbox.Failure) { rmu.Lock(); reports = append(reports, f); rmu.Unlock() }})
	var got []outbox.Item
	var fails atomic.Int32
	x.Register("ok", func(_ context.Context, it outbox.Item) error { got = append(got, it); return nil })
	x.Register("flaky", func(context.Context, outbox.Item) error {
		if fails.Add(1) <= 1 {
			return errors.New("receiver answered 503")
		}
		return nil
	})
	x.Register("broken", func(context.Context, outbox.Item) error { return errors.New("connection refused") })
	x.Register("gone", func(context.Context, outbox.Item) error { return outbox.Permanent(errors.New("client deleted")) })
	if err := x.Enqueue(ctx,
		outbox.Message{Kind: "ok", Target: "https://a.example/", ClientID: "a", Payload: []byte("p")},
		outbox.Message{Kind: "flaky", Target: "https://b.example/"},
		outbox.Message{Kind: "broken", Target: "https://c.example/"},
		outbox.Message{Kind: "gone", Target: "https://d.example/"},
		outbox.Message{Kind: "unknown", Target: "https://e.example/"},
		outbox.Message{Kind: "ok", Target: "https://later.example/", NotBefore: clk.Now().Add(time.Hour)},
	); err != nil {
		t.Fatal(err)
	}
	if n, err := x.RunOnce(ctx); err != nil || n != 5 {
		t.Fatalf("first run claimed %d, %v; want the 5 due items", n, err)
	}
	if len(got) != 1 || got[0].Target != "https://a.example/" || string(got[0].Payload) != "p" || got[0].ClientID != "a" || got[0].Attempt != 1 || got[0].TraceID == "" {
		t.Fatalf("delivered %+v", got)
	}
	c, _ := st.CountOutbox(ctx)
	if c != (store.OutboxCounts{Pending: 3, Delivered: 1, Dead: 2}) {
		t.Fatalf("after the first run: %+v; want flaky, broken and later pending, gone and unknown dead", c)
	}
	dead, _ := st.ListOutbox(ctx, store.OutboxDead, 10)
	for _, d := range dead {
		if d.Attempts != 1 || d.LastError == "" || d.LastTraceID == "" {
			t.Errorf("dead item %+v: want its one attempt, error and trace id", d)
		}
	}
	// Nothing is due until the backoff has passed.
	if n, _ := x.RunOnce(ctx); n != 0 {
		t.Fatalf("claimed %d before the backoff passed", n)
	}
	clk.Advance(time.Minute)
	if n, _ := x.RunOnce(ctx); n != 2 {
		t.Fatalf("claimed %d after the first backoff, want flaky and broken", n)
	}
	clk.Advance(90 * time.Second) // the cap, not 2 minutes
	if n, _ := x.RunOnce(ctx); n != 1 {
		t.Fatalf("claimed %d after the capped backoff, want broken", n)
	}
	c, _ = st.CountOutbox(ctx)
	if c != (store.OutboxCounts{Pending: 1, Delivered: 2, Dead: 3}) {
		t.Fatalf("in the end: %+v", c)
	}
	if cnt.get("ok/delivered") != 1 || cnt.get("flaky/failed") != 1 || cnt.get("flaky/delivered") != 1 ||
		cnt.get("broken/failed") != 2 || cnt.get("broken/dead") != 1 || cnt.get("gone/dead") != 1 || cnt.get("unknown/dead") != 1 {
		t.Errorf("counts %v", cnt.m)
	}
	rmu.Lock()
	defer rmu.Unlock()
	if len(reports) != 6 {
		t.Fatalf("%d failures reported, want 6", len(reports))
	}
	last := reports[len(reports)-1]
	if last.Item.Kind != "broken" || !last.Dead || last.Item.Attempt != 3 || last.MaxAttempts != 3 {
		t.Errorf("last report %+v: want broken given up at attempt 3 of 3", last)
	}
}

// A replica that claimed items and died: once the lease expires, another
// replica delivers them.
func TestLeaseTakeover(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	clk := &clock{t: time.Now()}
	if err := outbox.Enqueue(ctx, st, clk.Now(), outbox.Message{Kind: "k", Target: "t"}); err != nil {
		t.Fatal(err)
	}
	if items, err := st.ClaimOutbox(ctx, "dead-replica", clk.Now(), time.Minute, 10); err != nil || len(items) != 1 {
		t.Fatalf("claim: %v, %v", items, err)
	}
	var delivered atomic.Int32
	x := outbox.New(outbox.Options{Store: st, Now: clk.Now})
	x.Register("k", func(_ context.Context, it outbox.Item) error {
		if it.Attempt != 2 {
			t.Errorf("attempt %d, want 2 (the dead replica's counts)", it.Attempt)
		}
		delivered.Add(1)
		return nil
	})
	if n, _ := x.RunOnce(ctx); n != 0 {
		t.Fatal("took over an item whose lease runs")
	}
	clk.Advance(time.Minute)
	if n, _ := x.RunOnce(ctx); n != 1 || delivered.Load() != 1 {
		t.Fatalf("after the lease: claimed %d, delivered %d", n, delivered.Load())
	}
}

// Two replicas' workers on one database deliver every item exactly once
// when nothing fails.
func TestReplicasShareTheWork(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	var mu sync.Mutex
	seen := map[string]int{}
	h := func(_ context.Context, it outbox.Item) error {
		mu.Lock()
		seen[it.ID]++
		mu.Unlock()
		return nil
	}
	const n = 100
	msgs := make([]outbox.Message, n)
	for i := range msgs {
		msgs[i] = outbox.Message{Kind: "k", Target: "t"}
	}
	var workers []*outbox.Outbox
	for range 3 {
		x := outbox.New(outbox.Options{Store: st, PollInterval: 5 * time.Millisecond, Batch: 4})
		x.Register("k", h)
		x.Start()
		workers = append(workers, x)
	}
	if err := outbox.Enqueue(ctx, st, time.Now(), msgs...); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := st.CountOutbox(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if c.Delivered == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not all delivered: %+v", c)
		}
		time.Sleep(10 * time.Millisecond)
	}
	for _, x := range workers {
		if err := x.Close(ctx); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != n {
		t.Fatalf("%d items delivered, want %d", len(seen), n)
	}
	for id, k := range seen {
		if k != 1 {
			t.Errorf("item %s delivered %d times", id, k)
		}
	}
}

func TestBackoff(t *testing.T) {
	b := outbox.Backoff{Base: 10 * time.Second, Cap: time.Minute}
	for _, tc := range []struct {
		n    int
		want time.Duration
	}{{1, 10 * time.Second}, {2, 20 * time.Second}, {3, 40 * time.Second}, {4, time.Minute}, {50, time.Minute}} {
		got := b.After(tc.n)
		if got > tc.want || got < tc.want-tc.want/10 {
			t.Errorf("after attempt %d: %s, want %s less at most a tenth", tc.n, got, tc.want)
		}
	}
}

// A panicking handler is a failed attempt, not a dead worker.
func TestHandlerPanic(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	x := outbox.New(outbox.Options{Store: st})
	x.Register("k", func(context.Context, outbox.Item) error { panic("boom") })
	if err := x.Enqueue(ctx, outbox.Message{Kind: "k"}); err != nil {
		t.Fatal(err)
	}
	if n, err := x.RunOnce(ctx); n != 1 || err != nil {
		t.Fatalf("run: %d, %v", n, err)
	}
	items, _ := st.ListOutbox(ctx, store.OutboxPending, 10)
	if len(items) != 1 || items[0].LastError != "handler panicked: boom" {
		t.Fatalf("pending %+v", items)
	}
}
