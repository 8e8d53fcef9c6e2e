package e2e

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/manage"
)

// TestAuthorizeLeftovers covers the authorization endpoint's remaining
// failures: a disabled client (page), a client without the code grant and
// an id_token_hint for someone else (both redirect back).
func TestAuthorizeLeftovers(t *testing.T) {
	ctx := context.Background()
	l := start(t)
	l.user(t, demoUser)
	l.user(t, "bob")
	c, sec := l.client(t, manage.ClientSpec{Name: "Notes"})
	cfg := l.oauthConfig(c, sec)
	off, offSecret := l.client(t, manage.ClientSpec{Name: "Retired"})
	if _, err := l.Svc.UpdateClient(ctx, off.ID, manage.ClientPatch{Disabled: ptrTo(true)}); err != nil {
		t.Fatal(err)
	}
	machine, _ := l.client(t, manage.ClientSpec{Name: "Machine", GrantTypes: []string{"client_credentials"}, Scopes: []string{"orders:read"}})
	pkce := func() oauth2.AuthCodeOption { return oauth2.S256ChallengeOption(oauth2.GenerateVerifier()) }

	t.Run("disabled client", func(t *testing.T) {
		p := l.browser(t).get(l.oauthConfig(off, offSecret).AuthCodeURL("s", pkce()))
		wantErrorPage(t, l, p, "authorize_client_disabled", 400)
	})

	t.Run("client disabled during sign-in", func(t *testing.T) {
		mid, midSecret := l.client(t, manage.ClientSpec{Name: "Soon retired"})
		b := l.browser(t)
		p := b.get(l.oauthConfig(mid, midSecret).AuthCodeURL("s", pkce()))
		if !p.isSignIn() {
			t.Fatalf("expected the sign-in page: %d", p.status)
		}
		if _, err := l.Svc.UpdateClient(ctx, mid.ID, manage.ClientPatch{Disabled: ptrTo(true)}); err != nil {
			t.Fatal(err)
		}
		wantErrorPage(t, l, b.signIn(p, demoUser, demoPassword), "authorize_client_disabled", 400)
	})

	t.Run("client without the code grant", func(t *testing.T) {
		u := l.URL + "/authorize?response_type=code&scope=orders:read&state=m&client_id=" + machine.ID +
			"&redirect_uri=" + url.QueryEscape(clientCB)
		p := l.browser(t).get(u)
		if p.location == nil {
			t.Fatalf("no redirect: %d %.300s", p.status, p.body)
		}
		wantAuthzError(t, l, p.location, "response_type_not_allowed", "unauthorized_client", "m")
	})

	t.Run("id_token_hint of another user", func(t *testing.T) {
		bobID, _ := loginAs(t, l, cfg, "bob").Extra("id_token").(string)
		b := l.browser(t)
		aliceTok, _ := login(t, l, b, cfg)
		aliceID, _ := aliceTok.Extra("id_token").(string)
		silent := func(hint string) *page {
			return b.get(cfg.AuthCodeURL("h", pkce(), oauth2.SetAuthURLParam("prompt", "none"), oauth2.SetAuthURLParam("id_token_hint", hint)))
		}
		// Control: alice's own hint passes silently.
		if p := silent(aliceID); p.location == nil || p.location.Query().Get("code") == "" {
			t.Fatalf("alice's own hint did not give a code: %d %v", p.status, p.location)
		}
		p := silent(bobID)
		if p.location == nil {
			t.Fatalf("no redirect: %d %.300s", p.status, p.body)
		}
		wantAuthzError(t, l, p.location, "id_token_hint_other_user", "login_required", "h")
		// Without prompt=none the person is asked to sign in again.
		if p := b.get(cfg.AuthCodeURL("h", pkce(), oauth2.SetAuthURLParam("id_token_hint", bobID))); !p.isSignIn() {
			t.Fatalf("a hint for bob in alice's browser did not ask to sign in: %d", p.status)
		}
	})

	t.Run("DELETE", func(t *testing.T) {
		b := l.browser(t)
		req, _ := http.NewRequest(http.MethodDelete, cfg.AuthCodeURL("s", pkce()), nil)
		p := b.do(req)
		if p.header.Get("Allow") != "GET, POST" {
			t.Errorf("Allow = %q", p.header.Get("Allow"))
		}
		wantErrorPage(t, l, p, "method_not_allowed", 405)
	})
}

// TestInteractionUnknown covers sign-in pages that belong to no live
// request of this browser.
func TestInteractionUnknown(t *testing.T) {
	l := start(t)
	l.user(t, demoUser)
	c, sec := l.client(t, manage.ClientSpec{Name: "Notes"})
	cfg := l.oauthConfig(c, sec)
	pkce := func() oauth2.AuthCodeOption { return oauth2.S256ChallengeOption(oauth2.GenerateVerifier()) }

	owner := l.browser(t)
	started := owner.get(cfg.AuthCodeURL("s", pkce()))
	id := started.fields().Get("interaction")
	if id == "" {
		t.Fatal("no interaction id on the sign-in page")
	}
	// A second browser with its own Lucid cookie.
	other := l.browser(t)
	other.get(cfg.AuthCodeURL("s", pkce()))

	finished := l.browser(t)
	fp := finished.get(cfg.AuthCodeURL("f", pkce()))
	codeFrom(t, finished.consent(finished.signIn(fp, demoUser, demoPassword), "allow").location, "f")

	cases := []struct {
		name string
		b    *browser
		url  string
	}{
		{"made-up id", owner, l.URL + "/login?interaction=made-up"},
		{"no id", owner, l.URL + "/login"},
		{"another browser's request", other, l.URL + "/login?interaction=" + url.QueryEscape(id)},
		{"finished request", finished, l.URL + "/login?interaction=" + url.QueryEscape(fp.fields().Get("interaction"))},
		{"consent of a made-up request", owner, l.URL + "/consent?interaction=made-up"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantErrorPage(t, l, tc.b.get(tc.url), "interaction_unknown", 400)
		})
	}
	// The owner can still finish: the strangers' attempts did not spoil it.
	p := owner.get(l.URL + "/login?interaction=" + url.QueryEscape(id))
	if !p.isSignIn() || !strings.Contains(p.body, "Notes") {
		t.Fatalf("the owner's sign-in page: %d", p.status)
	}
}

func TestLogoutErrors(t *testing.T) {
	l := start(t)
	l.user(t, demoUser)
	c, sec := l.client(t, manage.ClientSpec{Name: "Notes", PostLogoutRedirectURIs: []string{"http://127.0.0.1:1/bye"}})
	other, _ := l.client(t, manage.ClientSpec{Name: "Other"})
	b := l.browser(t)
	tok, _ := login(t, l, b, l.oauthConfig(c, sec))
	idToken, _ := tok.Extra("id_token").(string)
	tampered := idToken[:len(idToken)-4] + "AAAA"
	cases := []struct {
		name, query, entry string
		status             int
	}{
		{"garbage hint", "id_token_hint=not-a-token", "logout_id_token_hint_invalid", 400},
		{"tampered hint", "id_token_hint=" + tampered, "logout_id_token_hint_invalid", 400},
		{"access token as hint", "id_token_hint=" + tok.AccessToken, "logout_id_token_hint_invalid", 400},
		{"hint of another client", "id_token_hint=" + idToken + "&client_id=" + other.ID, "logout_client_mismatch", 400},
		{"client_id twice", "client_id=" + c.ID + "&client_id=" + c.ID, "parameter_duplicated", 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantErrorPage(t, l, b.get(l.URL+"/logout?"+tc.query), tc.entry, tc.status)
		})
	}
	t.Run("PUT", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPut, l.URL+"/logout", nil)
		wantErrorPage(t, l, b.do(req), "method_not_allowed", 405)
	})
	// None of that signed the person out: the hint still logs out at once.
	p := b.get(l.URL + "/logout?id_token_hint=" + idToken + "&post_logout_redirect_uri=" + url.QueryEscape("http://127.0.0.1:1/bye"))
	if p.location == nil || p.location.Path != "/bye" {
		t.Fatalf("logout with a good hint after the failures: %d %v", p.status, p.location)
	}
}

func TestDemoPageNotFound(t *testing.T) {
	l := start(t, func(c *config.Config) { c.Demo = true })
	wantErrorPage(t, l, l.browser(t).get(l.URL+"/demo/nothing-here"), "page_not_found", 404)
}
