package config

import (
	"strings"
	"testing"
)

func TestCIBANotifierSettings(t *testing.T) {
	const secret = "0123456789abcdef0123456789abcdef"
	c := Default()
	if err := c.ApplyEnv(func(k string) string {
		return map[string]string{"LUCID_CIBA_NOTIFIER_URL": "https://push.example.com/ciba", "LUCID_CIBA_NOTIFIER_SECRET": secret}[k]
	}); err != nil {
		t.Fatal(err)
	}
	c.Issuer = "https://id.example.com"
	if err := c.Validate(); err != nil || c.CIBA.NotifierURL != "https://push.example.com/ciba" || c.CIBA.NotifierSecret != secret {
		t.Fatalf("from the environment: %v %+v", err, c.CIBA)
	}
	for _, tc := range []struct {
		name, key string
		mod       func(*Config)
	}{
		{"secret without URL", "ciba.notifier_secret", func(c *Config) { c.CIBA.NotifierSecret = secret }},
		{"short secret", "ciba.notifier_secret", func(c *Config) { c.CIBA.NotifierURL, c.CIBA.NotifierSecret = "https://push.example.com", "short" }},
		{"plain http", "ciba.notifier_url", func(c *Config) { c.CIBA.NotifierURL, c.CIBA.NotifierSecret = "http://push.example.com", secret }},
		{"relative", "ciba.notifier_url", func(c *Config) { c.CIBA.NotifierURL, c.CIBA.NotifierSecret = "/push", secret }},
		{"credentials", "ciba.notifier_url", func(c *Config) { c.CIBA.NotifierURL, c.CIBA.NotifierSecret = "https://u:p@push.example.com", secret }},
	} {
		c := Default()
		c.Issuer = "https://id.example.com"
		tc.mod(&c)
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.key) {
			t.Errorf("%s: got %v", tc.name, err)
		}
		if err != nil && strings.Contains(err.Error(), secret) {
			t.Errorf("%s: the error shows the secret: %v", tc.name, err)
		}
	}
}
