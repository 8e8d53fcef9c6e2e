package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/store"
)

// wantAuthzError asserts an authorization error delivered to the redirect URI.
func wantAuthzError(t *testing.T, l *lucid, u *url.URL, name, code, state string) {
	t.Helper()
	q := u.Query()
	if u.Fragment != "" {
		q, _ = url.ParseQuery(u.Fragment)
	}
	if q.Get("error") != code || q.Get("error_code") != name {
		t.Fatalf("got error %q (%s): %s; want %s/%s", q.Get("error"), q.Get("error_code"), q.Get("error_description"), code, name)
	}
	if !strings.HasPrefix(q.Get("error_description"), name+": ") || q.Get("error_uri") != l.URL+"/errors/"+name {
		t.Fatalf("description/uri do not carry the catalog name: %v", q)
	}
	if q.Get("state") != state || q.Get("iss") != l.URL {
		t.Fatalf("state %q iss %q, want %q and %q (RFC 9207)", q.Get("state"), q.Get("iss"), state, l.URL)
	}
	triggered.add(name)
}

// login runs a complete code flow with PKCE and returns the tokens.
func login(t *testing.T, l *lucid, b *browser, cfg *oauth2.Config, extra ...oauth2.AuthCodeOption) (*oauth2.Token, string) {
	t.Helper()
	verifier := oauth2.GenerateVerifier()
	opts := append([]oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier), oidc.Nonce("n-0S6_WzA2Mj")}, extra...)
	back := b.authorize(cfg.AuthCodeURL("st-1", opts...))
	code := codeFrom(t, back, "st-1")
	tok, err := cfg.Exchange(context.Background(), code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	return tok, code
}

func TestCodeFlowConfidentialClient(t *testing.T) {
	ctx := context.Background()
	l := start(t)
	alice := l.user(t, demoUser)
	for _, method := range []string{store.AuthSecretBasic, store.AuthSecretPost} {
		t.Run(method, func(t *testing.T) {
			c, sec := l.client(t, manage.ClientSpec{Name: "Notes", AuthMethod: method})
			cfg := l.oauthConfig(c, sec)
			tok, _ := login(t, l, l.browser(t), cfg)

			prov := newProvider(t, l)
			rawID, _ := tok.Extra("id_token").(string)
			idt, err := prov.Verifier(&oidc.Config{ClientID: c.ID}).Verify(ctx, rawID)
			if err != nil {
				t.Fatalf("ID token does not verify: %v", err)
			}
			if idt.Subject != alice.ID || idt.Nonce != "n-0S6_WzA2Mj" {
				t.Fatalf("sub %q nonce %q", idt.Subject, idt.Nonce)
			}
			if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
				t.Fatalf("at_hash: %v", err)
			}
			var claims struct {
				Email    string `json:"email"`
				AuthTime int64  `json:"auth_time"`
				SID      string `json:"sid"`
			}
			_ = idt.Claims(&claims)
			if claims.Email != "alice@example.com" || claims.AuthTime == 0 || claims.SID == "" {
				t.Fatalf("claims %+v", claims)
			}
			if tok.RefreshToken == "" {
				t.Fatal("offline_access was granted but no refresh token came back")
			}
			info, err := prov.UserInfo(ctx, oauth2.StaticTokenSource(tok))
			if err != nil {
				t.Fatalf("userinfo: %v", err)
			}
			if info.Subject != alice.ID || info.Email != "alice@example.com" {
				t.Fatalf("userinfo %+v", info)
			}
		})
	}
}

func TestCodeFlowPublicClientAndIDTokenAlgs(t *testing.T) {
	ctx := context.Background()
	l := start(t)
	l.user(t, demoUser)
	for _, alg := range []string{"RS256", "ES256", "EdDSA"} {
		t.Run(alg, func(t *testing.T) {
			c, _ := l.client(t, manage.ClientSpec{Name: "CLI " + alg, AuthMethod: store.AuthNone, IDTokenAlg: alg})
			tok, _ := login(t, l, l.browser(t), l.oauthConfig(c, ""))
			rawID, _ := tok.Extra("id_token").(string)
			v := newProvider(t, l).Verifier(&oidc.Config{ClientID: c.ID, SupportedSigningAlgs: []string{alg}})
			idt, err := v.Verify(ctx, rawID)
			if err != nil {
				t.Fatalf("verify %s ID token: %v", alg, err)
			}
			if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
				t.Fatalf("at_hash with %s: %v", alg, err)
			}
		})
	}
}

func TestDiscoveryAndJWKS(t *testing.T) {
	l := start(t)
	resp, err := http.Get(l.URL + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&doc)
	checks := map[string]any{
		"issuer": l.URL, "authorization_endpoint": l.URL + "/authorize", "token_endpoint": l.URL + "/token",
		"jwks_uri": l.URL + "/jwks", "end_session_endpoint": l.URL + "/logout",
		"authorization_response_iss_parameter_supported": true,
	}
	for k, want := range checks {
		if doc[k] != want {
			t.Errorf("%s = %v, want %v", k, doc[k], want)
		}
	}
	// RFC 8414 metadata is served too.
	r2, err := http.Get(l.URL + "/.well-known/oauth-authorization-server")
	if err != nil || r2.StatusCode != 200 {
		t.Fatalf("RFC 8414 metadata: %v %v", err, r2.StatusCode)
	}
	r2.Body.Close()
	jr, err := http.Get(l.URL + "/jwks")
	if err != nil {
		t.Fatal(err)
	}
	defer jr.Body.Close()
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	_ = json.NewDecoder(jr.Body).Decode(&set)
	algs := map[string]bool{}
	for _, k := range set.Keys {
		if k["kid"] == nil || k["use"] != "sig" {
			t.Errorf("key without kid or use=sig: %v", k)
		}
		if _, private := k["d"]; private {
			t.Fatal("JWKS leaks a private key")
		}
		algs[k["alg"].(string)] = true
	}
	for _, a := range []string{"RS256", "ES256", "EdDSA"} {
		if !algs[a] {
			t.Errorf("JWKS lacks an %s key", a)
		}
	}
}

func TestCodeRedeemedTwiceRevokesFirstTokens(t *testing.T) {
	ctx := context.Background()
	l := start(t)
	l.user(t, demoUser)
	c, sec := l.client(t, manage.ClientSpec{Name: "Notes"})
	cfg := l.oauthConfig(c, sec)
	b := l.browser(t)
	verifier := oauth2.GenerateVerifier()
	code := codeFrom(t, b.authorize(cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(verifier))), "s")
	first, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	prov := newProvider(t, l)
	if _, err := prov.UserInfo(ctx, oauth2.StaticTokenSource(first)); err != nil {
		t.Fatalf("first tokens should work before the replay: %v", err)
	}
	_, err = cfg.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	body := wantOAuthError(t, err, "authorization_code_reused", "invalid_grant", 400)
	if !strings.Contains(body.Description, "revoked") {
		t.Errorf("description does not say the tokens were revoked: %s", body.Description)
	}
	// The first redemption's tokens are now dead: userinfo and refresh say why.
	resp := userinfo(t, l, first.AccessToken)
	if resp.StatusCode != 401 || !strings.Contains(resp.Header.Get("WWW-Authenticate"), `error="invalid_token"`) ||
		!strings.Contains(resp.Header.Get("WWW-Authenticate"), "access_token_revoked") {
		t.Fatalf("userinfo with revoked token: %d %s", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	triggered.add("access_token_revoked")
	_, err = cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: first.RefreshToken}).Token()
	body = wantOAuthError(t, err, "refresh_token_revoked", "invalid_grant", 400)
	if !strings.Contains(body.Description, "authorization code reused") {
		t.Errorf("refresh failure does not name the reason: %s", body.Description)
	}
}

func userinfo(t *testing.T, l *lucid, token string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, l.URL+"/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func TestConcurrentRedemptionsExactlyOneWins(t *testing.T) {
	ctx := context.Background()
	l := start(t)
	l.user(t, demoUser)
	c, sec := l.client(t, manage.ClientSpec{Name: "Notes"})
	cfg := l.oauthConfig(c, sec)
	verifier := oauth2.GenerateVerifier()
	code := codeFrom(t, l.browser(t).authorize(cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(verifier))), "s")
	const n = 12
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins, reused := 0, 0
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(verifier))
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				wins++
				return
			}
			if re, ok := err.(*oauth2.RetrieveError); ok && strings.HasPrefix(re.ErrorDescription, "authorization_code_reused:") {
				reused++
			}
		}()
	}
	wg.Wait()
	if wins != 1 || reused != n-1 {
		t.Fatalf("wins=%d reused=%d, want 1 and %d", wins, reused, n-1)
	}
}

func TestRefreshRotationAndReuse(t *testing.T) {
	ctx := context.Background()
	l := start(t)
	l.user(t, demoUser)
	c, sec := l.client(t, manage.ClientSpec{Name: "Notes"})
	cfg := l.oauthConfig(c, sec)
	first, _ := login(t, l, l.browser(t), cfg)

	second, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: first.RefreshToken}).Token()
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if second.RefreshToken == "" || second.RefreshToken == first.RefreshToken {
		t.Fatal("refresh token was not rotated")
	}
	if second.Extra("id_token") == nil {
		t.Error("refresh with openid should return a new ID token")
	}
	// Replaying the rotated token revokes the whole family, the new one too.
	_, err = cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: first.RefreshToken}).Token()
	wantOAuthError(t, err, "refresh_token_reused", "invalid_grant", 400)
	_, err = cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: second.RefreshToken}).Token()
	body := wantOAuthError(t, err, "refresh_token_revoked", "invalid_grant", 400)
	if !strings.Contains(body.Description, "rotated refresh token reused") {
		t.Errorf("revocation reason not explained: %s", body.Description)
	}
	if resp := userinfo(t, l, second.AccessToken); resp.StatusCode != 401 {
		t.Fatalf("access token of a revoked family still works: %d", resp.StatusCode)
	}
}

func TestRefreshLifetimes(t *testing.T) {
	ctx := context.Background()
	l := start(t)
	l.user(t, demoUser)
	c, sec := l.client(t, manage.ClientSpec{Name: "Notes"})
	cfg := l.oauthConfig(c, sec)
	tok, _ := login(t, l, l.browser(t), cfg)
	l.Clock.Advance(l.cfg.Lifetimes.RefreshIdle + time.Minute)
	_, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	wantOAuthError(t, err, "refresh_token_idle_expired", "invalid_grant", 400)

	tok, _ = login(t, l, l.browser(t), cfg)
	for l.Clock.Now().Before(time.Now().Add(l.cfg.Lifetimes.RefreshAbsolute + 2*l.cfg.Lifetimes.RefreshIdle)) {
		next, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
		if err != nil {
			wantOAuthError(t, err, "refresh_token_expired", "invalid_grant", 400)
			return
		}
		tok = next
		l.Clock.Advance(l.cfg.Lifetimes.RefreshIdle / 2)
	}
	t.Fatal("refresh token outlived its absolute lifetime")
}

func TestCodeExchangeErrors(t *testing.T) {
	ctx := context.Background()
	l := start(t)
	l.user(t, demoUser)
	c, sec := l.client(t, manage.ClientSpec{Name: "Notes", RedirectURIs: []string{clientCB, "http://127.0.0.1:1/other"}})
	other, otherSecret := l.client(t, manage.ClientSpec{Name: "Other"})
	cfg := l.oauthConfig(c, sec)
	b := l.browser(t)

	newCode := func(t *testing.T, verifier string) string {
		opts := []oauth2.AuthCodeOption{}
		if verifier != "" {
			opts = append(opts, oauth2.S256ChallengeOption(verifier))
		}
		return codeFrom(t, b.authorize(cfg.AuthCodeURL("s", opts...)), "s")
	}
	cases := []struct {
		name string
		run  func(t *testing.T) error
		want string
		code string
	}{
		{"wrong redirect_uri", func(t *testing.T) error {
			v := oauth2.GenerateVerifier()
			code := newCode(t, v)
			_, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(v), oauth2.SetAuthURLParam("redirect_uri", "http://127.0.0.1:1/other"))
			return err
		}, "redirect_uri_mismatch_at_exchange", "invalid_grant"},
		{"missing redirect_uri", func(t *testing.T) error {
			v := oauth2.GenerateVerifier()
			code := newCode(t, v)
			c2 := *cfg
			c2.RedirectURL = ""
			_, err := c2.Exchange(ctx, code, oauth2.VerifierOption(v))
			return err
		}, "redirect_uri_missing_at_exchange", "invalid_grant"},
		{"missing verifier", func(t *testing.T) error {
			_, err := cfg.Exchange(ctx, newCode(t, oauth2.GenerateVerifier()))
			return err
		}, "code_verifier_missing", "invalid_grant"},
		{"wrong verifier", func(t *testing.T) error {
			_, err := cfg.Exchange(ctx, newCode(t, oauth2.GenerateVerifier()), oauth2.VerifierOption(oauth2.GenerateVerifier()))
			return err
		}, "code_verifier_mismatch", "invalid_grant"},
		{"malformed verifier", func(t *testing.T) error {
			_, err := cfg.Exchange(ctx, newCode(t, oauth2.GenerateVerifier()), oauth2.VerifierOption("short"))
			return err
		}, "code_verifier_malformed", "invalid_grant"},
		{"unknown code", func(t *testing.T) error {
			_, err := cfg.Exchange(ctx, "not-a-code", oauth2.VerifierOption(oauth2.GenerateVerifier()))
			return err
		}, "authorization_code_unknown", "invalid_grant"},
		{"code of another client", func(t *testing.T) error {
			v := oauth2.GenerateVerifier()
			code := newCode(t, v)
			oc := l.oauthConfig(other, otherSecret)
			_, err := oc.Exchange(ctx, code, oauth2.VerifierOption(v))
			return err
		}, "authorization_code_other_client", "invalid_grant"},
		{"expired code", func(t *testing.T) error {
			v := oauth2.GenerateVerifier()
			code := newCode(t, v)
			l.Clock.Advance(l.cfg.Lifetimes.Code + 40*time.Second)
			_, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(v))
			return err
		}, "authorization_code_expired", "invalid_grant"},
		{"wrong secret", func(t *testing.T) error {
			c2 := *cfg
			c2.ClientSecret = "not-the-secret"
			_, err := c2.Exchange(ctx, "whatever")
			return err
		}, "client_secret_wrong", "invalid_client"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status := 400
			if tc.code == "invalid_client" {
				status = 401
			}
			wantOAuthError(t, tc.run(t), tc.want, tc.code, status)
		})
	}

	t.Run("failed PKCE invalidates the code", func(t *testing.T) {
		v := oauth2.GenerateVerifier()
		code := newCode(t, v)
		_, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(oauth2.GenerateVerifier()))
		wantOAuthError(t, err, "code_verifier_mismatch", "invalid_grant", 400)
		_, err = cfg.Exchange(ctx, code, oauth2.VerifierOption(v))
		body := wantOAuthError(t, err, "authorization_code_invalidated", "invalid_grant", 400)
		if !strings.Contains(body.Description, "failed code_verifier check") {
			t.Errorf("the next error does not say why: %s", body.Description)
		}
	})

	t.Run("wrong secret challenges with Basic", func(t *testing.T) {
		resp, out := postForm(t, l.URL+"/token", url.Values{"grant_type": {"authorization_code"}, "code": {"x"}}, func(r *http.Request) {
			r.SetBasicAuth(c.ID, "wrong")
		})
		if resp.StatusCode != 401 || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Basic ") || out["error"] != "invalid_client" {
			t.Fatalf("got %d %q %v", resp.StatusCode, resp.Header.Get("WWW-Authenticate"), out)
		}
	})
}
