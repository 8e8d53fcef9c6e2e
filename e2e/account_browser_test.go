package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"golang.org/x/oauth2"

	"github.com/lucid-auth/lucid/internal/manage"
)

// TestBrowserAccount drives /account in headless Chromium: after an
// application's sign-in, the page signs another browser's session out,
// withdraws the application (its refresh token is then refused to an
// x/oauth2 client), sets up an authenticator app (the code computed from
// the key the page shows; recovery codes shown once), adds a passkey with
// the virtual authenticator, renames and removes it, removes the app,
// makes new recovery codes, and changes the password. No page breaks its
// Content-Security-Policy.
func TestBrowserAccount(t *testing.T) {
	ctx := chrome(t)
	l := start(t, atLocalhost)
	alice := l.user(t, demoUser)
	bg := context.Background()
	cb := newCallback(t)
	c, sec := l.client(t, manage.ClientSpec{Name: "Notes", RedirectURIs: []string{cb.url()}, GrantTypes: []string{"authorization_code", "refresh_token"}})
	cfg := l.oauthConfig(c, sec)

	// Another browser (HTTP) is signed in too.
	l.browser(t).openAccount(demoUser, demoPassword)

	v := oauth2.GenerateVerifier()
	var secret string
	var cleared bool
	var violations []string
	notice := func(done string) chromedp.Action[chromedp.Void] {
		return chromedp.WaitVisible(chromedp.CSS(`#account-notice[data-done="` + done + `"]`))
	}
	err := chromedp.Do(ctx, watchCSP(), chromedp.Navigate(l.URL+"/.well-known/openid-configuration"), virtualAuthenticator(),
		// Notes signs alice in and gets a refresh token.
		chromedp.Navigate(cfg.AuthCodeURL("st", oauth2.S256ChallengeOption(v))),
		chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), demoUser),
		chromedp.SendKeys(chromedp.CSS("#password"), demoPassword),
		chromedp.Click(chromedp.CSS("#sign-in")),
		chromedp.WaitVisible(chromedp.CSS("#allow")),
		chromedp.Click(chromedp.CSS("#allow")),
		chromedp.WaitVisible(chromedp.CSS("#back")),
	)
	if err != nil {
		t.Fatalf("Notes' sign-in: %v", err)
	}
	tok, err := cfg.Exchange(bg, cb.query().Get("code"), oauth2.VerifierOption(v))
	if err != nil || tok.RefreshToken == "" {
		t.Fatalf("exchange: %v %+v", err, tok)
	}

	err = chromedp.Do(ctx,
		// The same session opens the account page, no sign-in asked.
		chromedp.Navigate(l.URL+"/account"),
		chromedp.WaitVisible(chromedp.CSS("#account-username")),
		shot(t, "account-01-page"),
		// The other browser's session is signed out.
		chromedp.Click(chromedp.CSS(".end-session")),
		notice("session"),
		// Notes' access is withdrawn.
		chromedp.Click(chromedp.CSS(".withdraw")),
		notice("withdrawn"),
		chromedp.WaitVisible(chromedp.CSS("#no-applications")),
	)
	if err != nil {
		t.Fatalf("sessions and applications: %v", err)
	}
	if s, _ := l.Store.ListSessionsFor(bg, alice.ID); len(s) != 1 {
		t.Fatalf("sessions after signing the other out: %d", len(s))
	}
	old := &oauth2.Token{RefreshToken: tok.RefreshToken, Expiry: time.Now().Add(-time.Hour)}
	if _, err := cfg.TokenSource(bg, old).Token(); err == nil {
		t.Fatal("the withdrawn application's refresh token still works")
	} else {
		wantOAuthError(t, err, "refresh_consent_withdrawn", "invalid_grant", http.StatusBadRequest)
	}

	err = chromedp.Do(ctx,
		// An authenticator app, from the account page.
		chromedp.Click(chromedp.CSS("#setup-totp")),
		chromedp.WaitVisible(chromedp.CSS("#totp-qr")),
		shot(t, "account-02-totp"),
		into(&secret, chromedp.Text(chromedp.CSS("#totp-secret"))),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.SendKeys(chromedp.CSS("#code"), totpCode(t, l, strings.ReplaceAll(secret, " ", "")))(ctx, tg)
			return err
		}),
		chromedp.Click(chromedp.CSS("#verify")),
		chromedp.WaitVisible(chromedp.CSS("#recovery-codes")),
		chromedp.Click(chromedp.CSS("#continue")),
		chromedp.WaitVisible(chromedp.CSS("#remove-totp")),
		// A passkey, with the virtual authenticator.
		chromedp.Click(chromedp.CSS("#passkey-button")),
		notice("passkey"),
		chromedp.WaitVisible(chromedp.CSS("#passkeys")),
		shot(t, "account-03-factors"),
		// Renamed, then removed (the policy is optional: nothing is the
		// last factor), and the app removed; new recovery codes.
		into(&cleared, chromedp.Evaluate[bool](`document.querySelector("#passkey-name-0").value = ""; true`)),
		chromedp.SendKeys(chromedp.CSS("#passkey-name-0"), "Work laptop"),
		chromedp.Click(chromedp.CSS(".rename-passkey")),
		notice("passkey_renamed"),
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			if keys, err := l.Store.ListPasskeys(ctx, alice.ID); err != nil || len(keys) != 1 || keys[0].Name != "Work laptop" {
				t.Errorf("renamed passkey: %+v %v", keys, err)
			}
			return nil
		}),
		chromedp.Click(chromedp.CSS(".remove-passkey")),
		notice("passkey_removed"),
		chromedp.WaitVisible(chromedp.CSS("#no-passkeys")),
		chromedp.Click(chromedp.CSS("#remove-totp")),
		notice("totp_removed"),
		chromedp.Click(chromedp.CSS("#new-recovery-codes")),
		chromedp.WaitVisible(chromedp.CSS("#recovery-codes")),
		chromedp.Click(chromedp.CSS("#continue")),
		chromedp.WaitVisible(chromedp.CSS("#setup-totp")),
		// The password, after the current one.
		chromedp.SendKeys(chromedp.CSS("#current-password"), demoPassword),
		chromedp.SendKeys(chromedp.CSS("#new-password"), "a fresh long passphrase"),
		chromedp.SendKeys(chromedp.CSS("#confirm-password"), "a fresh long passphrase"),
		chromedp.Click(chromedp.CSS("#change-password")),
		notice("password"),
		cspViolations(&violations),
	)
	if err != nil {
		t.Fatalf("factors and password: %v", err)
	}
	if _, err := l.Store.GetTOTP(bg, alice.ID); err == nil {
		t.Fatal("the authenticator app is still there")
	}
	if keys, err := l.Store.ListPasskeys(bg, alice.ID); err != nil || len(keys) != 0 {
		t.Fatalf("passkeys: %d %v", len(keys), err)
	}
	if n, _ := l.Store.CountRecoveryCodes(bg, alice.ID); n != 10 {
		t.Fatalf("recovery codes: %d", n)
	}
	// The new password signs in.
	l.browser(t).openAccount(demoUser, "a fresh long passphrase")
	if len(violations) > 0 {
		t.Fatalf("CSP violations: %v", violations)
	}
}
