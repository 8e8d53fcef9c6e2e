package storetest

// Conformance of a client's request_object_signing_alg (JAR): stored,
// returned, replaced and cleared by an update, in every backend.

import (
	"context"
	"testing"

	"github.com/lucid-auth/lucid/internal/store"
)

func testRequestObjectAlg(t *testing.T, s store.Store) {
	ctx := context.Background()
	c := newClient("jar")
	c.RequestObjectAlg = "PS256"
	if err := s.CreateClient(ctx, c); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"PS256", "none", ""} {
		if want != "PS256" {
			if _, err := s.UpdateClient(ctx, "jar", func(c *store.Client) error {
				c.RequestObjectAlg = want
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.GetClient(ctx, "jar")
		if err != nil {
			t.Fatal(err)
		}
		if got.RequestObjectAlg != want {
			t.Fatalf("request_object_signing_alg %q, want %q", got.RequestObjectAlg, want)
		}
	}
}
