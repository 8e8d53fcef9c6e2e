package throttle_test

import (
	"context"
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/store/sqlite"
	"github.com/lucid-auth/lucid/internal/throttle"
)

// Two replicas sharing one database share the allowance of a network and
// the failures of an unknown name; without Shared each has its own.
func TestShared(t *testing.T) {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "lucid.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	t0 := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	net := netip.MustParsePrefix("192.0.2.7/32")
	for _, c := range []struct {
		name    string
		opts    []throttle.Option
		allowed int // of 6 takes alternating between the replicas
	}{
		{"in memory", nil, 6},
		{"shared", []throttle.Option{throttle.Shared(st, "test-"+t.Name())}, 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			replicas := []*throttle.Limiter{throttle.New(3, c.opts...), throttle.New(3, c.opts...)}
			allowed := 0
			var undo func()
			for i := range 6 {
				u, wait := replicas[i%2].Take(net, t0)
				if wait == 0 {
					allowed++
					undo = u
				}
			}
			if allowed != c.allowed {
				t.Fatalf("%d of 6 allowed, want %d", allowed, c.allowed)
			}
			undo()
			if _, wait := replicas[1].Take(net, t0); wait != 0 {
				t.Fatalf("after an event given back: refused, wait %s", wait)
			}
			if _, wait := replicas[0].Take(net, t0); wait == 0 {
				t.Fatal("past the allowance again: allowed")
			}
		})
	}
	lockAt3 := func(failed int) time.Duration {
		if failed < 3 {
			return 0
		}
		return time.Minute
	}
	a, b := throttle.NewNames(10, throttle.Shared(st, "name")), throttle.NewNames(10, throttle.Shared(st, "name"))
	a.Fail("Mallory", t0, lockAt3)
	b.Fail("mallory", t0, lockAt3)
	if until := a.Fail("MALLORY", t0, lockAt3); !until.Equal(t0.Add(time.Minute)) {
		t.Fatalf("third failure across replicas: locked until %s", until)
	}
	if until := b.LockedUntil("mallory"); !until.Equal(t0.Add(time.Minute)) {
		t.Fatalf("the other replica sees the lock until %s", until)
	}
	// A success on one replica clears the count for both, in memory too.
	for _, names := range []*throttle.Names{throttle.NewNames(10), a} {
		names.Fail("alice", t0, lockAt3)
		names.Fail("alice", t0, lockAt3)
		names.Forget("Alice")
		if until := names.Fail("alice", t0, lockAt3); !until.IsZero() {
			t.Fatalf("the first failure after a success locked until %s", until)
		}
	}
	b.Forget("mallory")
	if until := a.LockedUntil("mallory"); !until.IsZero() {
		t.Fatalf("after a success on the other replica: locked until %s", until)
	}
}
