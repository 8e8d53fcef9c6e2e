package manage

import (
	"context"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
)

// TestEmailChanged: a new or re-set address that stays unverified asks
// for a verification link; a verified one, or a patch without an
// address, does not.
func TestEmailChanged(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	var sent []string
	svc.EmailChanged = func(_ context.Context, u *store.User) error {
		sent = append(sent, u.Email)
		return nil
	}
	pw := "violet tulip harbor"
	if _, err := svc.CreateUser(ctx, UserSpec{Username: "vera", Email: "vera@example.com", EmailVerified: true, Password: pw}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateUser(ctx, UserSpec{Username: "ulf", Email: "ulf@example.com", Password: pw}); err != nil {
		t.Fatal(err)
	}
	str := func(s string) *string { return &s }
	yes := true
	for _, tc := range []struct {
		user  string
		patch UserPatch
		want  bool
	}{
		{"vera", UserPatch{Name: str("Vera")}, false},
		{"vera", UserPatch{Email: str("vera@example.org")}, true},
		{"vera", UserPatch{Email: str("vera@example.org")}, true}, // the same again: a fresh link
		{"vera", UserPatch{Email: str("vera@example.net"), EmailVerified: &yes}, false},
		{"ulf", UserPatch{Name: str("Ulf")}, false},
	} {
		before := len(sent)
		if _, err := svc.UpdateUser(ctx, tc.user, tc.patch); err != nil {
			t.Fatal(err)
		}
		if got := len(sent) > before; got != tc.want {
			t.Errorf("%s %+v: link sent %v, want %v", tc.user, tc.patch, got, tc.want)
		}
	}
	if sent[0] != "ulf@example.com" || len(sent) != 3 {
		t.Fatalf("links sent to %v", sent)
	}
}

// TestResetPassword: a reset ends sessions and families even where an
// operator's change would keep them, lifts a lockout, and verifies the
// address the link was sent to, only if it is still the account's.
func TestResetPassword(t *testing.T) {
	svc, clk := newService(t)
	svc.KeepGrantsOnChange = true
	ctx := context.Background()
	u, err := svc.CreateUser(ctx, UserSpec{Username: "rita", Email: "rita@example.com", Password: "violet tulip harbor"})
	if err != nil {
		t.Fatal(err)
	}
	now := clk.Now()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(svc.Store.CreateSession(ctx, &store.Session{Hash: "s1", ID: "sid1", UserID: u.ID, AuthTime: now, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}))
	must(svc.Store.CreateClient(ctx, &store.Client{ID: "c1", RedirectURIs: []string{"https://a.example/cb"}, CreatedAt: now}))
	fam := &store.TokenFamily{ID: "f1", ClientID: "c1", UserID: u.ID, SessionID: "sid1", AuthTime: now, CreatedAt: now}
	must(svc.Store.CreateTokenFamily(ctx, fam, store.Issued{}))
	_, err = svc.Store.UpdateUser(ctx, u.ID, func(x *store.User) error { x.FailedLogins, x.LockedUntil = 9, now.Add(time.Hour); return nil })
	must(err)

	must(svc.ResetPassword(ctx, u.ID, "$argon2id$new", "RITA@example.com"))
	got, err := svc.Store.GetUser(ctx, u.ID)
	must(err)
	if got.PasswordHash != "$argon2id$new" || got.FailedLogins != 0 || !got.LockedUntil.IsZero() || !got.EmailVerified {
		t.Fatalf("after reset: %+v", got)
	}
	if s, _ := svc.Store.ListSessionsFor(ctx, u.ID); len(s) != 0 {
		t.Fatalf("%d sessions remain", len(s))
	}
	if f, _ := svc.Store.GetTokenFamily(ctx, "f1"); f.RevokedAt == nil || f.RevokeReason != ReasonPasswordReset {
		t.Fatalf("family after reset: %+v", f)
	}

	// A link to an address the account no longer has verifies nothing.
	_, err = svc.Store.UpdateUser(ctx, u.ID, func(x *store.User) error { x.Email, x.EmailVerified = "rita@example.org", false; return nil })
	must(err)
	if _, ok, err := svc.VerifyEmail(ctx, u.ID, "rita@example.com"); err != nil || ok {
		t.Fatalf("stale verification: ok %v, %v", ok, err)
	}
	if got, ok, err := svc.VerifyEmail(ctx, u.ID, "rita@example.org"); err != nil || !ok || !got.EmailVerified {
		t.Fatalf("verification: ok %v, %v", ok, err)
	}
}
