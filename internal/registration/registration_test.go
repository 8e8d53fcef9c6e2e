package registration

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/sqlite"
	"github.com/lucid-auth/lucid/internal/trace"
)

const (
	issuer       = "http://issuer.test"
	initialToken = "initial-access-token-0123456789abcdef"
	webCB        = "https://app.example.com/cb"
)

var epoch = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

type fixture struct {
	url string
	svc *manage.Service
}

func start(t *testing.T, cfg config.Registration) *fixture {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "lucid.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	sk, err := secret.Derive([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return epoch }
	svc := &manage.Service{Store: st, Secrets: sk, Now: now}
	mux := http.NewServeMux()
	New(svc, Options{Issuer: issuer + "/", Config: cfg, Now: now}).Register(mux)
	srv := httptest.NewServer(trace.Middleware(mux))
	t.Cleanup(srv.Close)
	return &fixture{url: srv.URL, svc: svc}
}

func open(t *testing.T) *fixture {
	return start(t, config.Registration{Mode: config.RegistrationOpen})
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r *reply) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("%d answer is not JSON: %s", r.status, r.body)
	}
	return m
}

// call sends body (JSON unless ct says otherwise) with a Bearer token.
func (f *fixture) call(t *testing.T, method, path, token, body string, mod ...func(*http.Request)) *reply {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, f.url+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for _, m := range mod {
		m(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return &reply{status: resp.StatusCode, header: resp.Header, body: raw}
}

// wantError checks the catalog entry, its RFC code and status, the
// no-store header and, for 401, the Bearer challenge; it returns the
// description.
func wantError(t *testing.T, r *reply, name catalog.Name) string {
	t.Helper()
	e, ok := catalog.Lookup(name)
	if !ok {
		t.Fatalf("no entry %s", name)
	}
	var body catalog.Body
	if err := json.Unmarshal(r.body, &body); err != nil {
		t.Fatalf("%d answer is not JSON (want %s): %s", r.status, name, r.body)
	}
	if r.status != e.Status || body.Error != e.Error || body.ErrorCode != string(name) {
		t.Fatalf("got %d %s/%s (%s), want %d %s/%s", r.status, body.ErrorCode, body.Error, body.ErrorDescription, e.Status, name, e.Error)
	}
	if r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control = %q", r.header.Get("Cache-Control"))
	}
	if e.Status == http.StatusUnauthorized && !strings.HasPrefix(r.header.Get("WWW-Authenticate"), `Bearer realm="`+issuer+`", error="invalid_token"`) {
		t.Errorf("WWW-Authenticate = %q, want a Bearer invalid_token challenge", r.header.Get("WWW-Authenticate"))
	}
	return body.ErrorDescription
}

func register(t *testing.T, f *fixture, body string) map[string]any {
	t.Helper()
	r := f.call(t, http.MethodPost, Path, "", body)
	if r.status != http.StatusCreated {
		t.Fatalf("registration: %d %s", r.status, r.body)
	}
	return r.json(t)
}

func strs(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

func TestRegistrationDisabled(t *testing.T) {
	for _, mode := range []string{config.RegistrationOff, ""} {
		f := start(t, config.Registration{Mode: mode, InitialAccessTokens: []string{initialToken}})
		for _, c := range []struct{ method, path string }{
			{http.MethodPost, Path}, {http.MethodGet, Path + "/some-client"}, {http.MethodDelete, Path + "/some-client"}, {http.MethodGet, Path},
		} {
			r := f.call(t, c.method, c.path, initialToken, `{"redirect_uris":["`+webCB+`"]}`)
			wantError(t, r, catalog.RegistrationDisabled)
		}
	}
	if got := EndpointURL(issuer, config.Registration{Mode: config.RegistrationOff}); got != "" {
		t.Errorf("EndpointURL with registration off = %q, want none", got)
	}
	if got := EndpointURL(issuer+"/", config.Registration{Mode: config.RegistrationOpen}); got != issuer+"/register" {
		t.Errorf("EndpointURL = %q", got)
	}
}

func TestRegistrationInitialToken(t *testing.T) {
	other := "second-initial-access-token-0123456789"
	f := start(t, config.Registration{Mode: config.RegistrationInitialToken, InitialAccessTokens: []string{initialToken, other}})
	body := `{"redirect_uris":["` + webCB + `"]}`
	cases := []struct {
		name  string
		auth  string
		entry catalog.Name
	}{
		{"no header", "", catalog.RegistrationInitialTokenMissing},
		{"basic instead of bearer", "Basic " + initialToken, catalog.RegistrationInitialTokenMissing},
		{"empty bearer", "Bearer ", catalog.RegistrationInitialTokenMissing},
		{"wrong token", "Bearer " + initialToken + "x", catalog.RegistrationInitialTokenInvalid},
		{"prefix of a token", "Bearer " + initialToken[:20], catalog.RegistrationInitialTokenInvalid},
		{"first token", "Bearer " + initialToken, ""},
		{"second token, scheme in lower case", "bearer " + other, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := f.call(t, http.MethodPost, Path, "", body, func(r *http.Request) {
				if tc.auth != "" {
					r.Header.Set("Authorization", tc.auth)
				}
			})
			if tc.entry == "" {
				if r.status != http.StatusCreated {
					t.Fatalf("got %d %s, want 201", r.status, r.body)
				}
				return
			}
			wantError(t, r, tc.entry)
		})
	}
	// The failure is recorded under its trace id for `lucid explain`.
	r := f.call(t, http.MethodPost, Path, "wrong", body)
	fl, err := f.svc.Store.GetFailure(context.Background(), r.header.Get(trace.Header))
	if err != nil {
		t.Fatal(err)
	}
	if fl.Name != string(catalog.RegistrationInitialTokenInvalid) || fl.Endpoint != string(catalog.Register) {
		t.Errorf("recorded %+v", fl)
	}
}

func TestRegistrationDefaults(t *testing.T) {
	f := open(t)
	ctx := context.Background()
	got := register(t, f, `{"redirect_uris":["`+webCB+`","`+webCB+`"]}`)
	id, _ := got["client_id"].(string)
	sec, _ := got["client_secret"].(string)
	tok, _ := got["registration_access_token"].(string)
	if len(id) < 20 || len(sec) < 40 || len(tok) < 40 {
		t.Fatalf("id %q secret %q token %q: want long random values", id, sec, tok)
	}
	want := map[string]any{
		"client_id_issued_at":          float64(epoch.Unix()),
		"client_secret_expires_at":     float64(0),
		"registration_client_uri":      issuer + "/register/" + id,
		"client_name":                  id,
		"token_endpoint_auth_method":   "client_secret_basic",
		"id_token_signed_response_alg": "RS256",
		"scope":                        strings.Join(manage.DefaultScopes(), " "),
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	for k, v := range map[string][]string{"redirect_uris": {webCB}, "grant_types": {"authorization_code"}, "response_types": {"code"}} {
		if !slices.Equal(strs(got[k]), v) {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	c, err := f.svc.Store.GetClient(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if c.RegistrationTokenHash != secret.Hash(tok) {
		t.Error("the store does not hold the hash of the registration access token")
	}
	if strings.Contains(c.RegistrationTokenHash, tok) || len(c.Secrets) != 1 || !f.svc.Secrets.SecretMatches(sec, c.Secrets[0].Hash) {
		t.Errorf("stored secrets %+v do not match the issued secret", c.Secrets)
	}
	if !c.RequirePKCE || c.SkipConsent || c.Disabled {
		t.Errorf("client %+v: want PKCE, consent, enabled", c)
	}
}

// Metadata Lucid does not understand is ignored (RFC 7591 §2), and so are
// the operator's own settings: a client cannot grant itself skip_consent,
// an audience, its own id or its own secret.
func TestRegistrationIgnoresWhatTheClientMayNotSet(t *testing.T) {
	f := open(t)
	got := register(t, f, `{"redirect_uris":["`+webCB+`"],"client_name":"Notes","logo_uri":"https://app.example.com/logo.png",
		"client_id":"chosen","client_secret":"chosen-secret-chosen-secret-chosen-secret","skip_consent":true,
		"audiences":["https://api.example.com"],"require_pkce":false,"disabled":false,"x-custom":{"a":1}}`)
	id := got["client_id"].(string)
	if id == "chosen" || got["client_secret"] == "chosen-secret-chosen-secret-chosen-secret" {
		t.Fatalf("the client chose its own id or secret: %v", got)
	}
	if _, ok := got["logo_uri"]; ok {
		t.Error("an ignored field is reported as registered")
	}
	c, err := f.svc.Store.GetClient(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "Notes" || c.SkipConsent || len(c.Audiences) != 0 || !c.RequirePKCE {
		t.Errorf("client %+v took settings only the operator may set", c)
	}
}

func TestRegistrationKinds(t *testing.T) {
	f := open(t)
	jwks := `{"keys":[{"kty":"EC","crv":"P-256","kid":"k1","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}`
	cases := []struct {
		name  string
		body  string
		check func(t *testing.T, got map[string]any)
	}{
		{"public native app", `{"redirect_uris":["com.example.app:/cb","http://127.0.0.1:8400/cb"],"token_endpoint_auth_method":"none","grant_types":["authorization_code","refresh_token"],"scope":"openid  offline_access"}`,
			func(t *testing.T, got map[string]any) {
				if _, ok := got["client_secret"]; ok {
					t.Error("a public client got a secret")
				}
				if _, ok := got["client_secret_expires_at"]; ok {
					t.Error("client_secret_expires_at without a secret")
				}
				if got["scope"] != "openid offline_access" {
					t.Errorf("scope = %v", got["scope"])
				}
			}},
		{"backend with client_credentials", `{"grant_types":["client_credentials"],"client_name":"Billing","token_endpoint_auth_method":"client_secret_post","scope":"orders:read"}`,
			func(t *testing.T, got map[string]any) {
				if rt := strs(got["response_types"]); len(rt) != 0 {
					t.Errorf("response_types = %v, want none (RFC 7591 §2.1)", rt)
				}
				if len(strs(got["redirect_uris"])) != 0 || got["client_secret"] == nil {
					t.Errorf("got %v", got)
				}
			}},
		{"private_key_jwt with inline keys", `{"redirect_uris":["` + webCB + `"],"token_endpoint_auth_method":"private_key_jwt","jwks":` + jwks + `,"id_token_signed_response_alg":"ES256","post_logout_redirect_uris":["https://app.example.com/bye"]}`,
			func(t *testing.T, got map[string]any) {
				keys, _ := got["jwks"].(map[string]any)
				if _, ok := got["client_secret"]; ok || keys == nil || len(keys["keys"].([]any)) != 1 {
					t.Errorf("got %v", got)
				}
				if got["id_token_signed_response_alg"] != "ES256" || !slices.Equal(strs(got["post_logout_redirect_uris"]), []string{"https://app.example.com/bye"}) {
					t.Errorf("got %v", got)
				}
			}},
		{"private_key_jwt with a key URL", `{"redirect_uris":["` + webCB + `"],"token_endpoint_auth_method":"private_key_jwt","jwks_uri":"https://app.example.com/jwks"}`,
			func(t *testing.T, got map[string]any) {
				if got["jwks_uri"] != "https://app.example.com/jwks" || got["jwks"] != nil {
					t.Errorf("got %v", got)
				}
			}},
		{"nulls count as absent", `{"redirect_uris":["` + webCB + `"],"client_name":null,"jwks":null,"scope":null,"software_statement":null}`,
			func(t *testing.T, got map[string]any) {
				if got["client_name"] != got["client_id"] {
					t.Errorf("got %v", got)
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := f.call(t, http.MethodPost, Path, "", tc.body)
			if r.status != http.StatusCreated {
				t.Fatalf("%d %s", r.status, r.body)
			}
			tc.check(t, r.json(t))
		})
	}
}

// Every refusal names its entry and, in the description, what is wrong.
func TestRegistrationRefusals(t *testing.T) {
	f := open(t)
	statement := "eyJhbGciOiJSUzI1NiJ9.eyJzb2Z0d2FyZV9pZCI6IjQifQ.c2ln"
	cases := []struct {
		name  string
		body  string
		ct    string // Content-Type; default application/json
		entry catalog.Name
		want  []string // in the description
	}{
		{name: "form body", body: "redirect_uris=x", ct: "application/x-www-form-urlencoded", entry: catalog.RegistrationRequestMalformed, want: []string{"application/x-www-form-urlencoded"}},
		{name: "no content type", body: "{}", ct: "-", entry: catalog.RegistrationRequestMalformed, want: []string{"no Content-Type"}},
		{name: "not JSON", body: "{redirect_uris:", entry: catalog.RegistrationRequestMalformed, want: []string{"not valid JSON"}},
		{name: "array", body: "[]", entry: catalog.RegistrationRequestMalformed, want: []string{"array, not an object"}},
		{name: "null", body: "null", entry: catalog.RegistrationRequestMalformed, want: []string{"null"}},
		{name: "two objects", body: "{} {}", entry: catalog.RegistrationRequestMalformed, want: []string{"follows the JSON object"}},
		{name: "too large", body: `{"client_name":"` + strings.Repeat("a", maxBody) + `"}`, entry: catalog.BodyTooLarge},
		{name: "redirect_uris as string", body: `{"redirect_uris":"` + webCB + `"}`, entry: catalog.RegistrationMetadataInvalid, want: []string{"field redirect_uris", "array of strings, not a string"}},
		{name: "redirect_uris with a number", body: `{"redirect_uris":[1]}`, entry: catalog.RegistrationMetadataInvalid, want: []string{"field redirect_uris", "an item is not a string"}},
		{name: "scope as array", body: `{"redirect_uris":["` + webCB + `"],"scope":["openid"]}`, entry: catalog.RegistrationMetadataInvalid, want: []string{"field scope", "space-separated"}},
		{name: "empty scope", body: `{"redirect_uris":["` + webCB + `"],"scope":" "}`, entry: catalog.RegistrationMetadataInvalid, want: []string{"field scope", "at least one scope"}},
		{name: "bad scope token", body: `{"redirect_uris":["` + webCB + `"],"scope":"openid caf\u00e9"}`, entry: catalog.RegistrationMetadataInvalid, want: []string{"field scope", "not a scope token"}},
		{name: "jwks as string", body: `{"redirect_uris":["` + webCB + `"],"token_endpoint_auth_method":"private_key_jwt","jwks":"{}"}`, entry: catalog.RegistrationMetadataInvalid, want: []string{"field jwks", "use jwks_uri"}},
		{name: "jwks without keys", body: `{"redirect_uris":["` + webCB + `"],"token_endpoint_auth_method":"private_key_jwt","jwks":{"keys":[]}}`, entry: catalog.RegistrationMetadataInvalid, want: []string{"field jwks", "no keys"}},
		{name: "private_key_jwt without keys", body: `{"redirect_uris":["` + webCB + `"],"token_endpoint_auth_method":"private_key_jwt"}`, entry: catalog.RegistrationMetadataInvalid, want: []string{"field jwks", "give jwks or jwks_uri"}},
		{name: "jwks_uri over http", body: `{"redirect_uris":["` + webCB + `"],"token_endpoint_auth_method":"private_key_jwt","jwks_uri":"http://app.example.com/jwks"}`, entry: catalog.RegistrationJWKSURIRefused, want: []string{"http://app.example.com/jwks", "https"}},
		{name: "client_name with a bidi override", body: `{"redirect_uris":["` + webCB + `"],"client_name":"Payroll\u202egnp.exe"}`, entry: catalog.RegistrationMetadataInvalid, want: []string{"field client_name", "bidirectional"}},
		{name: "client_name with a bidi isolate", body: `{"redirect_uris":["` + webCB + `"],"client_name":"\u2067Payroll"}`, entry: catalog.RegistrationMetadataInvalid, want: []string{"field client_name", "bidirectional"}},
		{name: "jwks_uri on loopback", body: `{"redirect_uris":["` + webCB + `"],"token_endpoint_auth_method":"private_key_jwt","jwks_uri":"https://127.0.0.1:8443/jwks"}`, entry: catalog.RegistrationJWKSURIRefused, want: []string{"loopback"}},
		{name: "jwks_uri on localhost", body: `{"redirect_uris":["` + webCB + `"],"token_endpoint_auth_method":"private_key_jwt","jwks_uri":"https://keys.localhost/jwks"}`, entry: catalog.RegistrationJWKSURIRefused, want: []string{"localhost"}},
		{name: "jwks_uri on the metadata service", body: `{"redirect_uris":["` + webCB + `"],"token_endpoint_auth_method":"private_key_jwt","jwks_uri":"https://169.254.169.254/latest"}`, entry: catalog.RegistrationJWKSURIRefused, want: []string{"link-local"}},
		{name: "jwks_uri on a unique-local address", body: `{"redirect_uris":["` + webCB + `"],"token_endpoint_auth_method":"private_key_jwt","jwks_uri":"https://[fd00::1]/jwks"}`, entry: catalog.RegistrationJWKSURIRefused, want: []string{"unique-local"}},
		{name: "loopback redirect on port 0", body: `{"redirect_uris":["http://127.0.0.1:0/cb"]}`, entry: catalog.RegistrationRedirectMalformed, want: []string{"port"}},
		{name: "loopback redirect on port 65536", body: `{"redirect_uris":["http://[::1]:65536/cb"]}`, entry: catalog.RegistrationRedirectMalformed, want: []string{"port"}},
		{name: "jwks and jwks_uri", body: `{"redirect_uris":["` + webCB + `"],"token_endpoint_auth_method":"private_key_jwt","jwks":{"keys":[]},"jwks_uri":"https://app.example.com/jwks"}`, entry: catalog.RegistrationJWKSConflict},
		{name: "unsupported auth method", body: `{"redirect_uris":["` + webCB + `"],"token_endpoint_auth_method":"client_secret_magic"}`, entry: catalog.RegistrationMetadataInvalid, want: []string{"field token_endpoint_auth_method", "client_secret_magic"}},
		{name: "tls_client_auth with mTLS off", body: `{"redirect_uris":["` + webCB + `"],"token_endpoint_auth_method":"tls_client_auth","tls_client_auth_san_dns":"a.example.com"}`, entry: catalog.RegistrationMetadataInvalid, want: []string{"field token_endpoint_auth_method", "mutual TLS is off"}},
		{name: "self_signed_tls_client_auth with mTLS off", body: `{"redirect_uris":["` + webCB + `"],"token_endpoint_auth_method":"self_signed_tls_client_auth","jwks_uri":"https://app.example.com/jwks"}`, entry: catalog.RegistrationMetadataInvalid, want: []string{"field token_endpoint_auth_method", "self_signed_tls_client_auth is not offered"}},
		{name: "bound tokens not a bool", body: `{"redirect_uris":["` + webCB + `"],"tls_client_certificate_bound_access_tokens":"yes"}`, entry: catalog.RegistrationMetadataInvalid, want: []string{"field tls_client_certificate_bound_access_tokens"}},
		{name: "unsupported grant", body: `{"redirect_uris":["` + webCB + `"],"grant_types":["authorization_code","password"]}`, entry: catalog.RegistrationMetadataInvalid, want: []string{"field grant_types", "password"}},
		{name: "unsupported response type", body: `{"grant_types":["implicit"],"response_types":["token"]}`, entry: catalog.RegistrationMetadataInvalid, want: []string{"field grant_types", "implicit"}},
		{name: "unsupported alg", body: `{"redirect_uris":["` + webCB + `"],"id_token_signed_response_alg":"none"}`, entry: catalog.RegistrationMetadataInvalid, want: []string{"field id_token_signed_response_alg", "none"}},
		{name: "name with control characters", body: `{"redirect_uris":["` + webCB + `"],"client_name":"a\u0007b"}`, entry: catalog.RegistrationMetadataInvalid, want: []string{"field client_name", "control characters"}},
		{name: "bad post-logout uri", body: `{"redirect_uris":["` + webCB + `"],"post_logout_redirect_uris":["http://app.example.com/bye"]}`, entry: catalog.RegistrationMetadataInvalid, want: []string{"field post_logout_redirect_uris", "not loopback"}},
		{name: "public client_credentials", body: `{"grant_types":["client_credentials"],"token_endpoint_auth_method":"none"}`, entry: catalog.RegistrationMetadataInvalid, want: []string{"field grant_types", "confidential"}},
		{name: "code without its grant", body: `{"grant_types":["client_credentials"],"response_types":["code"]}`, entry: catalog.RegistrationTypesInconsistent, want: []string{"grant_types client_credentials", "response_types code", "needs the grant type authorization_code"}},
		{name: "grant without code", body: `{"redirect_uris":["` + webCB + `"],"response_types":[]}`, entry: catalog.RegistrationTypesInconsistent, want: []string{"response_types (none)", "needs the response type code"}},
		{name: "statement", body: `{"redirect_uris":["` + webCB + `"],"software_statement":"` + statement + `"}`, entry: catalog.RegistrationStatementUnsupported},
		{name: "statement not a string", body: `{"software_statement":{"iss":"x"}}`, entry: catalog.RegistrationStatementInvalid, want: []string{"an object, not a JWT string"}},
		{name: "statement not a JWT", body: `{"software_statement":"abc.def"}`, entry: catalog.RegistrationStatementInvalid, want: []string{"2 dot-separated parts"}},
		{name: "statement header not JSON", body: `{"software_statement":"abc.def.ghi"}`, entry: catalog.RegistrationStatementInvalid, want: []string{"first part"}},
		{name: "no redirect uri", body: `{"client_name":"Notes"}`, entry: catalog.RegistrationRedirectMissing},
		{name: "empty redirect list", body: `{"redirect_uris":[]}`, entry: catalog.RegistrationRedirectMissing},
		{name: "relative redirect", body: `{"redirect_uris":["` + webCB + `","/cb"]}`, entry: catalog.RegistrationRedirectNotAbsolute, want: []string{"URI /cb is not absolute"}},
		{name: "fragment", body: `{"redirect_uris":["https://app.example.com/#/cb"]}`, entry: catalog.RegistrationRedirectFragment, want: []string{"https://app.example.com/#/cb"}},
		{name: "wildcard", body: `{"redirect_uris":["https://*.example.com/cb"]}`, entry: catalog.RegistrationRedirectWildcard},
		{name: "user info", body: `{"redirect_uris":["https://me@app.example.com/cb"]}`, entry: catalog.RegistrationRedirectUserInfo},
		{name: "http on a public host", body: `{"redirect_uris":["http://app.example.com/cb"]}`, entry: catalog.RegistrationRedirectHTTP, want: []string{"http://app.example.com/cb"}},
		{name: "short custom scheme", body: `{"redirect_uris":["myapp:/cb"]}`, entry: catalog.RegistrationRedirectScheme, want: []string{"scheme myapp"}},
		{name: "javascript", body: `{"redirect_uris":["javascript:alert(1)"]}`, entry: catalog.RegistrationRedirectScheme, want: []string{"scheme javascript"}},
		{name: "empty redirect", body: `{"redirect_uris":[""]}`, entry: catalog.RegistrationRedirectMalformed, want: []string{"empty URI"}},
		{name: "whitespace", body: `{"redirect_uris":["https://app.example.com/cb "]}`, entry: catalog.RegistrationRedirectMalformed, want: []string{"whitespace"}},
		{name: "no host", body: `{"redirect_uris":["https:///cb"]}`, entry: catalog.RegistrationRedirectMalformed, want: []string{"no host"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := f.call(t, http.MethodPost, Path, "", tc.body, func(r *http.Request) {
				switch tc.ct {
				case "":
				case "-":
					r.Header.Del("Content-Type")
				default:
					r.Header.Set("Content-Type", tc.ct)
				}
			})
			desc := wantError(t, r, tc.entry)
			for _, w := range tc.want {
				if !strings.Contains(desc, w) {
					t.Errorf("description %q lacks %q", desc, w)
				}
			}
		})
	}
	cs, err := f.svc.Store.ListClients(context.Background())
	if err != nil || len(cs) != 0 {
		t.Fatalf("refused registrations left clients behind: %d (%v)", len(cs), err)
	}
}

func TestRegistrationMethods(t *testing.T) {
	f := open(t)
	for _, c := range []struct{ method, path, allow string }{
		{http.MethodGet, Path, "POST"},
		{http.MethodPut, Path, "POST"},
		{http.MethodPatch, Path + "/x", "GET, PUT, DELETE"},
		{http.MethodPost, Path + "/x", "GET, PUT, DELETE"},
	} {
		r := f.call(t, c.method, c.path, "", "")
		wantError(t, r, catalog.MethodNotAllowed)
		if r.header.Get("Allow") != c.allow {
			t.Errorf("%s %s: Allow = %q, want %q", c.method, c.path, r.header.Get("Allow"), c.allow)
		}
	}
}

func TestRegistrationManagement(t *testing.T) {
	ctx := context.Background()
	f := open(t)
	got := register(t, f, `{"redirect_uris":["`+webCB+`"],"client_name":"Notes","post_logout_redirect_uris":["https://app.example.com/bye"]}`)
	id, tok, sec := got["client_id"].(string), got["registration_access_token"].(string), got["client_secret"].(string)
	path := Path + "/" + id
	other := register(t, f, `{"redirect_uris":["`+webCB+`"]}`)
	admin, _, err := f.svc.CreateClient(ctx, manage.ClientSpec{Name: "Operator's", RedirectURIs: []string{webCB}})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("read", func(t *testing.T) {
		r := f.call(t, http.MethodGet, path, tok, "")
		if r.status != http.StatusOK || r.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("%d %v %s", r.status, r.header, r.body)
		}
		m := r.json(t)
		if m["client_name"] != "Notes" || m["registration_access_token"] != tok || m["registration_client_uri"] != issuer+path || m["client_secret_expires_at"] != float64(0) {
			t.Errorf("got %v", m)
		}
		if _, ok := m["client_secret"]; ok {
			t.Error("reading the registration returned a secret the server only holds as a hash")
		}
	})

	t.Run("refused", func(t *testing.T) {
		cases := []struct {
			name, method, path, token string
			entry                     catalog.Name
		}{
			{"no token", http.MethodGet, path, "", catalog.RegistrationTokenMissing},
			{"wrong token", http.MethodGet, path, tok + "x", catalog.RegistrationTokenInvalid},
			{"another client's token", http.MethodDelete, path, other["registration_access_token"].(string), catalog.RegistrationTokenInvalid},
			{"the client secret", http.MethodGet, path, sec, catalog.RegistrationTokenInvalid},
			{"unknown client", http.MethodGet, Path + "/nobody", tok, catalog.RegistrationTokenInvalid},
			{"nested path", http.MethodGet, path + "/more", tok, catalog.RegistrationTokenInvalid},
			{"operator's client", http.MethodGet, Path + "/" + admin.ID, tok, catalog.RegistrationTokenInvalid},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				wantError(t, f.call(t, tc.method, tc.path, tc.token, ""), tc.entry)
			})
		}
		// The refused delete changed nothing.
		if _, err := f.svc.Store.GetClient(ctx, id); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("update refusals", func(t *testing.T) {
		cases := []struct {
			name  string
			body  string
			entry catalog.Name
			want  string
		}{
			{"no client_id", `{"redirect_uris":["` + webCB + `"]}`, catalog.RegistrationClientIDMismatch, "client_id is missing"},
			{"other client_id", `{"client_id":"` + other["client_id"].(string) + `","redirect_uris":["` + webCB + `"]}`, catalog.RegistrationClientIDMismatch, "manages client " + id},
			{"chosen secret", `{"client_id":"` + id + `","client_secret":"my-own-secret","redirect_uris":["` + webCB + `"]}`, catalog.RegistrationSecretMismatch, id},
			{"bad redirect", `{"client_id":"` + id + `","redirect_uris":["http://app.example.com/cb"]}`, catalog.RegistrationRedirectHTTP, "http://app.example.com/cb"},
			{"bad metadata", `{"client_id":"` + id + `","redirect_uris":["` + webCB + `"],"grant_types":["password"]}`, catalog.RegistrationMetadataInvalid, "grant_types"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				desc := wantError(t, f.call(t, http.MethodPut, path, tok, tc.body), tc.entry)
				if !strings.Contains(desc, tc.want) {
					t.Errorf("description %q lacks %q", desc, tc.want)
				}
			})
		}
		c, err := f.svc.Store.GetClient(ctx, id)
		if err != nil || c.Name != "Notes" || !slices.Equal(c.GrantTypes, []string{"authorization_code"}) {
			t.Fatalf("a refused update changed the client: %+v %v", c, err)
		}
	})

	t.Run("update replaces and keeps the operator's settings", func(t *testing.T) {
		aud := []string{"https://api.example.com"}
		if _, err := f.svc.UpdateClient(ctx, id, manage.ClientPatch{Audiences: &aud}); err != nil {
			t.Fatal(err)
		}
		// The current secret may be sent back unchanged.
		r := f.call(t, http.MethodPut, path, tok, `{"client_id":"`+id+`","client_secret":"`+sec+`","redirect_uris":["https://app.example.com/cb2"],"client_name":"Notes 2","registration_access_token":"ignored","client_id_issued_at":1}`)
		if r.status != http.StatusOK {
			t.Fatalf("%d %s", r.status, r.body)
		}
		m := r.json(t)
		if m["client_name"] != "Notes 2" || !slices.Equal(strs(m["redirect_uris"]), []string{"https://app.example.com/cb2"}) || m["registration_access_token"] != tok {
			t.Errorf("got %v", m)
		}
		if _, ok := m["post_logout_redirect_uris"]; ok {
			t.Error("an omitted field kept its value; RFC 7592 §2.2 updates replace the registration")
		}
		if _, ok := m["client_secret"]; ok {
			t.Error("an update that keeps the method issued a new secret")
		}
		c, _ := f.svc.Store.GetClient(ctx, id)
		if !slices.Equal(c.Audiences, aud) || len(c.Secrets) != 1 || !f.svc.Secrets.SecretMatches(sec, c.Secrets[0].Hash) {
			t.Errorf("update lost the operator's audiences or the secret: %+v", c)
		}
	})

	t.Run("changing the authentication method", func(t *testing.T) {
		r := f.call(t, http.MethodPut, path, tok, `{"client_id":"`+id+`","redirect_uris":["`+webCB+`"],"token_endpoint_auth_method":"none"}`)
		if r.status != http.StatusOK || r.json(t)["client_secret"] != nil {
			t.Fatalf("%d %s", r.status, r.body)
		}
		if c, _ := f.svc.Store.GetClient(ctx, id); len(c.Secrets) != 0 {
			t.Fatal("a public client kept its secrets")
		}
		r = f.call(t, http.MethodPut, path, tok, `{"client_id":"`+id+`","redirect_uris":["`+webCB+`"],"token_endpoint_auth_method":"client_secret_post"}`)
		m := r.json(t)
		fresh, _ := m["client_secret"].(string)
		if r.status != http.StatusOK || fresh == "" || fresh == sec || m["client_secret_expires_at"] != float64(0) {
			t.Fatalf("moving to a secret method: %d %s", r.status, r.body)
		}
		c, _ := f.svc.Store.GetClient(ctx, id)
		if len(c.Secrets) != 1 || !f.svc.Secrets.SecretMatches(fresh, c.Secrets[0].Hash) {
			t.Fatal("the new secret is not the stored one")
		}
	})

	t.Run("delete", func(t *testing.T) {
		r := f.call(t, http.MethodDelete, path, tok, "")
		if r.status != http.StatusNoContent {
			t.Fatalf("%d %s", r.status, r.body)
		}
		wantError(t, f.call(t, http.MethodGet, path, tok, ""), catalog.RegistrationTokenInvalid)
		if _, err := f.svc.Store.GetClient(ctx, id); err == nil {
			t.Fatal("the client is still there")
		}
	})
}

func TestRegistrationSecretExpiry(t *testing.T) {
	at := epoch.Add(time.Hour)
	cases := []struct {
		name    string
		secrets []store.ClientSecret
		want    int64
	}{
		{"none", nil, 0},
		{"never expires", []store.ClientSecret{{}}, 0},
		{"one expires, one never", []store.ClientSecret{{ExpiresAt: &at}, {}}, 0},
		{"all expire", []store.ClientSecret{{ExpiresAt: &epoch}, {ExpiresAt: &at}}, at.Unix()},
	}
	for _, tc := range cases {
		if got := *secretExpiry(tc.secrets); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
}
