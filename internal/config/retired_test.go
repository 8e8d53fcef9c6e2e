package config

import (
	"strings"
	"testing"
	"time"
)

// lifetimes.retired_secret: 30 days by default, from a file or the
// environment, 0 keeps none, negative is refused.
func TestRetiredSecretSetting(t *testing.T) {
	if d := Default().Lifetimes.RetiredSecret; d != 30*24*time.Hour {
		t.Errorf("default %s, want 720h", d)
	}
	c, err := Load(writeFile(t, "lucid.yaml", "issuer: https://id.example.com\nlifetimes:\n  retired_secret: 0s\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Lifetimes.RetiredSecret != 0 {
		t.Errorf("from the file: %s, want 0", c.Lifetimes.RetiredSecret)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("0 is refused: %v", err)
	}
	if err := c.ApplyEnv(func(k string) string {
		return map[string]string{"LUCID_LIFETIMES_RETIRED_SECRET": "48h"}[k]
	}); err != nil || c.Lifetimes.RetiredSecret != 48*time.Hour {
		t.Errorf("from the environment: %s (%v), want 48h", c.Lifetimes.RetiredSecret, err)
	}
	c.Lifetimes.RetiredSecret = -time.Hour
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "lifetimes.retired_secret") {
		t.Errorf("negative: %v, want a refusal naming lifetimes.retired_secret", err)
	}
}
