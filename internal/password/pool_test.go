package password

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestPoolBoundsConcurrency(t *testing.T) {
	p := NewPool(3, time.Second)
	if p.Slots() != 3 {
		t.Fatalf("Slots = %d, want 3", p.Slots())
	}
	var running, most atomic.Int32
	var wg sync.WaitGroup
	for range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			release, err := p.Acquire(context.Background())
			if err != nil {
				t.Error(err)
				return
			}
			n := running.Add(1)
			for {
				m := most.Load()
				if n <= m || most.CompareAndSwap(m, n) {
					break
				}
			}
			time.Sleep(5 * time.Millisecond)
			running.Add(-1)
			release()
		}()
	}
	wg.Wait()
	if m := most.Load(); m < 1 || m > 3 {
		t.Fatalf("%d ran at once, want at most 3", m)
	}
}

func TestPoolRefusesWhenFull(t *testing.T) {
	ctx := context.Background()
	p := NewPool(1, 20*time.Millisecond)
	release, err := p.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Acquire(ctx); !errors.Is(err, ErrBusy) {
		t.Fatalf("second Acquire: %v, want ErrBusy", err)
	}
	if _, err := NewPool(1, 0).AcquireWithin(ctx, 0); err != nil {
		t.Fatalf("a free pool with no wait: %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := p.AcquireWithin(cancelled, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("Acquire on an ended context: %v, want context.Canceled", err)
	}
	// A slot freed during the wait is taken.
	go func() { time.Sleep(10 * time.Millisecond); release() }()
	r2, err := p.AcquireWithin(ctx, 5*time.Second)
	if err != nil {
		t.Fatalf("slot freed during the wait not taken: %v", err)
	}
	r2()
}

func TestPoolDefaultSlots(t *testing.T) {
	if n := NewPool(0, 0).Slots(); n != runtime.NumCPU() {
		t.Fatalf("default slots %d, want NumCPU %d", n, runtime.NumCPU())
	}
}

func TestDummy(t *testing.T) {
	d := Dummy()
	if NeedsRehash(d) {
		t.Fatalf("dummy %q does not have the default parameters", d)
	}
	if d == Dummy() {
		t.Fatal("two dummies are equal")
	}
	for _, pw := range []string{"", "guess", "correct horse battery staple"} {
		if ok, err := Verify(d, pw); ok || err != nil {
			t.Fatalf("Verify(dummy, %q) = %v, %v; want false, nil", pw, ok, err)
		}
	}
}
