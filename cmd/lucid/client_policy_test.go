package main

import (
	"reflect"
	"strings"
	"testing"

	"github.com/lucid-auth/lucid/internal/granttype"
	"github.com/lucid-auth/lucid/internal/store"
)

// TestClientPolicyFlags drives the token exchange and JWT bearer flags of
// `client create` and `client update` through to the stored policy.
func TestClientPolicyFlags(t *testing.T) {
	c := newCLI(t)
	type policies struct {
		ID            string                 `json:"client_id"`
		GrantTypes    []string               `json:"grant_types"`
		TokenExchange *store.ExchangePolicy  `json:"token_exchange"`
		JWTBearer     *store.JWTBearerPolicy `json:"jwt_bearer"`
	}
	var got policies
	c.json(&got, "client", "create", "--name", "Orders backend", "--id", "orders",
		"--grant-type", string(granttype.TokenExchange), "--grant-type", string(granttype.JWTBearer),
		"--exchange-impersonation", "--exchange-audience", "https://inventory.example.com", "--exchange-subject-client", "web",
		"--jwt-bearer-issuer", "https://k8s.example.com", "--jwt-bearer-subject", "system:serviceaccount:shop:*",
		"--output", "json")
	wantEx := &store.ExchangePolicy{Impersonation: true, Audiences: []string{"https://inventory.example.com"}, SubjectClients: []string{"web"}}
	wantJB := &store.JWTBearerPolicy{Issuers: []string{"https://k8s.example.com"}, Subjects: []string{"system:serviceaccount:shop:*"}}
	if !reflect.DeepEqual(got.TokenExchange, wantEx) || !reflect.DeepEqual(got.JWTBearer, wantJB) {
		t.Fatalf("created %+v %+v", got.TokenExchange, got.JWTBearer)
	}

	// Update edits the lists and flips the modes; other settings stay.
	got = policies{}
	c.json(&got, "client", "update", "orders", "--exchange-delegation", "--exchange-impersonation=false",
		"--remove-exchange-subject-client", "web", "--exchange-audience", "https://billing.example.com",
		"--remove-jwt-bearer-subject", "system:serviceaccount:shop:*", "--output", "json")
	wantEx = &store.ExchangePolicy{Delegation: true, Audiences: []string{"https://inventory.example.com", "https://billing.example.com"}}
	wantJB = &store.JWTBearerPolicy{Issuers: []string{"https://k8s.example.com"}}
	if !reflect.DeepEqual(got.TokenExchange, wantEx) || !reflect.DeepEqual(got.JWTBearer, wantJB) {
		t.Fatalf("updated %+v %+v", got.TokenExchange, got.JWTBearer)
	}

	out := c.ok("client", "show", "orders")
	for _, want := range []string{"Token exchange", "delegation", "https://billing.example.com", "JWT bearer issuers", "https://k8s.example.com", "JWT bearer subjects"} {
		if !strings.Contains(out, want) {
			t.Errorf("show lacks %q:\n%s", want, out)
		}
	}

	// Removing the last issuer while the grant type stays is refused, by name.
	r := c.runIn("", "client", "update", "orders", "--remove-jwt-bearer-issuer", "https://k8s.example.com")
	if r.code != 1 || !strings.Contains(r.stderr, "jwt_bearer") || !strings.Contains(r.stderr, "--jwt-bearer-issuer") {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
}
