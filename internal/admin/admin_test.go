package admin

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/keys"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/password"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/sqlite"
	"github.com/lucid-auth/lucid/internal/trace"
)

const token = "admin-token-for-tests-0123456789abcdef"

type fixture struct {
	url string
	svc *manage.Service
	st  store.Store
}

func start(t *testing.T, adminToken string) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "lucid.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	sk, err := secret.Derive([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	svc := &manage.Service{
		Store: st, Secrets: sk, KeyPublish: 48 * time.Hour,
		HashPassword: func(pw string) (string, error) { return password.HashWith(password.TestParams(), pw) },
	}
	log := slog.New(slog.DiscardHandler)
	km, err := keys.NewManager(ctx, st, sk, log)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(trace.Middleware(Handler(svc, km, adminToken, "http://issuer.test", log)))
	t.Cleanup(srv.Close)
	return &fixture{url: srv.URL, svc: svc, st: st}
}

type reply struct {
	status int
	header http.Header
	raw    string
	body   map[string]any
}

func (f *fixture) do(t *testing.T, method, path, body, auth string) reply {
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
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := reply{status: resp.StatusCode, header: resp.Header, raw: string(b)}
	_ = json.Unmarshal(b, &r.body)
	return r
}

func (f *fixture) admin(t *testing.T, method, path, body string) reply {
	t.Helper()
	return f.do(t, method, path, body, "Bearer "+token)
}

// wantError checks a catalogued error response.
func wantError(t *testing.T, r reply, status int, name catalog.Name, descContains ...string) {
	t.Helper()
	if r.status != status || r.body["error_code"] != string(name) {
		t.Fatalf("got %d %s, want %d %s", r.status, r.raw, status, name)
	}
	desc, _ := r.body["error_description"].(string)
	for _, d := range descContains {
		if !strings.Contains(desc, d) {
			t.Errorf("error_description %q lacks %q", desc, d)
		}
	}
	if r.body["trace_id"] == "" || r.header.Get(trace.Header) != r.body["trace_id"] {
		t.Errorf("trace id %v vs header %q", r.body["trace_id"], r.header.Get(trace.Header))
	}
	if r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", r.header.Get("Cache-Control"))
	}
}

func TestAuthentication(t *testing.T) {
	f := start(t, token)
	tests := []struct {
		name   string
		method string
		path   string
		auth   string
		want   int
	}{
		{"no header", "GET", "/admin/clients", "", 401},
		{"wrong token", "GET", "/admin/clients", "Bearer " + token + "x", 401},
		{"prefix of the token", "GET", "/admin/clients", "Bearer " + token[:10], 401},
		{"basic scheme", "GET", "/admin/clients", "Basic " + token, 401},
		{"unknown path without token", "GET", "/admin/nothing", "", 401},
		{"right token", "GET", "/admin/clients", "Bearer " + token, 200},
		{"scheme is case-insensitive", "GET", "/admin/users", "bearer " + token, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.do(t, tt.method, tt.path, "", tt.auth)
			if tt.want == 200 {
				if r.status != 200 {
					t.Fatalf("got %d %s", r.status, r.raw)
				}
				return
			}
			wantError(t, r, 401, catalog.AdminUnauthorized)
			if ch := r.header.Get("WWW-Authenticate"); !strings.HasPrefix(ch, `Bearer realm="http://issuer.test"`) || !strings.Contains(ch, `error="invalid_token"`) {
				t.Errorf("WWW-Authenticate %q", ch)
			}
			// The failure is recorded for `lucid explain`.
			fl, err := f.st.GetFailure(context.Background(), r.body["trace_id"].(string))
			if err != nil || fl.Name != string(catalog.AdminUnauthorized) || fl.Endpoint != "admin" {
				t.Errorf("recorded failure %+v, %v", fl, err)
			}
			if strings.Contains(r.raw, token) {
				t.Error("the response repeats the token")
			}
		})
	}
}

func TestDisabled(t *testing.T) {
	f := start(t, "")
	for _, p := range []string{"/admin/clients", "/admin/keys", "/admin/whatever"} {
		for _, auth := range []string{"", "Bearer ", "Bearer anything"} {
			r := f.do(t, "GET", p, "", auth)
			wantError(t, r, 401, catalog.AdminDisabled, "disabled")
		}
	}
}

func TestRouting(t *testing.T) {
	f := start(t, token)
	r := f.admin(t, "PUT", "/admin/clients", `{}`)
	wantError(t, r, 405, catalog.MethodNotAllowed, "GET, POST", "PUT")
	if r.header.Get("Allow") != "GET, POST" {
		t.Errorf("Allow %q", r.header.Get("Allow"))
	}
	r = f.admin(t, "GET", "/admin/keys/rotate", "")
	wantError(t, r, 405, catalog.MethodNotAllowed, "POST")
	r = f.admin(t, "GET", "/admin/nothing", "")
	wantError(t, r, 404, catalog.PageNotFound, "/admin/nothing")
}

func TestClients(t *testing.T) {
	f := start(t, token)
	steps := []struct {
		name   string
		method string
		path   string
		body   string
		status int
		code   catalog.Name
		desc   []string
		check  func(t *testing.T, r reply)
	}{
		{name: "create", method: "POST", path: "/admin/clients", status: 201,
			body: `{"client_id":"notes","client_name":"Notes","redirect_uris":["https://notes.example.com/cb"],"scopes":["openid","email"]}`,
			check: func(t *testing.T, r reply) {
				sec, _ := r.body["client_secret"].(string)
				if len(sec) != 43 || r.body["client_id"] != "notes" || r.body["client_secret_id"] == "" {
					t.Errorf("create response %s", r.raw)
				}
				if r.header.Get("Location") != "http://issuer.test/admin/clients/notes" {
					t.Errorf("Location %q", r.header.Get("Location"))
				}
				c, _ := f.st.GetClient(context.Background(), "notes")
				if !f.svc.Secrets.SecretMatches(sec, c.Secrets[0].Hash) {
					t.Error("returned secret does not match the stored hash")
				}
				if strings.Contains(r.raw, c.Secrets[0].Hash) || strings.Contains(r.raw, `"hash"`) {
					t.Error("response contains the secret hash")
				}
			}},
		{name: "duplicate", method: "POST", path: "/admin/clients", status: 409, code: catalog.AdminConflict, desc: []string{"notes"},
			body: `{"client_id":"notes","client_name":"Notes","redirect_uris":["https://notes.example.com/cb"]}`},
		{name: "bad redirect", method: "POST", path: "/admin/clients", status: 400, code: catalog.AdminInvalid, desc: []string{"redirect_uris", "fragment"},
			body: `{"client_name":"X","redirect_uris":["https://x.example.com/cb#f"]}`},
		{name: "unknown field", method: "POST", path: "/admin/clients", status: 400, code: catalog.AdminInvalid, desc: []string{"redirect_uri", "does not exist"},
			body: `{"client_name":"X","redirect_uri":"https://x.example.com/cb"}`},
		{name: "wrong type", method: "POST", path: "/admin/clients", status: 400, code: catalog.AdminInvalid, desc: []string{"redirect_uris", "a list"},
			body: `{"client_name":"X","redirect_uris":"https://x.example.com/cb"}`},
		{name: "not json", method: "POST", path: "/admin/clients", status: 400, code: catalog.AdminInvalid, desc: []string{"body"},
			body: `{"client_name":`},
		{name: "public client with jwks object refused", method: "POST", path: "/admin/clients", status: 400, code: catalog.AdminInvalid, desc: []string{"jwks"},
			body: `{"client_name":"X","token_endpoint_auth_method":"none","redirect_uris":["http://127.0.0.1/cb"],"jwks":{"keys":[]}}`},
		{name: "list hides secrets", method: "GET", path: "/admin/clients", status: 200, check: func(t *testing.T, r reply) {
			cs, _ := r.body["clients"].([]any)
			if len(cs) != 1 || strings.Contains(r.raw, "client_secret\"") || strings.Contains(r.raw, `"hash"`) {
				t.Errorf("list %s", r.raw)
			}
		}},
		{name: "show", method: "GET", path: "/admin/clients/notes", status: 200, check: func(t *testing.T, r reply) {
			if r.body["client_name"] != "Notes" || r.body["require_pkce"] != true || len(r.body["secrets"].([]any)) != 1 {
				t.Errorf("show %s", r.raw)
			}
		}},
		{name: "patch", method: "PATCH", path: "/admin/clients/notes", status: 200,
			body: `{"client_name":"Notes 2","redirect_uris":["https://notes.example.com/cb","https://notes.example.com/cb2"],"skip_consent":true}`,
			check: func(t *testing.T, r reply) {
				if r.body["client_name"] != "Notes 2" || len(r.body["redirect_uris"].([]any)) != 2 || r.body["skip_consent"] != true || r.body["scopes"].([]any)[1] != "email" {
					t.Errorf("patch %s", r.raw)
				}
			}},
		{name: "patch invalid", method: "PATCH", path: "/admin/clients/notes", status: 400, code: catalog.AdminInvalid, desc: []string{"scopes", "not a scope token"},
			body: `{"scopes":["every thing"]}`},
		{name: "patch cannot set the secret", method: "PATCH", path: "/admin/clients/notes", status: 400, code: catalog.AdminInvalid, desc: []string{"client_secret"},
			body: `{"client_secret":"0123456789abcdef0123456789abcdef"}`},
		{name: "add secret", method: "POST", path: "/admin/clients/notes/secrets", status: 201, check: func(t *testing.T, r reply) {
			if sec, _ := r.body["client_secret"].(string); len(sec) != 43 || r.body["id"] == "" || r.body["client_id"] != "notes" {
				t.Errorf("add secret %s", r.raw)
			}
		}},
		{name: "third secret refused", method: "POST", path: "/admin/clients/notes/secrets", body: `{"expires_at":"2099-01-01T00:00:00Z"}`, status: 400, code: catalog.AdminInvalid, desc: []string{"secrets", "remove one"}},
		{name: "remove unknown secret", method: "DELETE", path: "/admin/clients/notes/secrets/nope", status: 404, code: catalog.AdminNotFound, desc: []string{"nope"}},
		{name: "remove secret", method: "DELETE", path: "/admin/clients/notes/secrets/{first}", status: 204, check: func(t *testing.T, r reply) {
			c, _ := f.st.GetClient(context.Background(), "notes")
			if len(c.Secrets) != 1 {
				t.Errorf("%d secrets left", len(c.Secrets))
			}
		}},
		{name: "delete", method: "DELETE", path: "/admin/clients/notes", status: 204},
		{name: "gone", method: "GET", path: "/admin/clients/notes", status: 404, code: catalog.AdminNotFound, desc: []string{"client", "notes"}},
		{name: "delete again", method: "DELETE", path: "/admin/clients/notes", status: 404, code: catalog.AdminNotFound},
	}
	var first string
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			path := strings.ReplaceAll(s.path, "{first}", first)
			r := f.admin(t, s.method, path, s.body)
			if s.code != "" {
				wantError(t, r, s.status, s.code, s.desc...)
				return
			}
			if r.status != s.status {
				t.Fatalf("got %d %s, want %d", r.status, r.raw, s.status)
			}
			if s.name == "create" {
				first, _ = r.body["client_secret_id"].(string)
			}
			if s.check != nil {
				s.check(t, r)
			}
		})
	}
}

func TestUsers(t *testing.T) {
	f := start(t, token)
	var id string
	steps := []struct {
		name   string
		method string
		path   string
		body   string
		status int
		code   catalog.Name
		desc   []string
		check  func(t *testing.T, r reply)
	}{
		{name: "create", method: "POST", path: "/admin/users", status: 201,
			body: `{"username":"alice","email":"alice@example.com","email_verified":true,"name":"Alice","password":"correct horse"}`,
			check: func(t *testing.T, r reply) {
				id, _ = r.body["id"].(string)
				if id == "" || r.body["username"] != "alice" || strings.Contains(r.raw, "password") || strings.Contains(r.raw, "argon2") {
					t.Errorf("create %s", r.raw)
				}
			}},
		{name: "short password", method: "POST", path: "/admin/users", status: 400, code: catalog.PasswordTooShort, desc: []string{"5 characters", "at least 12"},
			body: `{"username":"bob","password":"short"}`},
		{name: "duplicate", method: "POST", path: "/admin/users", status: 409, code: catalog.AdminConflict, desc: []string{"username Alice"},
			body: `{"username":"Alice","password":"violet tulip harbor"}`},
		{name: "list", method: "GET", path: "/admin/users", status: 200, check: func(t *testing.T, r reply) {
			if us, _ := r.body["users"].([]any); len(us) != 1 || strings.Contains(r.raw, "argon2") {
				t.Errorf("list %s", r.raw)
			}
		}},
		{name: "show by username", method: "GET", path: "/admin/users/alice", status: 200, check: func(t *testing.T, r reply) {
			if r.body["id"] != id {
				t.Errorf("show %s", r.raw)
			}
		}},
		{name: "patch", method: "PATCH", path: "/admin/users/{id}", status: 200, body: `{"given_name":"Alice","address":{"country":"NL"},"disabled":true}`,
			check: func(t *testing.T, r reply) {
				addr, _ := r.body["address"].(map[string]any)
				if r.body["given_name"] != "Alice" || r.body["disabled"] != true || addr["country"] != "NL" {
					t.Errorf("patch %s", r.raw)
				}
			}},
		{name: "patch clears address", method: "PATCH", path: "/admin/users/{id}", status: 200, body: `{"address":null}`,
			check: func(t *testing.T, r reply) {
				if _, ok := r.body["address"]; ok || r.body["given_name"] != "Alice" {
					t.Errorf("patch %s", r.raw)
				}
			}},
		{name: "set password", method: "POST", path: "/admin/users/{id}/password", status: 204, body: `{"password":"battery staple"}`,
			check: func(t *testing.T, r reply) {
				u, _ := f.st.GetUser(context.Background(), id)
				if ok, _ := password.Verify(u.PasswordHash, "battery staple"); !ok {
					t.Error("new password does not verify")
				}
			}},
		{name: "set short password", method: "POST", path: "/admin/users/{id}/password", status: 400, code: catalog.PasswordTooShort, body: `{"password":"x"}`},
		{name: "set common password", method: "POST", path: "/admin/users/{id}/password", status: 400, code: catalog.PasswordCommon, body: `{"password":"contortionist"}`},
		{name: "unlock", method: "POST", path: "/admin/users/{id}/unlock", status: 200},
		{name: "grant admin", method: "POST", path: "/admin/users/{id}/admin", status: 200, check: func(t *testing.T, r reply) {
			if u, _ := f.st.GetUser(context.Background(), id); r.body["admin"] != true || u == nil || !u.Admin {
				t.Errorf("grant admin %s", r.raw)
			}
		}},
		{name: "revoke admin", method: "DELETE", path: "/admin/users/{id}/admin", status: 200, check: func(t *testing.T, r reply) {
			if u, _ := f.st.GetUser(context.Background(), id); r.body["admin"] != false || u == nil || u.Admin {
				t.Errorf("revoke admin %s", r.raw)
			}
		}},
		{name: "grant admin to nobody", method: "POST", path: "/admin/users/nobody/admin", status: 404, code: catalog.AdminNotFound, desc: []string{"nobody"}},
		{name: "delete", method: "DELETE", path: "/admin/users/{id}", status: 204},
		{name: "gone", method: "GET", path: "/admin/users/{id}", status: 404, code: catalog.AdminNotFound, desc: []string{"user"}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			r := f.admin(t, s.method, strings.ReplaceAll(s.path, "{id}", id), s.body)
			if s.code != "" {
				wantError(t, r, s.status, s.code, s.desc...)
				return
			}
			if r.status != s.status {
				t.Fatalf("got %d %s, want %d", r.status, r.raw, s.status)
			}
			if s.check != nil {
				s.check(t, r)
			}
		})
	}
}

func TestKeys(t *testing.T) {
	f := start(t, token)
	type key struct {
		Kid     string `json:"kid"`
		Alg     string `json:"alg"`
		State   string `json:"state"`
		Signing bool   `json:"signing"`
	}
	list := func(r reply) []key {
		var out struct{ Keys []key }
		if err := json.Unmarshal([]byte(r.raw), &out); err != nil {
			t.Fatalf("%v: %s", err, r.raw)
		}
		return out.Keys
	}
	r := f.admin(t, "GET", "/admin/keys", "")
	before := list(r)
	if r.status != 200 || len(before) != 3 {
		t.Fatalf("keys %d %s", r.status, r.raw)
	}
	r = f.admin(t, "POST", "/admin/keys/rotate", "")
	after := list(r)
	if r.status != 200 || len(after) != 6 {
		t.Fatalf("after rotation %d %s", r.status, r.raw)
	}
	states := map[string]string{}
	for _, k := range after {
		states[k.Kid] = k.State
	}
	for _, k := range before {
		if states[k.Kid] != keys.StateRetired {
			t.Errorf("key %s is %q after rotation, want retired", k.Kid, states[k.Kid])
		}
	}
	if strings.Contains(r.raw, `"d"`) || strings.Contains(r.raw, "encrypted") {
		t.Error("key listing exposes private material")
	}
}
