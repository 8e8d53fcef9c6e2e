package storetest

// Conformance of backchannel authentication requests (OpenID CIBA Core):
// a request is decided once, only while pending and unexpired and only by
// its person (or an operator), and redeemed once, only when approved,
// together with its tokens; a refusal returns the stored request.

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
)

func newBackchannel(hash, id, user string, expires time.Time) *store.BackchannelRequest {
	return &store.BackchannelRequest{
		Hash:           hash,
		ID:             id,
		ClientID:       "client-1",
		UserID:         user,
		Scopes:         []string{"openid", "profile"},
		ACRValues:      "urn:mace:incommon:iap:silver",
		BindingMessage: odd,
		Mode:           store.DeliveryPing,
		Ping:           []byte{0, 1, 2, 255},
		Interval:       5,
		CreatedAt:      expires.Add(-5 * time.Minute),
		ExpiresAt:      expires,
	}
}

func approve(at time.Time) store.BackchannelDecision {
	return store.BackchannelDecision{Status: store.BackchannelApproved, At: at, AuthTime: at.Add(-time.Second), AMR: []string{"pwd"}, By: "page"}
}

func testBackchannelRequests(t *testing.T, s store.Store) {
	ctx := context.Background()
	exp := t0.Add(5 * time.Minute)
	want := newBackchannel("b1", "id-1", "user-1", exp)
	must(t, s.CreateBackchannelRequest(ctx, want), "create")
	wantErr(t, s.CreateBackchannelRequest(ctx, newBackchannel("b1", "id-other", "user-1", exp)), store.ErrConflict, "create a taken hash")
	wantErr(t, s.CreateBackchannelRequest(ctx, newBackchannel("b-other", "id-1", "user-1", exp)), store.ErrConflict, "create a taken id")

	want.Status = store.BackchannelPending
	got, err := s.GetBackchannelRequest(ctx, "b1")
	must(t, err, "get")
	same(t, want, got, "get")
	got, err = s.GetBackchannelRequestByID(ctx, "id-1")
	must(t, err, "get by id")
	same(t, want, got, "get by id")
	_, err = s.GetBackchannelRequest(ctx, "missing")
	wantErr(t, err, store.ErrNotFound, "get a missing request")
	_, err = s.GetBackchannelRequestByID(ctx, "missing")
	wantErr(t, err, store.ErrNotFound, "get a missing id")

	// Lists: pending and unexpired only, per user, oldest expiry first.
	must(t, s.CreateBackchannelRequest(ctx, newBackchannel("b2", "id-2", "user-1", exp.Add(-time.Minute))), "create b2")
	must(t, s.CreateBackchannelRequest(ctx, newBackchannel("b3", "id-3", "user-2", exp)), "create b3")
	must(t, s.CreateBackchannelRequest(ctx, newBackchannel("b4", "id-4", "user-1", t0)), "create b4 (expired at t0)")
	list := func(user string, limit int) []string {
		l, err := s.ListBackchannelRequests(ctx, user, t0, limit)
		must(t, err, "list")
		return ids(l, func(r *store.BackchannelRequest) string { return r.ID })
	}
	same(t, []string{"id-2", "id-1"}, list("user-1", 10), "user-1's pending requests")
	same(t, []string{"id-2", "id-1", "id-3"}, list("", 10), "every pending request")
	same(t, []string{"id-2"}, list("user-1", 1), "limited list")
	if l := list("user-"+odd, 10); len(l) != 0 {
		t.Errorf("an odd user has requests: %v", l)
	}

	// Decisions: only the person's, only while pending and unexpired.
	_, err = s.DecideBackchannelRequest(ctx, "missing", "", approve(t0), t0)
	wantErr(t, err, store.ErrNotFound, "decide a missing request")
	r, err := s.DecideBackchannelRequest(ctx, "id-1", "user-2", approve(t0), t0)
	wantErr(t, err, store.ErrAlreadyUsed, "decide another person's request")
	if r == nil || r.Status != store.BackchannelPending || r.Decision != nil {
		t.Fatalf("refused decision by another person returned %+v, want the pending request", r)
	}
	r, err = s.DecideBackchannelRequest(ctx, "id-4", "", approve(t0), t0)
	wantErr(t, err, store.ErrAlreadyUsed, "decide at expiry")
	if r == nil || r.Status != store.BackchannelPending {
		t.Fatalf("refused decision at expiry returned %+v, want the pending request", r)
	}
	d := approve(t0.Add(time.Second))
	r, err = s.DecideBackchannelRequest(ctx, "id-1", "user-1", d, t0.Add(time.Second))
	must(t, err, "approve")
	want.Status, want.Decision = store.BackchannelApproved, &d
	same(t, want, r, "approved request")
	got, err = s.GetBackchannelRequest(ctx, "b1")
	must(t, err, "get approved")
	same(t, want, got, "get approved")
	r, err = s.DecideBackchannelRequest(ctx, "id-1", "", store.BackchannelDecision{Status: store.BackchannelDenied, At: t0, By: "admin"}, t0.Add(2*time.Second))
	wantErr(t, err, store.ErrAlreadyUsed, "decide twice")
	if r == nil || r.Status != store.BackchannelApproved {
		t.Fatalf("second decision returned %+v, want the approved request", r)
	}
	deny := store.BackchannelDecision{Status: store.BackchannelDenied, At: t0, By: "admin", Reason: odd}
	r, err = s.DecideBackchannelRequest(ctx, "id-3", "", deny, t0)
	must(t, err, "deny by an operator")
	if r.Status != store.BackchannelDenied || r.Decision == nil || r.Decision.Reason != odd {
		t.Fatalf("denied request %+v", r)
	}
	same(t, []string{"id-2"}, list("", 10), "pending after decisions")

	// Redemption: only approved, once, before expiry, with its tokens.
	fam := newFamily("bf-1", "user-1", "client-1")
	issued := store.Issued{Refresh: newRefreshToken("b-rt", "bf-1", exp, exp), Access: newAccessToken("b-at", exp)}
	r, err = s.RedeemBackchannelRequest(ctx, "b3", fam, issued, t0)
	wantErr(t, err, store.ErrAlreadyUsed, "redeem a denied request")
	if r == nil || r.Status != store.BackchannelDenied || r.RedeemedAt != nil {
		t.Fatalf("refused redemption of a denied request returned %+v", r)
	}
	r, err = s.RedeemBackchannelRequest(ctx, "b2", fam, issued, t0)
	wantErr(t, err, store.ErrAlreadyUsed, "redeem a pending request")
	if r == nil || r.Status != store.BackchannelPending {
		t.Fatalf("refused redemption of a pending request returned %+v", r)
	}
	_, err = s.RedeemBackchannelRequest(ctx, "missing", fam, issued, t0)
	wantErr(t, err, store.ErrNotFound, "redeem a missing request")
	r, err = s.RedeemBackchannelRequest(ctx, "b1", fam, issued, exp)
	wantErr(t, err, store.ErrAlreadyUsed, "redeem at expiry")
	if r == nil || r.RedeemedAt != nil {
		t.Fatalf("refused redemption at expiry returned %+v", r)
	}
	for what, err := range map[string]error{
		"family": errOnly(s.GetTokenFamily(ctx, "bf-1")), "refresh token": errOnly(s.GetRefreshToken(ctx, "b-rt")), "access token": errOnly(s.GetAccessToken(ctx, "b-at")),
	} {
		wantErr(t, err, store.ErrNotFound, "refused redemptions left a "+what)
	}
	at := t0.Add(3 * time.Second)
	r, err = s.RedeemBackchannelRequest(ctx, "b1", fam, issued, at)
	must(t, err, "redeem")
	if r != nil {
		t.Errorf("redeem returned %+v, want nothing", r)
	}
	must(t, errOnly(s.GetTokenFamily(ctx, "bf-1")), "the redemption's family")
	must(t, errOnly(s.GetRefreshToken(ctx, "b-rt")), "the redemption's refresh token")
	must(t, errOnly(s.GetAccessToken(ctx, "b-at")), "the redemption's access token")
	r, err = s.RedeemBackchannelRequest(ctx, "b1", newFamily("bf-2", "user-1", "client-1"), store.Issued{}, at.Add(time.Second))
	wantErr(t, err, store.ErrAlreadyUsed, "redeem twice")
	if r == nil || r.RedeemedAt == nil || !r.RedeemedAt.Equal(at.Truncate(time.Microsecond)) || r.FamilyID != "bf-1" {
		t.Fatalf("second redemption returned %+v, want the first redemption", r)
	}
	wantErr(t, errOnly(s.GetTokenFamily(ctx, "bf-2")), store.ErrNotFound, "the refused redemption's family")

	// DeleteExpired keeps a request BackchannelKeep past its expiry.
	must(t, s.DeleteExpired(ctx, exp.Add(store.BackchannelKeep-time.Second), time.Hour), "delete expired (kept)")
	must(t, errOnly(s.GetBackchannelRequest(ctx, "b1")), "a request within the keep")
	must(t, s.DeleteExpired(ctx, exp.Add(store.BackchannelKeep), time.Hour), "delete expired")
	wantErr(t, errOnly(s.GetBackchannelRequest(ctx, "b1")), store.ErrNotFound, "a request past the keep")
}

func errOnly[T any](_ T, err error) error { return err }

func testBackchannelConcurrent(t *testing.T, s store.Store) {
	ctx := context.Background()
	exp := t0.Add(time.Hour)
	for round := range 3 {
		hash, id := fmt.Sprintf("bc-%d", round), fmt.Sprintf("bc-id-%d", round)
		must(t, s.CreateBackchannelRequest(ctx, newBackchannel(hash, id, "user-1", exp)), "create")
		// Concurrent decisions: one wins, whatever it decided.
		errs := race(racers, func(i int) error {
			d := approve(t0)
			if i%2 == 1 {
				d.Status = store.BackchannelDenied
			}
			_, err := s.DecideBackchannelRequest(ctx, id, "", d, t0)
			return err
		})
		winner := soleWinner(t, fmt.Sprintf("round %d: decide", round), errs)
		if winner%2 == 1 {
			continue
		}
		errs = race(racers, func(i int) error {
			f := fmt.Sprintf("%s-f%d", hash, i)
			_, err := s.RedeemBackchannelRequest(ctx, hash, newFamily(f, "user-1", "client-1"),
				store.Issued{Refresh: newRefreshToken(f+"-rt", f, exp, exp)}, t0.Add(time.Second))
			return err
		})
		winner = soleWinner(t, fmt.Sprintf("round %d: redeem", round), errs)
		for i := range racers {
			f := fmt.Sprintf("%s-f%d", hash, i)
			err := errOnly(s.GetTokenFamily(ctx, f))
			if i == winner && err != nil || i != winner && !errors.Is(err, store.ErrNotFound) {
				t.Errorf("round %d: racer %d's family: %v (winner %d)", round, i, err, winner)
			}
		}
	}
}
