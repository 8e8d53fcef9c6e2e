package clientauth

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lucid-auth/lucid/internal/store"
)

// TestIssuerKeys: a trusted issuer's keys go through the jwks_uri cache
// under their own entry (a client with the same URI does not share it),
// refresh on an unknown kid no more than once per interval, and a failed
// fetch comes back with a reason fit for the client and the cause apart.
func TestIssuerKeys(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	uri := f.srv.set("/issuer", jwks(t, f.ec, f.rsa), 0)

	keys, refreshErr, err := f.a.IssuerKeys(ctx, "https://k8s.example", uri, "")
	if err != nil || refreshErr != nil {
		t.Fatalf("IssuerKeys: %v %v", err, refreshErr)
	}
	if got := keys.Kids(); !slices.Equal(got, []string{"ec1", "rsa1"}) {
		t.Errorf("kids %v", got)
	}
	if k, ok := keys.ByKid("rsa1"); !ok || k.KeyID != "rsa1" {
		t.Errorf("ByKid(rsa1) = %v %v", k.KeyID, ok)
	}
	if fit := keys.Fitting(string(jose.ES256)); len(fit) != 1 || fit[0].KeyID != "ec1" {
		t.Errorf("Fitting(ES256) = %v", fit)
	}
	if ok, why := KeyFits(f.ec.public(t), string(jose.RS256)); ok || why == "" {
		t.Errorf("an EC key fits RS256: %v %q", ok, why)
	}

	// A client with the same jwks_uri has its own cache entry.
	f.addClient(t, store.Client{ID: "same-uri", TokenEndpointAuthMethod: store.AuthPrivateKeyJWT, JWKSURI: uri})
	r, form := request(t, nil, assertionForm(sign(t, f.ec, jose.ES256, "ec1", claims("same-uri", f.clock.now(), nil))))
	if _, _, e := f.a.Authenticate(ctx, r, form); e != nil {
		t.Fatalf("client on the same URI: %s", e.Description())
	}
	if got := f.srv.count("/issuer"); got != 2 {
		t.Fatalf("%d fetches, want 2 (one per cache entry)", got)
	}

	// An unknown kid refreshes, but not twice within the interval.
	if _, _, err := f.a.IssuerKeys(ctx, "https://k8s.example", uri, "new"); err != nil {
		t.Fatal(err)
	}
	if got := f.srv.count("/issuer"); got != 2 {
		t.Fatalf("refetched within the minimum interval: %d fetches", got)
	}
	f.srv.set("/issuer", jwks(t, f.ec, f.ed), 0)
	f.clock.advance(DefaultJWKSMinRefresh)
	keys, _, err = f.a.IssuerKeys(ctx, "https://k8s.example", uri, "ed1")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := keys.ByKid("ed1"); !ok {
		t.Fatalf("rotated key not picked up: %v", keys.Kids())
	}

	// An issuer whose keys cannot be fetched: a reason, and the cause apart.
	down := f.srv.set("/down", "oops", http.StatusBadGateway)
	_, _, err = f.a.IssuerKeys(ctx, "https://ci.example", down, "")
	if err == nil || err.Reason != "it answered HTTP 502, not 200" {
		t.Fatalf("err = %v", err)
	}
	var fe *FetchError
	if !errors.As(error(err), &fe) {
		t.Fatal("not a *FetchError")
	}
}

func TestParseVerificationKeys(t *testing.T) {
	f := newFixture(t)
	keys, err := ParseVerificationKeys([]byte(`{"keys":[{"kty":"oct","k":"c2VjcmV0"},` + jwks(t, f.ed)[len(`{"keys":[`):]))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(keys.Kids(), []string{"ed1"}) || len(keys.Skipped()) != 1 {
		t.Errorf("kids %v skipped %v", keys.Kids(), keys.Skipped())
	}
	if _, err := ParseVerificationKeys([]byte(`[]`)); err == nil {
		t.Error("a JSON array was accepted as a JWK set")
	}
}
