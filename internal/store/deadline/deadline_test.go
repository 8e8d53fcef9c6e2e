package deadline_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/deadline"
	"github.com/lucid-auth/lucid/internal/store/sqlite"
	"github.com/lucid-auth/lucid/internal/store/storetest"
)

func open(t *testing.T) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "lucid.db"))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// The bound must not change what the store promises.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return deadline.New(open(t), 5*time.Second) })
}

// TestCallsAreBounded: a caller without a deadline of its own (background
// work, a handler given context.Background) still gets an answer after
// the timeout while the data it needs stays locked, and store.Unavailable
// recognises it; the read path is not held up meanwhile.
func TestCallsAreBounded(t *testing.T) {
	ctx := context.Background()
	raw := open(t)
	defer raw.Close()
	s := deadline.New(raw, 200*time.Millisecond)
	if err := s.CreateClient(ctx, &store.Client{ID: "c", Name: "C"}); err != nil {
		t.Fatal(err)
	}
	entered, release, first := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		// Unbounded on purpose: the writer this holds is what the bounded
		// call below waits for.
		_, err := raw.UpdateClient(ctx, "c", func(c *store.Client) error {
			close(entered)
			<-release
			return nil
		})
		first <- err
	}()
	<-entered
	released := make(chan struct{})
	go func() {
		time.Sleep(5 * time.Second)
		close(released)
		close(release)
	}()
	_, err := s.UpdateClient(ctx, "c", func(c *store.Client) error { c.Name = "second"; return nil })
	select {
	case <-released:
		t.Fatalf("the bounded call waited for the lock to be released (err %v)", err)
	default:
	}
	if !store.Unavailable(err) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v; want a deadline store.Unavailable recognises", err)
	}
	if c, err := s.GetClient(ctx, "c"); err != nil || c.Name != "C" {
		t.Fatalf("read while a write holds the writer: %v %v", c, err)
	}
	<-released
	if err := <-first; err != nil {
		t.Fatal(err)
	}
}

// TestZeroTimeout leaves calls as they are.
func TestZeroTimeout(t *testing.T) {
	raw := open(t)
	defer raw.Close()
	s := deadline.New(raw, 0)
	if err := s.CreateClient(context.Background(), &store.Client{ID: "c", Name: "C"}); err != nil {
		t.Fatal(err)
	}
	if s.Unwrap() != store.Store(raw) {
		t.Fatal("Unwrap does not return the wrapped store")
	}
}
