package config

import (
	"strings"
	"testing"
	"time"
)

func TestPushedRequestSettings(t *testing.T) {
	d := Default()
	if d.Lifetimes.PushedRequest != time.Minute || d.RequirePushedAuthorizationRequests {
		t.Fatalf("defaults: pushed_request %s, required %v; want 1m0s and false", d.Lifetimes.PushedRequest, d.RequirePushedAuthorizationRequests)
	}
	c, err := Load(writeFile(t, "lucid.yaml", "require_pushed_authorization_requests: true\nlifetimes:\n  pushed_request: 90s\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !c.RequirePushedAuthorizationRequests || c.Lifetimes.PushedRequest != 90*time.Second {
		t.Errorf("from YAML: required %v, pushed_request %s", c.RequirePushedAuthorizationRequests, c.Lifetimes.PushedRequest)
	}
	env := map[string]string{"LUCID_REQUIRE_PUSHED_AUTHORIZATION_REQUESTS": "true", "LUCID_LIFETIMES_PUSHED_REQUEST": "30s"}
	c = Default()
	if err := c.ApplyEnv(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if !c.RequirePushedAuthorizationRequests || c.Lifetimes.PushedRequest != 30*time.Second {
		t.Errorf("from the environment: required %v, pushed_request %s", c.RequirePushedAuthorizationRequests, c.Lifetimes.PushedRequest)
	}
	for _, v := range []time.Duration{0, -time.Second, MaxPushedRequest + time.Second} {
		c := Default()
		c.Issuer = "https://id.example.com"
		c.Lifetimes.PushedRequest = v
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "lifetimes.pushed_request") {
			t.Errorf("pushed_request %s: %v, want it refused by name", v, err)
		}
	}
}
