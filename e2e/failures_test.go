package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/store"
)

// Server-side failures, provoked for real: a database that is gone, a
// damaged row, a registration no signing key fits. Nothing here is a test
// hook inside Lucid; the tests change only what an operator's database
// could hold.

// TestDatabaseGone closes the database under a running Lucid, as when the
// database server goes away: every endpoint must still answer with its
// catalogued failure (storage_unavailable: retry later) and trace id, not
// hang or drop the connection. The client was read before, so its cached
// registration still lets the authorization endpoint redirect.
func TestDatabaseGone(t *testing.T) {
	ctx := context.Background()
	l := start(t)
	l.user(t, demoUser)
	c, sec := l.client(t, manage.ClientSpec{Name: "Notes"})
	cfg := l.oauthConfig(c, sec)
	tok, _ := login(t, l, l.browser(t), cfg)
	if err := l.Store.Close(); err != nil {
		t.Fatal(err)
	}

	t.Run("token endpoint", func(t *testing.T) {
		_, err := cfg.Exchange(ctx, "some-code", oauth2.VerifierOption(oauth2.GenerateVerifier()))
		wantOAuthError(t, err, "storage_unavailable", "temporarily_unavailable", 503)
	})
	t.Run("authorization endpoint", func(t *testing.T) {
		p := l.browser(t).get(cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
		if p.location == nil {
			t.Fatalf("no redirect: %d %.300s", p.status, p.body)
		}
		wantAuthzError(t, l, p.location, "storage_unavailable", "temporarily_unavailable", "s")
	})
	t.Run("unknown client at the authorization endpoint", func(t *testing.T) {
		p := l.browser(t).get(l.URL + "/authorize?response_type=code&client_id=never-seen&redirect_uri=https%3A%2F%2Fx.example%2Fcb")
		wantErrorPage(t, l, p, "storage_unavailable", 503)
	})
	t.Run("userinfo", func(t *testing.T) {
		r := send(t, http.MethodGet, l.URL+"/userinfo", nil, bearer(tok.AccessToken))
		wantJSONError(t, l, r, "storage_unavailable", "temporarily_unavailable", 503)
	})
	t.Run("admin API", func(t *testing.T) {
		r := jsonCall(t, l, http.MethodGet, "/admin/clients", l.cfg.AdminToken, "")
		body := wantJSONError(t, l, r, "storage_unavailable", "temporarily_unavailable", 503)
		if strings.Contains(body.Description, "sql") || strings.Contains(body.Description, "closed") {
			t.Errorf("internal detail leaked to the caller: %s", body.Description)
		}
	})
}

// TestDamagedPasswordHash: a stored hash Lucid cannot read (a damaged row,
// or one written by a newer version) is a server failure shown as a page,
// not a wrong password that would count towards a lockout.
func TestDamagedPasswordHash(t *testing.T) {
	ctx := context.Background()
	l := start(t)
	alice := l.user(t, demoUser)
	c, sec := l.client(t, manage.ClientSpec{Name: "Notes"})
	if _, err := l.Store.UpdateUser(ctx, alice.ID, func(u *store.User) error {
		u.PasswordHash = "$argon2id$v=19$damaged"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	b := l.browser(t)
	p := b.get(l.oauthConfig(c, sec).AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	wantErrorPage(t, l, b.signIn(p, demoUser, demoPassword), "server_error", 500)
	u, err := l.Store.GetUser(ctx, alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	if u.FailedLogins != 0 {
		t.Fatalf("a server failure counted as a failed sign-in: %d", u.FailedLogins)
	}
}

// TestNoSigningKeyForTheClient: a client registered (by a newer Lucid
// sharing the database, say) for an ID token algorithm this server holds
// no key for. Registration through manage refuses such a value, so the
// test writes it the way that other version would, straight to the store.
func TestNoSigningKeyForTheClient(t *testing.T) {
	ctx := context.Background()
	l := start(t)
	l.user(t, demoUser)
	c, sec := l.client(t, manage.ClientSpec{Name: "Notes"})
	if _, err := l.Store.UpdateClient(ctx, c.ID, func(c *store.Client) error {
		c.IDTokenAlg = "PS256"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	cfg := l.oauthConfig(c, sec)
	v := oauth2.GenerateVerifier()
	code := codeFrom(t, l.browser(t).authorize(cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(v))), "s")
	_, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(v))
	body := wantOAuthError(t, err, "signing_key_unavailable", "server_error", 500)
	if !strings.Contains(body.Description, "PS256") {
		t.Errorf("description does not name the algorithm: %s", body.Description)
	}
	// Tokens are minted before the code is spent: once the client is
	// repaired, the same code still works, and only once.
	if _, err := l.Store.UpdateClient(ctx, c.ID, func(c *store.Client) error {
		c.IDTokenAlg = "ES256"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	tok, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(v))
	if err != nil {
		t.Fatalf("the code was spent by the failed exchange: %v", err)
	}
	if idt, _ := tok.Extra("id_token").(string); idt == "" {
		t.Fatal("no ID token after the repair")
	}
	_, err = cfg.Exchange(ctx, code, oauth2.VerifierOption(v))
	wantOAuthError(t, err, "authorization_code_reused", "invalid_grant", 400)
	if _, err := l.Store.UpdateClient(ctx, c.ID, func(c *store.Client) error {
		c.IDTokenAlg = "PS256"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// Without openid no ID token is signed, so the same client still works.
	cfg.Scopes = []string{"profile"}
	v = oauth2.GenerateVerifier()
	code = codeFrom(t, l.browser(t).authorize(cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(v))), "s")
	if _, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(v)); err != nil {
		t.Fatalf("a token without an ID token should not need a PS256 key: %v", err)
	}
}
