package storetest

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
)

// testSignIns: each user's sign-ins come back newest first, bounded by
// keep per user without touching another user's, round-trip every field
// (odd text too), and go with DeleteSignIns.
func testSignIns(t *testing.T, s store.Store) {
	ctx := context.Background()
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 123456789, time.UTC)
	first := &store.SignInEvent{UserID: "u1", At: t0, Network: "192.0.2.7", AMR: []string{"pwd", "otp", "mfa"}, Via: odd, OK: true}
	must(t, s.RecordSignIn(ctx, first, 3), "record")
	must(t, s.RecordSignIn(ctx, &store.SignInEvent{UserID: "u2", At: t0, Network: "2001:db8::/64", Failure: "sign_in_failed", AMR: []string{"pwd"}}, 3), "record u2")
	got, err := s.ListSignIns(ctx, "u1", 10)
	must(t, err, "list")
	want := *first
	want.At = t0.Truncate(time.Microsecond)
	if len(got) != 1 {
		t.Fatalf("list = %d events, want 1", len(got))
	}
	got[0].At = got[0].At.UTC()
	if !reflect.DeepEqual(got[0], &want) {
		t.Fatalf("event =\n%+v\nwant\n%+v", got[0], &want)
	}
	// Five more: only the newest three stay, newest first.
	for i := 1; i <= 5; i++ {
		must(t, s.RecordSignIn(ctx, &store.SignInEvent{UserID: "u1", At: t0.Add(time.Duration(i) * time.Minute), Network: fmt.Sprint(i), OK: i%2 == 0}, 3), "record more")
	}
	got, err = s.ListSignIns(ctx, "u1", 10)
	must(t, err, "list after trim")
	if len(got) != 3 || got[0].Network != "5" || got[1].Network != "4" || got[2].Network != "3" || !got[1].OK || got[0].OK {
		t.Fatalf("after trim: %+v", got)
	}
	if got, _ := s.ListSignIns(ctx, "u1", 2); len(got) != 2 || got[0].Network != "5" {
		t.Fatalf("limit 2: %+v", got)
	}
	if got, _ := s.ListSignIns(ctx, "u2", 10); len(got) != 1 || got[0].Failure != "sign_in_failed" || got[0].OK {
		t.Fatalf("u2 after u1's trim: %+v", got)
	}
	must(t, s.DeleteSignIns(ctx, "u1"), "delete")
	must(t, s.DeleteSignIns(ctx, "nobody"), "delete none")
	if got, _ := s.ListSignIns(ctx, "u1", 10); len(got) != 0 {
		t.Fatalf("after delete: %+v", got)
	}
	if got, _ := s.ListSignIns(ctx, "u2", 10); len(got) != 1 {
		t.Fatalf("u2 after u1's delete: %+v", got)
	}
}
