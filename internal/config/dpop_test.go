package config

import (
	"strings"
	"testing"
	"time"
)

func TestDPoPSettings(t *testing.T) {
	d := Default()
	if d.DPoP.Required || d.DPoP.RequireNonce || d.DPoP.NonceLifetime != 5*time.Minute || d.DPoP.ProofMaxAge != 5*time.Minute {
		t.Fatalf("defaults %+v: want off, off, 5m, 5m", d.DPoP)
	}
	c, err := Load(writeFile(t, "lucid.yaml", "dpop:\n  required: true\n  nonce_lifetime: 2m\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !c.DPoP.Required || c.DPoP.NonceLifetime != 2*time.Minute || c.DPoP.RequireNonce {
		t.Fatalf("from YAML: %+v", c.DPoP)
	}
	c = Default()
	if err := c.ApplyEnv(func(k string) string {
		return map[string]string{"LUCID_DPOP_REQUIRE_NONCE": "true", "LUCID_DPOP_PROOF_MAX_AGE": "30s"}[k]
	}); err != nil {
		t.Fatal(err)
	}
	if !c.DPoP.RequireNonce || c.DPoP.ProofMaxAge != 30*time.Second {
		t.Fatalf("from the environment: %+v", c.DPoP)
	}
	for _, tc := range []struct {
		key string
		mod func(*Config)
	}{
		{"dpop.nonce_lifetime", func(c *Config) { c.DPoP.NonceLifetime = time.Second }},
		{"dpop.proof_max_age", func(c *Config) { c.DPoP.ProofMaxAge = 2 * time.Hour }},
	} {
		c := Default()
		c.Issuer = "https://id.example.com"
		tc.mod(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.key) {
			t.Errorf("%s: got %v", tc.key, err)
		}
	}
}
