package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
)

// testDeleteSessionsFor: every session of one user ends, those of other
// users stay, and a user without sessions (or an odd id) is no error.
func testDeleteSessionsFor(t *testing.T, s store.Store) {
	ctx := context.Background()
	later := t0.Add(time.Hour)
	mk := func(hash, user string) {
		sess := newSession(hash, later)
		sess.UserID = user
		must(t, s.CreateSession(ctx, sess), "create session "+hash)
	}
	mk("a1", "user-a")
	mk("a2", "user-a")
	mk("b1", "user-b")
	mk("o1", odd)
	// A user id that starts like another's must not match it.
	mk("a3", "user-a2")

	must(t, s.DeleteSessionsFor(ctx, "user-a"), "DeleteSessionsFor user-a")
	for hash, gone := range map[string]bool{"a1": true, "a2": true, "b1": false, "o1": false, "a3": false} {
		_, err := s.GetSession(ctx, hash)
		switch {
		case gone && !errors.Is(err, store.ErrNotFound):
			t.Errorf("session %s of user-a: err %v, want ErrNotFound", hash, err)
		case !gone && err != nil:
			t.Errorf("session %s of another user: %v", hash, err)
		}
	}
	must(t, s.DeleteSessionsFor(ctx, "user-a"), "DeleteSessionsFor again")
	must(t, s.DeleteSessionsFor(ctx, "nobody"), "DeleteSessionsFor without sessions")
	must(t, s.DeleteSessionsFor(ctx, odd), "DeleteSessionsFor odd id")
}
