package main

import (
	"strings"
	"testing"
)

// TestClientRequestObjectAlg: --request-object-alg sets, shows, changes
// and clears request_object_signing_alg; a value Lucid does not offer is
// refused.
func TestClientRequestObjectAlg(t *testing.T) {
	c := newCLI(t)
	var got struct {
		ID  string `json:"client_id"`
		Alg string `json:"request_object_signing_alg"`
	}
	c.json(&got, "client", "create", "--name", "JAR", "--redirect-uri", "https://jar.example.com/cb",
		"--request-object-alg", "none", "--output", "json")
	if got.ID == "" || got.Alg != "none" {
		t.Fatalf("created %+v", got)
	}
	if out := c.ok("client", "show", got.ID); !strings.Contains(out, "Request object alg") || !strings.Contains(out, "none") {
		t.Errorf("show:\n%s", out)
	}
	id := got.ID
	got.Alg = "unchanged"
	c.json(&got, "client", "update", id, "--request-object-alg", "", "--output", "json")
	if got.Alg != "unchanged" || got.ID != id {
		t.Errorf("after clearing: %q (an empty alg is left out)", got.Alg)
	}
	c.json(&got, "client", "update", id, "--request-object-alg", "PS256", "--output", "json")
	if got.Alg != "PS256" {
		t.Errorf("after clearing: %q", got.Alg)
	}
	if r := c.runIn("", "client", "update", id, "--request-object-alg", "HS256"); r.code != 1 || !strings.Contains(r.stderr, "request_object_signing_alg") {
		t.Errorf("HS256: code %d, %s", r.code, r.stderr)
	}
}
