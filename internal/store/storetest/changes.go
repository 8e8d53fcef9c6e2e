package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
)

// testRecentRevocations: the denylist that has not expired, the families
// revoked since a time, and the bound.
func testRecentRevocations(t *testing.T, s store.Store) {
	ctx := context.Background()
	must(t, s.DenyJTI(ctx, "live", t0.Add(time.Hour)), "deny live")
	must(t, s.DenyJTI(ctx, "gone", t0.Add(-time.Minute)), "deny expired")
	for _, id := range []string{"old", "new", "kept"} {
		mustFamily(t, s, id, "u1", "c1")
	}
	must(t, s.RevokeTokenFamily(ctx, "old", "before", t0.Add(-2*time.Hour)), "revoke old")
	must(t, s.RevokeTokenFamily(ctx, "new", "after ✓ 'quoted'", t0.Add(-time.Minute)), "revoke new")

	r, err := s.RecentRevocations(ctx, t0, t0.Add(-time.Hour), 10)
	must(t, err, "recent revocations")
	same(t, map[string]time.Time{"live": t0.Add(time.Hour).UTC().Truncate(time.Microsecond)}, r.Denied, "denied")
	same(t, map[string]store.RevokedFamily{"new": {At: t0.Add(-time.Minute).UTC().Truncate(time.Microsecond), Reason: "after ✓ 'quoted'"}},
		r.Families, "families")

	must(t, s.DenyJTI(ctx, "live2", t0.Add(time.Hour)), "deny another")
	if _, err := s.RecentRevocations(ctx, t0, t0.Add(-time.Hour), 1); !errors.Is(err, store.ErrConflict) {
		t.Errorf("over the limit: %v, want ErrConflict", err)
	}
}

// testThrottles: the GCRA bucket spends at most burst at once, refills one
// event per interval, gives back; failures count and lock.
func testThrottles(t *testing.T, s store.Store) {
	ctx := context.Background()
	const iv = time.Minute
	for i := range 3 {
		wait, err := s.TakeThrottle(ctx, "net:a", t0, iv, 3)
		must(t, err, "take")
		if wait != 0 {
			t.Fatalf("take %d of a burst of 3 refused (wait %s)", i+1, wait)
		}
	}
	wait, err := s.TakeThrottle(ctx, "net:a", t0, iv, 3)
	must(t, err, "take past the burst")
	if wait <= 0 || wait > iv {
		t.Fatalf("past the burst: wait %s, want within (0, %s]", wait, iv)
	}
	if w, err := s.TakeThrottle(ctx, "net:b", t0, iv, 3); err != nil || w != 0 {
		t.Fatalf("another key: wait %s, %v", w, err)
	}
	// One interval later one event is back.
	if w, err := s.TakeThrottle(ctx, "net:a", t0.Add(iv), iv, 3); err != nil || w != 0 {
		t.Fatalf("an interval later: wait %s, %v", w, err)
	}
	if w, _ := s.TakeThrottle(ctx, "net:a", t0.Add(iv), iv, 3); w == 0 {
		t.Fatal("second take an interval later allowed")
	}
	must(t, s.GiveThrottle(ctx, "net:a", iv), "give")
	if w, err := s.TakeThrottle(ctx, "net:a", t0.Add(iv), iv, 3); err != nil || w != 0 {
		t.Fatalf("after giving one back: wait %s, %v", w, err)
	}

	lockAt3 := func(failed int) time.Time {
		if failed < 3 {
			return time.Time{}
		}
		return t0.Add(time.Duration(failed) * time.Minute)
	}
	for want := 1; want <= 3; want++ {
		n, err := s.FailThrottle(ctx, "name:x", t0, lockAt3)
		must(t, err, "fail")
		if n != want {
			t.Fatalf("failure count %d, want %d", n, want)
		}
	}
	until, err := s.ThrottleLockedUntil(ctx, "name:x")
	must(t, err, "locked until")
	if !until.Equal(t0.Add(3 * time.Minute).Truncate(time.Microsecond)) {
		t.Errorf("locked until %s, want %s", until, t0.Add(3*time.Minute))
	}
	if until, err := s.ThrottleLockedUntil(ctx, "name:y"); err != nil || !until.IsZero() {
		t.Errorf("unknown key: locked until %s, %v", until, err)
	}
	// A success clears the count and the lock, not the bucket.
	must(t, s.ClearThrottleFailures(ctx, "name:x"), "clear")
	if until, err := s.ThrottleLockedUntil(ctx, "name:x"); err != nil || !until.IsZero() {
		t.Errorf("after clearing: locked until %s, %v", until, err)
	}
	if n, err := s.FailThrottle(ctx, "name:x", t0, lockAt3); err != nil || n != 1 {
		t.Errorf("after clearing: count %d, %v; want 1", n, err)
	}
	must(t, s.ClearThrottleFailures(ctx, "name:none"), "clear an unknown key")
	for range 2 {
		_, err := s.FailThrottle(ctx, "name:x", t0, lockAt3)
		must(t, err, "fail")
	}
	// Idle a day, refilled and unlocked: gone; the count starts over.
	must(t, s.DeleteExpired(ctx, t0.Add(store.ThrottleKeep+time.Hour), time.Hour), "delete expired")
	if n, err := s.FailThrottle(ctx, "name:x", t0.Add(store.ThrottleKeep+time.Hour), lockAt3); err != nil || n != 1 {
		t.Errorf("after expiry: count %d, %v; want 1", n, err)
	}
}

// RunFeed checks a backend's change feed. pair returns two stores on one
// new database (two processes, as far as the backend can tell); a change
// committed through the second must reach the first's feed, as the change
// itself or as a flush.
func RunFeed(t *testing.T, pair func(t *testing.T) (store.Store, store.Store)) {
	a, b := pair(t)
	feed, ok := a.(store.ChangeFeed)
	if !ok {
		t.Fatalf("%T has no change feed", a)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, err := feed.Changes(ctx)
	must(t, err, "changes")
	next := func(what string) store.Change {
		t.Helper()
		select {
		case c, ok := <-ch:
			if !ok {
				t.Fatalf("%s: feed closed", what)
			}
			return c
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: nothing from the feed in 10 s", what)
		}
		return store.Change{}
	}
	if c := next("start"); c.Kind != store.ChangeFlush {
		t.Fatalf("first change %v, want a flush", c.Kind)
	}
	for _, w := range []struct {
		kind  store.ChangeKind
		id    string
		write func() error
	}{
		{store.ChangeClient, "feed-client", func() error { return b.CreateClient(ctx, newClient("feed-client")) }},
		{store.ChangeAPI, "https://feed.example", func() error {
			return b.CreateAPI(ctx, &store.API{ID: "https://feed.example", Name: "feed", CreatedAt: t0})
		}},
		{store.ChangeDeniedJTI, "feed-jti", func() error { return b.DenyJTI(ctx, "feed-jti", t0.Add(time.Hour)) }},
		{store.ChangeFamily, "feed-family", func() error {
			mustFamily(t, b, "feed-family", "u1", "c1")
			return b.RevokeTokenFamily(ctx, "feed-family", "test", t0)
		}},
	} {
		must(t, w.write(), "write "+w.kind.String())
		c := next(w.kind.String())
		if c.Kind != store.ChangeFlush && (c.Kind != w.kind || c.ID != w.id) {
			t.Errorf("after a %s change: %v %q, want it or a flush", w.kind, c.Kind, c.ID)
		}
		// A flush may stand for several commits; drain what is left.
		for drained := false; !drained; {
			select {
			case <-ch:
			case <-time.After(600 * time.Millisecond):
				drained = true
			}
		}
	}
	cancel()
	for range ch {
	}
}
