package storetest

// Conformance of second factors and passkeys: a TOTP time step is
// accepted once and only going forward, a recovery code is spent once,
// passkeys keep what registration stored and their counter moves on use,
// and a reset removes all of a user's factors and nobody else's.

import (
	"context"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
)

func testFactors(t *testing.T, s store.Store) {
	ctx := context.Background()
	_, err := s.GetTOTP(ctx, "u1")
	wantErr(t, err, store.ErrNotFound, "get a missing totp")
	wantErr(t, s.UseTOTPStep(ctx, "u1", 5, t0), store.ErrNotFound, "use a step without totp")

	totp := &store.TOTP{UserID: "u1", Sealed: []byte("sealed\x00" + odd), CreatedAt: t0}
	must(t, s.CreateTOTP(ctx, totp), "create totp")
	wantErr(t, s.CreateTOTP(ctx, &store.TOTP{UserID: "u1", Sealed: []byte("other"), CreatedAt: t0}), store.ErrConflict, "create a second totp")
	got, err := s.GetTOTP(ctx, "u1")
	must(t, err, "get totp")
	if string(got.Sealed) != string(totp.Sealed) || got.LastStep != 0 || !got.CreatedAt.Equal(t0.Truncate(time.Microsecond)) || got.CreatedAt.Location() != time.UTC {
		t.Fatalf("get totp = %+v", got)
	}
	steps := []struct {
		step int64
		want error
	}{
		{100, nil},
		{100, store.ErrAlreadyUsed}, // replay of the same step
		{99, store.ErrAlreadyUsed},  // an earlier step after a later one
		{101, nil},
	}
	for _, c := range steps {
		err := s.UseTOTPStep(ctx, "u1", c.step, t0)
		if c.want == nil {
			must(t, err, "use step")
		} else {
			wantErr(t, err, c.want, "use a spent step")
		}
	}
	if got, _ := s.GetTOTP(ctx, "u1"); got.LastStep != 101 {
		t.Fatalf("last step = %d, want 101", got.LastStep)
	}

	// Recovery codes: replaced as a set, each spent once.
	must(t, s.ReplaceRecoveryCodes(ctx, "u1", []string{"h1", "h2", "h3"}, t0), "replace codes")
	must(t, s.ReplaceRecoveryCodes(ctx, "u1", []string{"h4", "h5"}, t0), "replace codes again")
	wantErr(t, s.UseRecoveryCode(ctx, "u1", "h1", t0), store.ErrNotFound, "use a replaced code")
	must(t, s.UseRecoveryCode(ctx, "u1", "h4", t0), "use a code")
	wantErr(t, s.UseRecoveryCode(ctx, "u1", "h4", t0), store.ErrAlreadyUsed, "use a spent code")
	wantErr(t, s.UseRecoveryCode(ctx, "u2", "h5", t0), store.ErrNotFound, "use another user's code")
	if n, err := s.CountRecoveryCodes(ctx, "u1"); err != nil || n != 1 {
		t.Fatalf("count codes = %d, %v; want 1", n, err)
	}

	// Passkeys.
	k1 := &store.Passkey{ID: "cred-1", UserID: "u1", Name: odd, PublicKey: []byte{1, 2, 3}, SignCount: 7,
		Transports: []string{"internal", "hybrid"}, AAGUID: make([]byte, 16), AttestationType: "none",
		BackupEligible: true, BackupState: true, UserVerified: true, CreatedAt: t0}
	k2 := &store.Passkey{ID: "cred-2", UserID: "u1", Name: "laptop", PublicKey: []byte{4}, CreatedAt: t0.Add(time.Second)}
	must(t, s.CreatePasskey(ctx, k1), "create passkey")
	must(t, s.CreatePasskey(ctx, k2), "create second passkey")
	wantErr(t, s.CreatePasskey(ctx, &store.Passkey{ID: "cred-1", UserID: "u2", PublicKey: []byte{9}, CreatedAt: t0}), store.ErrConflict, "create a taken credential id")
	g, err := s.GetPasskey(ctx, "cred-1")
	must(t, err, "get passkey")
	want := *k1
	want.CreatedAt = t0.UTC().Truncate(time.Microsecond)
	g.CreatedAt = g.CreatedAt.UTC()
	if !reflect.DeepEqual(g, &want) {
		t.Fatalf("get passkey =\n%+v\nwant\n%+v", g, &want)
	}
	must(t, s.UsePasskey(ctx, "cred-1", 8, t0.Add(time.Minute)), "use passkey")
	wantErr(t, s.UsePasskey(ctx, "missing", 1, t0), store.ErrNotFound, "use a missing passkey")
	list, err := s.ListPasskeys(ctx, "u1")
	must(t, err, "list passkeys")
	if len(list) != 2 || list[0].ID != "cred-1" || list[1].ID != "cred-2" || list[0].SignCount != 8 ||
		!list[0].LastUsedAt.Equal(t0.Add(time.Minute).Truncate(time.Microsecond)) || !list[1].LastUsedAt.IsZero() {
		t.Fatalf("list passkeys = %+v", list)
	}
	wantErr(t, s.RenamePasskey(ctx, "u2", "cred-1", "stolen"), store.ErrNotFound, "rename another user's passkey")
	wantErr(t, s.RenamePasskey(ctx, "u1", "missing", "x"), store.ErrNotFound, "rename a missing passkey")
	must(t, s.RenamePasskey(ctx, "u1", "cred-1", `work "key" ü`), "rename passkey")
	if g, err := s.GetPasskey(ctx, "cred-1"); err != nil || g.Name != `work "key" ü` || g.SignCount != 8 || !reflect.DeepEqual(g.PublicKey, k1.PublicKey) {
		t.Fatalf("renamed passkey = %+v, %v", g, err)
	}
	wantErr(t, s.DeletePasskey(ctx, "u2", "cred-2"), store.ErrNotFound, "delete another user's passkey")
	must(t, s.DeletePasskey(ctx, "u1", "cred-2"), "delete passkey")
	wantErr(t, s.DeletePasskey(ctx, "u1", "cred-2"), store.ErrNotFound, "delete it again")

	// Reset: all of u1's factors go, u2's stay.
	must(t, s.CreateTOTP(ctx, &store.TOTP{UserID: "u2", Sealed: []byte("x"), CreatedAt: t0}), "create u2 totp")
	must(t, s.CreatePasskey(ctx, &store.Passkey{ID: "cred-3", UserID: "u2", PublicKey: []byte{5}, CreatedAt: t0}), "create u2 passkey")
	must(t, s.ReplaceRecoveryCodes(ctx, "u2", []string{"h9"}, t0), "u2 codes")
	must(t, s.DeleteFactors(ctx, "u1"), "delete factors")
	must(t, s.DeleteFactors(ctx, "nobody"), "delete factors of a user without any")
	if _, err := s.GetTOTP(ctx, "u1"); err != store.ErrNotFound {
		t.Fatalf("totp after reset: %v", err)
	}
	if l, _ := s.ListPasskeys(ctx, "u1"); len(l) != 0 {
		t.Fatalf("passkeys after reset: %+v", l)
	}
	if n, _ := s.CountRecoveryCodes(ctx, "u1"); n != 0 {
		t.Fatalf("codes after reset: %d", n)
	}
	if _, err := s.GetTOTP(ctx, "u2"); err != nil {
		t.Fatalf("u2's totp went with u1's reset: %v", err)
	}
	if n, _ := s.CountRecoveryCodes(ctx, "u2"); n != 1 {
		t.Fatalf("u2's codes went with u1's reset: %d", n)
	}
	if _, err := s.GetPasskey(ctx, "cred-3"); err != nil {
		t.Fatalf("u2's passkey went with u1's reset: %v", err)
	}
}

// testFactorsConcurrent: of many uses of one TOTP step, or one recovery
// code, exactly one succeeds.
func testFactorsConcurrent(t *testing.T, s store.Store) {
	ctx := context.Background()
	must(t, s.CreateTOTP(ctx, &store.TOTP{UserID: "u1", Sealed: []byte("x"), CreatedAt: t0}), "create totp")
	must(t, s.ReplaceRecoveryCodes(ctx, "u1", []string{"h1"}, t0), "codes")
	const n = 8
	for _, use := range []func() error{
		func() error { return s.UseTOTPStep(ctx, "u1", 42, t0) },
		func() error { return s.UseRecoveryCode(ctx, "u1", "h1", t0) },
	} {
		var wg sync.WaitGroup
		var mu sync.Mutex
		won, lost := 0, 0
		for range n {
			wg.Go(func() {
				err := use()
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					won++
				case err == store.ErrAlreadyUsed:
					lost++
				default:
					t.Errorf("concurrent use: %v", err)
				}
			})
		}
		wg.Wait()
		if won != 1 || lost != n-1 {
			t.Fatalf("concurrent uses: %d won, %d refused; want 1 and %d", won, lost, n-1)
		}
	}
}
