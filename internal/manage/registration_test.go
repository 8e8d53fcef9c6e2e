package manage

import (
	"context"
	"errors"
	"testing"

	"github.com/lucid-auth/lucid/internal/catalog"
)

// Dynamic registration reports each kind of refused redirect URI under its
// own name, so every refusal must carry its kind.
func TestRedirectURIProblems(t *testing.T) {
	cases := []struct {
		uri  string
		want URIProblem
	}{
		{"", URIMalformed},
		{"https://app.example.com/" + string(make([]byte, maxURI)), URIMalformed},
		{"https://app.example.com/cb\n", URIMalformed},
		{"https:///cb", URIMalformed},
		{"http://[::1", URIMalformed},
		{"/cb", URINotAbsolute},
		{"app.example.com/cb", URINotAbsolute},
		{"https://app.example.com/#cb", URIFragment},
		{"https://*.example.com/cb", URIWildcard},
		{"https://user@app.example.com/cb", URIUserInfo},
		{"http://app.example.com/cb", URIHTTPNotLoopback},
		{"myapp:/cb", URISchemeUnsupported},
		{"javascript:alert(1)", URISchemeUnsupported},
		{"https://app.example.com/cb", 0},
		{"http://127.0.0.1:8400/cb", 0},
		{"com.example.app:/cb", 0},
	}
	for _, tc := range cases {
		err := CheckRedirectURI(tc.uri)
		if tc.want == 0 {
			if err != nil {
				t.Errorf("%.40q: refused: %v", tc.uri, err)
			}
			continue
		}
		var ue *URIError
		if !errors.As(err, &ue) {
			t.Errorf("%.40q: err = %v, want a *URIError", tc.uri, err)
			continue
		}
		if ue.Problem != tc.want || ue.Error() == "" {
			t.Errorf("%.40q: problem %d (%v), want %d", tc.uri, ue.Problem, ue, tc.want)
		}
	}
}

func TestCheckTypePairing(t *testing.T) {
	cases := []struct {
		grants, responses []string
		field             string // "" means consistent
	}{
		{[]string{"authorization_code", "refresh_token"}, []string{"code"}, ""},
		{[]string{"client_credentials"}, nil, ""},
		{[]string{"client_credentials"}, []string{"code"}, "response_types"},
		{[]string{"authorization_code"}, nil, "grant_types"},
		{[]string{"refresh_token"}, []string{}, ""},
	}
	for _, tc := range cases {
		err := CheckTypePairing(tc.grants, tc.responses)
		if tc.field == "" {
			if err != nil {
				t.Errorf("%v / %v: %v", tc.grants, tc.responses, err)
			}
			continue
		}
		wantCatalog(t, err, catalog.AdminInvalid, "field", tc.field)
	}
}

// A client that never uses the authorization endpoint may have no response
// type; one that does still needs code.
func TestEmptyResponseTypes(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	c, _, err := svc.CreateClient(ctx, ClientSpec{Name: "Billing", GrantTypes: []string{"client_credentials"}, ResponseTypes: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.ResponseTypes) != 0 {
		t.Errorf("response types %v, want none", c.ResponseTypes)
	}
	_, _, err = svc.CreateClient(ctx, ClientSpec{Name: "Web", RedirectURIs: []string{"https://app.example.com/cb"}, ResponseTypes: []string{}})
	wantCatalog(t, err, catalog.AdminInvalid, "field", "response_types", "reason", "must include code")
}

func TestRegistrationTokenHashIsKept(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	c, _, err := svc.CreateClient(ctx, ClientSpec{Name: "Dyn", RedirectURIs: []string{"https://app.example.com/cb"}, RegistrationTokenHash: "abc123"})
	if err != nil {
		t.Fatal(err)
	}
	name := "Renamed"
	if _, err := svc.UpdateClient(ctx, c.ID, ClientPatch{Name: &name}); err != nil {
		t.Fatal(err)
	}
	got, err := svc.GetClient(ctx, c.ID)
	if err != nil || got.RegistrationTokenHash != "abc123" {
		t.Fatalf("hash %q after an update (%v)", got.RegistrationTokenHash, err)
	}
}
