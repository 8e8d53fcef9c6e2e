package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/sqlite"
)

// TestOutboxRetry: `lucid outbox retry` puts a dead item back to pending
// with its attempts reset, and refuses an unknown or a pending item.
func TestOutboxRetry(t *testing.T) {
	c := newCLI(t)
	ctx := context.Background()
	st, err := sqlite.Open(ctx, c.db)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	items := []*store.OutboxItem{
		{ID: "dead-1", Kind: "ciba-ping", Target: "https://rp.example/ping", CreatedAt: now, NextAttempt: now},
		{ID: "pending-1", Kind: "ciba-ping", Target: "https://rp.example/ping", CreatedAt: now, NextAttempt: now.Add(time.Hour)},
	}
	if err := st.EnqueueOutbox(ctx, items); err != nil {
		t.Fatal(err)
	}
	claimed, err := st.ClaimOutbox(ctx, "lease", now, time.Minute, 1)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim: %v %v", claimed, err)
	}
	if err := st.RetryOutbox(ctx, "dead-1", "lease", store.OutboxRetry{Now: now, Next: now, Error: "503", Dead: true}); err != nil {
		t.Fatal(err)
	}
	_ = st.Close()

	out := c.ok("outbox", "retry", "dead-1")
	if !strings.Contains(out, "dead-1") || !strings.Contains(out, "pending again with 0 attempts") {
		t.Fatalf("retry output: %s", out)
	}
	for _, tc := range []struct{ id, want string }{
		{"dead-1", "outbox_item_not_dead"},
		{"pending-1", "outbox_item_not_dead"},
		{"no-such-item", "admin_not_found"},
	} {
		r := c.runIn("", "outbox", "retry", tc.id)
		if r.code != exitFailure || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("retry %s: exit %d, stderr %s; want %s", tc.id, r.code, r.stderr, tc.want)
		}
	}
}
