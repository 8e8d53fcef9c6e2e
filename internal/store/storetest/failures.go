package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
)

// testFailureBounds: stories written in a batch read back as written (the
// class included), a trace id already recorded does not fail the batch,
// and TrimFailures keeps the newest stories of one class without touching
// the other.
func testFailureBounds(t *testing.T, s store.Store) {
	ctx := context.Background()
	story := func(id string, at time.Time, unattributed bool) *store.Failure {
		f := newFailure(id, at)
		f.Unattributed = unattributed
		if unattributed {
			f.ClientID = ""
		}
		return f
	}
	must(t, s.RecordFailure(ctx, story("single", t0, true)), "record failure")
	var batch []*store.Failure
	for i := range 6 {
		batch = append(batch, story(fmt.Sprintf("client-%d", i), t0.Add(time.Duration(i)*time.Second), false))
		batch = append(batch, story(fmt.Sprintf("noise-%d", i), t0.Add(time.Duration(i)*time.Second), true))
	}
	// "single" again: already recorded, skipped without failing the rest.
	batch = append(batch, story("single", t0.Add(time.Hour), false))
	must(t, s.RecordFailures(ctx, batch), "record failures")
	must(t, s.RecordFailures(ctx, nil), "record no failures")

	got, err := s.GetFailure(ctx, "noise-3")
	must(t, err, "get failure")
	same(t, batch[7], got, "batched failure")
	if got, err := s.GetFailure(ctx, "single"); err != nil || !got.Unattributed || got.Time.Sub(t0).Abs() > time.Millisecond {
		t.Errorf("the first story of a trace id was replaced: %+v, %v", got, err)
	}

	// Noise: 7 stories ("single" and noise-0..5), keep the newest 2.
	n, err := s.TrimFailures(ctx, true, 2)
	must(t, err, "trim unattributed")
	if n != 5 {
		t.Errorf("trim of unattributed stories deleted %d, want 5", n)
	}
	// Client stories: keep 4 of 6.
	n, err = s.TrimFailures(ctx, false, 4)
	must(t, err, "trim attributed")
	if n != 2 {
		t.Errorf("trim of attributed stories deleted %d, want 2", n)
	}
	if n, err := s.TrimFailures(ctx, false, 4); err != nil || n != 0 {
		t.Errorf("a second trim deleted %d (%v), want 0", n, err)
	}
	for _, c := range []struct {
		id   string
		kept bool
	}{
		{"single", false}, {"noise-0", false}, {"noise-3", false}, {"noise-4", true}, {"noise-5", true},
		{"client-0", false}, {"client-1", false}, {"client-2", true}, {"client-5", true},
	} {
		_, err := s.GetFailure(ctx, c.id)
		switch {
		case c.kept && err != nil:
			t.Errorf("%s: %v, want it kept", c.id, err)
		case !c.kept && !errors.Is(err, store.ErrNotFound):
			t.Errorf("%s: %v, want it trimmed", c.id, err)
		}
	}
	if n, err := s.TrimFailures(ctx, true, 0); err != nil || n != 2 {
		t.Errorf("trim to nothing deleted %d (%v), want 2", n, err)
	}
}
