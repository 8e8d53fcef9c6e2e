package main

import (
	"strings"
	"testing"
)

// TestClientAuthorizationResponseAlgFlag: --authorization-response-alg on
// create and update sets the JARM signing algorithm, show lists it, and an
// algorithm without a key is refused with the catalog's name.
func TestClientAuthorizationResponseAlgFlag(t *testing.T) {
	c := newCLI(t)
	var v struct {
		ID  string `json:"client_id"`
		Alg string `json:"authorization_signed_response_alg"`
	}
	c.json(&v, "client", "create", "--name", "Bank", "--redirect-uri", "https://bank.example.com/cb",
		"--authorization-response-alg", "ES256", "--output", "json")
	if v.Alg != "ES256" {
		t.Fatalf("created with %q", v.Alg)
	}
	c.json(&v, "client", "update", v.ID, "--authorization-response-alg", "EdDSA", "--output", "json")
	if v.Alg != "EdDSA" {
		t.Fatalf("updated to %q", v.Alg)
	}
	if out := c.ok("client", "show", v.ID); !strings.Contains(out, "Authorization response alg") || !strings.Contains(out, "EdDSA") {
		t.Fatalf("show does not list the algorithm:\n%s", out)
	}
	r := c.runIn("", "client", "update", v.ID, "--authorization-response-alg", "PS256")
	if r.code != 1 || !strings.Contains(r.stderr, "[jarm_signing_alg_unsupported]") || !strings.Contains(r.stderr, "PS256") {
		t.Fatalf("PS256: exit %d, %s", r.code, r.stderr)
	}
}
