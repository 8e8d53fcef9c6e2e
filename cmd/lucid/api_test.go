package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/sqlite"
)

func TestAPICommandsAndMachineClient(t *testing.T) {
	c := newCLI(t)
	var api struct {
		ID          string   `json:"id"`
		Scopes      []string `json:"scopes"`
		TokenFormat string   `json:"token_format"`
		TokenTTL    string   `json:"token_ttl"`
	}
	c.json(&api, "api", "create", "https://orders.example.com", "--scope", "orders:read orders:write", "--token-format", "opaque", "--token-ttl", "5m", "--output", "json")
	if api.ID != "https://orders.example.com" || api.TokenFormat != "opaque" || api.TokenTTL != "5m0s" || len(api.Scopes) != 2 {
		t.Fatalf("api create: %+v", api)
	}
	if r := c.runIn("", "api", "create", "orders"); r.code != 1 || !strings.Contains(r.stderr, "absolute URI") {
		t.Errorf("relative identifier: exit %d %s", r.code, r.stderr)
	}
	if out := c.ok("api", "list"); !strings.Contains(out, "https://orders.example.com") || !strings.Contains(out, "opaque") {
		t.Errorf("api list:\n%s", out)
	}

	// A backend client needs no redirect URI.
	var cl struct {
		ID        string   `json:"client_id"`
		Grants    []string `json:"grant_types"`
		Audiences []string `json:"audiences"`
		Secret    string   `json:"client_secret"`
	}
	c.json(&cl, "client", "create", "--name", "Billing", "--grant-type", "client_credentials", "--scope", "orders:read",
		"--audience", "https://orders.example.com", "--output", "json")
	if len(cl.Grants) != 1 || cl.Grants[0] != "client_credentials" || len(cl.Audiences) != 1 || cl.Secret == "" {
		t.Fatalf("machine client: %+v", cl)
	}
	if r := c.runIn("", "client", "create", "--name", "Web"); r.code != 2 || !strings.Contains(r.stderr, "--redirect-uri") {
		t.Errorf("code-flow client without redirect URI: exit %d %s", r.code, r.stderr)
	}

	c.ok("api", "delete", "https://orders.example.com")
	if r := c.runIn("", "api", "delete", "https://orders.example.com"); r.code != 1 {
		t.Errorf("second delete: exit %d", r.code)
	}
}

func TestConsentCommands(t *testing.T) {
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
		err = st.SaveConsent(context.Background(), &store.Consent{UserID: u.ID, ClientID: "notes", Scopes: []string{"openid", "email"}, GrantedAt: time.Now()})
	}
	_ = st.Close()
	if err != nil {
		t.Fatal(err)
	}
	if out := c.ok("user", "consents", "alice"); !strings.Contains(out, "notes") || !strings.Contains(out, "openid email") {
		t.Errorf("consents:\n%s", out)
	}
	if out := c.ok("user", "withdraw-consent", "alice", "notes"); !strings.Contains(out, "withdrawn") {
		t.Errorf("withdraw:\n%s", out)
	}
	if r := c.runIn("", "user", "withdraw-consent", "alice", "notes"); r.code != 1 || !strings.Contains(r.stderr, "no consent") {
		t.Errorf("second withdrawal: exit %d %s", r.code, r.stderr)
	}
}
