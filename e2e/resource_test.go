package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"golang.org/x/oauth2"
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

// TestResourceIndicatorsInCodeFlow: RFC 8707 resource parameters at the
// authorization endpoint pick the audiences a user's tokens may have; the
// token request may narrow them, never widen them.
func TestResourceIndicatorsInCodeFlow(t *testing.T) {
	ctx := context.Background()
	l := start(t)
	l.user(t, demoUser)
	const payroll = "https://payroll.example.com"
	c, sec := l.client(t, manage.ClientSpec{Name: "Notes", Audiences: []string{ordersAPI, payroll}})
	cfg := l.oauthConfig(c, sec)
	v, err := resource.New(ctx, l.URL, ordersAPI, resource.WithClock(l.Clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	aud := func(token string) []string {
		parsed, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.ES256})
		if err != nil {
			t.Fatal(err)
		}
		var cl jwt.Claims
		_ = parsed.UnsafeClaimsWithoutVerification(&cl)
		return cl.Audience
	}

	b := l.browser(t)
	verifier := oauth2.GenerateVerifier()
	back := b.authorize(cfg.AuthCodeURL("r1", oauth2.S256ChallengeOption(verifier),
		oauth2.SetAuthURLParam("resource", ordersAPI)))
	code := codeFrom(t, back, "r1")

	// Asking at the token endpoint for what was not authorized fails, and
	// leaves the code usable.
	_, err = cfg.Exchange(ctx, code, oauth2.VerifierOption(verifier), oauth2.SetAuthURLParam("resource", payroll))
	wantOAuthError(t, err, "resource_not_granted", "invalid_target", 400)
	tok, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	if got := aud(tok.AccessToken); !slices.Equal(got, []string{ordersAPI, l.URL}) {
		t.Fatalf("aud = %v, want the API and, for userinfo, Lucid", got)
	}
	if _, err := v.Verify(ctx, tok.AccessToken); err != nil {
		t.Fatalf("the API refuses the token: %v", err)
	}
	if r := send(t, http.MethodGet, l.URL+"/userinfo", nil, func(req *http.Request) { req.Header.Set("Authorization", "Bearer "+tok.AccessToken) }); r.status != 200 {
		t.Fatalf("userinfo: %d %s", r.status, r.body)
	}

	// Refresh keeps to the authorized resources.
	refreshed := postToken(t, l, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}, "resource": {payroll}}, basicAuth(c.ID, sec))
	wantJSONError(t, l, refreshed, "resource_not_granted", "invalid_target", 400)
	r := postToken(t, l, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}, "resource": {ordersAPI}}, basicAuth(c.ID, sec))
	var body struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(r.body, &body); err != nil || r.status != 200 || !slices.Contains(aud(body.AccessToken), ordersAPI) {
		t.Fatalf("refresh with the authorized resource: %d %s", r.status, r.body)
	}

	// A resource the client may not have (and no API has) is refused at
	// the authorization endpoint.
	back = b.authorize(cfg.AuthCodeURL("r2", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("resource", "https://hr.example.com")))
	wantAuthzError(t, l, back, "resource_unknown", "invalid_target", "r2")
}
