package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"golang.org/x/oauth2"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/manage"
)

// Issue 10, sign-in reports and authorization requests: every failed
// sign-in shows a reference that leads to its story, a disabled account
// is told so only after its password checked out, API scopes work in the
// code flow with their resource, and authorization mistakes that shared
// one answer are told apart.

// TestSignInReferenceAndDisabledAccount: each failed sign-in shows the
// trace id of its answer as a reference and is stored under it (asserted
// by wantSignInError); a disabled account with a wrong password is
// answered as an unknown name is, and with the right password it is told
// that the account is disabled, without counting a failure.
func TestSignInReferenceAndDisabledAccount(t *testing.T) {
	ctx := context.Background()
	l := start(t)
	l.user(t, demoUser)
	carol := l.user(t, "carol")
	if _, err := l.keepingGrants().SetDisabled(ctx, carol.ID, true); err != nil {
		t.Fatal(err)
	}
	c, sec := l.client(t, manage.ClientSpec{Name: "Notes"})
	cfg := l.oauthConfig(c, sec)
	form := func() (*browser, *page) {
		b := l.browser(t)
		return b, b.get(cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	}

	b, p := form()
	unknown := wantSignInError(t, l, b.signIn(p, "mallory", demoPassword), "sign_in_failed", http.StatusUnauthorized)
	b, p = form()
	disabledWrong := wantSignInError(t, l, b.signIn(p, "carol", "not her password"), "sign_in_failed", http.StatusUnauthorized)
	if unknown != disabledWrong {
		t.Fatalf("a disabled account with a wrong password must look like an unknown name:\n%q\n%q", unknown, disabledWrong)
	}

	b, p = form()
	text := wantSignInError(t, l, b.signIn(p, "carol", demoPassword), "sign_in_account_disabled", http.StatusForbidden)
	if !strings.Contains(text, "disabled") {
		t.Fatalf("the disabled account is not told so: %q", text)
	}
	u, err := l.Store.GetUser(ctx, carol.ID)
	if err != nil || u.FailedLogins != 1 {
		t.Fatalf("carol has %d failures (%v), want 1: the right password is no failed guess", u.FailedLogins, err)
	}

	// Enabled again, the same password signs in.
	if _, err := l.keepingGrants().SetDisabled(ctx, carol.ID, false); err != nil {
		t.Fatal(err)
	}
	b, p = form()
	if p := b.signIn(p, "carol", demoPassword); !p.isConsent() {
		t.Fatalf("enabled account did not sign in: %d %.300s", p.status, p.body)
	}
}

// TestAPIScopesInCodeFlow: a user's consent gives an application scopes of
// an API, named by resource at the authorization endpoint; the access
// token is for that API with only its scopes. An API's scope without its
// API as resource is told which resource to add.
func TestAPIScopesInCodeFlow(t *testing.T) {
	ctx := context.Background()
	l := start(t)
	l.user(t, demoUser)
	const payroll = "https://payroll.example.com"
	for _, api := range []manage.APISpec{
		{ID: ordersAPI, Name: "Orders", Scopes: []string{"orders:read", "orders:write"}},
		{ID: payroll, Name: "Payroll", Scopes: []string{"payroll:read"}},
	} {
		if _, err := l.Svc.CreateAPI(ctx, api); err != nil {
			t.Fatal(err)
		}
	}
	c, sec := l.client(t, manage.ClientSpec{Name: "Notes",
		Scopes:    []string{"openid", "profile", "offline_access", "orders:read", "payroll:read"},
		Audiences: []string{ordersAPI, payroll}})
	cfg := l.oauthConfig(c, sec)
	authURL := func(state, scope string, resources ...string) (string, string) {
		v := oauth2.GenerateVerifier()
		opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(v), oauth2.SetAuthURLParam("scope", scope)}
		u := cfg.AuthCodeURL(state, opts...)
		for _, r := range resources {
			// audience=X stands for itself, anything else is a resource.
			if a, ok := strings.CutPrefix(r, "audience="); ok {
				u += "&audience=" + url.QueryEscape(a)
				continue
			}
			u += "&resource=" + url.QueryEscape(r)
		}
		return u, v
	}

	b := l.browser(t)
	// Signed in once; the failures below come back from /authorize at once.
	u, _ := authURL("s0", "openid")
	codeFrom(t, b.authorize(u), "s0")

	refusals := []struct {
		name, scope string
		resources   []string
		entry, code string
		says        []string
	}{
		{"API scope without resource", "openid orders:read", nil, "scope_needs_resource", "invalid_scope",
			[]string{"orders:read", "resource=" + ordersAPI, "resources named: none)"}},
		{"API scope with another API as resource", "openid orders:read", []string{payroll}, "scope_needs_resource", "invalid_scope",
			[]string{"resource=" + ordersAPI, "resources named: " + payroll}},
		{"API scope with audience instead of resource", "openid orders:read", []string{"audience=" + ordersAPI}, "scope_needs_resource", "invalid_scope",
			[]string{"resource=" + ordersAPI, "the audience parameter it has is not read"}},
		{"scope no API defines", "openid wallet", []string{ordersAPI}, "scope_unknown", "invalid_scope", []string{"wallet"}},
		{"API scope the client may not have", "openid orders:write", []string{ordersAPI}, "scope_not_allowed", "invalid_scope", []string{"orders:write"}},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			u, _ := authURL("r", tc.scope, tc.resources...)
			p := b.get(u)
			if p.location == nil {
				t.Fatalf("no redirect: %d %.300s", p.status, p.body)
			}
			wantAuthzError(t, l, p.location, tc.entry, tc.code, "r")
			desc := p.location.Query().Get("error_description")
			for _, s := range tc.says {
				if !strings.Contains(desc, s) {
					t.Errorf("description %q does not say %q", desc, s)
				}
			}
		})
	}

	// With its API as resource: the consent page names the API, the
	// access token is for it (and Lucid, for userinfo) with its scope.
	u, verifier := authURL("ok", "openid orders:read payroll:read offline_access", ordersAPI, payroll)
	p := b.get(u)
	if !p.isConsent() {
		t.Fatalf("want the consent page: %d %.300s", p.status, p.body)
	}
	for _, want := range []string{"Use Orders (" + ordersAPI + ") as you", "Use Payroll (" + payroll + ") as you", "orders:read"} {
		if !strings.Contains(p.body, want) {
			t.Errorf("consent page lacks %q", want)
		}
	}
	p = b.consent(p, "allow")
	if p.location == nil {
		t.Fatalf("consent did not redirect: %d %.300s", p.status, p.body)
	}
	code := codeFrom(t, p.location, "ok")
	tok, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(verifier), oauth2.SetAuthURLParam("resource", ordersAPI))
	if err != nil {
		t.Fatal(err)
	}
	claims := jwtPayload(t, tok.AccessToken)
	if aud := claims.Aud; !slices.Equal(aud, []string{ordersAPI, l.URL}) {
		t.Fatalf("aud = %v, want the orders API and Lucid", aud)
	}
	if claims.Scope != "openid orders:read offline_access" {
		t.Fatalf("scope = %q, want the OpenID scopes and the orders API's only", claims.Scope)
	}
	// The refresh token reaches the other authorized API, with its scope.
	r := postToken(t, l, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}, "resource": {payroll}}, basicAuth(c.ID, sec))
	var body struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(r.body, &body); err != nil || r.status != http.StatusOK {
		t.Fatalf("refresh for payroll: %d %s", r.status, r.body)
	}
	claims = jwtPayload(t, body.AccessToken)
	if !slices.Contains(claims.Aud, payroll) || slices.Contains(claims.Aud, ordersAPI) || strings.Contains(claims.Scope, "orders:") || !strings.Contains(claims.Scope, "payroll:read") {
		t.Fatalf("payroll token: aud %v scope %q", claims.Aud, claims.Scope)
	}
}

type tokenClaims struct {
	Aud   audList `json:"aud"`
	Scope string  `json:"scope"`
}

// audList reads aud as a string or a list.
type audList []string

func (a *audList) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*a = []string{one}
		return nil
	}
	return json.Unmarshal(b, (*[]string)(a))
}

// jwtPayload reads a JWT's claims without checking it (the API's library
// does that; here only what Lucid put in matters).
func jwtPayload(t *testing.T, token string) tokenClaims {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %.40s", token)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	var c tokenClaims
	if err != nil || json.Unmarshal(raw, &c) != nil {
		t.Fatalf("JWT payload unreadable: %v", err)
	}
	return c
}

// TestAuthorizeMistakesToldApart: mistakes that shared one answer at the
// authorization and token endpoints each get their own.
func TestAuthorizeMistakesToldApart(t *testing.T) {
	ctx := context.Background()
	l := start(t)
	l.user(t, demoUser)
	const payroll = "https://payroll.example.com"
	if _, err := l.Svc.CreateAPI(ctx, manage.APISpec{ID: payroll, Scopes: []string{"payroll:read"}}); err != nil {
		t.Fatal(err)
	}
	web, webSec := l.client(t, manage.ClientSpec{Name: "Notes", Audiences: []string{ordersAPI}})
	backend, backendSec := m2m(t, l, manage.ClientSpec{})
	cfg := l.oauthConfig(web, webSec)
	query := func(c string, extra string) string {
		return "client_id=" + url.QueryEscape(c) + "&response_type=code&scope=openid&state=q" + extra
	}

	t.Run("client without redirect URIs", func(t *testing.T) {
		for _, extra := range []string{"", "&redirect_uri=" + url.QueryEscape("https://backend.example.com/cb")} {
			p := l.browser(t).get(l.URL + "/authorize?" + query(backend.ID, extra))
			wantErrorPage(t, l, p, "authorize_client_no_redirect_uris", http.StatusBadRequest)
			if !strings.Contains(p.body, "client_credentials") || strings.Contains(p.body, "is not registered for client") {
				t.Fatalf("page does not say the client has no redirect URIs and which grants it has: %.600s", p.body)
			}
		}
	})

	t.Run("POST with the parameters in the query", func(t *testing.T) {
		target := l.URL + "/authorize?" + query(web.ID, "&redirect_uri="+url.QueryEscape(cfg.RedirectURL))
		for _, contentType := range []string{"", "application/x-www-form-urlencoded"} {
			req, _ := http.NewRequest(http.MethodPost, target, strings.NewReader(""))
			if contentType != "" {
				req.Header.Set("Content-Type", contentType)
			}
			p := l.browser(t).do(req)
			wantErrorPage(t, l, p, "authorize_post_params_in_query", http.StatusBadRequest)
			if !strings.Contains(p.body, "client_id, redirect_uri, response_type, scope, state") {
				t.Fatalf("page does not list the parameters found in the query: %.600s", p.body)
			}
		}
		// The same parameters as a form body are a proper request.
		form, _ := url.ParseQuery(query(web.ID, "&redirect_uri="+url.QueryEscape(cfg.RedirectURL)+
			"&code_challenge="+oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier())+"&code_challenge_method=S256"))
		if p := l.browser(t).post(l.URL+"/authorize?client_id="+url.QueryEscape(web.ID), form); !p.isSignIn() {
			t.Fatalf("a POSTed form was not taken: %d %.300s", p.status, p.body)
		}
	})

	t.Run("unknown and forbidden resources", func(t *testing.T) {
		b := l.browser(t)
		for _, tc := range []struct{ resource, entry string }{
			{"https://payrol.example.com", "resource_unknown"},
			{payroll, "resource_not_allowed"},
		} {
			back := b.get(cfg.AuthCodeURL("r", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()), oauth2.SetAuthURLParam("resource", tc.resource))).location
			if back == nil {
				t.Fatalf("%s: no redirect", tc.resource)
			}
			wantAuthzError(t, l, back, tc.entry, "invalid_target", "r")
			r := postToken(t, l, url.Values{"grant_type": {"client_credentials"}, "resource": {tc.resource}}, basicAuth(backend.ID, backendSec))
			e := wantJSONError(t, l, r, tc.entry, "invalid_target", http.StatusBadRequest)
			if !strings.Contains(e.Description, ordersAPI) {
				t.Fatalf("%s does not list the allowed audiences: %s", tc.entry, e.Description)
			}
		}
	})

	t.Run("grant_user_inactive says disabled or deleted", func(t *testing.T) {
		for _, tc := range []struct {
			state  string
			change func(id string) error
		}{
			{"disabled", func(id string) error { _, err := l.keepingGrants().SetDisabled(ctx, id, true); return err }},
			{"deleted", func(id string) error { return l.Svc.DeleteUser(ctx, id) }},
		} {
			u := l.user(t, "user-"+tc.state)
			b := l.browser(t)
			v := oauth2.GenerateVerifier()
			p := b.get(cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(v)))
			p = b.signIn(p, u.Username, demoPassword)
			p = b.consent(p, "allow")
			code := codeFrom(t, p.location, "s")
			if err := tc.change(u.ID); err != nil {
				t.Fatal(err)
			}
			_, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(v))
			e := wantOAuthError(t, err, "grant_user_inactive", "invalid_grant", http.StatusBadRequest)
			if !strings.Contains(e.Description, "has been "+tc.state+" since") {
				t.Fatalf("description %q does not say %s", e.Description, tc.state)
			}
		}
	})
}

// TestBrowserSignInReference: in a real browser, a failed sign-in shows
// the reference a person can give, the trace id its story is kept under;
// a disabled account with its right password is told so.
func TestBrowserSignInReference(t *testing.T) {
	ctx := chrome(t)
	l := start(t, func(c *config.Config) { c.Demo = true })
	eve := l.user(t, "eve")
	if _, err := l.keepingGrants().SetDisabled(context.Background(), eve.ID, true); err != nil {
		t.Fatal(err)
	}
	var alert, reference string
	var name chromedp.AttributeResult
	err := chromedp.Do(ctx,
		chromedp.Navigate(l.URL+"/demo"),
		chromedp.WaitVisible(chromedp.CSS("#demo-start")),
		chromedp.Click(chromedp.CSS("#demo-start")),
		chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), "demo"),
		chromedp.SendKeys(chromedp.CSS("#password"), "not the password"),
		chromedp.Click(chromedp.CSS("#sign-in")),
		chromedp.WaitVisible(chromedp.CSS("#sign-in-reference")),
		into(&alert, chromedp.Text(chromedp.CSS("#sign-in-error"))),
		into(&reference, chromedp.Text(chromedp.CSS("#sign-in-reference #trace-id"))),
		into(&name, chromedp.AttributeValue(chromedp.CSS("#sign-in-error"), "data-error-name")),
		shot(t, "07-sign-in-reference"),
	)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	if name.Value != "sign_in_failed" || !strings.Contains(alert, "not correct") || len(reference) != 32 {
		t.Fatalf("alert %q (%s), reference %q", alert, name.Value, reference)
	}
	v := jsonCall(t, l, http.MethodGet, "/admin/failures/"+reference, l.cfg.AdminToken, "")
	if v.status != http.StatusOK || !strings.Contains(string(v.body), `"sign_in_failed"`) {
		t.Fatalf("the reference shown does not lead to the story: %d %s", v.status, v.body)
	}

	var disabled string
	err = chromedp.Do(ctx,
		chromedp.Clear(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), "eve"),
		chromedp.SendKeys(chromedp.CSS("#password"), demoPassword),
		chromedp.Click(chromedp.CSS("#sign-in")),
		chromedp.WaitVisible(chromedp.CSS(`#sign-in-error[data-error-name="sign_in_account_disabled"]`)),
		into(&disabled, chromedp.Text(chromedp.CSS("#sign-in-error"))),
		chromedp.WaitVisible(chromedp.CSS("#sign-in-reference")),
		shot(t, "08-sign-in-account-disabled"),
	)
	if err != nil {
		t.Fatalf("browser, disabled account: %v", err)
	}
	if !strings.Contains(disabled, "disabled") {
		t.Fatalf("disabled account: %q", disabled)
	}
}
