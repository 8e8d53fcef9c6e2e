package storetest

// Conformance of user tokens (password reset and verification links): a
// token is spent once, only for its purpose, only before it expires;
// spending one spends the user's other tokens of the purpose; a refusal
// returns the stored token so that the caller can tell why.

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
)

func newUserToken(hash, user, purpose string, expires time.Time) *store.UserToken {
	return &store.UserToken{Hash: hash, Purpose: purpose, UserID: user, Email: "ada+it's-\"✓\"@example.com", // no NUL: addresses are checked text
		CreatedAt: expires.Add(-30 * time.Minute), ExpiresAt: expires}
}

func testUserTokens(t *testing.T, s store.Store) {
	ctx := context.Background()
	exp := t0.Add(30 * time.Minute)
	reset := store.PurposePasswordReset
	first := newUserToken("t1", "u1", reset, exp)
	must(t, s.CreateUserToken(ctx, first), "create")
	wantErr(t, s.CreateUserToken(ctx, newUserToken("t1", "u2", reset, exp)), store.ErrConflict, "create a taken hash")
	got, err := s.GetUserToken(ctx, "t1")
	must(t, err, "get")
	same(t, first, got, "stored token")
	_, err = s.GetUserToken(ctx, "missing")
	wantErr(t, err, store.ErrNotFound, "get a missing token")
	_, err = s.UseUserToken(ctx, "missing", reset, t0)
	wantErr(t, err, store.ErrNotFound, "use a missing token")

	second := newUserToken("t2", "u1", reset, exp.Add(time.Minute))
	verify := newUserToken("t3", "u1", store.PurposeVerifyEmail, exp)
	other := newUserToken("t4", "u2", reset, exp)
	for _, tok := range []*store.UserToken{second, verify, other} {
		must(t, s.CreateUserToken(ctx, tok), "create "+tok.Hash)
	}

	// Another purpose's use finds nothing and spends nothing.
	_, err = s.UseUserToken(ctx, "t1", store.PurposeVerifyEmail, t0)
	wantErr(t, err, store.ErrNotFound, "use for another purpose")
	// At its expiry it is refused and spends nothing.
	got, err = s.UseUserToken(ctx, "t1", reset, exp)
	wantErr(t, err, store.ErrAlreadyUsed, "use at expiry")
	same(t, first, got, "token refused at expiry")

	now := t0.Add(time.Second)
	got, err = s.UseUserToken(ctx, "t2", reset, now)
	must(t, err, "use")
	second.UsedAt = &now
	same(t, second, got, "used token")
	// The user's other reset token is spent with it; the verification
	// token and the other user's are not.
	got, err = s.UseUserToken(ctx, "t1", reset, now.Add(time.Second))
	wantErr(t, err, store.ErrAlreadyUsed, "use a sibling of a spent token")
	first.UsedAt = &now
	same(t, first, got, "sibling refused as used")
	got, err = s.UseUserToken(ctx, "t2", reset, now.Add(time.Second))
	wantErr(t, err, store.ErrAlreadyUsed, "use again")
	same(t, second, got, "token refused as used")
	for _, tok := range []*store.UserToken{verify, other} {
		got, err := s.GetUserToken(ctx, tok.Hash)
		must(t, err, "get "+tok.Hash)
		same(t, tok, got, "untouched token "+tok.Hash)
	}
	got, err = s.UseUserToken(ctx, "t3", store.PurposeVerifyEmail, now)
	must(t, err, "use the verification token")
	if got.UsedAt == nil || got.Email != verify.Email {
		t.Fatalf("verification token after use: %+v", got)
	}

	// Kept UserTokenKeep past expiry, so that a late use is told "expired".
	must(t, s.DeleteExpired(ctx, exp.Add(store.UserTokenKeep-time.Second), time.Hour), "delete expired within keep")
	_, err = s.GetUserToken(ctx, "t4")
	must(t, err, "get within keep")
	must(t, s.DeleteExpired(ctx, exp.Add(time.Minute).Add(store.UserTokenKeep), time.Hour), "delete expired past keep")
	for _, h := range []string{"t1", "t2", "t3", "t4"} {
		_, err = s.GetUserToken(ctx, h)
		wantErr(t, err, store.ErrNotFound, "get "+h+" past keep")
	}
}

// testUserTokensConcurrent: of many uses of the tokens of one user and
// purpose at once, exactly one succeeds.
func testUserTokensConcurrent(t *testing.T, s store.Store) {
	ctx := context.Background()
	exp := t0.Add(time.Hour)
	hashes := []string{"c1", "c2", "c3", "c4"}
	for _, h := range hashes {
		must(t, s.CreateUserToken(ctx, newUserToken(h, "u1", store.PurposePasswordReset, exp)), "create "+h)
	}
	const n = 16
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for i := range n {
		wg.Go(func() {
			_, err := s.UseUserToken(ctx, hashes[i%len(hashes)], store.PurposePasswordReset, t0)
			switch {
			case err == nil:
				mu.Lock()
				wins++
				mu.Unlock()
			case !isUsed(err):
				t.Errorf("use: %v", err)
			}
		})
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d uses succeeded, want exactly 1", wins)
	}
}

func isUsed(err error) bool { return errors.Is(err, store.ErrAlreadyUsed) }
