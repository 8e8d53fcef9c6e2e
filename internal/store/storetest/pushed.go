package storetest

// Conformance of pushed authorization requests (RFC 9126): a request_uri
// is spent once, only by its client, only before it expires, and a refusal
// returns the stored request so that the caller can tell why.

import (
	"context"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
)

func newPushed(hash, client string, expires time.Time) *store.PushedRequest {
	return &store.PushedRequest{
		Hash:     hash,
		ClientID: client,
		Params: map[string][]string{
			"response_type": {"code"},
			"scope":         {"openid " + odd},
			"resource":      {"https://a.example", "https://b.example"},
		},
		CreatedAt: expires.Add(-time.Minute),
		ExpiresAt: expires,
	}
}

func testPushedRequests(t *testing.T, s store.Store) {
	ctx := context.Background()
	exp := t0.Add(time.Minute)
	want := newPushed("p1", "client-1", exp)
	must(t, s.CreatePushedRequest(ctx, want), "create")
	wantErr(t, s.CreatePushedRequest(ctx, newPushed("p1", "client-2", exp)), store.ErrConflict, "create a taken hash")

	_, err := s.ConsumePushedRequest(ctx, "missing", "client-1", t0)
	wantErr(t, err, store.ErrNotFound, "consume a missing request")

	// Another client's consumption is refused and spends nothing.
	got, err := s.ConsumePushedRequest(ctx, "p1", "client-2", t0)
	wantErr(t, err, store.ErrAlreadyUsed, "consume by another client")
	if got == nil || got.ClientID != "client-1" || got.UsedAt != nil {
		t.Fatalf("refused consumption by another client returned %+v, want the unused stored request", got)
	}
	// At its expiry it is refused and spends nothing.
	got, err = s.ConsumePushedRequest(ctx, "p1", "client-1", exp)
	wantErr(t, err, store.ErrAlreadyUsed, "consume at expiry")
	if got == nil || got.UsedAt != nil {
		t.Fatalf("refused consumption at expiry returned %+v, want the unused stored request", got)
	}

	now := t0.Add(time.Second)
	got, err = s.ConsumePushedRequest(ctx, "p1", "client-1", now)
	must(t, err, "consume")
	want.UsedAt = &now
	same(t, want, got, "consumed request")

	got, err = s.ConsumePushedRequest(ctx, "p1", "client-1", now.Add(time.Second))
	wantErr(t, err, store.ErrAlreadyUsed, "consume again")
	same(t, want, got, "request refused as used")

	// Kept PushedKeep past its expiry, then deleted.
	must(t, s.CreatePushedRequest(ctx, newPushed("p2", "client-1", exp)), "create p2")
	must(t, s.DeleteExpired(ctx, exp.Add(store.PushedKeep-time.Second), time.Hour), "delete expired within keep")
	if _, err := s.ConsumePushedRequest(ctx, "p2", "client-1", exp.Add(time.Second)); err != store.ErrAlreadyUsed {
		t.Errorf("expired request within keep: %v, want ErrAlreadyUsed (kept, refused)", err)
	}
	must(t, s.DeleteExpired(ctx, exp.Add(store.PushedKeep), time.Hour), "delete expired past keep")
	for _, h := range []string{"p1", "p2"} {
		_, err := s.ConsumePushedRequest(ctx, h, "client-1", exp.Add(store.PushedKeep))
		wantErr(t, err, store.ErrNotFound, "consume "+h+" after deletion")
	}
}

// testPushedConcurrent: of many concurrent consumptions exactly one wins.
func testPushedConcurrent(t *testing.T, s store.Store) {
	ctx := context.Background()
	exp := time.Now().Add(time.Hour)
	must(t, s.CreatePushedRequest(ctx, newPushed("raced", "client-1", exp)), "create")
	soleWinner(t, "consume pushed request", race(racers, func(int) error {
		_, err := s.ConsumePushedRequest(ctx, "raced", "client-1", time.Now())
		return err
	}))
}
