package config

import (
	"strings"
	"testing"
)

// TestUpstreamPresets: a preset is defaults over the generic connectors,
// with the operator's fields winning and its inputs (tenant, hosted
// domain) turned into rules that the ID token must meet.
func TestUpstreamPresets(t *testing.T) {
	tests := []struct {
		name    string
		in      Upstream
		check   func(t *testing.T, u Upstream)
		wantErr string
	}{
		{name: "github", in: Upstream{ID: "gh", Preset: "github", ClientID: "x"}, check: func(t *testing.T, u Upstream) {
			if u.Type != UpstreamOAuth2 || u.Claims.Subject != "id" || u.Claims.Username != "login" || len(u.GroupsURLs) != 2 || u.Issuer != "https://github.com" {
				t.Errorf("%+v", u)
			}
		}},
		{name: "google hd", in: Upstream{ID: "g", Preset: "google", HostedDomain: "acme.example", ClientID: "x"}, check: func(t *testing.T, u Upstream) {
			if u.Type != UpstreamOIDC || u.AuthParams["hd"] != "acme.example" || u.Rules.RequiredClaims["hd"] != "acme.example" {
				t.Errorf("%+v", u)
			}
		}},
		{name: "entra tenant", in: Upstream{ID: "e", Preset: "entra", Tenant: "0000AAAA-0000-0000-0000-000000000001", ClientID: "x"}, check: func(t *testing.T, u Upstream) {
			if u.Issuer != "https://login.microsoftonline.com/0000aaaa-0000-0000-0000-000000000001/v2.0" || u.Rules.RequiredClaims["tid"] != "0000aaaa-0000-0000-0000-000000000001" {
				t.Errorf("%+v", u)
			}
		}},
		{name: "entra without tenant", in: Upstream{ID: "e", Preset: "entra", Tenant: "common"}, wantErr: "tenant"},
		{name: "gitlab self-hosted", in: Upstream{ID: "gl", Preset: "gitlab", Issuer: "https://gitlab.acme.example", Name: "Acme GitLab"}, check: func(t *testing.T, u Upstream) {
			if u.Issuer != "https://gitlab.acme.example" || u.Name != "Acme GitLab" || u.Claims.Groups != "groups_direct" {
				t.Errorf("%+v", u)
			}
		}},
		{name: "unknown preset", in: Upstream{ID: "x", Preset: "okta"}, wantErr: "unknown"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u, err := tc.in.Resolved()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one about %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, u)
		})
	}
}

// TestUpstreamValidation: each mistake names its setting.
func TestUpstreamValidation(t *testing.T) {
	tests := []struct {
		name string
		ups  []Upstream
		want string
	}{
		{"bad id", []Upstream{{ID: "Corp SSO", Type: "oidc", Issuer: "https://sso.example", ClientID: "x"}}, "upstreams[0].id"},
		{"twice", []Upstream{{ID: "a", Type: "oidc", Issuer: "https://sso.example", ClientID: "x"}, {ID: "a", Type: "oidc", Issuer: "https://sso.example", ClientID: "x"}}, "listed twice"},
		{"no client", []Upstream{{ID: "a", Type: "oidc", Issuer: "https://sso.example"}}, "upstreams[0].client_id"},
		{"local without allow_local", []Upstream{{ID: "a", Type: "oidc", Issuer: "http://127.0.0.1:9000", ClientID: "x"}}, "allow_local"},
		{"oauth2 without endpoints", []Upstream{{ID: "a", Type: "oauth2", ClientID: "x"}}, "upstreams[0].auth_url"},
		{"bad type", []Upstream{{ID: "a", Type: "saml", ClientID: "x"}}, "upstreams[0].type"},
		{"domain twice", []Upstream{{ID: "a", Type: "oidc", Issuer: "https://a.example", ClientID: "x", Domains: []string{"corp.example"}},
			{ID: "b", Type: "oidc", Issuer: "https://b.example", ClientID: "x", Domains: []string{"CORP.example"}}}, "already routed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			c.Upstreams = tc.ups
			var msgs []string
			for _, err := range c.checkUpstreams() {
				msgs = append(msgs, err.Error())
			}
			if !strings.Contains(strings.Join(msgs, "\n"), tc.want) {
				t.Errorf("errors %q, want one with %q", msgs, tc.want)
			}
		})
	}
}
