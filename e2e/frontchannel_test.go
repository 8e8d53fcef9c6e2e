package e2e

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"golang.org/x/oauth2"

	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/store"
)

// frontApp is a relying party on loopback: its redirect URI and its
// front-channel logout page, which records the URLs it is loaded with.
type frontApp struct {
	srv  *httptest.Server
	mu   sync.Mutex
	hits []*url.URL
}

func newFrontApp(t *testing.T) *frontApp {
	a := &frontApp{}
	a.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/fcl" {
			a.mu.Lock()
			a.hits = append(a.hits, r.URL)
			a.mu.Unlock()
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte("<!doctype html><title>app</title><p>ok</p>"))
	}))
	t.Cleanup(a.srv.Close)
	return a
}

func (a *frontApp) loaded() []*url.URL {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.hits)
}

// frontClient registers a client of app with a front-channel logout URI.
func frontClient(t *testing.T, l *lucid, a *frontApp, name string, sessionRequired bool) (*store.Client, string) {
	return l.client(t, manage.ClientSpec{Name: name, RedirectURIs: []string{a.srv.URL + "/cb"},
		Logout: store.LogoutChannels{FrontchannelURI: a.srv.URL + "/fcl?app=" + name, FrontchannelSessionRequired: sessionRequired}})
}

// The logged-out page frames each client's front-channel logout URI (iss
// and sid added for a client that needs them), and its Content-Security-
// Policy allows frames from exactly those origins.
func TestFrontchannelLogoutPage(t *testing.T) {
	l := start(t)
	l.user(t, demoUser)
	a1, a2 := newFrontApp(t), newFrontApp(t)
	c1, s1 := frontClient(t, l, a1, "one", true)
	c2, s2 := frontClient(t, l, a2, "two", false)
	plain, ps := l.client(t, manage.ClientSpec{Name: "Plain"})
	b := l.browser(t)
	tok, _ := login(t, l, b, l.oauthConfig(c1, s1))
	login(t, l, b, l.oauthConfig(c2, s2))
	login(t, l, b, l.oauthConfig(plain, ps))
	sid := sidOf(t, l, c1, tok)
	idToken, _ := tok.Extra("id_token").(string)

	p := b.get(l.URL + "/logout?id_token_hint=" + url.QueryEscape(idToken))
	if p.status != http.StatusOK {
		t.Fatalf("logout: %d", p.status)
	}
	want1 := a1.srv.URL + "/fcl?app=one&amp;iss=" + url.QueryEscape(l.URL) + "&amp;sid=" + sid
	want2 := a2.srv.URL + "/fcl?app=two"
	for _, want := range []string{`src="` + want1 + `"`, `src="` + want2 + `"`} {
		if !strings.Contains(p.body, want) {
			t.Errorf("logged-out page lacks the iframe %s:\n%s", want, p.body)
		}
	}
	if n := strings.Count(p.body, "<iframe"); n != 2 {
		t.Errorf("%d iframes, want 2", n)
	}
	csp := p.header.Get("Content-Security-Policy")
	var frameSrc []string
	for _, d := range strings.Split(csp, ";") {
		if f := strings.Fields(d); len(f) > 0 && f[0] == "frame-src" {
			frameSrc = f[1:]
		}
	}
	slices.Sort(frameSrc)
	want := []string{a1.srv.URL, a2.srv.URL}
	slices.Sort(want)
	if !slices.Equal(frameSrc, want) {
		t.Errorf("CSP %q: frame-src %v, want exactly %v", csp, frameSrc, want)
	}

	// With frames and a post_logout_redirect_uri the page is still shown
	// (so the frames load), with a link back.
	back := a1.srv.URL + "/bye"
	if _, err := l.Svc.UpdateClient(context.Background(), c1.ID, manage.ClientPatch{PostLogoutRedirectURIs: &[]string{back}}); err != nil {
		t.Fatal(err)
	}
	tok, _ = login(t, l, b, l.oauthConfig(c1, s1))
	idToken, _ = tok.Extra("id_token").(string)
	p = b.get(l.URL + "/logout?id_token_hint=" + url.QueryEscape(idToken) + "&state=s1&post_logout_redirect_uri=" + url.QueryEscape(back))
	if p.status != http.StatusOK || p.location != nil || !strings.Contains(p.body, `href="`+back+`?state=s1"`) || strings.Count(p.body, "<iframe") != 1 {
		t.Fatalf("logout with a return URI: %d %v %s", p.status, p.location, p.body)
	}
}

// In a real browser the iframes load: each client's front-channel logout
// page is requested by Chromium itself, with iss and sid when required.
func TestBrowserFrontchannelLogout(t *testing.T) {
	ctx := chrome(t)
	l := start(t)
	l.user(t, demoUser)
	a1, a2 := newFrontApp(t), newFrontApp(t)
	c1, s1 := frontClient(t, l, a1, "one", true)
	c2, s2 := frontClient(t, l, a2, "two", false)

	// Sign in to both applications in Chromium, so that its cookie holds
	// the session; the codes are exchanged here, as the applications would.
	var idToken, sid string
	for i, c := range []struct {
		client *store.Client
		secret string
		app    *frontApp
	}{{c1, s1, a1}, {c2, s2, a2}} {
		cfg := l.oauthConfig(c.client, c.secret)
		verifier := oauth2.GenerateVerifier()
		steps := []chromedp.Action[chromedp.Void]{chromedp.Navigate(cfg.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier)))}
		if i == 0 {
			steps = append(steps,
				chromedp.WaitVisible(chromedp.CSS("#username")),
				chromedp.SendKeys(chromedp.CSS("#username"), demoUser),
				chromedp.SendKeys(chromedp.CSS("#password"), demoPassword),
				chromedp.Click(chromedp.CSS("#sign-in")))
		}
		var loc string
		steps = append(steps, chromedp.WaitVisible(chromedp.CSS("#allow")), chromedp.Click(chromedp.CSS("#allow")),
			chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
					if l, err := chromedp.Location()(ctx, tg); err == nil && strings.HasPrefix(l, c.app.srv.URL+"/cb") {
						loc = l
						return nil
					}
				}
				return context.DeadlineExceeded
			}))
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("sign in to %s: %v", c.client.Name, err)
		}
		u, _ := url.Parse(loc)
		tok, err := cfg.Exchange(context.Background(), codeFrom(t, u, "st"), oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			idToken, _ = tok.Extra("id_token").(string)
			sid = sidOf(t, l, c.client, tok)
		}
	}

	err := chromedp.Do(ctx,
		chromedp.Navigate(l.URL+"/logout?id_token_hint="+url.QueryEscape(idToken)),
		chromedp.WaitVisible(chromedp.CSS("#signed-out")),
		shot(t, "frontchannel-logout"),
	)
	if err != nil {
		t.Fatalf("logout: %v", err)
	}
	eventually(t, 10*time.Second, "both front-channel pages loaded by Chromium", func() bool {
		return len(a1.loaded()) == 1 && len(a2.loaded()) == 1
	})
	q := a1.loaded()[0].Query()
	if q.Get("app") != "one" || q.Get("iss") != l.URL || q.Get("sid") != sid {
		t.Errorf("session-required frame loaded as %s", a1.loaded()[0])
	}
	if q := a2.loaded()[0].Query(); q.Get("app") != "two" || q.Has("iss") || q.Has("sid") {
		t.Errorf("frame without the session loaded as %s", a2.loaded()[0])
	}
}
