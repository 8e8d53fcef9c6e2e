package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/manage"
)

// TestBrowserUpstreamLucid signs in at Lucid A through a second Lucid, B,
// its real upstream OpenID provider, in headless Chromium: A's sign-in
// page lists B; B's own sign-in and consent pages; back at A, an account
// made just in time and A's demo relying party (x/oauth2, go-oidc) holding
// tokens for it. B answers on localhost and A on 127.0.0.1, so that the
// browser keeps their cookies apart as it would two real hosts.
func TestBrowserUpstreamLucid(t *testing.T) {
	ctx := chrome(t)
	b := start(t, func(c *config.Config) { c.Issuer = strings.Replace(c.Issuer, "127.0.0.1", "localhost", 1) })
	b.user(t, "ada")
	a := start(t, func(c *config.Config) {
		c.Demo = true
		c.KeyFetch.AllowLocal = true
		cl, sec, err := b.Svc.CreateClient(context.Background(), manage.ClientSpec{Name: "Lucid A",
			RedirectURIs: []string{c.Issuer + "/upstream/lucid-b/callback"}, Scopes: []string{"openid", "profile", "email"}})
		if err != nil {
			t.Fatal(err)
		}
		c.Upstreams = []config.Upstream{{ID: "lucid-b", Name: "Lucid B", Type: "oidc", Issuer: b.URL,
			ClientID: cl.ID, ClientSecret: sec, AllowLocal: true, Rules: config.UpstreamRules{EmailDomains: []string{"example.com"}}}}
	})
	var upstreamTitle, result string
	err := chromedp.Do(ctx,
		chromedp.Navigate(a.URL+"/demo"),
		chromedp.WaitVisible(chromedp.CSS("#demo-start")),
		chromedp.Click(chromedp.CSS("#demo-start")),
		chromedp.WaitVisible(chromedp.CSS("#upstream-lucid-b")),
		shot(t, "upstream-01-sign-in-at-a"),
		chromedp.Click(chromedp.CSS("#upstream-lucid-b")),
		// Lucid B's own sign-in page, for its client "Lucid A" (A's page,
		// with the button, is gone).
		chromedp.WaitNotPresent(chromedp.CSS("#upstream-lucid-b")),
		chromedp.WaitVisible(chromedp.CSS("#username")),
		into(&upstreamTitle, chromedp.Title()),
		shot(t, "upstream-02-sign-in-at-b"),
		chromedp.SendKeys(chromedp.CSS("#username"), "ada"),
		chromedp.SendKeys(chromedp.CSS("#password"), demoPassword),
		chromedp.Click(chromedp.CSS("#sign-in")),
		// B's consent: its client is Lucid A.
		chromedp.WaitVisible(chromedp.Search(`//span[@class='client-name' and contains(., 'Lucid A')]`)),
		chromedp.Click(chromedp.CSS("#allow")),
		// Back at A: its consent for the demo client, then the demo's result.
		chromedp.WaitVisible(chromedp.Search(`//span[@class='client-name' and contains(., 'Lucid Demo')]`)),
		shot(t, "upstream-03-consent-at-a"),
		chromedp.Click(chromedp.CSS("#allow")),
		chromedp.WaitVisible(chromedp.CSS("#sign-out")),
		into(&result, chromedp.Text(chromedp.CSS("body"))),
		shot(t, "upstream-04-signed-in-at-a"),
	)
	if err != nil {
		t.Fatalf("browser flow: %v", err)
	}
	if !strings.Contains(upstreamTitle, "Lucid A") {
		t.Errorf("B's sign-in page title %q does not name A", upstreamTitle)
	}
	if !strings.Contains(result, "ada@example.com") || !strings.Contains(result, a.URL) {
		t.Errorf("A's demo result lacks the upstream account's e-mail or A's issuer: %.500s", result)
	}
	// The account at A was made just in time and linked to B's subject.
	ada, err := b.Store.GetUserByUsername(context.Background(), "ada")
	if err != nil {
		t.Fatal(err)
	}
	jit, err := a.Store.GetUserByUsername(context.Background(), "ada@example.com")
	if err != nil {
		t.Fatalf("no account at A: %v", err)
	}
	links, err := a.Store.ListIdentityLinks(context.Background(), jit.ID)
	if err != nil || len(links) != 1 || links[0].Issuer != b.URL || links[0].Subject != ada.ID {
		t.Fatalf("links at A = %+v, %v; want B's issuer and subject %s", links, err, ada.ID)
	}
}
