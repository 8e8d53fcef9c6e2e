package storetest

// Conformance of DPoP bindings (RFC 9449): the key thumbprints kept on a
// pending request, a code, a token family, an opaque access token and the
// client's dpop_bound_access_tokens survive the round trip in every
// backend; proof ids are single use per key.

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
)

func testDPoPBindings(t *testing.T, s store.Store) {
	ctx := context.Background()
	const jkt = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"
	c := newClient("dpop-client")
	c.DPoPBoundAccessTokens = true
	if err := s.CreateClient(ctx, c); err != nil {
		t.Fatal(err)
	}
	if got, err := s.GetClient(ctx, c.ID); err != nil || !got.DPoPBoundAccessTokens {
		t.Fatalf("client: %v, dpop_bound_access_tokens lost", err)
	}
	ar := newAuthRequest("ar-dpop", t0.Add(time.Hour))
	ar.DPoPJKT = jkt
	if err := s.CreateAuthRequest(ctx, ar); err != nil {
		t.Fatal(err)
	}
	if got, err := s.GetAuthRequest(ctx, ar.ID); err != nil || got.DPoPJKT != jkt {
		t.Fatalf("auth request: %v, dpop_jkt %q", err, got.DPoPJKT)
	}
	code := newAuthCode("code-dpop", t0.Add(time.Hour))
	code.DPoPJKT = jkt
	if err := s.CreateAuthCode(ctx, code); err != nil {
		t.Fatal(err)
	}
	fam := newFamily("fam-dpop", "user-1", "client-1")
	fam.DPoPJKT = jkt
	at := newAccessToken("at-dpop", t0.Add(time.Hour))
	at.JKT = jkt
	if _, err := s.RedeemAuthCode(ctx, code.Hash, fam, store.Issued{Access: at}, t0); err != nil {
		t.Fatal(err)
	}
	if got, err := s.GetAuthCode(ctx, code.Hash); err != nil || got.DPoPJKT != jkt {
		t.Fatalf("code: %v, dpop_jkt lost", err)
	}
	if got, err := s.GetTokenFamily(ctx, fam.ID); err != nil || got.DPoPJKT != jkt {
		t.Fatalf("family: %v, dpop_jkt lost", err)
	}
	if got, err := s.GetAccessToken(ctx, at.Hash); err != nil || got.JKT != jkt {
		t.Fatalf("access token: %v, jkt lost", err)
	}
	// A proof id is single use per key; the same id under another key is
	// another proof.
	exp := time.Now().Add(time.Hour)
	if err := s.UseJTI(ctx, "dpop:"+jkt, "proof-1", exp); err != nil {
		t.Fatal(err)
	}
	if err := s.UseJTI(ctx, "dpop:"+jkt, "proof-1", exp); !errors.Is(err, store.ErrAlreadyUsed) {
		t.Fatalf("second use: %v, want ErrAlreadyUsed", err)
	}
	if err := s.UseJTI(ctx, "dpop:other", "proof-1", exp); err != nil {
		t.Fatalf("same id, other key: %v", err)
	}
}
