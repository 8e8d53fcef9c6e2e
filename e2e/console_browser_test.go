package e2e

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/store"
)

// TestBrowserConsole drives the web console in headless Chromium: an
// administrator signs in through Lucid's sign-in, registers a client and
// sees its secret once (the client then gets a token with
// golang.org/x/oauth2's client credentials), disables a user, finds a
// failure by its trace id and by its client and reads its story; a user
// without the admin role is refused with the catalogued page, and a form
// posted without the console's CSRF token changes nothing. No console page
// breaks its Content-Security-Policy.
func TestBrowserConsole(t *testing.T) {
	ctx := chrome(t)
	l := start(t)
	bg := context.Background()
	root := l.user(t, "root")
	if _, err := l.Svc.SetAdmin(bg, root.ID, true); err != nil {
		t.Fatal(err)
	}
	bob := l.user(t, "bob")
	l.user(t, "mallory")

	signIn := func(user string) []chromedp.Action[chromedp.Void] {
		return []chromedp.Action[chromedp.Void]{
			chromedp.WaitVisible(chromedp.CSS("#username")),
			chromedp.SendKeys(chromedp.CSS("#username"), user),
			chromedp.SendKeys(chromedp.CSS("#password"), demoPassword),
			chromedp.Click(chromedp.CSS("#sign-in")),
		}
	}

	// 1. Sign-in: /console/ sends the browser to Lucid's sign-in page.
	var who, location string
	steps := append([]chromedp.Action[chromedp.Void]{watchCSP(), chromedp.Navigate(l.URL + "/console/")}, signIn("root")...)
	steps = append(steps, chromedp.WaitVisible(chromedp.CSS("#chart-requests")), into(&who, chromedp.Text(chromedp.CSS("#console-user"))),
		into(&location, chromedp.Location()), shot(t, "console-01-overview"))
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("sign in to the console: %v", err)
	}
	if who != "root" || location != l.URL+"/console/" {
		t.Fatalf("after sign-in: user %q at %s", who, location)
	}

	// 2. An API, then a client of it with client credentials; the secret
	// is shown once.
	var apis string
	err := chromedp.Do(ctx,
		chromedp.Navigate(l.URL+"/console/apis"),
		chromedp.WaitVisible(chromedp.CSS("#create-api")),
		chromedp.SendKeys(chromedp.CSS("#api-id"), "https://reports.example.com"),
		chromedp.SendKeys(chromedp.CSS("#api-name"), "Reports API"),
		chromedp.SendKeys(chromedp.CSS("#api-scopes"), "reports:read"),
		chromedp.Click(chromedp.CSS("#create-api-submit")),
		chromedp.WaitVisible(chromedp.CSS("#console-notice")),
		into(&apis, chromedp.Text(chromedp.CSS("#apis"))),
	)
	if err != nil || !strings.Contains(apis, "reports:read") {
		t.Fatalf("register an API: %v; %q", err, apis)
	}
	var clientID, secret, problem string
	err = chromedp.Do(ctx,
		chromedp.Navigate(l.URL+"/console/clients"),
		chromedp.WaitVisible(chromedp.CSS("#create-client")),
		chromedp.SendKeys(chromedp.CSS("#client_name"), "Reports"),
		chromedp.Click(chromedp.CSS("#grant-cc")),
		chromedp.SendKeys(chromedp.CSS("#scopes"), "reports:read"),
		chromedp.SendKeys(chromedp.CSS("#audiences"), "https://reports.example.com"),
		shot(t, "console-02-clients"),
		chromedp.Click(chromedp.CSS("#create-client-submit")),
		chromedp.WaitVisible(chromedp.CSS("#client-secret, #console-problem")),
		into(&problem, chromedp.Evaluate[string](`(document.querySelector("#console-problem") || {}).textContent || ""`)),
		into(&clientID, chromedp.Text(chromedp.CSS("#new-client-id"))),
		into(&secret, chromedp.Text(chromedp.CSS("#client-secret"))),
	)
	if err != nil || clientID == "" || secret == "" {
		t.Fatalf("create a client: %v (id %q) %s", err, clientID, problem)
	}
	var clientPage string
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#to-client")), chromedp.WaitVisible(chromedp.CSS("#client-id")),
		into(&clientPage, chromedp.OuterHTML(chromedp.CSS("html")))); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(clientPage, secret) {
		t.Error("the client's page shows its secret again")
	}
	cc := clientcredentials.Config{ClientID: clientID, ClientSecret: secret, TokenURL: l.URL + "/token", AuthStyle: oauth2.AuthStyleInHeader}
	cc.Scopes = []string{"reports:read"}
	if tok, err := cc.Token(bg); err != nil || tok.AccessToken == "" {
		t.Fatalf("the console's client cannot get a token: %v", err)
	}

	// Rotate with an hour's grace: both secrets work; the old one removed,
	// only the new one; the client disabled, neither.
	var rotated string
	err = chromedp.Do(ctx,
		chromedp.Navigate(l.URL+"/console/clients/"+clientID),
		chromedp.WaitVisible(chromedp.CSS("#rotate-secret")),
		chromedp.SetValue(chromedp.CSS("#grace_hours"), "1"),
		chromedp.Click(chromedp.CSS("#rotate-secret-submit")),
		chromedp.WaitVisible(chromedp.CSS("#client-secret")),
		into(&rotated, chromedp.Text(chromedp.CSS("#client-secret"))),
	)
	if err != nil || rotated == "" || rotated == secret {
		t.Fatalf("rotate the secret: %v", err)
	}
	works := func(sec string) bool {
		c := cc
		c.ClientSecret = sec
		_, err := c.Token(bg)
		return err == nil
	}
	if !works(secret) || !works(rotated) {
		t.Fatalf("during the grace: old works %v, new works %v", works(secret), works(rotated))
	}
	var secretsLeft string
	err = chromedp.Do(ctx,
		chromedp.Navigate(l.URL+"/console/clients/"+clientID),
		chromedp.WaitVisible(chromedp.CSS("#secrets")),
		chromedp.Click(chromedp.CSS("#secrets tbody tr:first-child button")),
		chromedp.WaitVisible(chromedp.CSS("#console-notice")),
		into(&secretsLeft, chromedp.Evaluate[string](`String(document.querySelectorAll("#secrets tbody tr").length)`)),
	)
	if err != nil || secretsLeft != "1" || works(secret) || !works(rotated) {
		t.Fatalf("remove the old secret: %v; %s left; old works %v, new works %v", err, secretsLeft, works(secret), works(rotated))
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#disable-client")), chromedp.WaitVisible(chromedp.CSS("#enable-client")),
		shot(t, "console-02b-client-disabled")); err != nil || works(rotated) {
		t.Fatalf("disable the client: %v; still works %v", err, works(rotated))
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#enable-client")), chromedp.WaitVisible(chromedp.CSS("#disable-client"))); err != nil || !works(rotated) {
		t.Fatalf("enable the client: %v", err)
	}
	secret = rotated

	// 3. Disable bob from the users page.
	var state string
	err = chromedp.Do(ctx,
		chromedp.Navigate(l.URL+"/console/users?q=bob"),
		chromedp.WaitVisible(chromedp.CSS("#users")),
		chromedp.Click(chromedp.CSS(`a[href="/console/users/`+bob.ID+`"]`)),
		chromedp.WaitVisible(chromedp.CSS("#disable-user")),
		chromedp.Click(chromedp.CSS("#disable-user")),
		chromedp.WaitVisible(chromedp.CSS("#console-notice")),
		into(&state, chromedp.Text(chromedp.CSS("#user-state"))),
		shot(t, "console-03-user-disabled"),
	)
	if err != nil {
		t.Fatalf("disable a user: %v", err)
	}
	if u, err := l.Store.GetUser(bg, bob.ID); err != nil || !u.Disabled || !strings.Contains(state, "disabled") {
		t.Fatalf("bob after disabling: %+v %v; page says %q", u, err, state)
	}

	// 3b. bob's profile and password from his page: a short password is
	// refused with the policy's entry, a good one is set; then a scratch
	// API is registered and deleted.
	var shortName, afterPassword, apisAfter string
	bobBefore, _ := l.Store.GetUser(bg, bob.ID)
	err = chromedp.Do(ctx,
		chromedp.Navigate(l.URL+"/console/users/"+bob.ID),
		chromedp.WaitVisible(chromedp.CSS("#profile-form")),
		chromedp.SetValue(chromedp.CSS("#profile-name"), "Bob Builder"),
		chromedp.SetValue(chromedp.CSS("#profile-email"), "bob.builder@example.org"),
		chromedp.Click(chromedp.CSS("#save-profile")),
		chromedp.WaitVisible(chromedp.CSS("#console-notice")),
		chromedp.SendKeys(chromedp.CSS("#new-password"), "short"),
		chromedp.Click(chromedp.CSS("#set-password")),
		chromedp.WaitVisible(chromedp.CSS("#console-problem")),
		into(&shortName, chromedp.Evaluate[string](`document.querySelector("#console-problem").dataset.errorName`)),
		chromedp.Navigate(l.URL+"/console/users/"+bob.ID),
		chromedp.WaitVisible(chromedp.CSS("#password-form")),
		chromedp.SendKeys(chromedp.CSS("#new-password"), "a long new password for bob"),
		chromedp.Click(chromedp.CSS("#set-password")),
		chromedp.WaitVisible(chromedp.CSS("#console-notice")),
		into(&afterPassword, chromedp.Text(chromedp.CSS("#console-notice"))),
		chromedp.Navigate(l.URL+"/console/apis"),
		chromedp.WaitVisible(chromedp.CSS("#create-api")),
		chromedp.SendKeys(chromedp.CSS("#api-id"), "https://scratch.example.com"),
		chromedp.Click(chromedp.CSS("#create-api-submit")),
		chromedp.WaitVisible(chromedp.CSS("#console-notice")),
		chromedp.Click(chromedp.CSS(`button[aria-label="Delete the API https://scratch.example.com"]`)),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			// The page before the click has a notice too: wait for the
			// answer to this one (evaluations fail while it loads).
			for end := time.Now().Add(30 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
				if q, err := chromedp.Evaluate[string](`location.search`)(ctx, tg); err == nil && strings.Contains(q, "done=deleted") {
					return nil
				}
			}
			return errors.New("no answer to the delete button")
		}),
		chromedp.WaitVisible(chromedp.CSS("#apis")),
		into(&apisAfter, chromedp.Text(chromedp.CSS("#apis"))),
	)
	if err != nil {
		t.Fatalf("profile, password and API deletion: %v", err)
	}
	bobAfter, _ := l.Store.GetUser(bg, bob.ID)
	if bobAfter.Name != "Bob Builder" || bobAfter.Email != "bob.builder@example.org" || bobAfter.EmailVerified {
		t.Errorf("bob's profile after saving: name %q email %q verified %v", bobAfter.Name, bobAfter.Email, bobAfter.EmailVerified)
	}
	if shortName != "password_too_short" {
		t.Errorf("a short password answered %q", shortName)
	}
	if bobAfter.PasswordHash == bobBefore.PasswordHash || !strings.Contains(afterPassword, "password was set") {
		t.Errorf("the password was not set: notice %q", afterPassword)
	}
	if strings.Contains(apisAfter, "scratch.example.com") || !strings.Contains(apisAfter, "reports.example.com") {
		t.Errorf("APIs after deleting the scratch one: %q", apisAfter)
	}
	if _, err := l.Store.GetAPI(bg, "https://scratch.example.com"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the deleted API is still stored: %v", err)
	}

	// 4. A failure of the new client, found by its trace id, then by client.
	resp, body := postForm(t, l.URL+"/token", url.Values{"grant_type": {"client_credentials"}}, func(r *http.Request) {
		r.SetBasicAuth(clientID, "not-the-secret")
	})
	traceID, _ := body["trace_id"].(string)
	name := strings.SplitN(body["error_description"].(string), ":", 2)[0]
	if resp.StatusCode != http.StatusUnauthorized || traceID == "" {
		t.Fatalf("wrong secret: %d %v", resp.StatusCode, body)
	}
	var storyName, storyClient, internal, results string
	err = chromedp.Do(ctx,
		chromedp.Navigate(l.URL+"/console/failures"),
		chromedp.WaitVisible(chromedp.CSS("#trace_id")),
		chromedp.SendKeys(chromedp.CSS("#trace_id"), traceID),
		chromedp.Click(chromedp.CSS("#find-failure")),
		chromedp.WaitVisible(chromedp.CSS("#story")),
		into(&storyName, chromedp.Text(chromedp.CSS("#story-name"))),
		into(&storyClient, chromedp.Text(chromedp.CSS("#story-client"))),
		into(&internal, chromedp.Text(chromedp.CSS("#story-operator-fix"))),
		shot(t, "console-04-failure-story"),
		chromedp.Navigate(l.URL+"/console/failures?search=1&client_id="+url.QueryEscape(clientID)),
		chromedp.WaitVisible(chromedp.CSS("#failure-results")),
		into(&results, chromedp.Text(chromedp.CSS("#failure-results"))),
	)
	if err != nil {
		t.Fatalf("find the failure: %v", err)
	}
	if storyName != name || storyClient != clientID || internal == "" {
		t.Errorf("story: name %q (want %q), client %q, operator fix %q", storyName, name, storyClient, internal)
	}
	if !strings.Contains(results, traceID) {
		t.Errorf("the search by client does not list %s: %q", traceID, results)
	}

	// 5. A key rotation; every console page kept to its CSP.
	before, _ := l.Store.ListSigningKeys(bg)
	var violations []string
	var columns, failureBars string
	if err := chromedp.Do(ctx, chromedp.Navigate(l.URL+"/console/keys"), chromedp.WaitVisible(chromedp.CSS("#keys")),
		chromedp.Click(chromedp.CSS("#rotate-keys-submit")), chromedp.WaitVisible(chromedp.CSS("#console-notice")), shot(t, "console-04b-keys"),
		chromedp.Navigate(l.URL+"/console/apis"), chromedp.WaitVisible(chromedp.CSS("#apis")),
		chromedp.Navigate(l.URL+"/console/"), chromedp.WaitVisible(chromedp.CSS("#chart-failures")),
		into(&columns, chromedp.Evaluate[string](`String(document.querySelectorAll("#chart-minute-requests rect").length)`)),
		into(&failureBars, chromedp.Text(chromedp.CSS("#chart-failures"))),
		shot(t, "console-05-figures"), cspViolations(&violations)); err != nil {
		t.Fatal(err)
	}
	if columns == "0" || columns == "" || !strings.Contains(failureBars, name) {
		t.Errorf("figures: %s columns of requests in the last hour; failures chart %q lacks %s", columns, failureBars, name)
	}
	if len(violations) > 0 {
		t.Errorf("CSP violations: %v", violations)
	}
	if after, _ := l.Store.ListSigningKeys(bg); len(after) <= len(before) {
		t.Errorf("keys before the rotation %d, after %d", len(before), len(after))
	}

	// 6. A form without the console's CSRF token changes nothing.
	req, _ := http.NewRequest(http.MethodPost, l.URL+"/console/users/"+bob.ID+"/enable", strings.NewReader("csrf=forged"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	fresp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	fbody, _ := io.ReadAll(fresp.Body)
	fresp.Body.Close()
	if fresp.StatusCode != http.StatusForbidden || !strings.Contains(string(fbody), `data-error-name="`+string(catalog.ConsoleFormExpired)+`"`) {
		t.Errorf("forged form: %d", fresp.StatusCode)
	} else {
		triggered.add(string(catalog.ConsoleFormExpired))
	}
	if u, _ := l.Store.GetUser(bg, bob.ID); !u.Disabled {
		t.Error("a forged form enabled bob")
	}

	// 7. mallory has no admin role: refused with the catalogued page.
	var refused string
	steps = append([]chromedp.Action[chromedp.Void]{clearCookies(), chromedp.Navigate(l.URL + "/console/users")}, signIn("mallory")...)
	steps = append(steps, chromedp.WaitVisible(chromedp.CSS("#console-problem")),
		into(&refused, chromedp.Evaluate[string](`document.querySelector("#console-problem").dataset.errorName`)),
		into(&problem, chromedp.Text(chromedp.CSS("main"))), shot(t, "console-06-refused"))
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("a user without the role: %v", err)
	}
	if refused != string(catalog.ConsoleNotAdmin) || !strings.Contains(problem, "mallory") || strings.Contains(problem, "bob") {
		t.Fatalf("refusal page: entry %q, text %q", refused, problem)
	}
	triggered.add(refused)

	// 8. A sign-in cancelled on Lucid's page comes back to the console as
	// a refusal, not another redirect.
	var cancelled, cancelText string
	if err := chromedp.Do(ctx, clearCookies(), chromedp.Navigate(l.URL+"/console/"),
		chromedp.WaitVisible(chromedp.CSS("#cancel")), chromedp.Click(chromedp.CSS("#cancel")),
		chromedp.WaitVisible(chromedp.CSS("#console-problem")),
		into(&cancelled, chromedp.Evaluate[string](`document.querySelector("#console-problem").dataset.errorName`)),
		into(&cancelText, chromedp.Text(chromedp.CSS("#console-problem")))); err != nil {
		t.Fatalf("cancel the sign-in: %v", err)
	}
	if cancelled != string(catalog.ConsoleSignInFailed) || !strings.Contains(cancelText, "access_denied") {
		t.Fatalf("after a cancelled sign-in: %q %q", cancelled, cancelText)
	}
	triggered.add(cancelled)
}
