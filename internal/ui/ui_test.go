package ui

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

const hostile = `<script>alert(1)</script>`
const hostileEscaped = `&lt;script&gt;alert(1)&lt;/script&gt;`

func newRenderer(t *testing.T) *Renderer {
	t.Helper()
	r, err := New()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

type pageCase struct {
	name   string
	status int
	render func(r *Renderer, w http.ResponseWriter)
	want   []string // substrings the body must contain
	not    []string // substrings the body must not contain
	script bool     // the page carries a nonce-bound script
	asset  bool     // the page loads the script asset from 'self', and no inline script
	// formAction is the expected form-action directive value; "" means the
	// directive must be absent.
	formAction string
}

func pageCases() []pageCase {
	return []pageCase{
		{
			name: "sign-in", status: http.StatusOK,
			render: func(r *Renderer, w http.ResponseWriter) {
				r.SignIn(w, http.StatusOK, SignInPage{ClientName: hostile, Action: "/login", CSRF: "csrf-1", Interaction: "ia-1", Username: "alice", CancelAction: "/login"})
			},
			want: []string{
				`<title>Sign in to ` + hostileEscaped,
				`id="sign-in-form"`, `action="/login"`,
				`<label for="username">Username</label>`, `<label for="password">Password</label>`,
				`id="username" name="username"`, `value="alice"`, `id="password" name="password" type="password"`,
				`autocomplete="current-password"`,
				`name="csrf" value="csrf-1"`, `name="interaction" value="ia-1"`,
				`id="sign-in" class="button primary" type="submit">Sign in</button>`,
				`id="cancel" class="button secondary" type="submit" form="cancel-form" name="cancel" value="1">Cancel</button>`,
				`<form id="cancel-form" method="post" action="/login">`,
			},
		},
		{
			name: "sign-in with error and notice", status: http.StatusUnauthorized,
			render: func(r *Renderer, w http.ResponseWriter) {
				r.SignIn(w, http.StatusUnauthorized, SignInPage{ClientName: "Notes", Action: "/login", CSRF: "c", Interaction: "i", Error: "Wrong username or password " + hostile, Notice: "Your session expired.", RedirectTo: "https://notes.example.com/cb?x=1"})
			},
			want: []string{
				`role="alert" id="sign-in-error">Wrong username or password ` + hostileEscaped,
				`role="status" id="sign-in-notice">Your session expired.`,
				`aria-invalid="true" aria-describedby="sign-in-error"`,
			},
			not:        []string{`sign-in-reference`, `data-error-name`},
			formAction: "'self' https://notes.example.com",
		},
		{
			name: "sign-in with a reference", status: http.StatusUnauthorized,
			render: func(r *Renderer, w http.ResponseWriter) {
				r.SignIn(w, http.StatusUnauthorized, SignInPage{Action: "/login", CSRF: "c", Interaction: "i", Error: "Wrong.", ErrorName: "sign_in_failed" /* the catalog entry has a person-facing message: it wins */, Reference: "0123456789abcdef0123456789abcdef"})
			},
			want: []string{
				`role="alert" id="sign-in-error" data-error-name="sign_in_failed">The username or password is not correct.</div>`,
				`id="sign-in-reference">If you ask for help, give this reference: <code id="trace-id" class="trace" data-error-name="sign_in_failed">0123456789abcdef0123456789abcdef</code>`,
			},
		},
		{
			name: "consent", status: http.StatusOK,
			render: func(r *Renderer, w http.ResponseWriter) {
				scopes := []Scope{}
				for _, s := range []string{"openid", "email", "offline_access", "calendar:" + hostile} {
					title, desc := ScopeText(s)
					scopes = append(scopes, Scope{Name: s, Title: title, Description: desc})
				}
				r.Consent(w, http.StatusOK, ConsentPage{ClientName: hostile, ClientID: "notes", UserName: "Alice Liddell", Scopes: scopes, Action: "/consent", CSRF: "c2", Interaction: "i2", RedirectTo: "http://127.0.0.1:9000/cb"})
			},
			want: []string{
				`<span class="client-name">` + hostileEscaped + `</span> wants to use your Lucid account`,
				`Signed in as <strong>Alice Liddell</strong>`,
				`See your email address`, `<code class="scope-name">offline_access</code>`,
				`<span class="scope-title">calendar:` + hostileEscaped + `</span>`,
				`<code class="client-id">notes</code>`,
				`name="csrf" value="c2"`, `name="interaction" value="i2"`,
				`id="allow" class="button primary" type="submit" name="decision" value="allow">Allow</button>`,
				`id="deny" class="button secondary" type="submit" name="decision" value="deny">Deny</button>`,
			},
			formAction: "'self' http://127.0.0.1:9000",
		},
		{
			name: "logout confirm", status: http.StatusOK,
			render: func(r *Renderer, w http.ResponseWriter) {
				r.LogoutConfirm(w, http.StatusOK, LogoutPage{ClientName: hostile, Action: "/logout", CSRF: "c3", Hidden: []Field{{Name: "post_logout_redirect_uri", Value: "https://app.example/bye"}, {Name: "state", Value: `"><b>`}}})
			},
			want: []string{
				`<strong class="client-name">` + hostileEscaped + `</strong> asks to end your Lucid session.`,
				`name="post_logout_redirect_uri" value="https://app.example/bye"`,
				`name="state" value="&#34;&gt;&lt;b&gt;"`,
				`id="sign-out" class="button primary" type="submit" name="confirm" value="yes">Sign out</button>`,
				`id="stay-signed-in" class="button secondary" type="submit" name="confirm" value="no">Stay signed in</button>`,
			},
		},
		{
			name: "logout confirm without client", status: http.StatusOK,
			render: func(r *Renderer, w http.ResponseWriter) {
				r.LogoutConfirm(w, http.StatusOK, LogoutPage{Action: "/logout", CSRF: "c3"})
			},
			want: []string{`An application asks to end your Lucid session.`},
		},
		{
			name: "logged out", status: http.StatusOK,
			render: func(r *Renderer, w http.ResponseWriter) {
				r.LoggedOut(w, http.StatusOK, LoggedOutPage{ClientName: hostile, ReturnURL: "https://app.example/home"})
			},
			want:       []string{`You are signed out`, `id="return" class="button primary long" href="https://app.example/home">Return to ` + hostileEscaped},
			formAction: "'none'",
		},
		{
			name: "logged out without return", status: http.StatusOK,
			render: func(r *Renderer, w http.ResponseWriter) {
				r.LoggedOut(w, http.StatusOK, LoggedOutPage{ClientName: "Notes"})
			},
			want:       []string{`You can close this window and go back to <strong class="client-name">Notes</strong>.`},
			formAction: "'none'",
		},
		{
			name: "error", status: http.StatusBadRequest,
			render: func(r *Renderer, w http.ResponseWriter) {
				r.Error(w, http.StatusBadRequest, ErrorPage{
					Status: 400, Title: "redirect_uri is not registered", Description: "The redirect_uri https://evil.example/cb?" + hostile + " is not registered for client demo.",
					Name: "redirect_uri_not_registered", Code: "invalid_request", TraceID: "0123456789abcdef0123456789abcdef",
					DocURL: "http://127.0.0.1:8080/errors/redirect_uri_not_registered", Causes: []string{"A typo in the URI."}, Fixes: []string{"Register the URI."},
					RestartURL: "/demo", ClientName: "Lucid Demo",
				})
			},
			want: []string{
				`<span class="badge">Error 400 Bad Request</span> <code class="error-code">invalid_request</code>`,
				`<h1>redirect_uri is not registered</h1>`,
				`role="alert" id="error-description"><p>The redirect_uri https://evil.example/cb?` + hostileEscaped,
				`<code id="error-name">redirect_uri_not_registered</code>`,
				`<code id="trace-id" class="trace">0123456789abcdef0123456789abcdef</code>`,
				`<li>A typo in the URI.</li>`, `<li>Register the URI.</li>`,
				`id="error-doc" class="button secondary" href="http://127.0.0.1:8080/errors/redirect_uri_not_registered">What this error means</a>`,
				`id="restart" class="button primary" href="/demo">Start again</a>`,
				`while signing in to <strong class="client-name">Lucid Demo</strong>`,
			},
			formAction: "'none'",
		},
		{
			name: "error with javascript doc url", status: http.StatusInternalServerError,
			render: func(r *Renderer, w http.ResponseWriter) {
				r.Error(w, http.StatusInternalServerError, ErrorPage{Description: "x", DocURL: "javascript:alert(1)"})
			},
			want:       []string{`<h1>Internal Server Error</h1>`, `href="#ZgotmplZ"`},
			formAction: "'none'",
		},
		{
			name: "form post", status: http.StatusOK,
			render: func(r *Renderer, w http.ResponseWriter) {
				r.FormPost(w, FormPostPage{Action: "https://client.example:8443/cb?tenant=1", Params: []Field{{Name: "code", Value: "abc"}, {Name: "state", Value: hostile}, {Name: "iss", Value: "http://127.0.0.1:8080"}}})
			},
			want: []string{
				`<form id="form-post" method="post" action="https://client.example:8443/cb?tenant=1">`,
				`name="code" value="abc"`, `name="state" value="` + hostileEscaped + `"`,
				`id="continue" class="button primary" type="submit">Continue</button>`,
			},
			script:     true,
			formAction: "https://client.example:8443",
		},
		{
			name: "demo start", status: http.StatusOK,
			render: func(r *Renderer, w http.ResponseWriter) {
				r.Demo(w, http.StatusOK, DemoPage{Issuer: "http://127.0.0.1:8080", ClientID: "demo", RedirectURL: "http://127.0.0.1:8080/demo/callback", Scopes: []string{"openid", "profile"}, LoginURL: "/demo/login", Hint: "Sign in as demo.", Notice: "You signed out."})
			},
			want: []string{
				`<a id="demo-start" class="button primary" href="/demo/login">Sign in with Lucid</a>`,
				`role="status" id="demo-notice">You signed out.`, `<code>openid profile</code>`,
				`<code>http://127.0.0.1:8080/demo/callback</code>`,
			},
			formAction: "'none'",
		},
		{
			name: "demo error", status: http.StatusBadRequest,
			render: func(r *Renderer, w http.ResponseWriter) {
				r.Demo(w, http.StatusBadRequest, DemoPage{LoginURL: "/demo/login", Error: &DemoError{FromLucid: true, Title: "Lucid refused the sign-in", Error: "access_denied", Description: "consent_denied: " + hostile, Code: "consent_denied", TraceID: "t-1", URI: "http://127.0.0.1:8080/errors/consent_denied"}})
			},
			want: []string{
				`role="alert" aria-labelledby="demo-error-title" id="demo-error"`,
				`<p id="demo-error-description">consent_denied: ` + hostileEscaped,
				`<code id="demo-error-code">access_denied</code>`, `<code id="trace-id" class="trace">t-1</code>`,
				`<a id="error-uri" class="button secondary" href="http://127.0.0.1:8080/errors/consent_denied">What this error means</a>`,
				`<a id="demo-start" class="button primary" href="/demo/login">Try again</a>`,
			},
			formAction: "'none'",
		},
		{
			name: "demo result", status: http.StatusOK,
			render: func(r *Renderer, w http.ResponseWriter) {
				r.Demo(w, http.StatusOK, DemoPage{Issuer: "http://127.0.0.1:8080", Result: &DemoResult{
					Subject: "u-1", Name: hostile, Email: "demo@example.com",
					IDTokenHeader: "{\n  \"alg\": \"ES256\"\n}", IDTokenClaims: "{\n  \"iss\": \"http://127.0.0.1:8080\"\n}",
					Times: []Field{{Name: "exp", Value: "2026-01-01T00:00:00Z"}}, UserInfo: "{\n  \"email\": \"demo@example.com\"\n}",
					Token:      []Field{{Name: "access_token", Value: "eyJh…abc (800 characters)"}},
					Checks:     []string{"The ID token signature verifies."},
					SignOutURL: "http://127.0.0.1:8080/logout?id_token_hint=x&post_logout_redirect_uri=http%3A%2F%2F127.0.0.1%3A8080%2Fdemo", AgainURL: "/demo/login",
				}})
			},
			want: []string{
				`<body class="wide">`, `Hello, ` + hostileEscaped,
				`<a id="sign-out" class="button primary" href="http://127.0.0.1:8080/logout?id_token_hint=x&amp;post_logout_redirect_uri=http%3A%2F%2F127.0.0.1%3A8080%2Fdemo">Sign out</a>`,
				`<a id="demo-again" class="button secondary" href="/demo/login">Sign in again</a>`,
				`&#34;alg&#34;: &#34;ES256&#34;`,
				`&#34;iss&#34;: &#34;http://127.0.0.1:8080&#34;`,
				`<th scope="row"><code>exp</code></th><td>2026-01-01T00:00:00Z</td>`,
				`<li>The ID token signature verifies.</li>`, `id="userinfo"`,
			},
			formAction: "'none'",
		},
		{
			name: "error for a missing catalog page", status: http.StatusNotFound,
			render: func(r *Renderer, w http.ResponseWriter) {
				r.Error(w, http.StatusNotFound, ErrorPage{
					Status: 404, Title: "Page not found", Description: "There is no page at /errors/" + hostile + ".", Name: "page_not_found",
					TraceID: "t-404", DocURL: "/errors/page_not_found", BrowseURL: "/errors",
					Related: []Link{{Text: "authorization_code_expired", URL: "/errors/authorization_code_expired", Note: "Authorization code " + hostile}},
				})
			},
			want: []string{
				`<ul class="bullets" id="related" aria-labelledby="related-title">`,
				`<li><a href="/errors/authorization_code_expired">authorization_code_expired</a>: Authorization code ` + hostileEscaped + `</li>`,
				`<a id="browse-errors" class="button secondary" href="/errors">All errors</a>`,
				`<a id="error-doc" class="button secondary" href="/errors/page_not_found">`,
			},
			formAction: "'none'",
		},
		{
			name: "errors index", status: http.StatusOK,
			render: func(r *Renderer, w http.ResponseWriter) {
				r.ErrorsIndex(w, http.StatusOK, ErrorsIndexPage{
					Action: "/errors", JSONURL: "/errors.json", Query: hostile, Count: 3, Matches: 1,
					Groups: []ErrorGroup{
						{ID: "token", Title: "Token endpoint", How: "JSON " + hostile, Entries: []ErrorRow{
							{Name: "code_reused", Title: "Code " + hostile, Code: "invalid_grant", Status: 400, URL: "/errors/code_reused", Search: "code_reused invalid_grant"},
							{Name: "bearer_missing", Title: "No token", Status: 401, URL: "/errors/bearer_missing", Search: "bearer_missing", Hidden: true},
						}},
						{ID: "admin", Title: "Admin API", Hidden: true, Entries: []ErrorRow{
							{Name: "admin_x", Title: "X", Code: "x", Status: 404, URL: "/errors/admin_x", Search: "admin_x", Hidden: true},
						}},
					},
					Aliases: []ErrorAlias{{Code: "AADSTS1", Source: "Entra", Meaning: "M " + hostile, Search: "aadsts1 code_reused",
						Entries: []Link{{Text: "code_reused", URL: "/errors/code_reused"}, {Text: "other", URL: "/errors/other"}}}},
				})
			},
			want: []string{
				`<body class="wide">`, `<title>Error catalog · Lucid</title>`,
				`<form id="error-search-form" class="search" method="get" action="/errors" role="search">`,
				`<label for="error-search">`,
				`<input id="error-search" name="q" type="search" value="` + hostileEscaped + `"`,
				`id="match-count" class="fine" role="status" aria-live="polite" data-total="3">1 of 3 entries match</p>`,
				`<p id="no-matches" class="notice" hidden>`,
				`<a id="errors-json" href="/errors.json">`,
				`<li><a href="#token">Token endpoint</a> <span class="count">2</span></li>`,
				`<section class="error-group" id="token" data-group aria-labelledby="token-title">`,
				`<p class="fine">JSON ` + hostileEscaped + `</p>`,
				`<section class="error-group" id="admin" data-group aria-labelledby="admin-title" hidden>`,
				`<tr class="entry-row" data-name="code_reused" data-search="code_reused invalid_grant"><td><a href="/errors/code_reused"><code>code_reused</code></a></td><td><code>invalid_grant</code></td><td>400</td><td>Code ` + hostileEscaped + `</td></tr>`,
				`<tr class="entry-row" data-name="bearer_missing" data-search="bearer_missing" hidden><td><a href="/errors/bearer_missing"><code>bearer_missing</code></a></td><td><span class="muted">none</span></td><td>401</td>`,
				`<tr class="alias-row" data-search="aadsts1 code_reused"><td><code>AADSTS1</code></td><td>Entra</td><td>M ` + hostileEscaped + `</td><td><a href="/errors/code_reused"><code>code_reused</code></a>, <a href="/errors/other"><code>other</code></a></td></tr>`,
			},
			asset:      true,
			formAction: "'self'",
		},
		{
			name: "errors index, nothing matches", status: http.StatusOK,
			render: func(r *Renderer, w http.ResponseWriter) {
				r.ErrorsIndex(w, http.StatusOK, ErrorsIndexPage{Action: "/errors", Query: "zzz", Count: 3, Empty: true, AliasesHidden: true,
					Aliases: []ErrorAlias{{Code: "A", Search: "a", Hidden: true}}})
			},
			want: []string{
				`data-total="3">0 of 3 entries match</p>`,
				`<p id="no-matches" class="notice">No entry matches the search.</p>`,
				`<section class="error-group" id="other-codes" data-group aria-labelledby="other-codes-title" hidden>`,
				`<tr class="alias-row" data-search="a" hidden>`,
			},
			asset:      true,
			formAction: "'self'",
		},
		{
			name: "errors index without a search", status: http.StatusOK,
			render: func(r *Renderer, w http.ResponseWriter) {
				r.ErrorsIndex(w, http.StatusOK, ErrorsIndexPage{Action: "/errors", Count: 3, Matches: 3})
			},
			want:       []string{`data-total="3">3 entries</p>`, `type="search" value=""`, `<p id="no-matches" class="notice" hidden>`},
			asset:      true,
			formAction: "'self'",
		},
		{
			name: "errors entry", status: http.StatusOK,
			render: func(r *Renderer, w http.ResponseWriter) {
				r.ErrorsEntry(w, http.StatusOK, ErrorEntryPage{
					Name: "authorization_code_expired", Title: "Authorization code " + hostile, Code: "invalid_grant", Status: 400,
					Description: []TemplatePart{{Text: "Expired "}, {Text: "ago", Placeholder: true}, {Text: " ago " + hostile}},
					Causes:      []string{"Slow " + hostile}, ClientFix: []string{"Be quick."}, OperatorFix: []string{"Raise the lifetime."},
					Spec: "RFC 6749 §4.1.2", SpecURL: "https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2",
					Endpoints: []ErrorEndpoint{{Title: "Token endpoint", URL: "/errors#token", How: "JSON bodies."}},
					Page:      true, URI: "http://127.0.0.1:8080/errors/authorization_code_expired",
					Aliases:  []ErrorAlias{{Code: "AADSTS70008", Source: "Microsoft Entra ID", Meaning: "Expired " + hostile}},
					IndexURL: "/errors", JSONURL: "/errors.json",
				})
			},
			want: []string{
				`<body class="doc">`,
				`<title>Authorization code ` + hostileEscaped + ` (authorization_code_expired) · Lucid</title>`,
				`<a id="all-errors" href="/errors">Error catalog</a>`,
				`<span class="badge">Error 400 Bad Request</span> <code class="error-code">invalid_grant</code>`,
				`<h1 id="entry-title">Authorization code ` + hostileEscaped + `</h1>`,
				`<code id="entry-name" class="trace">authorization_code_expired</code>`,
				`<code id="entry-error">invalid_grant</code>`, `<dd id="entry-status">400 Bad Request</dd>`,
				`<a id="entry-spec" href="https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2" rel="noopener noreferrer">RFC 6749 §4.1.2</a>`,
				`<code id="entry-uri">http://127.0.0.1:8080/errors/authorization_code_expired</code>`,
				`id="entry-page"`,
				`<p class="template" id="entry-description">Expired <var class="placeholder">ago</var> ago ` + hostileEscaped + `</p>`,
				`Boxed words are filled in`,
				`<ul class="bullets" id="causes" aria-labelledby="causes-title">`, `<li>Slow ` + hostileEscaped + `</li>`,
				`<ul class="bullets" id="client-fix" aria-labelledby="client-fix-title">`, `<li>Be quick.</li>`,
				`<ul class="bullets" id="operator-fix" aria-labelledby="operator-fix-title">`, `<li>Raise the lifetime.</li>`,
				`<li><a href="/errors#token">Token endpoint</a>. <span class="muted">JSON bodies.</span></li>`,
				`<li><code>AADSTS70008</code> (Microsoft Entra ID): Expired ` + hostileEscaped + `</li>`,
				`<a id="back-to-catalog" class="button secondary" href="/errors">All errors</a>`,
			},
			formAction: "'none'",
		},
		{
			name: "errors entry without code, placeholders or operator fix", status: http.StatusUnauthorized,
			render: func(r *Renderer, w http.ResponseWriter) {
				r.ErrorsEntry(w, http.StatusUnauthorized, ErrorEntryPage{
					Name: "bearer_missing", Title: "No token", Status: 401,
					Description: []TemplatePart{{Text: "No token."}}, Causes: []string{"c"}, ClientFix: []string{"f"}, IndexURL: "/errors",
				})
			},
			want:       []string{`<span id="entry-error">none`, `<span class="badge">Error 401 Unauthorized</span></p>`, `<p class="template" id="entry-description">No token.</p>`},
			not:        []string{"Boxed words", `id="operator-fix"`, `id="aliases"`, `id="endpoints"`, `id="entry-spec"`, `id="entry-page"`, `id="entry-json"`},
			formAction: "'none'",
		},
	}
}

func TestPages(t *testing.T) {
	r := newRenderer(t)
	for _, tc := range pageCases() {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			tc.render(r, rec)
			body := rec.Body.String()
			if rec.Code != tc.status {
				t.Fatalf("status = %d, want %d\n%s", rec.Code, tc.status, body)
			}
			h := rec.Header()
			for k, want := range map[string]string{
				"Content-Type":           "text/html; charset=utf-8",
				"X-Frame-Options":        "DENY",
				"X-Content-Type-Options": "nosniff",
				"Referrer-Policy":        "no-referrer",
				"Cache-Control":          "no-store",
			} {
				if got := h.Get(k); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
			checkCSP(t, h.Get("Content-Security-Policy"), body, tc)
			for _, want := range tc.want {
				if !strings.Contains(body, want) {
					t.Errorf("body lacks %q", want)
				}
			}
			for _, bad := range tc.not {
				if strings.Contains(body, bad) {
					t.Errorf("body has %q", bad)
				}
			}
			if strings.Contains(body, hostile) {
				t.Errorf("unescaped markup in body")
			}
			checkDocument(t, body)
			if t.Failed() {
				t.Logf("body:\n%s", body)
			}
		})
	}
}

func checkCSP(t *testing.T, policy, body string, tc pageCase) {
	t.Helper()
	directives := map[string]string{}
	for _, d := range strings.Split(policy, ";") {
		d = strings.TrimSpace(d)
		name, value, _ := strings.Cut(d, " ")
		if _, dup := directives[name]; dup {
			t.Errorf("CSP repeats %s: %q", name, policy)
		}
		directives[name] = value
	}
	for name, want := range map[string]string{
		"default-src":     "'none'",
		"style-src":       "'self'",
		"img-src":         "'self' data:",
		"frame-ancestors": "'none'",
		"base-uri":        "'none'",
	} {
		if directives[name] != want {
			t.Errorf("CSP %s = %q, want %q (policy %q)", name, directives[name], want, policy)
		}
	}
	if got, ok := directives["form-action"]; got != tc.formAction || ok != (tc.formAction != "") {
		t.Errorf("CSP form-action = %q (present %v), want %q", got, ok, tc.formAction)
	}
	if tc.asset {
		srcs := regexp.MustCompile(`<script src="(/assets/errors\.js\?v=[0-9a-f]+)" defer></script>`).FindAllStringSubmatch(body, -1)
		if len(srcs) != 1 || strings.Count(body, "<script") != 1 {
			t.Errorf("want exactly one script, the errors.js asset; got %d of %d script tags", len(srcs), strings.Count(body, "<script"))
		}
		if directives["script-src"] != "'self'" {
			t.Errorf("CSP script-src = %q, want 'self' alone", directives["script-src"])
		}
		return
	}
	scripts := regexp.MustCompile(`<script nonce="([^"]+)">`).FindAllStringSubmatch(body, -1)
	if !tc.script {
		if _, ok := directives["script-src"]; ok {
			t.Errorf("page without script allows scripts: %q", policy)
		}
		if strings.Contains(body, "<script") {
			t.Errorf("page has a script tag")
		}
		return
	}
	if len(scripts) != 1 || strings.Count(body, "<script") != 1 {
		t.Fatalf("want exactly one nonce-bound script, got %v", scripts)
	}
	nonce := scripts[0][1]
	if len(nonce) < 22 {
		t.Errorf("nonce %q is too short", nonce)
	}
	if directives["script-src"] != "'nonce-"+nonce+"'" {
		t.Errorf("CSP script-src = %q, script nonce %q", directives["script-src"], nonce)
	}
}

var (
	tagRE   = regexp.MustCompile(`<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:[^>"']|"[^"]*"|'[^']*')*?)(/?)>`)
	attrRE  = regexp.MustCompile(`([a-zA-Z-]+)(?:="([^"]*)")?`)
	voidTag = map[string]bool{"meta": true, "link": true, "input": true, "br": true, "img": true, "hr": true}
)

// checkDocument is a small structural check in place of a full HTML
// parser: elements nest and close, ids are unique, every visible input has
// a label, the document has a language, one main landmark and one h1.
func checkDocument(t *testing.T, body string) {
	t.Helper()
	if !strings.HasPrefix(body, "<!doctype html>\n<html lang=\"en\">") {
		t.Errorf("document does not start with doctype and <html lang>")
	}
	var stack []string
	ids := map[string]bool{}
	labels := map[string]bool{}
	var inputs []string
	counts := map[string]int{}
	for _, m := range tagRE.FindAllStringSubmatch(body, -1) {
		closing, name, attrs, self := m[1] == "/", strings.ToLower(m[2]), m[3], m[4] == "/"
		if closing {
			if len(stack) == 0 || stack[len(stack)-1] != name {
				t.Errorf("</%s> closes %v", name, stack)
				return
			}
			stack = stack[:len(stack)-1]
			continue
		}
		counts[name]++
		a := map[string]string{}
		for _, am := range attrRE.FindAllStringSubmatch(attrs, -1) {
			a[am[1]] = am[2]
		}
		if id, ok := a["id"]; ok {
			if ids[id] {
				t.Errorf("duplicate id %q", id)
			}
			ids[id] = true
		}
		switch name {
		case "label":
			labels[a["for"]] = true
		case "input":
			if a["type"] != "hidden" {
				inputs = append(inputs, a["id"])
			}
		case "button":
			if a["type"] == "" {
				t.Errorf("button without type: %s", m[0])
			}
		}
		if !voidTag[name] && !self {
			stack = append(stack, name)
		}
	}
	if len(stack) != 0 {
		t.Errorf("unclosed elements %v", stack)
	}
	for _, id := range inputs {
		if id == "" || !labels[id] {
			t.Errorf("input %q has no <label for>", id)
		}
	}
	if counts["main"] != 1 || counts["h1"] != 1 || counts["title"] != 1 {
		t.Errorf("want one main, one h1 and one title; got %d, %d, %d", counts["main"], counts["h1"], counts["title"])
	}
}

func TestNonceIsFreshPerResponse(t *testing.T) {
	r := newRenderer(t)
	seen := map[string]bool{}
	for range 3 {
		rec := httptest.NewRecorder()
		r.FormPost(rec, FormPostPage{Action: "https://client.example/cb"})
		p := rec.Header().Get("Content-Security-Policy")
		if seen[p] {
			t.Fatalf("nonce reused: %q", p)
		}
		seen[p] = true
	}
}

func TestFormTargets(t *testing.T) {
	for _, tc := range []struct {
		redirect, want string
	}{
		{"", ""},
		{"/login", "'self'"},
		{"https://Notes.Example.com/cb?x=1#f", "'self' https://notes.example.com"},
		{"http://127.0.0.1:51234/callback", "'self' http://127.0.0.1:51234"},
		{"http://[::1]:8080/cb", "'self' http://[::1]:8080"},
		{"com.example.app:/oauth/cb", "'self' com.example.app:"},
		{"https://evil.example;script-src *", ""},
		{"https://a.example%20b/cb", ""},
		{"https:///nohost", ""},
		{"1http://x", ""},
	} {
		if got := formTargets(tc.redirect); got != tc.want {
			t.Errorf("formTargets(%q) = %q, want %q", tc.redirect, got, tc.want)
		}
	}
}

func TestFormPostUnexpressibleActionBlocksSubmission(t *testing.T) {
	r := newRenderer(t)
	rec := httptest.NewRecorder()
	r.FormPost(rec, FormPostPage{Action: "https://bad host/cb"})
	if p := rec.Header().Get("Content-Security-Policy"); !strings.Contains(p, "form-action 'none'") {
		t.Fatalf("policy %q does not block the form", p)
	}
}

func TestScopeText(t *testing.T) {
	for _, s := range []string{"openid", "profile", "email", "address", "phone", "offline_access"} {
		title, desc := ScopeText(s)
		if title == "" || desc == "" || strings.Contains(title, "_") {
			t.Errorf("ScopeText(%q) = %q, %q: want plain words", s, title, desc)
		}
	}
	if title, desc := ScopeText("api:read"); title != "api:read" || desc != "" {
		t.Errorf("unknown scope: %q, %q", title, desc)
	}
	if title, desc := APIScopeText("orders:read", "Orders"); !strings.Contains(title, "Orders") || !strings.Contains(desc, "orders:read") {
		t.Errorf("API scope: %q, %q", title, desc)
	}
}

func TestAssets(t *testing.T) {
	r := newRenderer(t)
	srv := httptest.NewServer(r.Assets())
	defer srv.Close()

	// The stylesheet the layout links to is served with a long cache.
	rec := httptest.NewRecorder()
	r.LoggedOut(rec, http.StatusOK, LoggedOutPage{})
	css := regexp.MustCompile(`<link rel="stylesheet" href="([^"]+)">`).FindStringSubmatch(rec.Body.String())
	icon := regexp.MustCompile(`<link rel="icon" type="image/svg\+xml" href="([^"]+)">`).FindStringSubmatch(rec.Body.String())
	if css == nil || icon == nil {
		t.Fatalf("layout links no stylesheet or icon")
	}
	rec = httptest.NewRecorder()
	r.ErrorsIndex(rec, http.StatusOK, ErrorsIndexPage{})
	script := regexp.MustCompile(`<script src="([^"]+)" defer>`).FindStringSubmatch(rec.Body.String())
	if script == nil {
		t.Fatalf("the catalog index links no script")
	}
	for _, tc := range []struct {
		path, ct string
	}{
		{strings.ReplaceAll(css[1], "&amp;", "&"), "text/css; charset=utf-8"},
		{icon[1], "image/svg+xml"},
		// Served with nosniff, a script must have a JavaScript type to run.
		{script[1], "text/javascript; charset=utf-8"},
	} {
		resp, err := http.Get(srv.URL + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != tc.ct || !strings.Contains(resp.Header.Get("Cache-Control"), "max-age=31536000") || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: %d %v", tc.path, resp.StatusCode, resp.Header)
		}
		req, _ := http.NewRequest(http.MethodGet, srv.URL+tc.path, nil)
		req.Header.Set("If-None-Match", resp.Header.Get("ETag"))
		resp2, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp2.Body.Close()
		if resp2.StatusCode != http.StatusNotModified {
			t.Errorf("conditional GET %s: %d, want 304", tc.path, resp2.StatusCode)
		}
	}
	for _, p := range []string{"/assets/nope.css", "/assets/", "/assets/../ui.go", "/assets/static/lucid.css"} {
		resp, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, resp.StatusCode)
		}
	}
	resp, err := http.Post(srv.URL+"/assets/lucid.css", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d, want 405", resp.StatusCode)
	}
}
