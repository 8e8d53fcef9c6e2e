package e2e

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/store"
)

// startAt is where a test's sign-in begins: an authorization request of a
// real client (x/oauth2 with PKCE), and its verifier for the exchange.
type startAt struct {
	conf     *oauth2.Config
	verifier string
	state    string
	opts     []oauth2.AuthCodeOption
}

func newStart(conf *oauth2.Config, extra ...oauth2.AuthCodeOption) *startAt {
	v := oauth2.GenerateVerifier()
	return &startAt{conf: conf, verifier: v, state: "st-" + oauth2.GenerateVerifier()[:8], opts: append([]oauth2.AuthCodeOption{oauth2.S256ChallengeOption(v)}, extra...)}
}

func (s *startAt) url() string { return s.conf.AuthCodeURL(s.state, s.opts...) }

// viaUpstream clicks the upstream's button on the sign-in page p (link
// posts the "Link" one), lets the upstream answer, and returns what Lucid
// shows on the callback.
func (b *browser) viaUpstream(p *page, id string, link bool) *page {
	b.t.Helper()
	if !p.isSignIn() || !strings.Contains(p.body, `id="upstream-`+id+`"`) {
		b.t.Fatalf("expected the sign-in page with a %s button, got %d: %.600s", id, p.status, p.body)
	}
	f := p.fields()
	form := url.Values{"csrf": {f.Get("csrf")}, "interaction": {f.Get("interaction")}}
	if link {
		form.Set("link", "1")
	}
	return b.followUpstream(b.post(b.l.URL+"/upstream/"+id+"/start", form))
}

// followUpstream lets the upstream answer a redirect to it and brings the
// answer back to Lucid.
func (b *browser) followUpstream(at *page) *page {
	b.t.Helper()
	if at.location == nil {
		return at // Lucid answered itself (an error on the sign-in page)
	}
	// The upstream's own pages (a fake one answers at once).
	r := send(b.t, http.MethodGet, at.location.String(), nil, nil)
	loc := r.header.Get("Location")
	if r.status != http.StatusFound || !strings.HasPrefix(loc, b.l.URL+"/upstream/") {
		b.t.Fatalf("the upstream did not redirect back to Lucid: %d %q %.300s", r.status, loc, r.body)
	}
	return b.get(loc)
}

// finish consents when asked and redeems the code with the client.
func (s *startAt) finish(t *testing.T, b *browser, p *page) *oauth2.Token {
	t.Helper()
	if p.isConsent() {
		p = b.consent(p, "allow")
	}
	if p.location == nil {
		t.Fatalf("no redirect to the client: %d %.600s", p.status, p.body)
	}
	tok, err := s.conf.Exchange(context.Background(), codeFrom(t, p.location, s.state), oauth2.VerifierOption(s.verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	return tok
}

// upstreamIDClaims verifies the ID token with go-oidc and returns its claims.
func upstreamIDClaims(t *testing.T, l *lucid, conf *oauth2.Config, tok *oauth2.Token) map[string]any {
	t.Helper()
	raw, _ := tok.Extra("id_token").(string)
	idt, err := newProvider(t, l).Verifier(&oidc.Config{ClientID: conf.ClientID}).Verify(context.Background(), raw)
	if err != nil {
		t.Fatalf("ID token: %v", err)
	}
	var c map[string]any
	if err := idt.Claims(&c); err != nil {
		t.Fatal(err)
	}
	return c
}

func upstreamClient(t *testing.T, l *lucid) *oauth2.Config {
	c, sec := l.client(t, manage.ClientSpec{Name: "Notes", Scopes: []string{"openid", "profile", "email", "groups", "offline_access"}})
	return l.oauthConfig(c, sec, "openid", "profile", "email", "groups")
}

// TestUpstreamOAuth2 signs in through a generic OAuth 2.0 upstream (no
// OpenID Connect): the user-info call and a groups URL mapped by the
// claim map, an account made just in time, its groups passed into Lucid's
// ID token through the group mapping; then every way such a sign-in fails.
func TestUpstreamOAuth2(t *testing.T) {
	up := newFakeUpstream(t, false)
	gh := func(id string, adjust func(*config.Upstream)) config.Upstream {
		u := config.Upstream{ID: id, Name: "Code host " + id, Type: "oauth2", ClientID: "lucid-at-" + id, ClientSecret: "s3cret",
			AuthURL: up.URL() + "/authorize", TokenURL: up.URL() + "/token", UserInfoURL: up.URL() + "/userinfo",
			GroupsURLs: []config.GroupsURL{{URL: up.URL() + "/groups", Format: "{organization.login}/{slug}"}},
			Scopes:     []string{"read:user", "read:org"},
			Claims:     config.ClaimMap{Subject: "id", Username: "login", Email: "email", EmailVerified: "verified"},
			AllowLocal: true}
		if adjust != nil {
			adjust(&u)
		}
		return u
	}
	l := start(t, func(c *config.Config) {
		c.Upstreams = []config.Upstream{
			gh("gh", func(u *config.Upstream) {
				u.Rules.RequiredGroups = []string{"corp/*"}
				u.GroupMapping = map[string]string{"corp/platform": "platform", "corp/ops": "ops"}
			}),
			gh("gh-domain", func(u *config.Upstream) { u.Rules.EmailDomains = []string{"corp.example"} }),
			gh("gh-closed", func(u *config.Upstream) { u.NoProvisioning = true }),
		}
	})
	conf := upstreamClient(t, l)
	octo := map[string]any{"id": 4242, "login": "Octo", "name": "Octo Cat", "email": "octo@corp.example", "verified": true}
	up.set(func(f *fakeUpstream) {
		f.user = octo
		f.groups = []any{
			map[string]any{"slug": "platform", "organization": map[string]any{"login": "corp"}},
			map[string]any{"slug": "design", "organization": map[string]any{"login": "corp"}},
		}
	})

	b := l.browser(t)
	s := newStart(conf)
	tok := s.finish(t, b, b.viaUpstream(b.get(s.url()), "gh", false))
	claims := upstreamIDClaims(t, l, conf, tok)
	if claims["preferred_username"] != "octo" || claims["email"] != "octo@corp.example" || claims["name"] != "Octo Cat" {
		t.Errorf("claims of the provisioned account: %v", claims)
	}
	if g, _ := claims["groups"].([]any); len(g) != 1 || g[0] != "platform" {
		t.Errorf("groups = %v, want [platform] (mapped, unmapped dropped)", claims["groups"])
	}
	if _, ok := claims["amr"]; ok {
		t.Errorf("amr = %v; an OAuth 2.0 upstream reports no method, so Lucid claims none", claims["amr"])
	}
	if q := up.lastAuth; q.Get("code_challenge_method") != "S256" || q.Get("scope") != "read:user read:org" || q.Get("redirect_uri") != l.URL+"/upstream/gh/callback" {
		t.Errorf("authorization request to the upstream: %v", q)
	}
	sub, _ := claims["sub"].(string)
	links, err := l.Store.ListIdentityLinks(context.Background(), sub)
	if err != nil || len(links) != 1 || links[0].Subject != "4242" || links[0].UpstreamID != "gh" {
		t.Fatalf("links = %+v, %v", links, err)
	}

	// A second sign-in (another browser) is the same account; groups follow the upstream.
	up.set(func(f *fakeUpstream) {
		f.groups = append(f.groups, map[string]any{"slug": "ops", "organization": map[string]any{"login": "corp"}})
	})
	b2 := l.browser(t)
	s = newStart(conf)
	claims = upstreamIDClaims(t, l, conf, s.finish(t, b2, b2.viaUpstream(b2.get(s.url()), "gh", false)))
	if claims["sub"] != sub || !slices.Equal(anyStrings(claims["groups"]), []string{"platform", "ops"}) {
		t.Errorf("second sign-in: sub %v groups %v, want %s [platform ops]", claims["sub"], claims["groups"], sub)
	}

	signInPage := func() (*browser, *page) {
		b := l.browser(t)
		return b, b.get(newStart(conf).url())
	}
	var lastTrace string
	fail := func(id, name string, status int, set func(f *fakeUpstream)) string {
		t.Helper()
		up.set(func(f *fakeUpstream) {
			f.user, f.deny, f.denyDesc, f.noCode, f.tokenError, f.userInfoStatus = octo, "", "", false, "", 0
			if set != nil {
				set(f)
			}
		})
		b, p := signInPage()
		p = b.viaUpstream(p, id, false)
		lastTrace = p.header.Get("X-Trace-Id")
		return wantSignInError(t, l, p, name, status)
	}

	fail("gh", "upstream_group_required", http.StatusForbidden, func(f *fakeUpstream) {
		f.user = map[string]any{"id": 1, "login": "stranger"}
		f.groups = []any{map[string]any{"slug": "x", "organization": map[string]any{"login": "other"}}}
	})
	up.set(func(f *fakeUpstream) {
		f.groups = []any{map[string]any{"slug": "platform", "organization": map[string]any{"login": "corp"}}}
	})
	if text := fail("gh", "upstream_access_denied", http.StatusForbidden, func(f *fakeUpstream) {
		f.deny, f.denyDesc = "access_denied", "The user declined."
	}); !strings.Contains(text, "The user declined.") {
		t.Errorf("the upstream's description is not shown: %q", text)
	}
	fail("gh", "upstream_authorization_error", http.StatusBadGateway, func(f *fakeUpstream) {
		f.deny, f.denyDesc = "invalid_request", "AADSTS50011: The redirect URI does not match."
	})
	// The operator's story keeps the upstream's words and explains its AADSTS code.
	if r := jsonCall(t, l, http.MethodGet, "/admin/failures/"+lastTrace, l.cfg.AdminToken, ""); !strings.Contains(string(r.body), "AADSTS50011") ||
		!strings.Contains(string(r.body), "redirect_uri_not_registered") || !strings.Contains(string(r.body), "The redirect URI does not match.") {
		t.Errorf("story of the upstream's error: %s", r.body)
	}
	fail("gh", "upstream_callback_invalid", http.StatusBadRequest, func(f *fakeUpstream) { f.noCode = true })
	fail("gh", "upstream_token_error", http.StatusBadGateway, func(f *fakeUpstream) { f.tokenError = "invalid_client" })
	fail("gh", "upstream_userinfo_failed", http.StatusBadGateway, func(f *fakeUpstream) { f.userInfoStatus = http.StatusInternalServerError })
	fail("gh", "upstream_subject_missing", http.StatusBadGateway, func(f *fakeUpstream) { f.user = map[string]any{"login": "noid"} })
	fail("gh-domain", "upstream_email_domain_refused", http.StatusForbidden, func(f *fakeUpstream) {
		f.user = map[string]any{"id": 7, "login": "pat", "email": "pat@gmail.example", "verified": true}
	})
	fail("gh-domain", "upstream_email_unverified", http.StatusForbidden, func(f *fakeUpstream) {
		f.user = map[string]any{"id": 7, "login": "pat", "email": "pat@corp.example", "verified": false}
	})
	fail("gh-closed", "upstream_signup_disabled", http.StatusForbidden, func(f *fakeUpstream) {
		f.user = map[string]any{"id": 8, "login": "newcomer"}
	})
	// An account here has the address: the identity is not joined to it.
	l.user(t, "taken")
	fail("gh", "upstream_email_taken", http.StatusConflict, func(f *fakeUpstream) {
		f.user = map[string]any{"id": 9, "login": "other", "email": "taken@example.com", "verified": true}
	})
	// The operator blocks the subject: refused, though linked.
	if r := jsonCall(t, l, http.MethodPost, "/admin/upstreams/gh/blocks", l.cfg.AdminToken, `{"subject":"4242","reason":"left"}`); r.status != http.StatusCreated {
		t.Fatalf("block: %d %s", r.status, r.body)
	}
	fail("gh", "upstream_subject_blocked", http.StatusForbidden, nil)
	if r := jsonCall(t, l, http.MethodDelete, "/admin/upstreams/gh/blocks/4242", l.cfg.AdminToken, ""); r.status != http.StatusNoContent {
		t.Fatalf("unblock: %d %s", r.status, r.body)
	}
	// A disabled account stays disabled through its link.
	if _, err := l.Svc.UpdateUser(context.Background(), sub, manage.UserPatch{Disabled: ptrTo(true)}); err != nil {
		t.Fatal(err)
	}
	fail("gh", "upstream_account_disabled", http.StatusForbidden, nil)

	// The state binds the answer to this browser's sign-in: altered, or
	// replayed, it is refused.
	up.set(func(f *fakeUpstream) { f.user = octo })
	b, p := signInPage()
	f := p.fields()
	at := b.post(l.URL+"/upstream/gh/start", url.Values{"csrf": {f.Get("csrf")}, "interaction": {f.Get("interaction")}})
	back := send(t, http.MethodGet, at.location.String(), nil, nil).header.Get("Location")
	cb, _ := url.Parse(back)
	q := cb.Query()
	q.Set("state", q.Get("state")+"x")
	cb.RawQuery = q.Encode()
	wantErrorPage(t, l, b.get(cb.String()), "upstream_state_invalid", http.StatusBadRequest)
	// The genuine answer is still pending; used once, it is spent.
	wantSignInError(t, l, b.get(back), "upstream_account_disabled", http.StatusForbidden)
	wantErrorPage(t, l, b.get(back), "upstream_state_invalid", http.StatusBadRequest)
}

func anyStrings(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

// TestUpstreamOIDC signs in through a generic OpenID Connect upstream:
// discovery, PKCE, nonce, the ID token checked, prompt and max_age passed
// on, the upstream's amr passed through, login_hint routed by domain;
// then each way its ID token or discovery fails.
func TestUpstreamOIDC(t *testing.T) {
	up := newFakeUpstream(t, true)
	idp := func(id string, adjust func(*config.Upstream)) config.Upstream {
		u := config.Upstream{ID: id, Name: "Corp SSO", Type: "oidc", Issuer: up.URL(), ClientID: "lucid", ClientSecret: "s3cret", AllowLocal: true}
		if adjust != nil {
			adjust(&u)
		}
		return u
	}
	l := start(t, func(c *config.Config) {
		c.KeyFetch.AllowLocal = true
		c.Upstreams = []config.Upstream{
			idp("corp", func(u *config.Upstream) { u.Domains = []string{"corp.example"} }),
			idp("corp-hd", func(u *config.Upstream) { u.Rules.RequiredClaims = map[string]string{"hd": "corp.example"} }),
			idp("down", func(u *config.Upstream) { u.Issuer = "http://127.0.0.1:1" }),
		}
	})
	conf := upstreamClient(t, l)
	ada := map[string]any{"sub": "ada-1", "email": "ada@corp.example", "email_verified": true, "name": "Ada", "preferred_username": "ada", "groups": []any{"eng"}}
	up.set(func(f *fakeUpstream) {
		f.user = ada
		f.idClaims = func(c map[string]any) { c["amr"] = []any{"pwd", "otp"} }
	})

	b := l.browser(t)
	s := newStart(conf, oauth2.SetAuthURLParam("prompt", "login"), oauth2.SetAuthURLParam("max_age", "60"))
	claims := upstreamIDClaims(t, l, conf, s.finish(t, b, b.viaUpstream(b.get(s.url()), "corp", false)))
	if claims["email"] != "ada@corp.example" || !slices.Equal(anyStrings(claims["amr"]), []string{"pwd", "otp"}) || !slices.Equal(anyStrings(claims["groups"]), []string{"eng"}) {
		t.Errorf("claims: %v (want the upstream's amr passed through, groups)", claims)
	}
	if q := up.lastAuth; q.Get("prompt") != "login" || q.Get("max_age") != "60" || q.Get("nonce") == "" || q.Get("code_challenge_method") != "S256" {
		t.Errorf("authorization request to the upstream: %v", q)
	}

	// A login_hint at a routed domain goes straight to the upstream.
	b = l.browser(t)
	s = newStart(conf, oauth2.SetAuthURLParam("login_hint", "ada@corp.example"))
	p := b.get(s.url())
	if p.location == nil || !strings.HasPrefix(p.location.String(), up.URL()+"/authorize") {
		t.Fatalf("login_hint was not routed to the upstream: %d %v", p.status, p.location)
	}
	if up.lastAuth = nil; true {
		claims = upstreamIDClaims(t, l, conf, s.finish(t, b, b.followUpstream(p)))
		if up.lastAuth.Get("login_hint") != "ada@corp.example" || claims["email"] != "ada@corp.example" {
			t.Errorf("routed sign-in: hint %q, claims %v", up.lastAuth.Get("login_hint"), claims)
		}
	}

	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	for _, tc := range []struct {
		name, upstream string
		status         int
		set            func(f *fakeUpstream)
	}{
		{"upstream_nonce_mismatch", "corp", http.StatusBadGateway, func(f *fakeUpstream) {
			f.idClaims = func(c map[string]any) { c["nonce"] = "a-nonce-of-another-sign-in" }
		}},
		{"upstream_id_token_expired", "corp", http.StatusBadGateway, func(f *fakeUpstream) {
			f.idClaims = func(c map[string]any) { c["exp"] = time.Now().Add(-10 * time.Minute).Unix() }
		}},
		{"upstream_id_token_clock_skew", "corp", http.StatusBadGateway, func(f *fakeUpstream) {
			f.idClaims = func(c map[string]any) { c["iat"] = time.Now().Add(10 * time.Minute).Unix() }
		}},
		{"upstream_id_token_audience", "corp", http.StatusBadGateway, func(f *fakeUpstream) {
			f.idClaims = func(c map[string]any) { c["aud"] = "another-app" }
		}},
		{"upstream_id_token_invalid", "corp", http.StatusBadGateway, func(f *fakeUpstream) { f.signWith = other }},
		{"upstream_claim_required", "corp-hd", http.StatusForbidden, nil},
		{"upstream_discovery_failed", "down", http.StatusBadGateway, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			up.set(func(f *fakeUpstream) {
				f.user, f.idClaims, f.signWith = ada, nil, nil
				if tc.set != nil {
					tc.set(f)
				}
			})
			b := l.browser(t)
			wantSignInError(t, l, b.viaUpstream(b.get(newStart(conf).url()), tc.upstream, false), tc.name, tc.status)
		})
	}

	// An upstream nobody configured.
	b = l.browser(t)
	p = b.get(newStart(conf).url())
	f := p.fields()
	wantErrorPage(t, l, b.post(l.URL+"/upstream/nope/start", url.Values{"csrf": {f.Get("csrf")}, "interaction": {f.Get("interaction")}}), "upstream_unknown", http.StatusNotFound)
}

// TestUpstreamLinking links an upstream identity to an account only from
// a session of that account, never by e-mail: a signed-in person links,
// after which the identity signs in as that account; another account
// cannot take it; nobody signed in cannot link.
func TestUpstreamLinking(t *testing.T) {
	up := newFakeUpstream(t, true)
	l := start(t, func(c *config.Config) {
		c.KeyFetch.AllowLocal = true
		c.Upstreams = []config.Upstream{{ID: "corp", Name: "Corp SSO", Type: "oidc", Issuer: up.URL(), ClientID: "lucid", ClientSecret: "s3cret", AllowLocal: true}}
	})
	alice := l.user(t, demoUser)
	conf := upstreamClient(t, l)
	up.set(func(f *fakeUpstream) {
		f.user = map[string]any{"sub": "corp-alice", "email": "alice.l@corp.example", "email_verified": true}
	})

	// Nobody signed in: linking is refused.
	b := l.browser(t)
	wantSignInError(t, l, b.viaUpstream(b.get(newStart(conf).url()), "corp", true), "upstream_link_no_session", http.StatusForbidden)

	// Alice signs in with her password, then links Corp SSO.
	s := newStart(conf)
	s.finish(t, b, b.signIn(b.get(s.url()), demoUser, demoPassword))
	s = newStart(conf, oauth2.SetAuthURLParam("prompt", "login"))
	p := b.get(s.url())
	if !strings.Contains(p.body, `id="link-corp"`) {
		t.Fatalf("the sign-in page of a signed-in person offers no link: %.600s", p.body)
	}
	claims := upstreamIDClaims(t, l, conf, s.finish(t, b, b.viaUpstream(p, "corp", true)))
	if claims["sub"] != alice.ID {
		t.Fatalf("linked sign-in is %v, want alice %s", claims["sub"], alice.ID)
	}
	// From now on the identity signs in as alice, in any browser.
	b2 := l.browser(t)
	s = newStart(conf)
	if c := upstreamIDClaims(t, l, conf, s.finish(t, b2, b2.viaUpstream(b2.get(s.url()), "corp", false))); c["sub"] != alice.ID {
		t.Fatalf("sign-in through the link is %v, want %s", c["sub"], alice.ID)
	}
	// Bob cannot link the same identity to his account.
	l.user(t, "bob")
	b3 := l.browser(t)
	s = newStart(conf)
	s.finish(t, b3, b3.signIn(b3.get(s.url()), "bob", demoPassword))
	p = b3.get(newStart(conf, oauth2.SetAuthURLParam("prompt", "login")).url())
	wantSignInError(t, l, b3.viaUpstream(p, "corp", true), "upstream_link_taken", http.StatusConflict)

	// The admin API lists alice's identities and unlinks one.
	r := jsonCall(t, l, http.MethodGet, "/admin/users/"+alice.ID+"/identities", l.cfg.AdminToken, "")
	if r.status != http.StatusOK || !strings.Contains(string(r.body), `"subject": "corp-alice"`) {
		t.Fatalf("identities: %d %s", r.status, r.body)
	}
	if r := jsonCall(t, l, http.MethodDelete, "/admin/users/"+alice.ID+"/identities/corp/corp-alice", l.cfg.AdminToken, ""); r.status != http.StatusNoContent {
		t.Fatalf("unlink: %d %s", r.status, r.body)
	}
	if links, _ := l.Store.ListIdentityLinks(context.Background(), alice.ID); len(links) != 0 {
		t.Fatalf("still linked: %+v", links)
	}
	_ = store.ErrNotFound
}
