package storetest

// Conformance of the refresh reuse grace's state: the sealed successor a
// rotation keeps on the old refresh token (store.Successor).

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
)

func newSuccessor(sealed string, until time.Time) *store.Successor {
	// Every byte value, so that a backend that stores the blob as text
	// shows.
	b := []byte(sealed)
	for i := range 256 {
		b = append(b, byte(i))
	}
	return &store.Successor{Sealed: b, Until: until}
}

func sameSuccessor(t *testing.T, want, got *store.Successor, what string) {
	t.Helper()
	switch {
	case want == nil && got == nil:
	case want == nil || got == nil:
		t.Errorf("%s: successor %v, want %v", what, got, want)
	case !bytes.Equal(want.Sealed, got.Sealed):
		t.Errorf("%s: sealed successor %q, want %q", what, got.Sealed, want.Sealed)
	default:
		same(t, want.Until, got.Until, what+": successor's end of grace")
	}
}

// testRotateSuccessor: a rotation keeps its successor on the old token;
// a refused rotation returns the winner's and stores none of its own.
func testRotateSuccessor(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustFamily(t, s, "fam", "user-1", "client-1")
	exp := t0.Add(24 * time.Hour)
	r1 := newRefreshToken("r1", "fam", exp, exp)
	// CreateRefreshToken ignores a successor: only a rotation sets one.
	r1.Successor = newSuccessor("created", t0.Add(time.Hour))
	must(t, s.CreateRefreshToken(ctx, r1), "create r1")
	got, err := s.GetRefreshToken(ctx, "r1")
	must(t, err, "get r1")
	sameSuccessor(t, nil, got.Successor, "created token")

	now := t0.Add(time.Minute)
	succ := newSuccessor("first", now.Add(30*time.Second))
	got, err = s.RotateRefreshToken(ctx, "r1", store.Issued{Refresh: newRefreshToken("r2", "fam", exp, exp), Successor: succ}, now)
	must(t, err, "rotate with a successor")
	sameSuccessor(t, succ, got.Successor, "rotated token returned")
	if got.RotatedAt == nil {
		t.Error("rotated token returned without its rotation time")
	}
	stored, err := s.GetRefreshToken(ctx, "r1")
	must(t, err, "get rotated r1")
	sameSuccessor(t, succ, stored.Successor, "rotated token stored")
	next, err := s.GetRefreshToken(ctx, "r2")
	must(t, err, "get r2")
	sameSuccessor(t, nil, next.Successor, "next token")

	// A refused rotation returns the winner's successor and keeps it.
	got, err = s.RotateRefreshToken(ctx, "r1", store.Issued{Refresh: newRefreshToken("r3", "fam", exp, exp),
		Successor: newSuccessor("second", now.Add(time.Minute))}, now.Add(time.Second))
	wantErr(t, err, store.ErrAlreadyUsed, "rotate twice")
	if got != nil {
		sameSuccessor(t, succ, got.Successor, "refused rotation's old token")
	} else {
		t.Error("refused rotation returned no old token")
	}
	stored, err = s.GetRefreshToken(ctx, "r1")
	must(t, err, "get r1 after a refused rotation")
	sameSuccessor(t, succ, stored.Successor, "r1 after a refused rotation")

	// Without a successor none is kept (the grace is off).
	got, err = s.RotateRefreshToken(ctx, "r2", store.Issued{Refresh: newRefreshToken("r4", "fam", exp, exp)}, now)
	must(t, err, "rotate without a successor")
	sameSuccessor(t, nil, got.Successor, "rotated without a successor")

	// A successor that cannot be opened or would never be dropped: the
	// rotation fails and changes nothing.
	for _, bad := range []*store.Successor{{Sealed: nil, Until: now.Add(time.Minute)}, {Sealed: []byte("x")}} {
		if _, err := s.RotateRefreshToken(ctx, "r4", store.Issued{Refresh: newRefreshToken("r5", "fam", exp, exp), Successor: bad}, now); err == nil {
			t.Errorf("rotation with successor %+v succeeded", bad)
		}
		r4, err := s.GetRefreshToken(ctx, "r4")
		must(t, err, "get r4")
		if r4.RotatedAt != nil || r4.Successor != nil {
			t.Errorf("refused rotation changed r4: rotated %v, successor %v", r4.RotatedAt, r4.Successor)
		}
	}
}

// testRotateSuccessorConcurrent: of racing rotations that each bring a
// successor, every racer reads the winner's.
func testRotateSuccessorConcurrent(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustFamily(t, s, "fam", "user-1", "client-1")
	exp := t0.Add(24 * time.Hour)
	for round := range 3 {
		old := fmt.Sprintf("old-%d", round)
		must(t, s.CreateRefreshToken(ctx, newRefreshToken(old, "fam", exp, exp)), "create")
		succ := make([]*store.Successor, racers)
		for i := range succ {
			succ[i] = newSuccessor(fmt.Sprintf("racer %d", i), t0.Add(time.Minute))
		}
		got := make([]*store.RefreshToken, racers)
		errs := race(racers, func(i int) error {
			var err error
			got[i], err = s.RotateRefreshToken(ctx, old, store.Issued{Refresh: newRefreshToken(fmt.Sprintf("%s-next%d", old, i), "fam", exp, exp), Successor: succ[i]},
				t0.Add(time.Second))
			return err
		})
		winner := soleWinner(t, fmt.Sprintf("round %d: rotate", round), errs)
		for i, rt := range got {
			if rt == nil {
				t.Errorf("round %d: racer %d got no old token", round, i)
				continue
			}
			sameSuccessor(t, succ[winner], rt.Successor, fmt.Sprintf("round %d: racer %d", round, i))
		}
	}
}

// testDeleteExpiredSuccessor: DeleteExpired drops successors whose grace
// ended and keeps their tokens.
func testDeleteExpiredSuccessor(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustFamily(t, s, "fam", "user-1", "client-1")
	exp := t0.Add(24 * time.Hour)
	now := t0.Add(time.Hour)
	for _, c := range []struct {
		hash  string
		until time.Time
	}{{"ended", now.Add(-time.Second)}, {"ends-now", now}, {"open", now.Add(time.Second)}} {
		must(t, s.CreateRefreshToken(ctx, newRefreshToken(c.hash, "fam", exp, exp)), "create "+c.hash)
		_, err := s.RotateRefreshToken(ctx, c.hash, store.Issued{Refresh: newRefreshToken(c.hash+"-next", "fam", exp, exp),
			Successor: newSuccessor(c.hash, c.until)}, t0)
		must(t, err, "rotate "+c.hash)
	}
	must(t, s.DeleteExpired(ctx, now, time.Hour), "delete expired")
	for _, c := range []struct {
		hash string
		kept bool
	}{{"ended", false}, {"ends-now", false}, {"open", true}} {
		rt, err := s.GetRefreshToken(ctx, c.hash)
		must(t, err, "rotated token "+c.hash+" outlives its successor")
		if rt.RotatedAt == nil {
			t.Errorf("%s: lost its rotation", c.hash)
		}
		if got := rt.Successor != nil; got != c.kept {
			t.Errorf("%s: successor kept %v, want %v", c.hash, got, c.kept)
		}
	}
}
