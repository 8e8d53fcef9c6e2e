package e2e

// Browser apps at the token, revocation and userinfo endpoints (issue 10,
// item 2): per-client web origins, CORS preflights, readable answers for
// allowed origins, cors_origin_not_allowed (readable) for others, and
// nothing changed for server-side clients.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"golang.org/x/oauth2"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/store"
)

const (
	spaOrigin   = "http://127.0.0.1:5173"
	otherOrigin = "https://evil.example"
)

// fromOrigin returns a mod that sends the Origin header a browser adds to
// a cross-origin request.
func fromOrigin(origin string) func(*http.Request) {
	return func(r *http.Request) {
		if origin != "" {
			r.Header.Set("Origin", origin)
		}
	}
}

// wantCORS asserts that a page at origin may read this answer: the origin
// echoed (never *, never with credentials), Vary: Origin, and the headers
// an app needs exposed. origin "" asserts that no page may.
func wantCORS(t *testing.T, h http.Header, origin string) {
	t.Helper()
	if got := h.Get("Access-Control-Allow-Origin"); got != origin {
		t.Fatalf("Access-Control-Allow-Origin = %q, want %q", got, origin)
	}
	if h.Get("Access-Control-Allow-Credentials") != "" {
		t.Fatal("Access-Control-Allow-Credentials set: Lucid's back-channel endpoints never use cookies")
	}
	if !slices.ContainsFunc(h.Values("Vary"), func(v string) bool { return strings.Contains(v, "Origin") }) {
		t.Fatalf("Vary %q does not name Origin", h.Values("Vary"))
	}
	if origin == "" {
		return
	}
	exposed := h.Get("Access-Control-Expose-Headers")
	for _, want := range []string{"X-Trace-Id", "WWW-Authenticate", "Retry-After", "DPoP-Nonce"} {
		if !strings.Contains(exposed, want) {
			t.Fatalf("Access-Control-Expose-Headers %q lacks %s", exposed, want)
		}
	}
}

// spaCode runs the browser part of the code flow for a public client and
// returns a fresh code and its verifier.
func spaCode(t *testing.T, l *lucid, cfg *oauth2.Config) (code, verifier string) {
	t.Helper()
	verifier = oauth2.GenerateVerifier()
	return codeFrom(t, l.browser(t).authorize(cfg.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier))), "st"), verifier
}

func codeForm(cfg *oauth2.Config, code, verifier string) url.Values {
	return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {cfg.RedirectURL},
		"client_id": {cfg.ClientID}, "code_verifier": {verifier}}
}

// TestCORSTokenEndpoint: a page of an allowed origin reads its tokens; a
// page of another origin reads cors_origin_not_allowed and its code is
// left unspent; a server-side request is unaffected; the preflight,
// method_not_allowed before, is a 204.
func TestCORSTokenEndpoint(t *testing.T) {
	l := start(t)
	l.user(t, demoUser)
	spa, _ := l.client(t, manage.ClientSpec{Name: "SPA", AuthMethod: store.AuthNone,
		RedirectURIs: []string{spaOrigin + "/cb"}, WebOrigins: []string{"HTTP://127.0.0.1:5173/"}})
	cfg := l.oauthConfig(spa, "")

	t.Run("preflight", func(t *testing.T) {
		for _, origin := range []string{spaOrigin, otherOrigin} {
			r := send(t, http.MethodOptions, l.URL+"/token", nil, func(r *http.Request) {
				r.Header.Set("Origin", origin)
				r.Header.Set("Access-Control-Request-Method", "POST")
				r.Header.Set("Access-Control-Request-Headers", "authorization, content-type")
			})
			if r.status != http.StatusNoContent {
				t.Fatalf("preflight from %s: %d %s, want 204", origin, r.status, r.body)
			}
			h := r.header
			if h.Get("Access-Control-Allow-Origin") != origin || !strings.Contains(h.Get("Access-Control-Allow-Methods"), "POST") ||
				!strings.Contains(h.Get("Access-Control-Allow-Headers"), "Authorization") || !strings.Contains(h.Get("Access-Control-Allow-Headers"), "DPoP") ||
				h.Get("Access-Control-Max-Age") == "" {
				t.Fatalf("preflight from %s answered %v", origin, h)
			}
		}
	})

	t.Run("allowed origin", func(t *testing.T) {
		code, v := spaCode(t, l, cfg)
		r := postToken(t, l, codeForm(cfg, code, v), fromOrigin(spaOrigin))
		if r.status != http.StatusOK || !strings.Contains(string(r.body), `"access_token"`) {
			t.Fatalf("token from the allowed origin: %d %s", r.status, r.body)
		}
		wantCORS(t, r.header, spaOrigin)
	})

	t.Run("catalogued error readable", func(t *testing.T) {
		r := postToken(t, l, codeForm(cfg, "not-a-code", "v"), fromOrigin(spaOrigin))
		if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), `"error_code"`) {
			t.Fatalf("wrong code: %d %s", r.status, r.body)
		}
		wantCORS(t, r.header, spaOrigin)
	})

	t.Run("origin not allowed", func(t *testing.T) {
		code, v := spaCode(t, l, cfg)
		r := postToken(t, l, codeForm(cfg, code, v), fromOrigin(otherOrigin))
		body := wantJSONError(t, l, r, "cors_origin_not_allowed", "unauthorized_client", http.StatusBadRequest)
		wantCORS(t, r.header, otherOrigin)
		for _, want := range []string{otherOrigin, spa.ID, "one other"} {
			if !strings.Contains(body.Description, want) {
				t.Errorf("description %q does not name %q", body.Description, want)
			}
		}
		// Refused before the grant ran: the code is still good.
		r = postToken(t, l, codeForm(cfg, code, v), fromOrigin(spaOrigin))
		if r.status != http.StatusOK {
			t.Fatalf("the code was spent by the refused request: %d %s", r.status, r.body)
		}
	})

	t.Run("server-side request unaffected", func(t *testing.T) {
		code, v := spaCode(t, l, cfg)
		r := postToken(t, l, codeForm(cfg, code, v), nil)
		if r.status != http.StatusOK {
			t.Fatalf("token without Origin: %d %s", r.status, r.body)
		}
		wantCORS(t, r.header, "")
	})

	t.Run("same origin unaffected", func(t *testing.T) {
		code, v := spaCode(t, l, cfg)
		r := postToken(t, l, codeForm(cfg, code, v), fromOrigin(l.URL))
		if r.status != http.StatusOK {
			t.Fatalf("token from Lucid's own origin: %d %s", r.status, r.body)
		}
	})

	t.Run("confidential client", func(t *testing.T) {
		// A backend's client has no web origins: a page that holds its
		// secret is refused, and told why.
		m2m, sec := l.client(t, manage.ClientSpec{Name: "Backend", GrantTypes: []string{"client_credentials"}, ResponseTypes: []string{}, Audiences: []string{"https://api.example"}})
		r := postToken(t, l, url.Values{"grant_type": {"client_credentials"}}, func(r *http.Request) {
			basicAuth(m2m.ID, sec)(r)
			r.Header.Set("Origin", spaOrigin)
		})
		body := wantJSONError(t, l, r, "cors_origin_not_allowed", "unauthorized_client", http.StatusBadRequest)
		if !strings.Contains(body.Description, "it has none") {
			t.Errorf("description %q does not say the client has no web origins", body.Description)
		}
		wantCORS(t, r.header, spaOrigin)
	})
}

// TestCORSRedirectOrigins: the web origin + allows exactly the origins of
// the client's redirect URIs.
func TestCORSRedirectOrigins(t *testing.T) {
	l := start(t)
	l.user(t, demoUser)
	spa, _ := l.client(t, manage.ClientSpec{Name: "SPA", AuthMethod: store.AuthNone,
		RedirectURIs: []string{spaOrigin + "/cb", "com.example.app:/cb"}, WebOrigins: []string{"+"}})
	cfg := l.oauthConfig(spa, "")
	for _, c := range []struct {
		origin string
		ok     bool
	}{
		{spaOrigin, true},
		{"http://127.0.0.1:5174", false},
		{"http://localhost:5173", false},
	} {
		code, v := spaCode(t, l, cfg)
		r := postToken(t, l, codeForm(cfg, code, v), fromOrigin(c.origin))
		if c.ok {
			if r.status != http.StatusOK {
				t.Fatalf("%s: %d %s", c.origin, r.status, r.body)
			}
		} else {
			body := wantJSONError(t, l, r, "cors_origin_not_allowed", "unauthorized_client", http.StatusBadRequest)
			if !strings.Contains(body.Description, "only the origins of its redirect URIs") {
				t.Errorf("description %q does not say + is all it has", body.Description)
			}
		}
		wantCORS(t, r.header, c.origin)
	}
}

// TestCORSRevokeAndUserInfo: the same rule at revocation (the
// authenticated client) and userinfo (the access token's client);
// introspection is for resource servers and stays closed to pages.
func TestCORSRevokeAndUserInfo(t *testing.T) {
	l := start(t)
	l.user(t, demoUser)
	spa, _ := l.client(t, manage.ClientSpec{Name: "SPA", AuthMethod: store.AuthNone,
		RedirectURIs: []string{spaOrigin + "/cb"}, WebOrigins: []string{spaOrigin}})
	cfg := l.oauthConfig(spa, "")
	code, v := spaCode(t, l, cfg)
	tok, err := cfg.Exchange(context.Background(), code, oauth2.VerifierOption(v))
	if err != nil {
		t.Fatal(err)
	}

	for _, method := range []string{"GET", "POST"} {
		r := send(t, method, l.URL+"/userinfo", nil, func(r *http.Request) {
			bearer(tok.AccessToken)(r)
			r.Header.Set("Origin", otherOrigin)
		})
		body := wantJSONError(t, l, r, "cors_origin_not_allowed", "unauthorized_client", http.StatusBadRequest)
		if !strings.Contains(body.Description, spa.ID) {
			t.Errorf("userinfo: description %q does not name the token's client", body.Description)
		}
		wantCORS(t, r.header, otherOrigin)
	}
	r := send(t, http.MethodGet, l.URL+"/userinfo", nil, func(r *http.Request) {
		bearer(tok.AccessToken)(r)
		r.Header.Set("Origin", spaOrigin)
	})
	if r.status != http.StatusOK || !strings.Contains(string(r.body), `"sub"`) {
		t.Fatalf("userinfo from the allowed origin: %d %s", r.status, r.body)
	}
	wantCORS(t, r.header, spaOrigin)
	// A bearer error is readable too, with its challenge.
	r = send(t, http.MethodGet, l.URL+"/userinfo", nil, func(r *http.Request) {
		bearer("garbage")(r)
		r.Header.Set("Origin", spaOrigin)
	})
	if r.status != http.StatusUnauthorized || r.header.Get("WWW-Authenticate") == "" {
		t.Fatalf("userinfo with a bad token: %d %v", r.status, r.header)
	}
	wantCORS(t, r.header, spaOrigin)

	revoke := func(origin string) *reply {
		form := url.Values{"token": {tok.RefreshToken}, "client_id": {spa.ID}}
		return send(t, http.MethodPost, l.URL+"/revoke", strings.NewReader(form.Encode()), func(r *http.Request) {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			fromOrigin(origin)(r)
		})
	}
	r = revoke(otherOrigin)
	wantJSONError(t, l, r, "cors_origin_not_allowed", "unauthorized_client", http.StatusBadRequest)
	wantCORS(t, r.header, otherOrigin)
	if _, err := cfg.TokenSource(context.Background(), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); err != nil {
		t.Fatalf("the refused revocation revoked the refresh token: %v", err)
	}
	// The refresh above rotated the token; revoking the rotated one ends
	// the family all the same.
	r = revoke(spaOrigin)
	if r.status != http.StatusOK {
		t.Fatalf("revocation from the allowed origin: %d %s", r.status, r.body)
	}
	wantCORS(t, r.header, spaOrigin)

	for _, path := range []string{"/introspect"} {
		r := send(t, http.MethodOptions, l.URL+path, nil, func(r *http.Request) {
			r.Header.Set("Origin", spaOrigin)
			r.Header.Set("Access-Control-Request-Method", "POST")
		})
		if r.status == http.StatusNoContent || r.header.Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("%s is for resource servers, yet its preflight was allowed: %d %v", path, r.status, r.header)
		}
	}
}

// TestCORSWebOriginsManaged: the admin API and dynamic registration
// store web origins normalised and refuse what is not an origin.
func TestCORSWebOriginsManaged(t *testing.T) {
	l := start(t, func(c *config.Config) { c.Registration.Mode = config.RegistrationOpen })
	r := jsonCall(t, l, http.MethodPost, "/admin/clients", l.cfg.AdminToken,
		`{"client_name":"SPA","token_endpoint_auth_method":"none","redirect_uris":["`+spaOrigin+`/cb"],"web_origins":["HTTP://127.0.0.1:5173","+"]}`)
	var view struct {
		WebOrigins []string `json:"web_origins"`
	}
	if err := json.Unmarshal(r.body, &view); r.status != http.StatusCreated || err != nil || !slices.Equal(view.WebOrigins, []string{spaOrigin, "+"}) {
		t.Fatalf("admin create: %d %s", r.status, r.body)
	}
	r = jsonCall(t, l, http.MethodPost, "/admin/clients", l.cfg.AdminToken,
		`{"client_name":"SPA","token_endpoint_auth_method":"none","redirect_uris":["`+spaOrigin+`/cb"],"web_origins":["`+spaOrigin+`/cb"]}`)
	body := wantJSONError(t, l, r, "admin_invalid_input", "invalid_request", http.StatusBadRequest)
	if !strings.Contains(body.Description, "web_origins") {
		t.Errorf("admin refusal %q does not name web_origins", body.Description)
	}

	reg := func(origins string) *reply {
		return send(t, http.MethodPost, l.URL+"/register", strings.NewReader(
			fmt.Sprintf(`{"client_name":"SPA","token_endpoint_auth_method":"none","redirect_uris":["%s/cb"],"web_origins":%s}`, spaOrigin, origins)),
			func(r *http.Request) { r.Header.Set("Content-Type", "application/json") })
	}
	r = reg(`["http://127.0.0.1:5173/"]`)
	if r.status != http.StatusCreated || !strings.Contains(string(r.body), `"web_origins":["`+spaOrigin+`"]`) {
		t.Fatalf("registration: %d %s", r.status, r.body)
	}
	r = reg(`["https://*.example.com"]`)
	body = wantJSONError(t, l, r, "registration_metadata_invalid", "invalid_client_metadata", http.StatusBadRequest)
	if !strings.Contains(body.Description, "web_origins") || !strings.Contains(body.Description, "wildcard") {
		t.Errorf("registration refusal %q does not explain the web origin", body.Description)
	}
}

// spaPage is the single-page app: its script calls Lucid with fetch() and
// keeps what JavaScript could read of each answer.
const spaPage = `<!doctype html><title>SPA</title><script>
async function call(url, init) {
  try {
    const r = await fetch(url, init);
    const text = await r.text();
    let body = null;
    try { body = JSON.parse(text); } catch (e) {}
    return {status: r.status, trace: r.headers.get("X-Trace-Id") || "", challenge: r.headers.get("WWW-Authenticate") || "", body: body};
  } catch (e) {
    return {status: 0, error: String(e)};
  }
}
function form(fields) {
  return {method: "POST", headers: {"Content-Type": "application/x-www-form-urlencoded"}, body: new URLSearchParams(fields)};
}
</script>`

// spaResult is what the page's script could read of one answer.
type spaResult struct {
	Status    int            `json:"status"`
	Trace     string         `json:"trace"`
	Challenge string         `json:"challenge"`
	Body      map[string]any `json:"body"`
	Error     string         `json:"error"`
}

// TestBrowserCORS runs the single-page app in headless Chromium, served
// from a second loopback origin, and calls the token endpoint with fetch:
// an allowed origin reads its tokens and the trace id, a catalogued error
// with its trace id, and the preflight of a request with an Authorization
// header passes; a page of an origin not allowed reads
// cors_origin_not_allowed. Before web origins every one of these was a
// TypeError ("Failed to fetch").
func TestBrowserCORS(t *testing.T) {
	ctx := chrome(t)
	l := start(t)
	l.user(t, demoUser)
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(spaPage))
	}))
	t.Cleanup(app.Close)
	// The same app at another origin: localhost is not 127.0.0.1.
	elsewhere := strings.Replace(app.URL, "127.0.0.1", "localhost", 1)

	spa, _ := l.client(t, manage.ClientSpec{Name: "SPA", AuthMethod: store.AuthNone,
		RedirectURIs: []string{app.URL + "/cb"}, WebOrigins: []string{app.URL}})
	cfg := l.oauthConfig(spa, "")
	backend, sec := l.client(t, manage.ClientSpec{Name: "Backend", GrantTypes: []string{"client_credentials"},
		ResponseTypes: []string{}, WebOrigins: []string{app.URL}, Audiences: []string{"https://api.example"}})

	fetchToken := func(fields url.Values, headers string) string {
		args := []string{}
		for k, vs := range fields {
			args = append(args, fmt.Sprintf("%q: %q", k, vs[0]))
		}
		init := "form({" + strings.Join(args, ", ") + "})"
		if headers != "" {
			init = "Object.assign(" + init + ", {headers: " + headers + "})"
		}
		return fmt.Sprintf("call(%q, %s)", l.URL+"/token", init)
	}
	run := func(origin, js string) spaResult {
		t.Helper()
		var res spaResult
		if err := chromedp.Do(ctx,
			chromedp.Navigate(origin+"/"),
			into(&res, chromedp.Evaluate[spaResult](js, chromedp.EvalAwaitPromise)),
		); err != nil {
			t.Fatalf("page at %s: %v", origin, err)
		}
		if res.Status == 0 {
			t.Fatalf("page at %s could not read the answer: %s", origin, res.Error)
		}
		return res
	}
	wantEntry := func(res spaResult, name string) {
		t.Helper()
		if res.Body["error_code"] != name || res.Trace == "" || res.Body["trace_id"] != res.Trace {
			t.Fatalf("page read %d %v (trace %q), want %s with its trace id", res.Status, res.Body, res.Trace, name)
		}
	}

	// (a) An allowed origin gets its tokens and the trace id.
	code, v := spaCode(t, l, cfg)
	res := run(app.URL, fetchToken(codeForm(cfg, code, v), ""))
	if res.Status != http.StatusOK || res.Body["access_token"] == nil || res.Body["id_token"] == nil || res.Trace == "" {
		t.Fatalf("(a) allowed origin read %d %v (trace %q)", res.Status, res.Body, res.Trace)
	}
	// The page uses its access token at userinfo (a preflight, for the
	// Authorization header) and reads a bearer error's challenge.
	userinfo := func(token string) string {
		return fmt.Sprintf(`call(%q, {headers: {"Authorization": "Bearer " + %q}})`, l.URL+"/userinfo", token)
	}
	if ui := run(app.URL, userinfo(res.Body["access_token"].(string))); ui.Status != http.StatusOK || ui.Body["sub"] == nil {
		t.Fatalf("userinfo from the page: %d %v", ui.Status, ui.Body)
	}
	if ui := run(app.URL, userinfo("garbage")); ui.Status != http.StatusUnauthorized || !strings.HasPrefix(ui.Challenge, "Bearer ") || ui.Body["trace_id"] != ui.Trace {
		t.Fatalf("userinfo with a bad token, as the page read it: %d %q %v", ui.Status, ui.Challenge, ui.Body)
	}
	// (b) A catalogued error is readable, trace id included: the code
	// again, already redeemed.
	wantEntry(run(app.URL, fetchToken(codeForm(cfg, code, v), "")), "authorization_code_reused")
	// (c) An origin the client has not registered reads why.
	code, v = spaCode(t, l, cfg)
	res = run(elsewhere, fetchToken(codeForm(cfg, code, v), ""))
	wantEntry(res, "cors_origin_not_allowed")
	if desc, _ := res.Body["error_description"].(string); !strings.Contains(desc, elsewhere) || !strings.Contains(desc, spa.ID) {
		t.Fatalf("(c) description %q does not name the origin and the client", desc)
	}
	// (d) An Authorization header needs a preflight, which passes.
	basic := fmt.Sprintf(`{"Content-Type": "application/x-www-form-urlencoded", "Authorization": "Basic " + btoa(%q)}`, backend.ID+":"+sec)
	res = run(app.URL, fetchToken(url.Values{"grant_type": {"client_credentials"}}, basic))
	if res.Status != http.StatusOK || res.Body["access_token"] == nil {
		t.Fatalf("(d) client_credentials after a preflight: %d %v", res.Status, res.Body)
	}
	res = run(elsewhere, fetchToken(url.Values{"grant_type": {"client_credentials"}}, basic))
	wantEntry(res, "cors_origin_not_allowed")
}
