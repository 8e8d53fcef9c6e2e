package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"golang.org/x/oauth2/clientcredentials"

	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/resource"
)

// TestResourceLibrary runs a resource server built with package resource
// against a real Lucid: the errors it gives are Lucid's catalog entries.
func TestResourceLibrary(t *testing.T) {
	ctx := context.Background()
	l := start(t)
	c, sec := m2m(t, l, manage.ClientSpec{Audiences: []string{ordersAPI, "https://payroll.example.com"}})
	v, err := resource.New(ctx, l.URL, ordersAPI, resource.WithClock(l.Clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	api := func(v *resource.Verifier, scope string) *httptest.Server {
		s := httptest.NewServer(v.Require(scope)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			claims, _ := resource.ClaimsFrom(r.Context())
			_ = json.NewEncoder(w).Encode(claims)
		})))
		t.Cleanup(s.Close)
		return s
	}
	read, write := api(v, "orders:read"), api(v, "orders:write")
	call := func(s *httptest.Server, token string) *reply {
		return send(t, http.MethodGet, s.URL, nil, func(r *http.Request) {
			if token != "" {
				r.Header.Set("Authorization", "Bearer "+token)
			}
		})
	}
	token := func(scope string, resources ...string) string {
		cc := clientcredentials.Config{ClientID: c.ID, ClientSecret: sec, TokenURL: l.URL + "/token", Scopes: []string{scope}}
		if len(resources) > 0 {
			cc.EndpointParams = map[string][]string{"resource": resources}
		}
		tok, err := cc.Token(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return tok.AccessToken
	}

	good := token("orders:read", ordersAPI)
	if r := call(read, good); r.status != 200 {
		t.Fatalf("valid token refused: %d %s", r.status, r.body)
	}
	// RFC 6750 §3.1: no credentials, so a bare challenge.
	if r := call(read, ""); r.status != 401 || r.header.Get("WWW-Authenticate") != `Bearer realm="`+l.URL+`"` {
		t.Fatalf("no token: %d %q", r.status, r.header.Get("WWW-Authenticate"))
	}
	_, ch := wantBearerError(t, l, call(write, good), "insufficient_scope", "insufficient_scope", 403)
	if ch["scope"] != "orders:write" {
		t.Errorf("challenge scope = %q, want orders:write", ch["scope"])
	}
	wantBearerError(t, l, call(read, token("orders:read", "https://payroll.example.com")), "access_token_wrong_audience", "invalid_token", 401)
	wantBearerError(t, l, call(read, good[:len(good)-4]+"AAAA"), "access_token_signature_invalid", "invalid_token", 401)
	wantBearerError(t, l, call(read, "a.b"), "access_token_malformed", "invalid_token", 401)

	// A revoked JWT is honoured at once only with introspection.
	if r := revoke(t, l, c.ID, sec, good); r.status != 200 {
		t.Fatal("revocation failed")
	}
	if r := call(read, good); r.status != 200 {
		t.Fatalf("local verification cannot see revocation, yet refused: %d", r.status)
	}
	rs, rsSec := m2m(t, l, manage.ClientSpec{Name: "Orders API"})
	vi, err := resource.New(ctx, l.URL, ordersAPI, resource.WithClock(l.Clock.Now), resource.WithIntrospection(rs.ID, rsSec))
	if err != nil {
		t.Fatal(err)
	}
	checked := api(vi, "orders:read")
	wantBearerError(t, l, call(checked, good), "access_token_inactive", "invalid_token", 401)
	if r := call(checked, token("orders:read", ordersAPI)); r.status != 200 {
		t.Fatalf("introspected token refused: %d %s", r.status, r.body)
	}

	// A token from the future: the resource server's clock is behind.
	fresh := token("orders:read", ordersAPI)
	l.Clock.Advance(-5 * time.Minute)
	wantBearerError(t, l, call(read, fresh), "access_token_not_yet_valid", "invalid_token", 401)
	r := send(t, http.MethodGet, l.URL+"/userinfo", nil, func(req *http.Request) { req.Header.Set("Authorization", "Bearer "+fresh) })
	wantBearerError(t, l, r, "access_token_not_yet_valid", "invalid_token", 401)
	l.Clock.Advance(5 * time.Minute)

	// Expiry, by the clock both sides share.
	l.Clock.Advance(time.Hour)
	_, ch = wantBearerError(t, l, call(read, fresh), "access_token_expired", "invalid_token", 401)
	if ch["error_description"] == "" {
		t.Error("no description")
	}
}
