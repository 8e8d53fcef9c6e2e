package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
)

// testSessionByID: a session is found by its public id (the sid claim)
// while it exists, and not after it was deleted (a sign-out).
func testSessionByID(t *testing.T, s store.Store) {
	ctx := context.Background()
	a, b := newSession("hash-a", t0.Add(24*time.Hour)), newSession("hash-b", t0.Add(24*time.Hour))
	for _, x := range []*store.Session{a, b} {
		if err := s.CreateSession(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.GetSessionByID(ctx, a.ID)
	if err != nil || got.Hash != a.Hash || got.UserID != a.UserID {
		t.Fatalf("GetSessionByID(%s) = %+v, %v", a.ID, got, err)
	}
	for _, id := range []string{"sid-none", "", "hash-a", "%"} {
		if _, err := s.GetSessionByID(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetSessionByID(%q): %v, want ErrNotFound", id, err)
		}
	}
	if err := s.DeleteSession(ctx, a.Hash); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetSessionByID(ctx, a.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("after sign-out: %v, want ErrNotFound", err)
	}
	if got, err := s.GetSessionByID(ctx, b.ID); err != nil || got.Hash != b.Hash {
		t.Errorf("the other session: %+v, %v", got, err)
	}
}
