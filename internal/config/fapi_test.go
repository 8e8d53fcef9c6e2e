package config

import (
	"strings"
	"testing"
	"time"
)

func TestFAPI2Settings(t *testing.T) {
	c, err := Load(writeFile(t, "lucid.yaml", "issuer: https://id.example.com\nfapi2_security_profile: true\n"))
	if err != nil || !c.FAPI2SecurityProfile {
		t.Fatalf("from YAML: %v, on %v", err, c.FAPI2SecurityProfile)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("the defaults under FAPI 2.0: %v", err)
	}
	env := map[string]string{"LUCID_FAPI2_SECURITY_PROFILE": "true"}
	c = Default()
	if err := c.ApplyEnv(func(k string) string { return env[k] }); err != nil || !c.FAPI2SecurityProfile {
		t.Fatalf("from the environment: %v, on %v", err, c.FAPI2SecurityProfile)
	}
	for _, tc := range []struct {
		key  string
		set  func(*Config)
		fail bool
	}{
		{"lifetimes.code", func(c *Config) { c.Lifetimes.Code = 60 * time.Second }, false},
		{"lifetimes.code", func(c *Config) { c.Lifetimes.Code = 61 * time.Second }, true},
		{"lifetimes.pushed_request", func(c *Config) { c.Lifetimes.PushedRequest = 599 * time.Second }, false},
		{"lifetimes.pushed_request", func(c *Config) { c.Lifetimes.PushedRequest = 10 * time.Minute }, true},
	} {
		for _, on := range []bool{false, true} {
			c := Default()
			c.Issuer = "https://id.example.com"
			c.FAPI2SecurityProfile = on
			tc.set(&c)
			err := c.Validate()
			refused := err != nil && strings.Contains(err.Error(), tc.key+": ") && strings.Contains(err.Error(), "FAPI 2.0 Security Profile")
			if refused != (tc.fail && on) {
				t.Errorf("%s with fapi2_security_profile %v: %v", tc.key, on, err)
			}
		}
	}
}
