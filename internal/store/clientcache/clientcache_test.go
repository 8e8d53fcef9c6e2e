package clientcache_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/clientcache"
	"github.com/lucid-auth/lucid/internal/store/sqlite"
	"github.com/lucid-auth/lucid/internal/store/storetest"
)

func open(t *testing.T) store.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "lucid.db"))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// The cache must not change what the store promises.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return clientcache.New(open(t), time.Minute) })
}

func TestInvalidation(t *testing.T) {
	ctx := context.Background()
	raw := open(t)
	defer raw.Close()
	c := clientcache.New(raw, time.Hour)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.CreateClient(ctx, &store.Client{ID: "a", Name: "A"}))
	got, err := c.GetClient(ctx, "a")
	must(err)
	got.Name = "changed by the caller"
	if again, _ := c.GetClient(ctx, "a"); again.Name != "A" {
		t.Fatalf("a caller's change reached the cache: %q", again.Name)
	}

	// A write through the cache applies at once.
	_, err = c.UpdateClient(ctx, "a", func(cl *store.Client) error { cl.Disabled = true; return nil })
	must(err)
	if got, _ := c.GetClient(ctx, "a"); !got.Disabled {
		t.Fatal("update through the cache not seen")
	}
	// A write behind its back (another process) waits for the TTL.
	_, err = raw.UpdateClient(ctx, "a", func(cl *store.Client) error { cl.Name = "B"; return nil })
	must(err)
	if got, _ := c.GetClient(ctx, "a"); got.Name != "A" {
		t.Fatalf("expected the cached name until the TTL, got %q", got.Name)
	}
	short := clientcache.New(raw, time.Millisecond)
	_, _ = short.GetClient(ctx, "a")
	time.Sleep(5 * time.Millisecond)
	if got, _ := short.GetClient(ctx, "a"); got.Name != "B" {
		t.Fatalf("after the TTL: %q", got.Name)
	}

	must(c.DeleteClient(ctx, "a"))
	if _, err := c.GetClient(ctx, "a"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleted client: %v", err)
	}
	// Misses are not cached: a client created elsewhere works at once.
	must(raw.CreateClient(ctx, &store.Client{ID: "a", Name: "again"}))
	if got, err := c.GetClient(ctx, "a"); err != nil || got.Name != "again" {
		t.Fatalf("recreated client: %v %v", got, err)
	}
}
