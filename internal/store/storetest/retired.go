package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
)

// testRetiredSecrets: a client's retired-secret records and a secret's
// Retiring mark survive create, read, update and list, times normalized.
func testRetiredSecrets(t *testing.T, s store.Store) {
	ctx := context.Background()
	c := newClient("retiring")
	c.Secrets[1].Retiring = store.RetiredByRotation
	c.RetiredSecrets = []store.RetiredSecret{
		{ID: "r1", Hash: "cc33", RetiredAt: t0.Add(-time.Hour), Reason: store.RetiredByRotation, Until: t0.Add(30 * 24 * time.Hour)},
		{ID: "r2", Hash: "dd44", RetiredAt: t0.Add(-2 * time.Hour), Reason: store.RetiredByRemoval, Until: t0.Add(29 * 24 * time.Hour)},
	}
	must(t, s.CreateClient(ctx, c), "create client")
	got, err := s.GetClient(ctx, c.ID)
	must(t, err, "get client")
	same(t, c, got, "client with retired secrets")

	updated, err := s.UpdateClient(ctx, c.ID, func(x *store.Client) error {
		x.RetiredSecrets = append(x.RetiredSecrets[:1:1], store.RetiredSecret{ID: "r3", Hash: "ee55", RetiredAt: t0, Reason: store.RetiredByExpiry, Until: t0.Add(time.Hour)})
		x.Secrets[1].Retiring = ""
		return nil
	})
	must(t, err, "update client")
	got, err = s.GetClient(ctx, c.ID)
	must(t, err, "get client after update")
	same(t, updated, got, "updated client")
	if len(got.RetiredSecrets) != 2 || got.RetiredSecrets[1].ID != "r3" || got.Secrets[1].Retiring != "" {
		t.Errorf("after update: secrets %+v retired %+v", got.Secrets, got.RetiredSecrets)
	}
	list, err := s.ListClients(ctx)
	must(t, err, "list clients")
	for _, l := range list {
		if l.ID == c.ID {
			same(t, got, l, "listed client")
		}
	}
}
