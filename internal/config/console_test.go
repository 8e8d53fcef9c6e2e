package config

import (
	"strings"
	"testing"
	"time"
)

func TestConsoleIdle(t *testing.T) {
	for _, tc := range []struct {
		idle time.Duration
		ok   bool
	}{
		{15 * time.Minute, true}, {time.Minute, true}, {12 * time.Hour, true},
		{59 * time.Second, false}, {13 * time.Hour, false}, {0, false},
	} {
		c := Default()
		c.Issuer = "https://id.example.com"
		c.Console.Idle = tc.idle
		err := c.Validate()
		if tc.ok != (err == nil || !strings.Contains(err.Error(), "console.idle")) {
			t.Errorf("idle %s: %v", tc.idle, err)
		}
	}
	if d := Default().Console; !d.Enabled || d.Idle != 15*time.Minute {
		t.Errorf("defaults %+v", d)
	}
}
