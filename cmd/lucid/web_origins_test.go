package main

import (
	"slices"
	"strings"
	"testing"
)

// TestClientWebOriginFlags: --web-origin on create and update stores
// normalised origins; --remove-web-origin matches however it is typed; the
// text view lists them; a path is refused with the catalog's name.
func TestClientWebOriginFlags(t *testing.T) {
	c := newCLI(t)
	var v struct {
		ID         string   `json:"client_id"`
		WebOrigins []string `json:"web_origins"`
	}
	c.json(&v, "client", "create", "--name", "SPA", "--public", "--redirect-uri", "https://app.example.com/cb",
		"--web-origin", "HTTPS://App.Example.com:443", "--web-origin", "+", "--output", "json")
	if !slices.Equal(v.WebOrigins, []string{"https://app.example.com", "+"}) {
		t.Fatalf("created with web origins %q", v.WebOrigins)
	}
	c.json(&v, "client", "update", v.ID, "--web-origin", "http://localhost:5173", "--remove-web-origin", "https://APP.example.com/", "--output", "json")
	if !slices.Equal(v.WebOrigins, []string{"+", "http://localhost:5173"}) {
		t.Fatalf("updated to web origins %q", v.WebOrigins)
	}
	if out := c.ok("client", "show", v.ID); !strings.Contains(out, "Web origins") || !strings.Contains(out, "http://localhost:5173") {
		t.Fatalf("show does not list the web origins:\n%s", out)
	}
	r := c.runIn("", "client", "update", v.ID, "--web-origin", "https://app.example.com/spa")
	if r.code != 1 || !strings.Contains(r.stderr, "web_origins") || !strings.Contains(r.stderr, "[admin_invalid_input]") {
		t.Fatalf("an origin with a path: exit %d, %s", r.code, r.stderr)
	}
}
