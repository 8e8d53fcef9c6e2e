package groupcommit

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

var errClosed = errors.New("closed")

// waitQueued waits until n items are queued.
func waitQueued[T any](t *testing.T, q *Queue[T], n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for q.Len() < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d queued, want %d", q.Len(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// Work queued while the worker is away is taken in one batch, at most max
// at a time, and each caller gets its own outcome.
func TestBatchesAndAnswers(t *testing.T) {
	q := New[int](16, errClosed)
	var wg sync.WaitGroup
	got := make([]error, 5)
	for i := range 5 {
		wg.Go(func() { got[i] = q.Submit(context.Background(), i) })
		waitQueued(t, q, i+1)
	}
	first, ok := q.Take(nil, 3)
	if !ok || len(first) != 3 {
		t.Fatalf("first batch: %d items, %v; want 3", len(first), ok)
	}
	second, ok := q.Take(nil, 3)
	if !ok || len(second) != 2 {
		t.Fatalf("second batch: %d items, %v; want the other 2", len(second), ok)
	}
	for _, it := range Started(append(first, second...)) {
		if it.Work%2 == 1 {
			it.Finish(errors.New("odd"))
		} else {
			it.Finish(nil)
		}
	}
	wg.Wait()
	for i, err := range got {
		if (err != nil) != (i%2 == 1) {
			t.Errorf("work %d: %v", i, err)
		}
	}
}

// A caller whose context ends while its work is queued gets the context's
// error and its work is not started; once started, the caller waits for
// the outcome whatever its context says.
func TestAbandonOnlyWhileQueued(t *testing.T) {
	q := New[string](4, errClosed)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- q.Submit(ctx, "gives up") }()
	waitQueued(t, q, 1)
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("queued, then cancelled: %v", err)
	}
	batch, _ := q.Take(nil, 4)
	if live := Started(batch); len(live) != 0 {
		t.Fatalf("abandoned work started: %v", live[0].Work)
	}

	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	go func() { errc <- q.Submit(ctx, "waits") }()
	waitQueued(t, q, 1)
	batch, _ = q.Take(nil, 4)
	live := Started(batch)
	if len(live) != 1 {
		t.Fatalf("%d started, want 1", len(live))
	}
	cancel()
	select {
	case err := <-errc:
		t.Fatalf("started work answered before Finish: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	outcome := errors.New("committed")
	live[0].Finish(outcome)
	if err := <-errc; !errors.Is(err, outcome) {
		t.Fatalf("started, then cancelled: got %v, want the outcome", err)
	}
}

// Close answers queued work and refuses new work; Take reports the end.
func TestClose(t *testing.T) {
	q := New[int](4, errClosed)
	errc := make(chan error, 1)
	go func() { errc <- q.Submit(context.Background(), 1) }()
	waitQueued(t, q, 1)
	q.Close()
	if err := <-errc; !errors.Is(err, errClosed) {
		t.Errorf("queued at close: %v", err)
	}
	if err := q.Submit(context.Background(), 2); !errors.Is(err, errClosed) {
		t.Errorf("after close: %v", err)
	}
	if _, ok := q.Take(nil, 4); ok {
		t.Error("Take after close reports more work")
	}
	q.Close() // twice is fine
}
