package provider

import (
	"encoding/base64"
	"testing"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/credential"
	"github.com/lucid-auth/lucid/internal/store"
)

func TestWithheldReason(t *testing.T) {
	full := []string{"openid", "profile", "offline_access"}
	both := []string{"authorization_code", "refresh_token"}
	cases := []struct {
		name    string
		client  store.Client
		granted []string
		want    catalog.Name
	}{
		{"asked and allowed", store.Client{GrantTypes: both, Scopes: full}, []string{"openid", "offline_access"}, ""},
		{"not asked", store.Client{GrantTypes: both, Scopes: full}, []string{"openid"}, catalog.RefreshNotRequested},
		{"grant unknown", store.Client{GrantTypes: both, Scopes: full}, nil, catalog.RefreshNotRequested},
		{"not allowed the scope", store.Client{GrantTypes: both, Scopes: []string{"openid"}}, []string{"openid"}, catalog.RefreshScopeNotAllowed},
		{"not allowed the grant", store.Client{GrantTypes: []string{"authorization_code"}, Scopes: full}, full, catalog.GrantTypeNotAllowed},
		{"always issued", store.Client{GrantTypes: both, Scopes: []string{"openid"}, AlwaysRefresh: true}, []string{"openid"}, ""},
	}
	for _, tc := range cases {
		if got := withheldReason(&tc.client, tc.granted); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestRecognise(t *testing.T) {
	p := &Provider{issuer: "https://id.example"}
	jwt := func(header, claims string) string {
		e := base64.RawURLEncoding.EncodeToString
		return e([]byte(header)) + "." + e([]byte(claims)) + ".c2ln"
	}
	cases := []struct {
		name, value, kind string
		foreign           bool
	}{
		{"access JWT", jwt(`{"typ":"at+jwt"}`, `{"iss":"https://id.example"}`), "a JWT access token", false},
		{"ID token", jwt(`{"typ":"JWT"}`, `{"iss":"https://id.example"}`), "an ID token", false},
		{"another issuer's", jwt(`{"typ":"at+jwt"}`, `{"iss":"https://login.example"}`), "", true},
		{"refresh token", credential.New(credential.Refresh), "a refresh token", false},
		{"code", credential.New(credential.Code), "an authorization code", false},
	}
	for _, tc := range cases {
		w := p.recognise(tc.value)
		if (w.foreignIssuer != "") != tc.foreign || (tc.kind != "" && w.kindName() != tc.kind) {
			t.Errorf("%s: %+v (%s)", tc.name, w, w.kindName())
		}
		for _, kv := range w.internal() {
			if s, _ := kv.(string); s == tc.value {
				t.Errorf("%s: the record repeats the value", tc.name)
			}
		}
	}
}
