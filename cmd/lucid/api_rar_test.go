package main

import (
	"slices"
	"strings"
	"testing"
)

// TestAPIDetailTypes: an API registers authorization details types from a
// file (or stdin), a bad schema is refused, and a client is allowed types.
func TestAPIDetailTypes(t *testing.T) {
	c := newCLI(t)
	types := `[{"type":"payment_initiation","description":"Pay {amount}","schema":{"type":"object","required":["amount"]}}]`
	if r := c.runIn("", "api", "create", "https://pay.example.com", "--authorization-details", "-"); r.code != 2 || !strings.Contains(r.stderr, "not a JSON array") {
		t.Errorf("empty types file: exit %d %s", r.code, r.stderr)
	}
	r := c.runIn(types, "api", "create", "https://pay2.example.com", "--authorization-details", "-", "--output", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"payment_initiation"`) {
		t.Fatalf("api create with types: exit %d %s %s", r.code, r.stdout, r.stderr)
	}
	if r := c.runIn(`[{"type":"x","schema":{"type":"nonsense"}}]`, "api", "create", "https://bad.example.com", "--authorization-details", "-"); r.code != 1 || !strings.Contains(r.stderr, "schema") {
		t.Errorf("bad schema: exit %d %s", r.code, r.stderr)
	}
	var cl struct {
		ID    string   `json:"client_id"`
		Types []string `json:"authorization_details_types"`
	}
	c.json(&cl, "client", "create", "--name", "Shop", "--redirect-uri", "https://shop.example.com/cb", "--detail-type", "payment_initiation", "--output", "json")
	if !slices.Equal(cl.Types, []string{"payment_initiation"}) {
		t.Fatalf("client types %v", cl.Types)
	}
	c.json(&cl, "client", "update", cl.ID, "--remove-detail-type", "payment_initiation", "--detail-type", "account_information", "--output", "json")
	if !slices.Equal(cl.Types, []string{"account_information"}) {
		t.Fatalf("client types after update %v", cl.Types)
	}
}
