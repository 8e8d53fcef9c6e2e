package main

import (
	"strings"
	"testing"
)

// TestClientMTLSFlags: a tls_client_auth client is created with the name
// its certificate carries, shown, changed to another name, and refused
// with two names or none.
func TestClientMTLSFlags(t *testing.T) {
	c := newCLI(t)
	var v struct {
		ID       string `json:"client_id"`
		Method   string `json:"token_endpoint_auth_method"`
		Identity *struct {
			DN  string `json:"tls_client_auth_subject_dn"`
			DNS string `json:"tls_client_auth_san_dns"`
		} `json:"tls_client_auth"`
		Bound bool `json:"tls_client_certificate_bound_access_tokens"`
	}
	c.json(&v, "client", "create", "--name", "Billing", "--grant-type", "client_credentials", "--auth-method", "tls_client_auth",
		"--tls-subject-dn", "CN=billing,O=Example", "--tls-bound-tokens", "--output", "json")
	if v.Method != "tls_client_auth" || v.Identity == nil || v.Identity.DN != "CN=billing,O=Example" || !v.Bound {
		t.Fatalf("created %+v", v)
	}
	if out := c.ok("client", "show", v.ID); !strings.Contains(out, "TLS subject DN") || !strings.Contains(out, "CN=billing,O=Example") || !strings.Contains(out, "TLS-bound tokens") {
		t.Fatalf("show:\n%s", out)
	}
	v.Identity = nil
	c.json(&v, "client", "update", v.ID, "--tls-san-dns", "billing.example.com", "--tls-bound-tokens=false", "--output", "json")
	if v.Identity == nil || v.Identity.DN != "" || v.Identity.DNS != "billing.example.com" || v.Bound {
		t.Fatalf("updated %+v", v)
	}
	for _, args := range [][]string{
		{"client", "create", "--name", "X", "--grant-type", "client_credentials", "--auth-method", "tls_client_auth"},
		{"client", "create", "--name", "X", "--grant-type", "client_credentials", "--auth-method", "tls_client_auth", "--tls-san-dns", "a.example.com", "--tls-san-ip", "192.0.2.1"},
	} {
		if r := c.runIn("", args...); r.code != 1 || !strings.Contains(r.stderr, "tls_client_auth") || !strings.Contains(r.stderr, "[admin_invalid_input]") {
			t.Fatalf("%v: exit %d, %s", args, r.code, r.stderr)
		}
	}
}
