package manage

import (
	"context"
	"slices"
	"testing"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/store"
)

func TestClientWebOrigins(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t)
	spec := func(redirects []string, origins ...string) ClientSpec {
		return ClientSpec{Name: "SPA", AuthMethod: store.AuthNone, RedirectURIs: redirects, WebOrigins: origins,
			GrantTypes: []string{"authorization_code"}}
	}
	web := []string{"https://app.example.com/cb"}
	c, _, err := svc.CreateClient(ctx, spec(web, "HTTPS://App.Example.com:443/", "https://app.example.com", "+"))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"https://app.example.com", "+"}; !slices.Equal(c.WebOrigins, want) {
		t.Fatalf("web origins %q, want %q (normalised, without duplicates)", c.WebOrigins, want)
	}
	for _, bad := range []struct {
		redirects []string
		origin    string
		reason    string
	}{
		{web, "https://app.example.com/cb", "path"},
		{web, "https://*.example.com", "wildcard"},
		{web, "null", "sandboxed"},
		{[]string{"com.example.app:/cb"}, "+", "no https or http redirect URI"},
	} {
		_, _, err := svc.CreateClient(ctx, spec(bad.redirects, bad.origin))
		wantCatalog(t, err, catalog.AdminInvalid, "field", "web_origins", "reason", bad.reason)
	}
	// An update replaces the list, and removing the redirect URIs that
	// "+" stands for is refused.
	c, err = svc.UpdateClient(ctx, c.ID, ClientPatch{WebOrigins: &[]string{"http://localhost:5173"}})
	if err != nil || !slices.Equal(c.WebOrigins, []string{"http://localhost:5173"}) {
		t.Fatalf("update: %v, %v", c, err)
	}
	_, err = svc.UpdateClient(ctx, c.ID, ClientPatch{WebOrigins: &[]string{"+"}, RedirectURIs: &[]string{"com.example.app:/cb"}})
	wantCatalog(t, err, catalog.AdminInvalid, "field", "web_origins")
}
