package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/sqlite"
)

// TestUpstreamCommands lists and unlinks a user's upstream identities and
// blocks and unblocks an upstream subject.
func TestUpstreamCommands(t *testing.T) {
	c := newCLI(t)
	if r := c.runIn("correct horse\n", "user", "create", "--username", "alice", "--password-stdin"); r.code != 0 {
		t.Fatalf("user create: %s", r.stderr)
	}
	st, err := sqlite.Open(context.Background(), c.db)
	if err != nil {
		t.Fatal(err)
	}
	u, err := st.GetUserByUsername(context.Background(), "alice")
	if err == nil {
		err = st.LinkIdentity(context.Background(), &store.IdentityLink{UpstreamID: "corp", Issuer: "https://sso.corp.example", Subject: "s-1", UserID: u.ID, CreatedAt: time.Now()})
	}
	_ = st.Close()
	if err != nil {
		t.Fatal(err)
	}
	if out := c.ok("user", "identities", "alice"); !strings.Contains(out, "corp") || !strings.Contains(out, "s-1") || !strings.Contains(out, "https://sso.corp.example") {
		t.Errorf("identities:\n%s", out)
	}
	if out := c.ok("user", "unlink", "alice", "corp", "s-1"); !strings.Contains(out, "unlinked") {
		t.Errorf("unlink:\n%s", out)
	}
	if r := c.runIn("", "user", "unlink", "alice", "corp", "s-1"); r.code != 1 {
		t.Errorf("second unlink: exit %d %s", r.code, r.stderr)
	}
	if out := c.ok("upstream", "block", "--reason", "left the company", "corp", "s-2"); !strings.Contains(out, "blocked") {
		t.Errorf("block:\n%s", out)
	}
	if out := c.ok("upstream", "blocks"); !strings.Contains(out, "s-2") || !strings.Contains(out, "left the company") {
		t.Errorf("blocks:\n%s", out)
	}
	if out := c.ok("upstream", "unblock", "corp", "s-2"); !strings.Contains(out, "unblocked") {
		t.Errorf("unblock:\n%s", out)
	}
	if r := c.runIn("", "upstream", "unblock", "corp", "s-2"); r.code != 1 {
		t.Errorf("second unblock: exit %d %s", r.code, r.stderr)
	}
}
