package storetest

// Conformance of a client's web origins (CORS): stored, returned in order,
// replaced by an update and cleared, in every backend.

import (
	"context"
	"slices"
	"testing"

	"github.com/lucid-auth/lucid/internal/store"
)

func testWebOrigins(t *testing.T, s store.Store) {
	ctx := context.Background()
	c := newClient("spa")
	c.WebOrigins = []string{"https://app.example", "+", "http://127.0.0.1:5173"}
	if err := s.CreateClient(ctx, c); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetClient(ctx, "spa")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.WebOrigins, c.WebOrigins) {
		t.Fatalf("web origins %q, want %q", got.WebOrigins, c.WebOrigins)
	}
	list, err := s.ListClients(ctx)
	if err != nil || len(list) != 1 || !slices.Equal(list[0].WebOrigins, c.WebOrigins) {
		t.Fatalf("listed %v, %v; want the web origins %q", list, err, c.WebOrigins)
	}
	for _, want := range [][]string{{"https://other.example"}, nil} {
		if _, err := s.UpdateClient(ctx, "spa", func(c *store.Client) error {
			c.WebOrigins = want
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetClient(ctx, "spa")
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.WebOrigins, want) {
			t.Fatalf("after update: web origins %q, want %q", got.WebOrigins, want)
		}
	}
}
