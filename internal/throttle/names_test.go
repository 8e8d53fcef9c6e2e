package throttle

import (
	"fmt"
	"testing"
	"time"
)

// lockAfter3 locks from the third failure on, a minute doubling.
func lockAfter3(failed int) time.Duration {
	if failed < 3 {
		return 0
	}
	return time.Minute << (failed - 3)
}

func TestNamesLockLikeAccounts(t *testing.T) {
	n := NewNames(10)
	t0 := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	for i := range 2 {
		if until := n.Fail("Mallory", t0, lockAfter3); !until.IsZero() {
			t.Fatalf("failure %d locked until %s", i+1, until)
		}
	}
	if !n.LockedUntil("mallory").IsZero() {
		t.Fatal("locked before the threshold")
	}
	// Case does not make another name: the store matches case-insensitively.
	until := n.Fail("MALLORY", t0, lockAfter3)
	if want := t0.Add(time.Minute); !until.Equal(want) || !n.LockedUntil("mallory").Equal(want) {
		t.Fatalf("third failure: locked until %s (stored %s), want %s", until, n.LockedUntil("mallory"), want)
	}
	if got := n.Fail("mallory", t0.Add(2*time.Minute), lockAfter3); !got.Equal(t0.Add(4 * time.Minute)) {
		t.Fatalf("fourth failure: locked until %s, want the doubled lock to %s", got, t0.Add(4*time.Minute))
	}
	if !n.LockedUntil("trent").IsZero() {
		t.Fatal("another name is locked")
	}
}

func TestNamesBounded(t *testing.T) {
	n := NewNames(100)
	t0 := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	never := func(int) time.Duration { return 0 }
	for i := range 1000 {
		n.Fail(fmt.Sprintf("name-%d", i), t0.Add(time.Duration(i)*time.Second), never)
	}
	if n.Len() != 100 {
		t.Fatalf("%d names kept, want the bound 100", n.Len())
	}
	// The newest names survive: eviction takes the least recently failed
	// of a sample.
	if n.names[nameKey("name-999")] == nil {
		t.Fatal("the most recent name was forgotten")
	}
}
