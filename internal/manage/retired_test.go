package manage

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
)

// Secrets taken out of use leave their keyed hash, id, time and reason in
// the client's record, and nothing else; the record is bounded in time and
// in count.
func TestRetiredSecrets(t *testing.T) {
	ctx := context.Background()
	svc, clk := newService(t)
	start := clk.t
	c, first, err := svc.CreateClient(ctx, ClientSpec{ID: "jwt", Name: "JWT", AuthMethod: store.AuthSecretJWT, RedirectURIs: []string{"https://j.example/cb"}})
	if err != nil {
		t.Fatal(err)
	}
	// A rotation with grace: the old secret stays, marked as retiring.
	clk.t = clk.t.Add(time.Minute)
	if _, _, err := svc.RotateClientSecret(ctx, "jwt", time.Hour, nil); err != nil {
		t.Fatal(err)
	}
	got, _ := svc.GetClient(ctx, "jwt")
	if len(got.Secrets) != 2 || got.Secrets[0].Retiring != store.RetiredByRotation || len(got.RetiredSecrets) != 0 {
		t.Fatalf("after a graced rotation: %+v retired %+v", got.Secrets, got.RetiredSecrets)
	}
	// Past the grace, the next rotation moves it to the record, retired by
	// the rotation at the end of its grace.
	clk.t = clk.t.Add(2 * time.Hour)
	if _, _, err := svc.RotateClientSecret(ctx, "jwt", 0, nil); err != nil {
		t.Fatal(err)
	}
	got, _ = svc.GetClient(ctx, "jwt")
	if len(got.Secrets) != 1 || len(got.RetiredSecrets) != 2 {
		t.Fatalf("after an immediate rotation: %+v retired %+v", got.Secrets, got.RetiredSecrets)
	}
	graceEnd := start.Add(time.Minute + time.Hour)
	for _, r := range got.RetiredSecrets {
		want := clk.t
		if r.ID == c.Secrets[0].ID {
			want = graceEnd
		}
		if r.Reason != store.RetiredByRotation || !r.RetiredAt.Equal(want) || !r.Until.Equal(want.Add(DefaultRetiredSecretMemory)) {
			t.Errorf("retired %+v, want rotation at %s", r, want)
		}
	}
	if !svc.Secrets.SecretMatches(first, got.RetiredSecrets[len(got.RetiredSecrets)-1].Hash) {
		t.Error("the first secret's hash is not the oldest record")
	}
	// The record keeps no sealed copy, and no secret in clear.
	raw, _ := json.Marshal(got.RetiredSecrets)
	if strings.Contains(string(raw), "sealed") || strings.Contains(string(raw), first) {
		t.Errorf("record holds more than hashes: %s", raw)
	}

	// At most MaxRetiredSecrets, the newest.
	for range MaxRetiredSecrets + 3 {
		clk.t = clk.t.Add(time.Minute)
		if _, _, err := svc.RotateClientSecret(ctx, "jwt", 0, nil); err != nil {
			t.Fatal(err)
		}
	}
	got, _ = svc.GetClient(ctx, "jwt")
	if len(got.RetiredSecrets) != MaxRetiredSecrets || !got.RetiredSecrets[0].RetiredAt.Equal(clk.t) {
		t.Fatalf("%d records, newest %v; want %d, newest %v", len(got.RetiredSecrets), got.RetiredSecrets[0].RetiredAt, MaxRetiredSecrets, clk.t)
	}

	// A removal is recorded as one; records past their time are dropped
	// by the next change.
	clk.t = clk.t.Add(DefaultRetiredSecretMemory + time.Minute)
	sid, _, err := svc.AddClientSecret(ctx, "jwt", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.RemoveClientSecret(ctx, "jwt", sid); err != nil {
		t.Fatal(err)
	}
	got, _ = svc.GetClient(ctx, "jwt")
	if len(got.RetiredSecrets) != 1 || got.RetiredSecrets[0].ID != sid || got.RetiredSecrets[0].Reason != store.RetiredByRemoval || !got.RetiredSecrets[0].RetiredAt.Equal(clk.t) {
		t.Fatalf("after a removal, past the memory: %+v", got.RetiredSecrets)
	}
}

// A secret that expired on its own is recorded as expired, at its expiry.
func TestRetiredSecretExpired(t *testing.T) {
	ctx := context.Background()
	svc, clk := newService(t)
	exp := clk.t.Add(time.Hour)
	if _, _, err := svc.CreateClient(ctx, ClientSpec{ID: "c", Name: "C", RedirectURIs: []string{"https://c.example/cb"}, SecretExpiresAt: &exp}); err != nil {
		t.Fatal(err)
	}
	clk.t = clk.t.Add(2 * time.Hour)
	if _, _, err := svc.AddClientSecret(ctx, "c", nil); err != nil {
		t.Fatal(err)
	}
	got, _ := svc.GetClient(ctx, "c")
	if len(got.RetiredSecrets) != 1 || got.RetiredSecrets[0].Reason != store.RetiredByExpiry || !got.RetiredSecrets[0].RetiredAt.Equal(exp) {
		t.Fatalf("retired %+v, want expiry at %s", got.RetiredSecrets, exp)
	}
}

// A negative memory (lifetimes.retired_secret 0) keeps nothing, and drops
// what an earlier setting kept.
func TestRetiredSecretsOff(t *testing.T) {
	ctx := context.Background()
	svc, clk := newService(t)
	if _, _, err := svc.CreateClient(ctx, ClientSpec{ID: "c", Name: "C", RedirectURIs: []string{"https://c.example/cb"}}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.RotateClientSecret(ctx, "c", 0, nil); err != nil {
		t.Fatal(err)
	}
	svc.RetiredSecretMemory = RetiredSecretMemory(0)
	clk.t = clk.t.Add(time.Minute)
	if _, _, err := svc.RotateClientSecret(ctx, "c", 0, nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := svc.GetClient(ctx, "c"); len(got.RetiredSecrets) != 0 {
		t.Fatalf("retired %+v with the memory off", got.RetiredSecrets)
	}
	if RetiredSecretMemory(time.Hour) != time.Hour {
		t.Error("a positive setting is not kept as it is")
	}
}
