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

// TestUserCIBACode: `lucid user set-ciba-code` stores a hash (never the
// code), shown as set; clear-ciba-code removes it.
func TestUserCIBACode(t *testing.T) {
	c := newCLI(t)
	c.runIn("long-enough-password\n", "user", "create", "--username", "alice", "--password-stdin")
	if r := c.runIn("12\n", "user", "set-ciba-code", "alice", "--code-stdin"); r.code != exitFailure || !strings.Contains(r.stderr, "admin_invalid_input") {
		t.Fatalf("short code: exit %d %s", r.code, r.stderr)
	}
	if r := c.runIn("", "user", "set-ciba-code", "alice"); r.code != exitUsage {
		t.Fatalf("no code: exit %d %s", r.code, r.stderr)
	}
	out := c.runIn("4711-sesame\n", "user", "set-ciba-code", "alice", "--code-stdin")
	if out.code != 0 || !strings.Contains(out.stdout, "CIBA user code of alice set") {
		t.Fatalf("set: %+v", out)
	}
	st, err := sqlite.Open(context.Background(), c.db)
	if err != nil {
		t.Fatal(err)
	}
	u, err := st.GetUserByUsername(context.Background(), "alice")
	_ = st.Close()
	if err != nil || !strings.HasPrefix(u.CIBAUserCodeHash, "$argon2id$") || strings.Contains(u.CIBAUserCodeHash, "4711") {
		t.Fatalf("stored code hash %q, %v", u.CIBAUserCodeHash, err)
	}
	if show := c.ok("user", "show", "alice"); !strings.Contains(show, "CIBA user code") || !strings.Contains(show, "yes") {
		t.Fatalf("show: %s", show)
	}
	c.ok("user", "clear-ciba-code", "alice")
	if show := c.ok("user", "show", "alice", "--output", "json"); !strings.Contains(show, `"ciba_user_code_set": false`) {
		t.Fatalf("show after clear: %s", show)
	}
}
