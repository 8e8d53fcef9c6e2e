package manage

import (
	"context"
	"reflect"
	"testing"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/granttype"
	"github.com/lucid-auth/lucid/internal/store"
)

func TestGrantPolicies(t *testing.T) {
	exchange := []string{string(granttype.TokenExchange)}
	bearer := []string{string(granttype.JWTBearer)}
	tests := []struct {
		name  string
		spec  ClientSpec
		want  catalog.Name
		kv    []string
		check func(t *testing.T, c *store.Client)
	}{
		{name: "exchange with impersonation", spec: ClientSpec{GrantTypes: exchange, TokenExchange: &store.ExchangePolicy{
			Impersonation: true, Audiences: []string{"https://a.example.com", "https://a.example.com"}, SubjectClients: []string{"front", "front", "self"},
		}}, check: func(t *testing.T, c *store.Client) {
			want := &store.ExchangePolicy{Impersonation: true, Audiences: []string{"https://a.example.com"}, SubjectClients: []string{"front"}}
			if !reflect.DeepEqual(c.TokenExchange, want) {
				t.Errorf("policy %+v, want %+v (duplicates and the client itself dropped)", c.TokenExchange, want)
			}
		}},
		{name: "exchange grant without a policy", spec: ClientSpec{GrantTypes: exchange},
			want: catalog.AdminInvalid, kv: []string{"field", "token_exchange", "reason", "--exchange-impersonation"}},
		{name: "exchange policy allowing neither", spec: ClientSpec{GrantTypes: exchange, TokenExchange: &store.ExchangePolicy{Audiences: []string{"https://a.example.com"}}},
			want: catalog.AdminInvalid, kv: []string{"field", "token_exchange"}},
		{name: "exchange for a public client", spec: ClientSpec{GrantTypes: exchange, AuthMethod: store.AuthNone, TokenExchange: &store.ExchangePolicy{Delegation: true}},
			want: catalog.AdminInvalid, kv: []string{"field", "grant_types", "reason", "confidential"}},
		{name: "exchange audience relative", spec: ClientSpec{GrantTypes: exchange, TokenExchange: &store.ExchangePolicy{Delegation: true, Audiences: []string{"orders"}}},
			want: catalog.AdminInvalid, kv: []string{"field", "token_exchange.audiences"}},
		{name: "exchange subject client malformed", spec: ClientSpec{GrantTypes: exchange, TokenExchange: &store.ExchangePolicy{Delegation: true, SubjectClients: []string{"a b"}}},
			want: catalog.AdminInvalid, kv: []string{"field", "token_exchange.subject_clients"}},
		{name: "empty exchange policy is none", spec: ClientSpec{GrantTypes: []string{"client_credentials"}, TokenExchange: &store.ExchangePolicy{}},
			check: func(t *testing.T, c *store.Client) {
				if c.TokenExchange != nil {
					t.Errorf("policy %+v, want none", c.TokenExchange)
				}
			}},
		{name: "refresh with exchange", spec: ClientSpec{GrantTypes: []string{string(granttype.TokenExchange), "refresh_token"}, TokenExchange: &store.ExchangePolicy{Impersonation: true}}},
		{name: "jwt bearer", spec: ClientSpec{GrantTypes: bearer, AuthMethod: store.AuthNone, JWTBearer: &store.JWTBearerPolicy{
			Issuers: []string{"https://k8s.example.com", "https://k8s.example.com"}, Subjects: []string{"system:serviceaccount:ci:*", "repo:a"},
		}}, check: func(t *testing.T, c *store.Client) {
			want := &store.JWTBearerPolicy{Issuers: []string{"https://k8s.example.com"}, Subjects: []string{"system:serviceaccount:ci:*", "repo:a"}}
			if !reflect.DeepEqual(c.JWTBearer, want) {
				t.Errorf("policy %+v, want %+v", c.JWTBearer, want)
			}
		}},
		{name: "jwt bearer grant without issuers", spec: ClientSpec{GrantTypes: bearer, JWTBearer: &store.JWTBearerPolicy{}},
			want: catalog.AdminInvalid, kv: []string{"field", "jwt_bearer", "reason", "--jwt-bearer-issuer"}},
		{name: "jwt bearer issuer not a URL", spec: ClientSpec{GrantTypes: bearer, JWTBearer: &store.JWTBearerPolicy{Issuers: []string{"kubernetes"}}},
			want: catalog.AdminInvalid, kv: []string{"field", "jwt_bearer.issuers"}},
		{name: "jwt bearer subject star alone", spec: ClientSpec{GrantTypes: bearer, JWTBearer: &store.JWTBearerPolicy{Issuers: []string{"https://k.example.com"}, Subjects: []string{"*"}}},
			want: catalog.AdminInvalid, kv: []string{"field", "jwt_bearer.subjects", "reason", "every subject"}},
		{name: "jwt bearer subject inner star", spec: ClientSpec{GrantTypes: bearer, JWTBearer: &store.JWTBearerPolicy{Issuers: []string{"https://k.example.com"}, Subjects: []string{"a*b"}}},
			want: catalog.AdminInvalid, kv: []string{"field", "jwt_bearer.subjects", "reason", "trailing"}},
		{name: "jwt bearer subjects without issuer", spec: ClientSpec{GrantTypes: []string{"client_credentials"}, JWTBearer: &store.JWTBearerPolicy{Subjects: []string{"a"}}},
			want: catalog.AdminInvalid, kv: []string{"field", "jwt_bearer.subjects"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, _ := newService(t)
			ctx := context.Background()
			tt.spec.ID, tt.spec.Name = "self", "Backend"
			c, _, err := svc.CreateClient(ctx, tt.spec)
			if tt.want != "" {
				wantCatalog(t, err, tt.want, tt.kv...)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			stored, err := svc.GetClient(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if tt.check != nil {
				tt.check(t, stored)
			}
		})
	}
}

// TestGrantPolicyPatch: a patch replaces a policy, the caller's value is
// not rewritten, and removing the last permission removes the policy.
func TestGrantPolicyPatch(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	if _, _, err := svc.CreateClient(ctx, ClientSpec{ID: "b", Name: "B", GrantTypes: []string{"client_credentials"}}); err != nil {
		t.Fatal(err)
	}
	pol := &store.ExchangePolicy{Delegation: true, SubjectClients: []string{"b", "front"}}
	grants := []string{"client_credentials", string(granttype.TokenExchange)}
	c, err := svc.UpdateClient(ctx, "b", ClientPatch{GrantTypes: &grants, TokenExchange: pol})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.TokenExchange.SubjectClients, []string{"front"}) || len(pol.SubjectClients) != 2 {
		t.Fatalf("stored %+v, caller's %+v", c.TokenExchange, pol)
	}
	// Taking away delegation while the grant type stays is refused...
	_, err = svc.UpdateClient(ctx, "b", ClientPatch{TokenExchange: &store.ExchangePolicy{}})
	wantCatalog(t, err, catalog.AdminInvalid, "field", "token_exchange")
	// ...and allowed together with the grant type.
	only := []string{"client_credentials"}
	c, err = svc.UpdateClient(ctx, "b", ClientPatch{GrantTypes: &only, TokenExchange: &store.ExchangePolicy{}})
	if err != nil || c.TokenExchange != nil {
		t.Fatalf("policy %+v, err %v", c.TokenExchange, err)
	}
	if v := ViewClient(c); v.TokenExchange != nil || v.JWTBearer != nil {
		t.Errorf("view shows policies the client no longer has: %+v", v)
	}
}
