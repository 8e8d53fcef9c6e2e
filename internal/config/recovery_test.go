package config

import (
	"strings"
	"testing"
	"time"
)

func TestRecoverySettings(t *testing.T) {
	d := Default()
	if d.Mail.Enabled() || d.Signup.Enabled || d.Lifetimes.PasswordReset != 30*time.Minute || d.Password.MinLength != 12 {
		t.Fatalf("defaults: mail %+v signup %+v reset %s min %d", d.Mail, d.Signup, d.Lifetimes.PasswordReset, d.Password.MinLength)
	}
	c, err := Load(writeFile(t, "lucid.yaml", "mail:\n  host: smtp.example.com\n  from: Accounts <accounts@example.com>\nsignup:\n  enabled: true\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Mail.Host != "smtp.example.com" || c.Mail.Port != 587 || c.Mail.Security != MailStartTLS || !c.Signup.Enabled {
		t.Fatalf("from YAML: %+v %+v", c.Mail, c.Signup)
	}
	c = Default()
	if err := c.ApplyEnv(func(k string) string {
		return map[string]string{"LUCID_MAIL_PASSWORD": "s3cret", "LUCID_MAIL_USERNAME": "lucid", "LUCID_LIFETIMES_PASSWORD_RESET": "15m"}[k]
	}); err != nil {
		t.Fatal(err)
	}
	if c.Mail.Password != "s3cret" || c.Mail.Username != "lucid" || c.Lifetimes.PasswordReset != 15*time.Minute {
		t.Fatalf("from the environment: %+v", c.Mail)
	}
	on := func(c *Config) { c.Mail.Host, c.Mail.From = "smtp.example.com", "a@example.com" }
	for _, tc := range []struct {
		key string
		mod func(*Config)
	}{
		{"signup.enabled", func(c *Config) { c.Signup.Enabled = true }},
		{"mail.security", func(c *Config) { on(c); c.Mail.Security = MailNone }},
		{"mail.security", func(c *Config) { on(c); c.Mail.Security = "ssl" }},
		{"mail.from", func(c *Config) { on(c); c.Mail.From = "not an address" }},
		{"mail.port", func(c *Config) { on(c); c.Mail.Port = 0 }},
		{"mail.username", func(c *Config) { on(c); c.Mail.Username = "u" }},
		{"lifetimes.password_reset", func(c *Config) { c.Lifetimes.PasswordReset = 48 * time.Hour }},
		{"lifetimes.email_verification", func(c *Config) { c.Lifetimes.EmailVerification = 0 }},
		{"password.min_length", func(c *Config) { c.Password.MinLength = 6 }},
		{"recovery.account_per_hour", func(c *Config) { c.Recovery.AccountPerHour = -1 }},
	} {
		c := Default()
		c.Issuer = "https://id.example.com"
		tc.mod(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.key) {
			t.Errorf("%s: got %v", tc.key, err)
		}
	}
	ok := Default()
	ok.Issuer = "https://id.example.com"
	ok.Mail.Host, ok.Mail.From, ok.Mail.Security, ok.Signup.Enabled = "127.0.0.1", "a@example.com", MailNone, true
	if err := ok.Validate(); err != nil {
		t.Fatalf("a loopback relay without TLS: %v", err)
	}
}
