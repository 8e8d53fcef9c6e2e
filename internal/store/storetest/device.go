package storetest

// Conformance of device authorizations (RFC 8628): found by either hash,
// decided once and only before expiry, redeemed once and only when
// approved, with the family and tokens stored in the redeeming write; a
// refusal returns the stored authorization so that the caller can tell
// why.

import (
	"context"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
)

func newDevice(hash string, expires time.Time) *store.DeviceCode {
	return &store.DeviceCode{
		Hash:         hash,
		UserCodeHash: "user-" + hash,
		ClientID:     "client-1",
		Scopes:       []string{"openid", odd},
		Resources:    []string{"https://api.example"},
		Interval:     5 * time.Second,
		CreatedAt:    expires.Add(-10 * time.Minute),
		ExpiresAt:    expires,
	}
}

func approval() store.DeviceDecision {
	return store.DeviceDecision{Approved: true, UserID: "user-1", SessionID: "sid-1", AuthTime: t0, AMR: []string{"pwd"}}
}

func testDeviceCodes(t *testing.T, s store.Store) {
	ctx := context.Background()
	exp := t0.Add(10 * time.Minute)
	want := newDevice("d1", exp)
	must(t, s.CreateDeviceCode(ctx, want), "create")
	taken := newDevice("d1", exp)
	taken.UserCodeHash = "other"
	wantErr(t, s.CreateDeviceCode(ctx, taken), store.ErrConflict, "create a taken device code hash")
	taken = newDevice("d-other", exp)
	taken.UserCodeHash = want.UserCodeHash
	wantErr(t, s.CreateDeviceCode(ctx, taken), store.ErrConflict, "create a taken user code hash")

	got, err := s.GetDeviceCode(ctx, "d1")
	must(t, err, "get")
	same(t, want, got, "stored device code")
	got, err = s.GetDeviceCodeByUserCode(ctx, want.UserCodeHash)
	must(t, err, "get by user code")
	same(t, want, got, "device code by user code")
	_, err = s.GetDeviceCode(ctx, "missing")
	wantErr(t, err, store.ErrNotFound, "get a missing device code")
	_, err = s.GetDeviceCodeByUserCode(ctx, "missing")
	wantErr(t, err, store.ErrNotFound, "get by a missing user code")
	_, err = s.DecideDeviceCode(ctx, "missing", approval(), t0)
	wantErr(t, err, store.ErrNotFound, "decide a missing device code")
	_, err = s.RedeemDeviceCode(ctx, "missing", newFamily("f0", "user-1", "client-1"), store.Issued{}, t0)
	wantErr(t, err, store.ErrNotFound, "redeem a missing device code")

	// Undecided: redemption refused, nothing stored.
	got, err = s.RedeemDeviceCode(ctx, "d1", newFamily("f1", "user-1", "client-1"), store.Issued{}, t0)
	wantErr(t, err, store.ErrAlreadyUsed, "redeem an undecided device code")
	same(t, want, got, "device code refused while undecided")
	_, err = s.GetTokenFamily(ctx, "f1")
	wantErr(t, err, store.ErrNotFound, "family of a refused redemption")

	// At its expiry a decision is refused.
	_, err = s.DecideDeviceCode(ctx, "d1", approval(), exp)
	wantErr(t, err, store.ErrAlreadyUsed, "decide at expiry")

	decided := t0.Add(time.Minute)
	got, err = s.DecideDeviceCode(ctx, "d1", approval(), decided)
	must(t, err, "decide")
	want.DecidedAt, want.Decision = &decided, ptr(approval())
	same(t, want, got, "decided device code")
	got, err = s.DecideDeviceCode(ctx, "d1", store.DeviceDecision{UserID: "user-2"}, decided.Add(time.Second))
	wantErr(t, err, store.ErrAlreadyUsed, "decide again")
	same(t, want, got, "device code refused as decided")

	// Redeemed with its family and tokens, once.
	redeemed := decided.Add(time.Second)
	access := newAccessToken("d1-at", t0.Add(time.Hour))
	access.FamilyID = "f1"
	refresh := newRefreshToken("d1-rt", "f1", t0.Add(24*time.Hour), t0.Add(2*time.Hour))
	got, err = s.RedeemDeviceCode(ctx, "d1", newFamily("f1", "user-1", "client-1"), store.Issued{Access: access, Refresh: refresh}, redeemed)
	must(t, err, "redeem")
	if got != nil {
		t.Errorf("successful redemption returned a device code: %+v", got)
	}
	want.RedeemedAt, want.FamilyID = &redeemed, "f1"
	got, err = s.GetDeviceCode(ctx, "d1")
	must(t, err, "get redeemed")
	same(t, want, got, "redeemed device code")
	f, err := s.GetTokenFamily(ctx, "f1")
	must(t, err, "family created with the redemption")
	same(t, newFamily("f1", "user-1", "client-1"), f, "family")
	at, err := s.GetAccessToken(ctx, "d1-at")
	must(t, err, "access token stored with the redemption")
	same(t, access, at, "access token")
	rt, err := s.GetRefreshToken(ctx, "d1-rt")
	must(t, err, "refresh token stored with the redemption")
	same(t, refresh, rt, "refresh token")
	got, err = s.RedeemDeviceCode(ctx, "d1", newFamily("f1b", "user-1", "client-1"), store.Issued{}, redeemed.Add(time.Second))
	wantErr(t, err, store.ErrAlreadyUsed, "redeem again")
	same(t, want, got, "device code refused as redeemed")

	// Denied: never redeemed.
	must(t, s.CreateDeviceCode(ctx, newDevice("d2", exp)), "create d2")
	_, err = s.DecideDeviceCode(ctx, "d2", store.DeviceDecision{UserID: "user-1"}, decided)
	must(t, err, "deny")
	got, err = s.RedeemDeviceCode(ctx, "d2", newFamily("f2", "user-1", "client-1"), store.Issued{}, redeemed)
	wantErr(t, err, store.ErrAlreadyUsed, "redeem a denied device code")
	if got == nil || got.Decision == nil || got.Decision.Approved || got.RedeemedAt != nil {
		t.Errorf("refused redemption of a denied code returned %+v", got)
	}

	// Approved but expired: not redeemed.
	must(t, s.CreateDeviceCode(ctx, newDevice("d3", exp)), "create d3")
	_, err = s.DecideDeviceCode(ctx, "d3", approval(), decided)
	must(t, err, "approve d3")
	_, err = s.RedeemDeviceCode(ctx, "d3", newFamily("f3", "user-1", "client-1"), store.Issued{}, exp)
	wantErr(t, err, store.ErrAlreadyUsed, "redeem at expiry")

	// Kept DeviceKeep past its expiry, then deleted.
	must(t, s.DeleteExpired(ctx, exp.Add(store.DeviceKeep-time.Second), time.Hour), "delete expired within keep")
	_, err = s.GetDeviceCode(ctx, "d3")
	must(t, err, "expired device code within keep")
	must(t, s.DeleteExpired(ctx, exp.Add(store.DeviceKeep), time.Hour), "delete expired past keep")
	for _, h := range []string{"d1", "d2", "d3"} {
		_, err := s.GetDeviceCode(ctx, h)
		wantErr(t, err, store.ErrNotFound, "get "+h+" after deletion")
	}
}

// testDeviceConcurrent: of many concurrent decisions, and of many
// concurrent redemptions, exactly one wins.
func testDeviceConcurrent(t *testing.T, s store.Store) {
	ctx := context.Background()
	must(t, s.CreateDeviceCode(ctx, newDevice("raced", time.Now().Add(time.Hour))), "create")
	soleWinner(t, "decide device code", race(racers, func(int) error {
		_, err := s.DecideDeviceCode(ctx, "raced", approval(), time.Now())
		return err
	}))
	soleWinner(t, "redeem device code", race(racers, func(i int) error {
		_, err := s.RedeemDeviceCode(ctx, "raced", newFamily("raced-"+string(rune('a'+i)), "user-1", "client-1"), store.Issued{}, time.Now())
		return err
	}))
}
