package config

import (
	"strings"
	"testing"
	"time"
)

// TestOverloadSettings: in_flight and timeouts from the file and the
// environment, and what validation refuses.
func TestOverloadSettings(t *testing.T) {
	t.Run("defaults", func(t *testing.T) {
		c := Default()
		if c.InFlight != DefaultInFlight || c.InFlight.Token < 64 {
			t.Errorf("in_flight = %+v; the token default must stay above the 64 of the load tests", c.InFlight)
		}
		if c.Timeouts.Query <= 0 || c.Timeouts.Request < c.Timeouts.Query {
			t.Errorf("timeouts = %+v", c.Timeouts)
		}
		c.Issuer = "https://id.example.com" // the one setting without a default
		if err := c.Validate(); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("file", func(t *testing.T) {
		c, err := Load(writeFile(t, "lucid.yaml", "in_flight:\n  token: 7\n  admin: 0\ntimeouts:\n  query: 1500ms\n  request: 4s\n"))
		if err != nil {
			t.Fatal(err)
		}
		want := DefaultInFlight
		want.Token, want.Admin = 7, 0
		if c.InFlight != want || c.Timeouts != (Timeouts{Query: 1500 * time.Millisecond, Request: 4 * time.Second}) {
			t.Fatalf("got %+v %+v", c.InFlight, c.Timeouts)
		}
		if _, err := Load(writeFile(t, "lucid.yaml", "in_flight:\n  tokens: 7\n")); err == nil || !strings.Contains(err.Error(), `"in_flight.tokens"`) {
			t.Fatalf("misspelled key: %v", err)
		}
	})
	t.Run("environment", func(t *testing.T) {
		c := Default()
		env := map[string]string{"LUCID_IN_FLIGHT_PAGES": "9", "LUCID_IN_FLIGHT_USERINFO": "3", "LUCID_TIMEOUTS_QUERY": "2s", "LUCID_TIMEOUTS_REQUEST": "20s"}
		if err := c.ApplyEnv(func(k string) string { return env[k] }); err != nil {
			t.Fatal(err)
		}
		if c.InFlight.Pages != 9 || c.InFlight.UserInfo != 3 || c.Timeouts.Query != 2*time.Second || c.Timeouts.Request != 20*time.Second {
			t.Fatalf("got %+v %+v", c.InFlight, c.Timeouts)
		}
	})
	for _, tc := range []struct {
		name   string
		adjust func(*Config)
		want   string
	}{
		{"negative limit", func(c *Config) { c.InFlight.Discovery = -1 }, "in_flight.discovery: must be 0 (no limit) or more, got -1"},
		{"no query timeout", func(c *Config) { c.Timeouts.Query = 0 }, "timeouts.query: must be positive"},
		{"no request timeout", func(c *Config) { c.Timeouts.Request = 0 }, "timeouts.request: must be positive"},
		{"request shorter than a query", func(c *Config) { c.Timeouts.Query, c.Timeouts.Request = 5*time.Second, time.Second },
			"timeouts.request: is 1s, shorter than timeouts.query 5s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			tc.adjust(&c)
			if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate() = %v, want %q", err, tc.want)
			}
		})
	}
}
