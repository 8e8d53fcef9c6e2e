package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/store"
)

// jarmReader reads JWT-secured authorization responses (JARM) the way a
// relying party must: the JWT verified with a key of the issuer's JWKS
// found through discovery, in the algorithm the client registered, then
// iss, aud and exp checked, and only then the parameters used.
type jarmReader struct {
	issuer string
	keys   jose.JSONWebKeySet
	now    func() time.Time
}

func newJARMReader(t *testing.T, l *lucid) *jarmReader {
	t.Helper()
	doc := discoveryDoc(t, l)
	jwksURI, _ := doc["jwks_uri"].(string)
	r := send(t, http.MethodGet, jwksURI, nil, nil)
	var set jose.JSONWebKeySet
	if r.status != http.StatusOK || json.Unmarshal(r.body, &set) != nil || len(set.Keys) == 0 {
		t.Fatalf("JWKS at %q: %d %.200s", jwksURI, r.status, r.body)
	}
	return &jarmReader{issuer: doc["issuer"].(string), keys: set, now: l.Clock.Now}
}

// read verifies response and returns its parameters. It returns an error,
// not a test failure, so that a client's HTTP handler can use it.
func (j *jarmReader) read(response, clientID, wantAlg string) (url.Values, error) {
	jws, err := jose.ParseSigned(response, []jose.SignatureAlgorithm{jose.RS256, jose.PS256, jose.ES256, jose.EdDSA})
	if err != nil {
		return nil, fmt.Errorf("response is not a compact JWS: %w", err)
	}
	h := jws.Signatures[0].Header
	if h.Algorithm != wantAlg {
		return nil, fmt.Errorf("signed with %s, want %s", h.Algorithm, wantAlg)
	}
	keys := j.keys.Key(h.KeyID)
	if len(keys) != 1 || keys[0].Algorithm != wantAlg {
		return nil, fmt.Errorf("kid %q is not one %s key of the issuer's JWKS", h.KeyID, wantAlg)
	}
	payload, err := jws.Verify(keys[0])
	if err != nil {
		return nil, fmt.Errorf("signature: %w", err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		return nil, err
	}
	now := j.now()
	exp, _ := claims["exp"].(float64)
	switch {
	case claims["iss"] != j.issuer:
		return nil, fmt.Errorf("iss %v, want %s", claims["iss"], j.issuer)
	case claims["aud"] != clientID:
		return nil, fmt.Errorf("aud %v, want %s", claims["aud"], clientID)
	case exp <= float64(now.Unix()):
		return nil, fmt.Errorf("expired: exp %v, now %d", exp, now.Unix())
	case exp > float64(now.Add(10*time.Minute+5*time.Second).Unix()):
		return nil, fmt.Errorf("exp %v is more than 10 minutes away: JARM responses are short-lived", exp)
	}
	v := url.Values{}
	for k, c := range claims {
		if s, ok := c.(string); ok {
			v.Set(k, s)
		}
	}
	return v, nil
}

// jarmOf takes the response JWT out of what the browser got in mode:
// the query or fragment of the redirect, or the auto-submitted form. The
// response must be the only authorization parameter there.
func jarmOf(t *testing.T, mode string, p *page) string {
	t.Helper()
	var v url.Values
	switch mode {
	case "form_post.jwt":
		if p.location != nil || !strings.Contains(p.body, `action="`+html.EscapeString(clientCB)+`"`) {
			t.Fatalf("want a form posting to the client, got %d %v %.300s", p.status, p.location, p.body)
		}
		v = p.fields()
	case "fragment.jwt":
		if p.location == nil || p.location.RawQuery != "" {
			t.Fatalf("want a redirect with a fragment, got %d %v", p.status, p.location)
		}
		v, _ = url.ParseQuery(p.location.Fragment)
	default:
		if p.location == nil || p.location.Fragment != "" {
			t.Fatalf("want a redirect with a query, got %d %v %.300s", p.status, p.location, p.body)
		}
		v = p.location.Query()
	}
	for _, plain := range []string{"code", "state", "error", "iss"} {
		if v.Has(plain) {
			t.Fatalf("%s travels outside the JWT in %s: %v", plain, mode, v)
		}
	}
	if v.Get("response") == "" {
		t.Fatalf("no response parameter in %s: %v", mode, v)
	}
	return v.Get("response")
}

// wantJARMError asserts an error response read from a JWT: the catalog
// name, code, description, documentation link, trace id, state.
func wantJARMError(t *testing.T, l *lucid, v url.Values, name, code, state string) {
	t.Helper()
	if v.Get("error") != code || v.Get("error_code") != name {
		t.Fatalf("got error %q (%s): %s; want %s/%s", v.Get("error"), v.Get("error_code"), v.Get("error_description"), code, name)
	}
	if !strings.HasPrefix(v.Get("error_description"), name+": ") || v.Get("error_uri") != l.URL+"/errors/"+name || v.Get("trace_id") == "" {
		t.Fatalf("the error in the JWT lacks the catalog's name, link or trace id: %v", v)
	}
	if v.Get("state") != state {
		t.Fatalf("state %q, want %q", v.Get("state"), state)
	}
	triggered.add(name)
}

// finish signs in and consents (answering decision) when asked.
func finish(b *browser, p *page, decision string) *page {
	b.t.Helper()
	if p.isSignIn() {
		p = b.signIn(p, demoUser, demoPassword)
	}
	if p.isConsent() {
		p = b.consent(p, decision)
	}
	return p
}

// TestJARMCodeFlow runs the code flow in every JARM mode and algorithm:
// the code comes only inside a signed JWT that a relying party verifies
// against the JWKS, and it redeems at the token endpoint with x/oauth2.
func TestJARMCodeFlow(t *testing.T) {
	l := start(t)
	l.user(t, demoUser)
	jr := newJARMReader(t, l)
	for _, tc := range []struct{ mode, alg, want string }{
		{"jwt", "", "RS256"}, // both defaults: query.jwt for code, RS256
		{"query.jwt", "ES256", "ES256"},
		{"fragment.jwt", "EdDSA", "EdDSA"},
		{"form_post.jwt", "ES256", "ES256"},
		{"form_post.jwt", "RS256", "RS256"},
	} {
		t.Run(tc.mode+"/"+tc.want, func(t *testing.T) {
			c, sec := l.client(t, manage.ClientSpec{Name: "Bank app", AuthorizationAlg: tc.alg})
			cfg := l.oauthConfig(c, sec)
			verifier := oauth2.GenerateVerifier()
			b := l.browser(t)
			p := finish(b, b.get(cfg.AuthCodeURL("s-"+tc.mode, oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("response_mode", tc.mode))), "allow")
			mode := tc.mode
			if mode == "jwt" {
				mode = "query.jwt"
			}
			v, err := jr.read(jarmOf(t, mode, p), c.ID, tc.want)
			if err != nil {
				t.Fatal(err)
			}
			if v.Get("state") != "s-"+tc.mode || v.Get("code") == "" || v.Has("error") {
				t.Fatalf("response claims %v", v)
			}
			if p.header.Get("Cache-Control") != "no-store" {
				t.Fatalf("Cache-Control %q", p.header.Get("Cache-Control"))
			}
			tok, err := cfg.Exchange(context.Background(), v.Get("code"), oauth2.VerifierOption(verifier))
			if err != nil || tok.AccessToken == "" {
				t.Fatalf("the code from the JWT does not redeem: %v", err)
			}
			// Tampering shows: a JWT cut from another client's response fails aud.
			if _, err := jr.read(jarmOf(t, mode, p), "someone-else", tc.want); err == nil {
				t.Fatal("a response for another client was accepted")
			}
		})
	}
}

// TestJARMErrors: once client and redirect URI are trusted, every error
// goes back inside the JWT too, wherever in the flow it happens: request
// validation, prompt=none, a refused consent, a duplicated parameter.
func TestJARMErrors(t *testing.T) {
	l := start(t)
	l.user(t, demoUser)
	jr := newJARMReader(t, l)
	c, sec := l.client(t, manage.ClientSpec{Name: "Bank app", AuthorizationAlg: "ES256"})
	cfg := l.oauthConfig(c, sec)
	pkce := oauth2.S256ChallengeOption(oauth2.GenerateVerifier())
	mode := func(m string) oauth2.AuthCodeOption { return oauth2.SetAuthURLParam("response_mode", m) }
	for _, tc := range []struct {
		name, mode, url, decision, entry, code, state string
	}{
		{"prompt none without session", "query.jwt", cfg.AuthCodeURL("e1", pkce, mode("query.jwt"), oauth2.SetAuthURLParam("prompt", "none")), "", "login_required", "login_required", "e1"},
		{"unknown scope", "fragment.jwt", cfg.AuthCodeURL("e2", pkce, mode("fragment.jwt"), oauth2.SetAuthURLParam("scope", "openid wallet")), "", "scope_unknown", "invalid_scope", "e2"},
		{"state twice", "jwt", cfg.AuthCodeURL("e3", pkce, mode("jwt")) + "&state=again", "", "parameter_duplicated", "invalid_request", "e3"},
		{"consent denied", "form_post.jwt", cfg.AuthCodeURL("e4", pkce, mode("form_post.jwt")), "deny", "consent_denied", "access_denied", "e4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := l.browser(t)
			p := b.get(tc.url)
			if tc.decision != "" {
				p = finish(b, p, tc.decision)
			}
			m := tc.mode
			if m == "jwt" {
				m = "query.jwt"
			}
			resp := jarmOf(t, m, p)
			v, err := jr.read(resp, c.ID, "ES256")
			if err != nil {
				t.Fatal(err)
			}
			wantJARMError(t, l, v, tc.entry, tc.code, tc.state)
			// A developer who pastes the response into lucid explain is
			// told the entry and the trace id.
			if x := catalog.ExplainText("response=" + resp); x.Entry == nil || x.Entry.Name != catalog.Name(tc.entry) || x.TraceID != v.Get("trace_id") {
				t.Fatalf("explain of the response: %+v", x)
			}
		})
	}

	// A mode that is not served is refused in the plain query: Lucid cannot
	// know the client reads JWTs when it misspells the mode.
	p := l.browser(t).get(cfg.AuthCodeURL("e5", pkce, mode("jwt.query")))
	wantAuthzError(t, l, p.location, "response_mode_unknown", "invalid_request", "e5")
}

// TestJARMClientAlgUnavailable: a client record naming an algorithm the
// server has no key for (written around the checks) gets a page at once,
// before anyone signs in; its plain response modes still work.
func TestJARMClientAlgUnavailable(t *testing.T) {
	ctx := context.Background()
	l := start(t)
	l.user(t, demoUser)
	c, sec := l.client(t, manage.ClientSpec{Name: "Bank app"})
	if _, err := l.Store.UpdateClient(ctx, c.ID, func(c *store.Client) error { c.AuthorizationAlg = "PS256"; return nil }); err != nil {
		t.Fatal(err)
	}
	cfg := l.oauthConfig(c, sec)
	pkce := oauth2.S256ChallengeOption(oauth2.GenerateVerifier())
	p := l.browser(t).get(cfg.AuthCodeURL("a", pkce, oauth2.SetAuthURLParam("response_mode", "jwt")))
	wantErrorPage(t, l, p, "jarm_client_alg_unavailable", http.StatusBadRequest)
	if !strings.Contains(p.body, "PS256") {
		t.Fatalf("the page does not name the algorithm: %.400s", p.body)
	}
	codeFrom(t, l.browser(t).authorize(cfg.AuthCodeURL("a", pkce)), "a")
}

// TestJARMMetadata: the algorithm through registration, the admin API
// and discovery; what cannot be honoured is refused when registered.
func TestJARMMetadata(t *testing.T) {
	l := start(t, withRegistration("open"))
	l.user(t, demoUser)

	doc := discoveryDoc(t, l)
	if got := fmt.Sprint(doc["response_modes_supported"]); got != "[query fragment form_post jwt query.jwt fragment.jwt form_post.jwt]" {
		t.Errorf("response_modes_supported = %s", got)
	}
	if got := fmt.Sprint(doc["authorization_signing_alg_values_supported"]); got != "[RS256 ES256 EdDSA]" {
		t.Errorf("authorization_signing_alg_values_supported = %s", got)
	}
	// Served since encrypted responses exist (e2e/encryption_test.go).
	if got := fmt.Sprint(doc["authorization_encryption_alg_values_supported"]); got != "[RSA-OAEP-256 ECDH-ES ECDH-ES+A128KW ECDH-ES+A256KW]" {
		t.Errorf("authorization_encryption_alg_values_supported = %s", got)
	}
	if got := fmt.Sprint(doc["authorization_encryption_enc_values_supported"]); got != "[A128GCM A256GCM A128CBC-HS256]" {
		t.Errorf("authorization_encryption_enc_values_supported = %s", got)
	}

	reg := func(extra string) *reply {
		return jsonCall(t, l, http.MethodPost, "/register", "", `{"redirect_uris":["`+clientCB+`"]`+extra+`}`)
	}
	for _, tc := range []struct{ name, extra, entry string }{
		{"PS256 has no key", `,"authorization_signed_response_alg":"PS256"`, "jarm_signing_alg_unsupported"},
		{"none is forbidden", `,"authorization_signed_response_alg":"none"`, "jarm_signing_alg_unsupported"},
		{"symmetric", `,"authorization_signed_response_alg":"HS256"`, "jarm_signing_alg_unsupported"},
		{"encryption alg RSA1_5", `,"authorization_encrypted_response_alg":"RSA1_5"`, "jarm_encryption_unsupported"},
		{"encryption enc A192GCM", `,"authorization_encrypted_response_alg":"ECDH-ES","authorization_encrypted_response_enc":"A192GCM"`, "jarm_encryption_unsupported"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantJSONError(t, l, reg(tc.extra), tc.entry, "invalid_client_metadata", http.StatusBadRequest)
		})
	}

	// A registered EdDSA client gets EdDSA responses.
	r := reg(`,"authorization_signed_response_alg":"EdDSA"`)
	out := decodeRegistered(t, r, http.StatusCreated)
	var info map[string]any
	_ = json.Unmarshal(r.body, &info)
	if info["authorization_signed_response_alg"] != "EdDSA" {
		t.Fatalf("client information lacks the algorithm: %v", info)
	}
	c, err := l.Store.GetClient(context.Background(), out.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	cfg := l.oauthConfig(c, out.ClientSecret, "openid")
	b := l.browser(t)
	p := finish(b, b.get(cfg.AuthCodeURL("r", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()), oauth2.SetAuthURLParam("response_mode", "query.jwt"))), "allow")
	if v, err := newJARMReader(t, l).read(jarmOf(t, "query.jwt", p), c.ID, "EdDSA"); err != nil || v.Get("code") == "" {
		t.Fatalf("registered client's response: %v %v", v, err)
	}

	// The admin API checks the same rule and shows the value.
	path := "/admin/clients/" + c.ID
	wantJSONError(t, l, jsonCall(t, l, http.MethodPatch, path, l.cfg.AdminToken, `{"authorization_signed_response_alg":"PS256"}`), "jarm_signing_alg_unsupported", "invalid_client_metadata", http.StatusBadRequest)
	r = jsonCall(t, l, http.MethodPatch, path, l.cfg.AdminToken, `{"authorization_signed_response_alg":"ES256"}`)
	var view map[string]any
	if r.status != http.StatusOK || json.Unmarshal(r.body, &view) != nil || view["authorization_signed_response_alg"] != "ES256" {
		t.Fatalf("admin update: %d %s", r.status, r.body)
	}
}

// TestBrowserJARMFormPost: headless Chromium through sign-in and consent;
// Lucid's auto-submitting form posts the response JWT to a real relying
// party on loopback, which verifies it and redeems the code with x/oauth2.
func TestBrowserJARMFormPost(t *testing.T) {
	ctx := chrome(t)
	l := start(t)
	l.user(t, demoUser)
	jr := newJARMReader(t, l)
	var cfg *oauth2.Config
	verifier := oauth2.GenerateVerifier()
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		result := func() string {
			if r.Method != http.MethodPost || r.FormValue("code") != "" {
				return "error: want the response posted, and no plain code"
			}
			v, err := jr.read(r.PostFormValue("response"), cfg.ClientID, "ES256")
			if err != nil {
				return "error: " + err.Error()
			}
			if v.Get("state") != "chromium" {
				return "error: state " + v.Get("state")
			}
			tok, err := cfg.Exchange(r.Context(), v.Get("code"), oauth2.VerifierOption(verifier))
			if err != nil {
				return "error: exchange: " + err.Error()
			}
			if tok.AccessToken == "" {
				return "error: no access token"
			}
			return "signed in"
		}()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><title>app</title><p id="result">%s</p>`, html.EscapeString(result))
	}))
	t.Cleanup(app.Close)
	c, sec := l.client(t, manage.ClientSpec{Name: "Bank app", AuthorizationAlg: "ES256", RedirectURIs: []string{app.URL + "/cb"}})
	cfg = l.oauthConfig(c, sec)
	var result string
	err := chromedp.Do(ctx,
		chromedp.Navigate(cfg.AuthCodeURL("chromium", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("response_mode", "form_post.jwt"))),
		chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), demoUser),
		chromedp.SendKeys(chromedp.CSS("#password"), demoPassword),
		chromedp.Click(chromedp.CSS("#sign-in")),
		chromedp.WaitVisible(chromedp.CSS("#allow")),
		chromedp.Click(chromedp.CSS("#allow")),
		chromedp.WaitVisible(chromedp.CSS("#result")),
		into(&result, chromedp.Text(chromedp.CSS("#result"))),
		shot(t, "jarm-form-post-result"),
	)
	if err != nil {
		t.Fatalf("browser flow: %v", err)
	}
	if result != "signed in" {
		t.Fatalf("the relying party says %q", result)
	}
}
