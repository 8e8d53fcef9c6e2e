package storetest

// Conformance of the RFC 8705 fields: a client's certificate identity and
// wish for bound tokens, and the certificate thumbprint of refresh and
// opaque access tokens, kept as written in every backend.

import (
	"context"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
)

func testCertBinding(t *testing.T, s store.Store) {
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	c := newClient("mtls")
	c.TokenEndpointAuthMethod = store.AuthTLSClient
	c.CertIdentity = &store.CertIdentity{SANURI: "spiffe://example.com/svc"}
	c.CertBoundTokens = true
	if err := s.CreateClient(ctx, c); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetClient(ctx, "mtls")
	if err != nil {
		t.Fatal(err)
	}
	if got.CertIdentity == nil || *got.CertIdentity != *c.CertIdentity || !got.CertBoundTokens {
		t.Fatalf("client identity %+v bound %v, want %+v true", got.CertIdentity, got.CertBoundTokens, c.CertIdentity)
	}

	const thumb = "uSiGzvD3tYJvN3Nkqu3yLbPzbR0h7PHpkoWQFpmkNLY"
	f := newFamily("fam-mtls", "u1", "mtls")
	rt := newRefreshToken("rt-mtls", f.ID, now.Add(time.Hour), now.Add(time.Hour))
	rt.ClientID = "mtls"
	rt.CertThumbprint = thumb
	if err := s.CreateTokenFamily(ctx, f, store.Issued{Refresh: rt}); err != nil {
		t.Fatal(err)
	}
	gotRT, err := s.GetRefreshToken(ctx, "rt-mtls")
	if err != nil {
		t.Fatal(err)
	}
	if gotRT.CertThumbprint != thumb {
		t.Fatalf("refresh token thumbprint %q, want %q", gotRT.CertThumbprint, thumb)
	}
	at := newAccessToken("at-mtls", now.Add(time.Hour))
	at.CertThumbprint = thumb
	if err := s.CreateAccessToken(ctx, at); err != nil {
		t.Fatal(err)
	}
	gotAT, err := s.GetAccessToken(ctx, "at-mtls")
	if err != nil {
		t.Fatal(err)
	}
	if gotAT.CertThumbprint != thumb {
		t.Fatalf("access token thumbprint %q, want %q", gotAT.CertThumbprint, thumb)
	}
}
