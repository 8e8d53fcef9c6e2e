package e2e

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	cdpwebauthn "github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
	"golang.org/x/oauth2"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/manage"
)

// atLocalhost serves Lucid at http://localhost:PORT: browsers bind
// passkeys to a domain, never to an address, and treat localhost as a
// secure context.
func atLocalhost(c *config.Config) {
	c.Issuer = strings.Replace(c.Issuer, "127.0.0.1", "localhost", 1)
}

// callback is a client's redirect URI that keeps the last authorization
// response it received.
type callback struct {
	srv  *httptest.Server
	mu   sync.Mutex
	last url.Values
}

func newCallback(t *testing.T) *callback {
	cb := &callback{}
	cb.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/cb" {
			http.NotFound(w, r) // the browser's favicon.ico
			return
		}
		cb.mu.Lock()
		cb.last = r.URL.Query()
		cb.mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><title>back</title><p id="back">back at the client</p>`)
	}))
	t.Cleanup(cb.srv.Close)
	return cb
}

func (cb *callback) url() string { return cb.srv.URL + "/cb" }

func (cb *callback) query() url.Values {
	cb.mu.Lock()
	defer cb.mu.Unlock()
	return cb.last
}

// virtualAuthenticator gives the page a platform authenticator that keeps
// resident keys and verifies the person (a fingerprint, in effect).
func virtualAuthenticator() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, cdpwebauthn.Enable, cdpwebauthn.EnableParams{}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, t, cdpwebauthn.AddVirtualAuthenticator, cdpwebauthn.AddVirtualAuthenticatorParams{
			Options: &cdpwebauthn.VirtualAuthenticatorOptions{
				Protocol:                    cdpwebauthn.AuthenticatorProtocolCtap2,
				Ctap2version:                cdpwebauthn.Ctap2versionCtap21,
				Transport:                   cdpwebauthn.AuthenticatorTransportInternal,
				HasResidentKey:              true,
				HasUserVerification:         true,
				IsUserVerified:              true,
				AutomaticPresenceSimulation: true,
			},
		})
		return err
	})
}

func clearCookies() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, network.ClearBrowserCookies, cdp.Empty{})
		return err
	})
}

// TestBrowserFactorsAndPasskeys drives the factor pages in headless
// Chromium, with codes computed in the test and Chromium's virtual
// authenticator for passkeys: a password session is stepped up through
// acr_values by setting up an authenticator app; acr_values=phr has a
// passkey registered; the passkey then signs in alone (no password);
// after an operator's reset, the same passkey is not recognised. No page
// breaks its Content-Security-Policy (the passkey script is a static
// asset from 'self').
func TestBrowserFactorsAndPasskeys(t *testing.T) {
	ctx := chrome(t)
	l := start(t, atLocalhost)
	alice := l.user(t, demoUser)
	cb := newCallback(t)
	c, sec := l.client(t, manage.ClientSpec{Name: "Notes", RedirectURIs: []string{cb.url()}})
	cfg := l.oauthConfig(c, sec)

	// authorize runs actions from the authorization request up to the
	// client's callback and returns the verified ID token's claims.
	authorize := func(t *testing.T, name string, opts []oauth2.AuthCodeOption, steps ...chromedp.Action[chromedp.Void]) idClaims {
		t.Helper()
		v := oauth2.GenerateVerifier()
		all := append([]chromedp.Action[chromedp.Void]{chromedp.Navigate(cfg.AuthCodeURL("st", append(opts, oauth2.S256ChallengeOption(v))...))}, steps...)
		all = append(all, chromedp.WaitVisible(chromedp.CSS("#back")))
		if err := chromedp.Do(ctx, all...); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		u, _ := url.Parse(cb.url() + "?" + cb.query().Encode())
		return exchangeID(t, l, cfg, u, v)
	}
	mfa := oauth2.SetAuthURLParam("acr_values", "urn:lucid:acr:mfa")
	phr := oauth2.SetAuthURLParam("acr_values", "phr")

	if err := chromedp.Do(ctx, watchCSP(), chromedp.Navigate(l.URL+"/.well-known/openid-configuration"), virtualAuthenticator()); err != nil {
		t.Fatalf("virtual authenticator: %v", err)
	}

	// 1. A password sign-in (alice has no factor; optional asks none).
	first := authorize(t, "password", nil,
		chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), demoUser),
		chromedp.SendKeys(chromedp.CSS("#password"), demoPassword),
		chromedp.Click(chromedp.CSS("#sign-in")),
		chromedp.WaitVisible(chromedp.CSS("#allow")),
		chromedp.Click(chromedp.CSS("#allow")),
	)
	if !slices.Equal(first.AMR, []string{"pwd"}) {
		t.Fatalf("password sign-in amr %v", first.AMR)
	}

	// 2. Step-up through acr_values: the setup page, no password asked;
	// the code is computed from the key the page shows.
	var secret string
	up := authorize(t, "step-up", []oauth2.AuthCodeOption{mfa},
		chromedp.WaitVisible(chromedp.CSS("#totp-qr")),
		shot(t, "factors-01-setup"),
		into(&secret, chromedp.Text(chromedp.CSS("#totp-secret"))),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.SendKeys(chromedp.CSS("#code"), totpCode(t, l, strings.ReplaceAll(secret, " ", "")))(ctx, tg)
			return err
		}),
		chromedp.Click(chromedp.CSS("#verify")),
		chromedp.WaitVisible(chromedp.CSS("#recovery-codes")),
		shot(t, "factors-02-recovery-codes"),
		chromedp.Click(chromedp.CSS("#continue")),
	)
	if !slices.Equal(up.AMR, []string{"pwd", "otp", "mfa"}) || up.ACR != "urn:lucid:acr:mfa" || up.SID != first.SID {
		t.Fatalf("step-up: amr %v acr %q sid %q (was %q)", up.AMR, up.ACR, up.SID, first.SID)
	}

	// 3. acr_values=phr: only a passkey will do; alice registers one.
	key := authorize(t, "register a passkey", []oauth2.AuthCodeOption{phr},
		chromedp.WaitVisible(chromedp.CSS("#passkey-button")),
		shot(t, "factors-03-passkey-setup"),
		chromedp.Click(chromedp.CSS("#passkey-button")),
	)
	if key.ACR != "phr" || !slices.Contains(key.AMR, "swk") || !slices.Contains(key.AMR, "mfa") {
		t.Fatalf("after registering a passkey: amr %v acr %q", key.AMR, key.ACR)
	}
	keys, err := l.Store.ListPasskeys(context.Background(), alice.ID)
	if err != nil || len(keys) != 1 || !keys[0].UserVerified || len(keys[0].PublicKey) == 0 {
		t.Fatalf("stored passkeys: %+v %v", keys, err)
	}

	// 4. Signed out, the passkey alone signs alice in: a user-verified
	// passkey is two kinds of factor.
	if err := chromedp.Do(ctx, clearCookies()); err != nil {
		t.Fatal(err)
	}
	// The sign-in page offers the passkey in the username field's
	// autofill (conditional mediation), which the virtual authenticator
	// answers by itself; the button is the way where it does not.
	alone := authorize(t, "passkey sign-in", nil,
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			if _, err := chromedp.WaitVisible(chromedp.CSS("#back"))(sctx, tg); err == nil {
				return nil
			}
			t.Log("no conditional mediation: signing in with the button")
			_, err := chromedp.Click(chromedp.CSS("#passkey-button"))(ctx, tg)
			return err
		}),
	)
	if !slices.Equal(alone.AMR, []string{"swk", "mfa"}) || alone.ACR != "urn:lucid:acr:mfa" || alone.Sub != alice.ID || alone.SID == first.SID {
		t.Fatalf("passkey sign-in: amr %v acr %q sub %q sid %q", alone.AMR, alone.ACR, alone.Sub, alone.SID)
	}

	// 5. The operator resets alice's factors; the authenticator still
	// holds the passkey, which Lucid no longer knows.
	if out, err := l.Svc.ResetFactors(context.Background(), alice.ID); err != nil || len(out.Passkeys) != 1 || out.TOTP == nil {
		t.Fatalf("reset factors: %+v %v", out, err)
	}
	var name, violations []string
	var alert string
	err = chromedp.Do(ctx,
		clearCookies(),
		chromedp.Navigate(cfg.AuthCodeURL("st", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()))),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			// The autofill's answer may come first; then the button.
			sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			_, _ = chromedp.WaitVisible(chromedp.CSS("#sign-in-error"))(sctx, tg)
			return nil
		}),
		chromedp.WaitVisible(chromedp.CSS("#passkey-button")),
		// Mark this document: the answer to the click is a new page, and
		// an error shown by the autofill's answer must not be read for it.
		chromedp.Evaluate[chromedp.Void](`window.lucidStale = true`),
		chromedp.Click(chromedp.CSS("#passkey-button")),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			// Evaluated again until the new page is there: while the
			// browser navigates an evaluation fails, which is expected.
			for end := time.Now().Add(30 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
				fresh, err := chromedp.Evaluate[bool](`!window.lucidStale && document.readyState === "complete" && document.querySelector("#sign-in-error") !== null`)(ctx, tg)
				if err == nil && fresh {
					return nil
				}
			}
			return errors.New("no new sign-in page after the passkey button")
		}),
		chromedp.WaitVisible(chromedp.CSS("#sign-in-error")),
		into(&alert, chromedp.Text(chromedp.CSS("#sign-in-error"))),
		into(&name, chromedp.Evaluate[[]string](`[document.querySelector("#sign-in-error").dataset.errorName]`)),
		shot(t, "factors-05-passkey-unknown"),
		cspViolations(&violations),
	)
	if err != nil {
		t.Fatalf("unknown passkey: %v", err)
	}
	if len(name) != 1 || name[0] != "passkey_unknown" || !strings.Contains(alert, "not registered") {
		t.Fatalf("unknown passkey answered %v: %q", name, alert)
	}
	triggered.add("passkey_unknown")
	if len(violations) > 0 {
		t.Fatalf("CSP violations: %v", violations)
	}
}
