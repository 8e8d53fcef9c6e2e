package storetest

// Conformance of the writes that carry their own outbox items: a CIBA
// decision and its ping, a CIBA request and its notifier's notice, are
// stored together or not at all; and the operator's requeue of a dead
// outbox item.

import (
	"context"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
)

func pingItem(id string, at time.Time) *store.OutboxItem {
	it := newOutboxItem(id, at)
	it.Kind, it.Payload = "ciba-ping", []byte(`{"id":"`+id+`"}`)
	return it
}

func testBackchannelOutbox(t *testing.T, s store.Store) {
	ctx := context.Background()
	exp := t0.Add(5 * time.Minute)
	pending := func() []string {
		l, err := s.ListOutbox(ctx, store.OutboxPending, 10)
		must(t, err, "list outbox")
		return itemIDs(l)
	}

	// A request and its notice: both, or (a taken hash) neither.
	must(t, s.CreateBackchannelRequest(ctx, newBackchannel("n1", "nid-1", "user-1", exp), pingItem("notice-1", t0)), "create with a notice")
	wantErr(t, s.CreateBackchannelRequest(ctx, newBackchannel("n1", "nid-2", "user-1", exp), pingItem("notice-2", t0)), store.ErrConflict, "create a taken hash with a notice")
	same(t, []string{"notice-1"}, pending(), "notices after a refused create")
	// A notice whose id is taken refuses the request too.
	wantErr(t, s.CreateBackchannelRequest(ctx, newBackchannel("n3", "nid-3", "user-1", exp), pingItem("notice-1", t0)), store.ErrConflict, "create with a taken notice id")
	wantErr(t, errOnly(s.GetBackchannelRequest(ctx, "n3")), store.ErrNotFound, "the request of a refused notice")

	// A decision and its ping: both, or (refused) neither.
	_, err := s.DecideBackchannelRequest(ctx, "nid-1", "user-2", approve(t0), t0, pingItem("ping-wrong-user", t0))
	wantErr(t, err, store.ErrAlreadyUsed, "decide another person's request with a ping")
	_, err = s.DecideBackchannelRequest(ctx, "missing", "", approve(t0), t0, pingItem("ping-missing", t0))
	wantErr(t, err, store.ErrNotFound, "decide a missing request with a ping")
	same(t, []string{"notice-1"}, pending(), "pings of refused decisions")
	r, err := s.DecideBackchannelRequest(ctx, "nid-1", "", approve(t0), t0, pingItem("ping-1", t0.Add(time.Second)))
	must(t, err, "decide with a ping")
	if r.Status != store.BackchannelApproved {
		t.Fatalf("decided request %+v", r)
	}
	same(t, []string{"notice-1", "ping-1"}, pending(), "the decision's ping")
	_, err = s.DecideBackchannelRequest(ctx, "nid-1", "", approve(t0), t0, pingItem("ping-again", t0))
	wantErr(t, err, store.ErrAlreadyUsed, "decide twice with a ping")
	same(t, []string{"notice-1", "ping-1"}, pending(), "the ping of a second decision")
	// A decision whose ping cannot be stored is not recorded either.
	must(t, s.CreateBackchannelRequest(ctx, newBackchannel("n4", "nid-4", "user-1", exp)), "create without a notice")
	_, err = s.DecideBackchannelRequest(ctx, "nid-4", "", approve(t0), t0, pingItem("ping-1", t0))
	if err == nil {
		t.Fatal("a decision whose ping id is taken was recorded")
	}
	got, err := s.GetBackchannelRequestByID(ctx, "nid-4")
	must(t, err, "get the request of a failed decision")
	if got.Status != store.BackchannelPending || got.Decision != nil {
		t.Fatalf("a decision without its ping was kept: %+v", got)
	}
	list, err := s.ListOutbox(ctx, store.OutboxPending, 10)
	must(t, err, "list")
	if len(list) != 2 || list[1].Kind != "ciba-ping" || string(list[1].Payload) != `{"id":"ping-1"}` {
		t.Fatalf("stored ping %+v", list)
	}
}

func testOutboxRequeue(t *testing.T, s store.Store) {
	ctx := context.Background()
	must(t, s.EnqueueOutbox(ctx, []*store.OutboxItem{newOutboxItem("r1", t0), newOutboxItem("r2", t0)}), "enqueue")
	got, err := s.ClaimOutbox(ctx, "L", t0, time.Minute, 10)
	must(t, err, "claim")
	if len(got) != 2 {
		t.Fatalf("claimed %v", itemIDs(got))
	}
	died := t0.Add(time.Second)
	must(t, s.RetryOutbox(ctx, "r1", "L", store.OutboxRetry{Now: died, Next: died, Error: "gave up", TraceID: "trace-9", Dead: true}), "give up")

	it, err := s.RequeueOutbox(ctx, "missing", died)
	wantErr(t, err, store.ErrNotFound, "requeue a missing item")
	if it != nil {
		t.Errorf("requeue of a missing item returned %+v", it)
	}
	it, err = s.RequeueOutbox(ctx, "r2", died)
	wantErr(t, err, store.ErrAlreadyUsed, "requeue a pending item")
	if it == nil || it.ID != "r2" || it.State != store.OutboxPending || it.Attempts != 1 || it.Lease != "L" {
		t.Fatalf("refused requeue returned %+v, want the leased pending item unchanged", it)
	}

	at := t0.Add(time.Hour)
	it, err = s.RequeueOutbox(ctx, "r1", at)
	must(t, err, "requeue a dead item")
	if it.State != store.OutboxPending || it.Attempts != 0 || it.FinishedAt != nil || !it.NextAttempt.Equal(micro(at)) || it.LastError != "gave up" || it.Lease != "" {
		t.Fatalf("requeued item %+v", it)
	}
	_, err = s.RequeueOutbox(ctx, "r1", at)
	wantErr(t, err, store.ErrAlreadyUsed, "requeue twice")
	if n, err := s.CountOutbox(ctx); err != nil || n != (store.OutboxCounts{Pending: 2}) {
		t.Fatalf("counts %+v %v, want 2 pending", n, err)
	}
	got, err = s.ClaimOutbox(ctx, "M", at, time.Minute, 10)
	must(t, err, "claim the requeued item")
	if len(got) != 2 || got[1].ID != "r1" || got[1].Attempts != 1 {
		t.Fatalf("claimed %+v, want r2 then r1 at its first attempt again", got)
	}
}
