package main

import (
	"regexp"
	"strings"
	"testing"
)

// The secret id printed next to a new secret is labelled as not being the
// secret: pasting it instead of the secret is a common mistake.
func TestSecretIDLabelled(t *testing.T) {
	c := newCLI(t)
	out := c.ok("client", "create", "--name", "Notes", "--redirect-uri", "https://notes.example.com/cb")
	if !strings.Contains(out, "shows only its id") {
		t.Errorf("create does not say the Secrets line is an id:\n%s", out)
	}
	id := regexp.MustCompile(`Client ID:\s+(\S+)`).FindStringSubmatch(out)
	if id == nil {
		t.Fatalf("no client id in:\n%s", out)
	}
	out = c.ok("client", "rotate-secret", id[1])
	if !regexp.MustCompile(`secret id \S+, which is not the secret`).MatchString(out) {
		t.Errorf("rotate-secret does not label the id:\n%s", out)
	}
}
