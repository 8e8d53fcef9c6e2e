package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/manage"
)

// loginAs runs the code flow for username in a fresh browser.
func loginAs(t *testing.T, l *lucid, cfg *oauth2.Config, username string) *oauth2.Token {
	t.Helper()
	b := l.browser(t)
	v := oauth2.GenerateVerifier()
	p := b.signIn(b.get(cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(v))), username, demoPassword)
	if p.isConsent() {
		p = b.consent(p, "allow")
	}
	if p.location == nil {
		t.Fatalf("%s: no redirect back to the client: %d %.300s", username, p.status, p.body)
	}
	tok, err := cfg.Exchange(context.Background(), codeFrom(t, p.location, "s"), oauth2.VerifierOption(v))
	if err != nil {
		t.Fatalf("%s: exchange: %v", username, err)
	}
	return tok
}

func bearer(token string) func(*http.Request) {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) }
}

// TestUserInfoBearerErrors covers every way a UserInfo request can fail,
// each with its RFC 6750 challenge.
func TestUserInfoBearerErrors(t *testing.T) {
	ctx := context.Background()
	l := start(t)
	l.user(t, demoUser)
	l.user(t, "bob")
	c, sec := l.client(t, manage.ClientSpec{Name: "Notes"})
	cfg := l.oauthConfig(c, sec)
	tok := loginAs(t, l, cfg, demoUser)
	bobTok := loginAs(t, l, cfg, "bob")
	profileOnly := loginAs(t, l, l.oauthConfig(c, sec, "profile"), demoUser)
	idToken, _ := tok.Extra("id_token").(string)

	// The same database and keys under another issuer: what happens to
	// outstanding tokens when an operator changes the issuer setting.
	moved := start(t, func(cf *config.Config) { cf.Database, cf.MasterKey = l.cfg.Database, l.cfg.MasterKey })
	// A separate Lucid has its own keys: its tokens carry a kid this one never had.
	stranger := start(t)
	stranger.user(t, demoUser)
	sc, ssec := stranger.client(t, manage.ClientSpec{Name: "Elsewhere"})
	strangerTok := loginAs(t, stranger, stranger.oauthConfig(sc, ssec), demoUser)

	// A token Lucid issued for an API (RFC 8707), not for Lucid itself.
	const api = "https://orders.example.com"
	backend, backendSecret, err := l.Svc.CreateClient(ctx, manage.ClientSpec{Name: "Backend", GrantTypes: []string{"client_credentials"},
		Scopes: []string{"orders:read"}, Audiences: []string{api}})
	if err != nil {
		t.Fatal(err)
	}
	r := postToken(t, l, url.Values{"grant_type": {"client_credentials"}, "resource": {api}}, basicAuth(backend.ID, backendSecret))
	var apiTok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(r.body, &apiTok); err != nil || r.status != 200 || apiTok.AccessToken == "" {
		t.Fatalf("client_credentials for %s: %d %s", api, r.status, r.body)
	}

	// Another token's signature under this token's header and claims.
	parts, otherParts := strings.Split(tok.AccessToken, "."), strings.Split(bobTok.AccessToken, ".")
	forged := parts[0] + "." + parts[1] + "." + otherParts[2]

	t.Run("control", func(t *testing.T) {
		r := send(t, http.MethodGet, l.URL+"/userinfo", nil, bearer(tok.AccessToken))
		var claims map[string]any
		if r.status != 200 || json.Unmarshal(r.body, &claims) != nil || claims["email"] != "alice@example.com" {
			t.Fatalf("userinfo: %d %s", r.status, r.body)
		}
		// POST with the token in the form body (RFC 6750 §2.2) works too.
		r = send(t, http.MethodPost, l.URL+"/userinfo", strings.NewReader("access_token="+tok.AccessToken), func(r *http.Request) {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		})
		if r.status != 200 {
			t.Fatalf("userinfo by form: %d %s", r.status, r.body)
		}
	})

	t.Run("no token", func(t *testing.T) {
		for _, mod := range []func(*http.Request){nil, basicAuth(c.ID, sec)} {
			r := send(t, http.MethodGet, l.URL+"/userinfo", nil, mod)
			// RFC 6750 §3.1: with no credentials the challenge carries no
			// error, so the catalog name never reaches the wire here.
			want := `Bearer realm="` + l.URL + `"`
			if r.status != 401 || r.header.Get("WWW-Authenticate") != want || len(r.body) != 0 {
				t.Fatalf("got %d %q %q; want 401 with only %q", r.status, r.header.Get("WWW-Authenticate"), r.body, want)
			}
			if r.header.Get("Cache-Control") != "no-store" || r.header.Get("X-Trace-Id") == "" {
				t.Fatalf("headers %v", r.header)
			}
		}
		// Credited where the name is asserted: TestResourceLibraryStory
		// reads it from the failure story.
	})

	cases := []struct {
		name   string
		method string
		query  string
		body   string
		token  string
		server *lucid
		entry  string
		code   string
		status int
		check  func(t *testing.T, body oauthErr, challenge map[string]string)
	}{
		{name: "token in the query", query: "?access_token=" + url.QueryEscape(tok.AccessToken),
			entry: "bearer_token_in_query", code: "invalid_request", status: 400},
		{name: "header and body", method: http.MethodPost, body: "access_token=" + tok.AccessToken, token: tok.AccessToken,
			entry: "bearer_token_twice", code: "invalid_request", status: 400},
		{name: "not a JWT", token: "abc.def.ghi", entry: "access_token_malformed", code: "invalid_token", status: 401},
		{name: "an ID token", token: idToken, entry: "access_token_is_id_token", code: "invalid_token", status: 401,
			check: func(t *testing.T, body oauthErr, _ map[string]string) {
				if !strings.Contains(body.Description, "at+jwt") {
					t.Errorf("description does not say an ID token is not an access token: %s", body.Description)
				}
			}},
		{name: "signature swapped", token: forged, entry: "access_token_signature_invalid", code: "invalid_token", status: 401},
		{name: "signed by another server", token: strangerTok.AccessToken, entry: "access_token_foreign_issuer", code: "invalid_token", status: 401,
			check: func(t *testing.T, body oauthErr, _ map[string]string) {
				if !strings.Contains(body.Description, stranger.URL) || !strings.Contains(body.Description, l.URL) {
					t.Errorf("description does not name both issuers: %s", body.Description)
				}
			}},
		{name: "issuer changed since", token: tok.AccessToken, server: moved, entry: "access_token_wrong_issuer", code: "invalid_token", status: 401,
			check: func(t *testing.T, body oauthErr, _ map[string]string) {
				if !strings.Contains(body.Description, l.URL) || !strings.Contains(body.Description, moved.URL) {
					t.Errorf("description does not name both issuers: %s", body.Description)
				}
			}},
		{name: "token for an API", token: apiTok.AccessToken, entry: "access_token_wrong_audience", code: "invalid_token", status: 401,
			check: func(t *testing.T, body oauthErr, _ map[string]string) {
				if !strings.Contains(body.Description, api) {
					t.Errorf("description does not name the token's audience: %s", body.Description)
				}
			}},
		{name: "no openid scope", token: profileOnly.AccessToken, entry: "userinfo_openid_scope_missing", code: "insufficient_scope", status: 403,
			check: func(t *testing.T, _ oauthErr, ch map[string]string) {
				if ch["scope"] != "openid" {
					t.Errorf("challenge scope = %q, want openid (RFC 6750 §3)", ch["scope"])
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := l
			if tc.server != nil {
				srv = tc.server
			}
			method, mod := tc.method, func(r *http.Request) {}
			if method == "" {
				method = http.MethodGet
			}
			if tc.token != "" {
				mod = bearer(tc.token)
			}
			var body io.Reader
			if tc.body != "" {
				body = strings.NewReader(tc.body)
			}
			r := send(t, method, srv.URL+"/userinfo"+tc.query, body, func(r *http.Request) {
				mod(r)
				if tc.body != "" {
					r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				}
			})
			b, ch := wantBearerError(t, srv, r, tc.entry, tc.code, tc.status)
			if tc.check != nil {
				tc.check(t, b, ch)
			}
		})
	}

	t.Run("method", func(t *testing.T) {
		r := send(t, http.MethodPut, l.URL+"/userinfo", nil, bearer(tok.AccessToken))
		wantJSONError(t, l, r, "method_not_allowed", "invalid_request", 405)
		if r.header.Get("Allow") != "GET, POST" {
			t.Errorf("Allow = %q", r.header.Get("Allow"))
		}
	})

	t.Run("user disabled", func(t *testing.T) {
		if _, err := l.keepingGrants().SetDisabled(ctx, "bob", true); err != nil {
			t.Fatal(err)
		}
		r := send(t, http.MethodGet, l.URL+"/userinfo", nil, bearer(bobTok.AccessToken))
		wantBearerError(t, l, r, "userinfo_user_inactive", "invalid_token", 401)
	})

	// Last: this moves the clock past every token's lifetime.
	t.Run("expired", func(t *testing.T) {
		l.Clock.Advance(l.cfg.Lifetimes.AccessToken + time.Second)
		r := send(t, http.MethodGet, l.URL+"/userinfo", nil, bearer(tok.AccessToken))
		wantBearerError(t, l, r, "access_token_expired", "invalid_token", 401)
		// go-oidc, as a client library, sees the same refusal.
		_, err := newProvider(t, l).UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err == nil || !strings.Contains(err.Error(), "401") {
			t.Fatalf("go-oidc userinfo with an expired token: %v", err)
		}
	})
}
