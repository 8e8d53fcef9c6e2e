package config

import (
	"strings"
	"testing"
	"time"
)

func TestDeviceSettings(t *testing.T) {
	if d := Default().Device; d != DefaultDevice || d.Interval != 5*time.Second || d.CodeLifetime != 10*time.Minute {
		t.Fatalf("defaults %+v", d)
	}
	c, err := Load(writeFile(t, "lucid.yaml", "device:\n  interval: 2s\n  user_code_network_per_hour: 5\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Device.Interval != 2*time.Second || c.Device.UserCodeNetworkPerHour != 5 || c.Device.CodeLifetime != 10*time.Minute {
		t.Fatalf("from YAML: %+v", c.Device)
	}
	c = Default()
	if err := c.ApplyEnv(func(k string) string {
		return map[string]string{"LUCID_DEVICE_CODE_LIFETIME": "15m", "LUCID_DEVICE_USER_CODE_SERVER_PER_HOUR": "0"}[k]
	}); err != nil {
		t.Fatal(err)
	}
	if c.Device.CodeLifetime != 15*time.Minute || c.Device.UserCodeServerPerHour != 0 {
		t.Fatalf("from the environment: %+v", c.Device)
	}
	for _, tc := range []struct {
		key string
		mod func(*Config)
	}{
		{"device.code_lifetime", func(c *Config) { c.Device.CodeLifetime = time.Hour }},
		{"device.code_lifetime", func(c *Config) { c.Device.CodeLifetime = time.Second }},
		{"device.interval", func(c *Config) { c.Device.Interval = 1500 * time.Millisecond }},
		{"device.interval", func(c *Config) { c.Device.Interval = 0 }},
		{"device.user_code_network_per_hour", func(c *Config) { c.Device.UserCodeNetworkPerHour = -1 }},
		{"device.user_code_server_per_hour", func(c *Config) { c.Device.UserCodeServerPerHour = -1 }},
	} {
		c := Default()
		c.Issuer = "https://id.example.com"
		tc.mod(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.key) {
			t.Errorf("%s: got %v", tc.key, err)
		}
	}
}
