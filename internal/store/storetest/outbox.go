package storetest

// Conformance of the outbox: items are claimed when due and unleased, by
// one claim at a time; only the claim holding an item settles it; a lease
// that expired lets another claim take the item over; dead items stay
// listed until the retention removes them.

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
)

func newOutboxItem(id string, due time.Time) *store.OutboxItem {
	return &store.OutboxItem{
		ID:          id,
		Kind:        "backchannel_logout",
		Target:      "https://rp.example/logout?" + odd,
		ClientID:    "client-1",
		Payload:     []byte("{\"sid\":\"" + id + "\"}\x00\xff"),
		CreatedAt:   due.Add(-time.Second),
		NextAttempt: due,
	}
}

func testOutbox(t *testing.T, s store.Store) {
	ctx := context.Background()
	a, b, c := newOutboxItem("a", t0), newOutboxItem("b", t0.Add(time.Second)), newOutboxItem("c", t0.Add(time.Hour))
	must(t, s.EnqueueOutbox(ctx, []*store.OutboxItem{b, a, c}), "enqueue")
	wantErr(t, s.EnqueueOutbox(ctx, []*store.OutboxItem{newOutboxItem("d", t0), newOutboxItem("a", t0)}), store.ErrConflict, "enqueue a taken id")
	if n, err := s.CountOutbox(ctx); err != nil || n != (store.OutboxCounts{Pending: 3}) {
		t.Fatalf("counts after a refused enqueue: %+v, %v; want 3 pending (d not stored)", n, err)
	}

	// Nothing is due before its time.
	got, err := s.ClaimOutbox(ctx, "early", t0.Add(-time.Millisecond), time.Minute, 10)
	must(t, err, "claim early")
	if len(got) != 0 {
		t.Fatalf("claimed %d items before any was due", len(got))
	}

	now := t0.Add(2 * time.Second)
	got, err = s.ClaimOutbox(ctx, "L1", now, time.Minute, 10)
	must(t, err, "claim")
	if len(got) != 2 || got[0].ID != "a" || got[1].ID != "b" {
		t.Fatalf("claimed %v, want a then b (due, oldest first)", itemIDs(got))
	}
	want := *a
	want.State, want.Attempts, want.Lease, want.LeaseUntil = store.OutboxPending, 1, "L1", now.Add(time.Minute)
	same(t, &want, got[0], "claimed item")

	// Leased items are not claimed again while the lease runs.
	got, err = s.ClaimOutbox(ctx, "L2", now.Add(30*time.Second), time.Minute, 10)
	must(t, err, "claim while leased")
	if len(got) != 0 {
		t.Fatalf("claimed %v while leased to another", itemIDs(got))
	}

	// Only the holder settles.
	wantErr(t, s.DeliveredOutbox(ctx, "a", "L2", now), store.ErrNotFound, "deliver with another lease")
	wantErr(t, s.DeliveredOutbox(ctx, "missing", "L1", now), store.ErrNotFound, "deliver a missing item")
	must(t, s.DeliveredOutbox(ctx, "a", "L1", now), "deliver")
	wantErr(t, s.DeliveredOutbox(ctx, "a", "L1", now), store.ErrNotFound, "deliver twice")

	// A failed attempt frees the item for later, with its error.
	next := now.Add(10 * time.Second)
	must(t, s.RetryOutbox(ctx, "b", "L1", store.OutboxRetry{Now: now, Next: next, Error: "receiver answered 503 ✓ \"quoted\"", TraceID: "trace-1"}), "retry")
	wantErr(t, s.RetryOutbox(ctx, "b", "L1", store.OutboxRetry{Now: now, Next: next}), store.ErrNotFound, "retry after settling")
	got, err = s.ClaimOutbox(ctx, "L3", next.Add(-time.Millisecond), time.Minute, 10)
	must(t, err, "claim before the retry is due")
	if len(got) != 0 {
		t.Fatalf("claimed %v before the retry was due", itemIDs(got))
	}
	pending, err := s.ListOutbox(ctx, store.OutboxPending, 10)
	must(t, err, "list pending")
	if len(pending) != 2 || pending[0].ID != "b" || pending[1].ID != "c" {
		t.Fatalf("pending %v, want b, c", itemIDs(pending))
	}
	if p := pending[0]; p.Attempts != 1 || p.LastError != "receiver answered 503 ✓ \"quoted\"" || p.LastTraceID != "trace-1" ||
		!p.NextAttempt.Equal(micro(next)) || p.Lease != "" || !p.LeaseUntil.IsZero() {
		t.Fatalf("rescheduled item %+v", p)
	}

	// An expired lease (a replica that died mid-delivery) is taken over,
	// and the old holder can no longer settle.
	got, err = s.ClaimOutbox(ctx, "L4", next, time.Second, 1)
	must(t, err, "claim the retry")
	if len(got) != 1 || got[0].ID != "b" || got[0].Attempts != 2 {
		t.Fatalf("claimed %+v, want b at its second attempt", got)
	}
	got, err = s.ClaimOutbox(ctx, "L5", next.Add(time.Second), time.Minute, 1)
	must(t, err, "claim after the lease expired")
	if len(got) != 1 || got[0].ID != "b" || got[0].Attempts != 3 {
		t.Fatalf("claimed %+v, want b taken over at its third attempt", got)
	}
	wantErr(t, s.RetryOutbox(ctx, "b", "L4", store.OutboxRetry{Now: next, Next: next}), store.ErrNotFound, "settle with an expired, taken-over lease")

	// Giving up keeps the item, dead, listed and never claimed again.
	died := next.Add(2 * time.Second)
	must(t, s.RetryOutbox(ctx, "b", "L5", store.OutboxRetry{Now: died, Next: died, Error: "gave up", TraceID: "trace-3", Dead: true}), "give up")
	got, err = s.ClaimOutbox(ctx, "L6", t0.Add(365*24*time.Hour), time.Minute, 10)
	must(t, err, "claim much later")
	if len(got) != 1 || got[0].ID != "c" {
		t.Fatalf("claimed %v much later, want only c", itemIDs(got))
	}
	dead, err := s.ListOutbox(ctx, store.OutboxDead, 10)
	must(t, err, "list dead")
	if len(dead) != 1 || dead[0].ID != "b" || dead[0].FinishedAt == nil || !dead[0].FinishedAt.Equal(micro(died)) || dead[0].LastError != "gave up" || dead[0].Attempts != 3 {
		t.Fatalf("dead %+v", dead)
	}
	delivered, err := s.ListOutbox(ctx, store.OutboxDelivered, 10)
	must(t, err, "list delivered")
	if len(delivered) != 1 || delivered[0].ID != "a" || delivered[0].FinishedAt == nil || !delivered[0].FinishedAt.Equal(micro(now)) {
		t.Fatalf("delivered %+v", delivered)
	}
	if n, err := s.CountOutbox(ctx); err != nil || n != (store.OutboxCounts{Pending: 1, Delivered: 1, Dead: 1}) {
		t.Fatalf("counts %+v, %v", n, err)
	}

	// Delivered items go after OutboxDeliveredKeep, dead ones after the
	// failure retention; pending ones stay.
	must(t, s.DeleteExpired(ctx, now.Add(store.OutboxDeliveredKeep-time.Second), 48*time.Hour), "delete expired, early")
	if n, _ := s.CountOutbox(ctx); n != (store.OutboxCounts{Pending: 1, Delivered: 1, Dead: 1}) {
		t.Fatalf("counts after an early clean-up %+v", n)
	}
	must(t, s.DeleteExpired(ctx, died.Add(store.OutboxDeliveredKeep+time.Hour), store.OutboxDeliveredKeep), "delete expired")
	if n, _ := s.CountOutbox(ctx); n != (store.OutboxCounts{Pending: 1}) {
		t.Fatalf("counts after the clean-up %+v, want only the pending item", n)
	}
}

// testOutboxConcurrent: claims racing on one database never hand an item
// to two of them, and together they take every item.
func testOutboxConcurrent(t *testing.T, s store.Store) {
	ctx := context.Background()
	const items = 60
	now := time.Now()
	batch := make([]*store.OutboxItem, items)
	for i := range batch {
		batch[i] = newOutboxItem(fmt.Sprintf("item-%02d", i), now.Add(-time.Minute))
	}
	must(t, s.EnqueueOutbox(ctx, batch), "enqueue")
	var mu sync.Mutex
	owner := map[string]int{}
	errs := race(racers, func(i int) error {
		for {
			got, err := s.ClaimOutbox(ctx, fmt.Sprintf("claimer-%d", i), time.Now(), time.Hour, 3)
			if err != nil {
				return err
			}
			if len(got) == 0 {
				return nil
			}
			mu.Lock()
			for _, it := range got {
				if prev, ok := owner[it.ID]; ok {
					mu.Unlock()
					return fmt.Errorf("%s claimed by racers %d and %d", it.ID, prev, i)
				}
				owner[it.ID] = i
			}
			mu.Unlock()
		}
	})
	for i, err := range errs {
		if err != nil {
			t.Errorf("racer %d: %v", i, err)
		}
	}
	if len(owner) != items {
		t.Fatalf("%d of %d items claimed", len(owner), items)
	}
	// Settling races too: of the holder and a stranger, only the holder.
	errs = race(racers, func(i int) error {
		id := fmt.Sprintf("item-%02d", i)
		return s.DeliveredOutbox(ctx, id, fmt.Sprintf("claimer-%d", owner[id]), time.Now())
	})
	for i, err := range errs {
		if err != nil {
			t.Errorf("holder settling item-%02d: %v", i, err)
		}
	}
	if n, err := s.CountOutbox(ctx); err != nil || n.Delivered != racers || n.Pending != items-racers {
		t.Fatalf("counts %+v, %v", n, err)
	}
}

func itemIDs(items []*store.OutboxItem) []string {
	return ids(items, func(it *store.OutboxItem) string { return it.ID })
}

// micro is t as a backend keeps it.
func micro(t time.Time) time.Time { return t.Truncate(time.Microsecond) }
