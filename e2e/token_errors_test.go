package e2e

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/lucid-auth/lucid/internal/manage"
)

// TestTokenRequestShape covers what the token endpoint refuses before it
// looks at the grant: method, content type, size, encoding, secrets in the
// URL and grant_type.
func TestTokenRequestShape(t *testing.T) {
	l := start(t)
	c, sec := l.client(t, manage.ClientSpec{Name: "Notes"})
	codeOnly, codeOnlySecret := l.client(t, manage.ClientSpec{Name: "No refresh", GrantTypes: []string{"authorization_code"}})
	form := func(kv ...string) *strings.Reader {
		v := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Add(kv[i], kv[i+1])
		}
		return strings.NewReader(v.Encode())
	}
	formCT := func(r *http.Request) {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.SetBasicAuth(c.ID, sec)
	}
	cases := []struct {
		name   string
		method string
		query  string
		body   *strings.Reader
		mod    func(*http.Request)
		entry  string
		code   string
		status int
		check  func(t *testing.T, r *reply, body oauthErr)
	}{
		{name: "GET", method: http.MethodGet, body: form(), entry: "method_not_allowed", code: "invalid_request", status: 405,
			check: func(t *testing.T, r *reply, _ oauthErr) {
				if r.header.Get("Allow") != "POST" {
					t.Errorf("Allow = %q, want POST", r.header.Get("Allow"))
				}
			}},
		{name: "secret in the query", method: http.MethodPost, query: "?client_secret=" + url.QueryEscape(sec),
			body: form("grant_type", "authorization_code", "code", "x"), mod: formCT, entry: "secret_in_query", code: "invalid_request", status: 400,
			check: func(t *testing.T, _ *reply, body oauthErr) {
				if !strings.Contains(body.Description, "client_secret") || strings.Contains(body.Description, sec) {
					t.Errorf("description must name the parameter and not echo the secret: %s", body.Description)
				}
			}},
		{name: "code in the query", method: http.MethodPost, query: "?code=abc",
			body: form("grant_type", "authorization_code"), mod: formCT, entry: "secret_in_query", code: "invalid_request", status: 400},
		{name: "JSON body", method: http.MethodPost, body: strings.NewReader(`{"grant_type":"authorization_code"}`),
			mod: func(r *http.Request) {
				r.Header.Set("Content-Type", "application/json")
				r.SetBasicAuth(c.ID, sec)
			}, entry: "content_type_invalid", code: "invalid_request", status: 400,
			check: func(t *testing.T, _ *reply, body oauthErr) {
				if !strings.Contains(body.Description, "application/json") {
					t.Errorf("description does not say what was sent: %s", body.Description)
				}
			}},
		{name: "no content type", method: http.MethodPost, body: form("grant_type", "authorization_code"),
			mod: func(r *http.Request) { r.SetBasicAuth(c.ID, sec) }, entry: "content_type_invalid", code: "invalid_request", status: 400},
		{name: "body over 64 KiB", method: http.MethodPost, body: form("grant_type", "authorization_code", "code", strings.Repeat("a", 70<<10)),
			mod: formCT, entry: "body_too_large", code: "invalid_request", status: 413,
			check: func(t *testing.T, _ *reply, body oauthErr) {
				if !strings.Contains(body.Description, "65536") {
					t.Errorf("description does not give the limit: %s", body.Description)
				}
			}},
		{name: "broken form encoding", method: http.MethodPost, body: strings.NewReader("grant_type=authorization_code&code=%zz"),
			mod: formCT, entry: "parameter_malformed", code: "invalid_request", status: 400},
		{name: "grant_type twice", method: http.MethodPost, body: form("grant_type", "authorization_code", "grant_type", "refresh_token"),
			mod: formCT, entry: "parameter_duplicated", code: "invalid_request", status: 400},
		{name: "no grant_type", method: http.MethodPost, body: form("code", "abc"), mod: formCT,
			entry: "grant_type_missing", code: "invalid_request", status: 400,
			check: func(t *testing.T, _ *reply, body oauthErr) {
				if !strings.Contains(body.Description, "authorization_code") {
					t.Errorf("description does not list the supported grants: %s", body.Description)
				}
			}},
		{name: "password grant", method: http.MethodPost, body: form("grant_type", "password", "username", "alice", "password", "x"), mod: formCT,
			entry: "grant_type_unsupported", code: "unsupported_grant_type", status: 400},
		{name: "grant not registered for the client", method: http.MethodPost, body: form("grant_type", "refresh_token", "refresh_token", "x"),
			mod: func(r *http.Request) {
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				r.SetBasicAuth(codeOnly.ID, codeOnlySecret)
			}, entry: "grant_type_not_allowed", code: "unauthorized_client", status: 400,
			check: func(t *testing.T, _ *reply, body oauthErr) {
				if !strings.Contains(body.Description, codeOnly.ID) || !strings.Contains(body.Description, "authorization_code") {
					t.Errorf("description does not name the client and its grants: %s", body.Description)
				}
			}},
		{name: "code missing", method: http.MethodPost, body: form("grant_type", "authorization_code"), mod: formCT,
			entry: "parameter_missing", code: "invalid_request", status: 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := send(t, tc.method, l.URL+"/token"+tc.query, tc.body, tc.mod)
			body := wantJSONError(t, l, r, tc.entry, tc.code, tc.status)
			if tc.check != nil {
				tc.check(t, r, body)
			}
		})
	}
}

// TestTokenGrantErrors covers the failures of the two grants that the code
// flow tests do not reach.
func TestTokenGrantErrors(t *testing.T) {
	ctx := context.Background()
	l := start(t)
	alice := l.user(t, demoUser)
	c, sec := l.client(t, manage.ClientSpec{Name: "Notes"})
	other, otherSecret := l.client(t, manage.ClientSpec{Name: "Other"})
	noPKCE := false
	legacy, legacySecret := l.client(t, manage.ClientSpec{Name: "Legacy", RequirePKCE: &noPKCE})
	cfg := l.oauthConfig(c, sec)

	t.Run("unknown refresh token", func(t *testing.T) {
		_, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: "not-a-refresh-token"}).Token()
		wantOAuthError(t, err, "refresh_token_unknown", "invalid_grant", 400)
	})
	t.Run("refresh token of another client", func(t *testing.T) {
		tok, _ := login(t, l, l.browser(t), cfg)
		_, err := l.oauthConfig(other, otherSecret).TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
		wantOAuthError(t, err, "refresh_token_other_client", "invalid_grant", 400)
		// The owner can still use it: a stranger's attempt must not burn it.
		if _, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); err != nil {
			t.Fatalf("the owner's refresh failed after another client tried the token: %v", err)
		}
	})
	t.Run("refresh asks for more scope", func(t *testing.T) {
		narrow := l.oauthConfig(c, sec, "openid", "offline_access")
		tok, _ := login(t, l, l.browser(t), narrow)
		r := postToken(t, l, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}, "scope": {"openid email"}}, basicAuth(c.ID, sec))
		body := wantJSONError(t, l, r, "refresh_scope_widened", "invalid_scope", 400)
		if !strings.Contains(body.Description, "email") {
			t.Errorf("description does not name the extra scope: %s", body.Description)
		}
	})
	t.Run("code_verifier without a challenge", func(t *testing.T) {
		lc := l.oauthConfig(legacy, legacySecret)
		code := codeFrom(t, l.browser(t).authorize(lc.AuthCodeURL("s")), "s")
		_, err := lc.Exchange(ctx, code, oauth2.VerifierOption(oauth2.GenerateVerifier()))
		wantOAuthError(t, err, "code_verifier_unexpected", "invalid_grant", 400)
	})
	t.Run("user disabled between code and exchange", func(t *testing.T) {
		b := l.browser(t)
		v := oauth2.GenerateVerifier()
		code := codeFrom(t, b.authorize(cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(v))), "s")
		if _, err := l.keepingGrants().SetDisabled(ctx, alice.ID, true); err != nil {
			t.Fatal(err)
		}
		_, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(v))
		wantOAuthError(t, err, "grant_user_inactive", "invalid_grant", 400)
		if _, err := l.keepingGrants().SetDisabled(ctx, alice.ID, false); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("user disabled before a refresh", func(t *testing.T) {
		tok, _ := login(t, l, l.browser(t), cfg)
		if _, err := l.keepingGrants().SetDisabled(ctx, alice.ID, true); err != nil {
			t.Fatal(err)
		}
		_, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
		wantOAuthError(t, err, "grant_user_inactive", "invalid_grant", 400)
		if _, err := l.keepingGrants().SetDisabled(ctx, alice.ID, false); err != nil {
			t.Fatal(err)
		}
		// Enabled again, the same refresh token works: the refusal did not revoke it.
		if _, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); err != nil {
			t.Fatalf("refresh after re-enabling the user: %v", err)
		}
	})
}
