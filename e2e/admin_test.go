package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/config"
)

func TestAdminAPIErrors(t *testing.T) {
	l := start(t)
	tok := l.cfg.AdminToken
	created := jsonCall(t, l, http.MethodPost, "/admin/clients", tok, `{"client_id":"billing","client_name":"Billing","redirect_uris":["https://billing.example.com/cb"]}`)
	if created.status != 201 {
		t.Fatalf("control: creating a client: %d %s", created.status, created.body)
	}
	if r := jsonCall(t, l, http.MethodPost, "/admin/users", tok, `{"username":"carol","email":"carol@example.com","password":"a long enough password"}`); r.status != 201 {
		t.Fatalf("control: creating a user: %d %s", r.status, r.body)
	}
	cases := []struct {
		name, method, path, token, body string
		entry, code                     string
		status                          int
		check                           func(t *testing.T, r *reply, body oauthErr)
	}{
		{name: "no credential", method: "GET", path: "/admin/clients", entry: "admin_unauthorized", code: "invalid_token", status: 401},
		{name: "wrong token", method: "GET", path: "/admin/clients", token: "not-the-admin-token", entry: "admin_unauthorized", code: "invalid_token", status: 401},
		// Unauthenticated callers learn nothing, not even which paths exist.
		{name: "unknown path without credential", method: "GET", path: "/admin/nothing-here", entry: "admin_unauthorized", code: "invalid_token", status: 401},
		{name: "unknown path", method: "GET", path: "/admin/nothing-here", token: tok, entry: "page_not_found", code: "not_found", status: 404},
		{name: "unknown client", method: "GET", path: "/admin/clients/nobody", token: tok, entry: "admin_not_found", code: "not_found", status: 404,
			check: func(t *testing.T, _ *reply, body oauthErr) {
				if !strings.Contains(body.Description, "nobody") {
					t.Errorf("description does not name the id: %s", body.Description)
				}
			}},
		{name: "unknown user", method: "DELETE", path: "/admin/users/nobody", token: tok, entry: "admin_not_found", code: "not_found", status: 404},
		{name: "client id taken", method: "POST", path: "/admin/clients", token: tok,
			body:  `{"client_id":"billing","client_name":"Billing again","redirect_uris":["https://billing.example.com/cb"]}`,
			entry: "admin_conflict", code: "conflict", status: 409,
			check: func(t *testing.T, _ *reply, body oauthErr) {
				if !strings.Contains(body.Description, "billing") {
					t.Errorf("description does not name the value: %s", body.Description)
				}
			}},
		{name: "username taken", method: "POST", path: "/admin/users", token: tok,
			body: `{"username":"carol","email":"other@example.com","password":"a long enough password"}`, entry: "admin_conflict", code: "conflict", status: 409},
		{name: "misspelled field", method: "POST", path: "/admin/clients", token: tok, body: `{"client_nmae":"Typo"}`,
			entry: "admin_invalid_input", code: "invalid_request", status: 400,
			check: func(t *testing.T, _ *reply, body oauthErr) {
				if !strings.Contains(body.Description, "client_nmae") {
					t.Errorf("description does not name the field: %s", body.Description)
				}
			}},
		{name: "wrong JSON type", method: "POST", path: "/admin/clients", token: tok, body: `{"client_name":"X","redirect_uris":"https://x.example/cb"}`,
			entry: "admin_invalid_input", code: "invalid_request", status: 400},
		{name: "not JSON", method: "POST", path: "/admin/users", token: tok, body: `username=dave`,
			entry: "admin_invalid_input", code: "invalid_request", status: 400},
		{name: "http redirect URI", method: "POST", path: "/admin/clients", token: tok, body: `{"client_name":"X","redirect_uris":["http://x.example/cb"]}`,
			entry: "admin_invalid_input", code: "invalid_request", status: 400},
		{name: "short password", method: "POST", path: "/admin/users/carol/password", token: tok, body: `{"password":"Zq9!x"}`,
			entry: "password_too_short", code: "invalid_request", status: 400,
			check: func(t *testing.T, _ *reply, body oauthErr) {
				if strings.Contains(body.Description, "Zq9!x") || !strings.Contains(body.Description, "password") {
					t.Errorf("description must name the field and never echo the password: %s", body.Description)
				}
			}},
		{name: "body over the limit", method: "POST", path: "/admin/clients", token: tok, body: `{"client_name":"` + strings.Repeat("x", 300<<10) + `"}`,
			entry: "body_too_large", code: "invalid_request", status: 413},
		{name: "PUT on a collection", method: "PUT", path: "/admin/clients", token: tok, body: `{}`,
			entry: "method_not_allowed", code: "invalid_request", status: 405,
			check: func(t *testing.T, r *reply, _ oauthErr) {
				if r.header.Get("Allow") != "GET, POST" {
					t.Errorf("Allow = %q, want GET, POST", r.header.Get("Allow"))
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := jsonCall(t, l, tc.method, tc.path, tc.token, tc.body)
			var body oauthErr
			if tc.status == http.StatusUnauthorized {
				body, _ = wantBearerError(t, l, r, tc.entry, tc.code, tc.status)
			} else {
				body = wantJSONError(t, l, r, tc.entry, tc.code, tc.status)
			}
			if tc.check != nil {
				tc.check(t, r, body)
			}
		})
	}
	// The conflict did not overwrite: the first registration stands.
	r := jsonCall(t, l, http.MethodGet, "/admin/clients/billing", tok, "")
	var view map[string]any
	if r.status != 200 || json.Unmarshal(r.body, &view) != nil || view["client_name"] != "Billing" {
		t.Fatalf("after the conflict: %d %s", r.status, r.body)
	}
}

// TestAdminKeyRotationPublishPeriod: keys retired through the admin API
// stay published for the configured lifetimes.key_publish.
func TestAdminKeyRotationPublishPeriod(t *testing.T) {
	l := start(t, func(c *config.Config) { c.Lifetimes.KeyPublish = 3 * time.Hour })
	r := jsonCall(t, l, http.MethodPost, "/admin/keys/rotate", l.cfg.AdminToken, "")
	var out struct {
		Keys []struct {
			Retired *time.Time `json:"retired"`
			Expires *time.Time `json:"expires"`
		} `json:"keys"`
	}
	if r.status != 200 || json.Unmarshal(r.body, &out) != nil {
		t.Fatalf("rotate: %d %s", r.status, r.body)
	}
	retired := 0
	for _, k := range out.Keys {
		if k.Retired == nil {
			continue
		}
		retired++
		if k.Expires == nil || k.Expires.Sub(*k.Retired) != 3*time.Hour {
			t.Errorf("a retired key is published until %v, retired at %v; want 3h later", k.Expires, k.Retired)
		}
	}
	if retired == 0 {
		t.Fatalf("no key was retired: %s", r.body)
	}
}

func TestAdminAPIDisabled(t *testing.T) {
	l := start(t, func(c *config.Config) { c.AdminToken = "" })
	// Every request, with or without a credential, on any path.
	for _, tc := range []struct{ method, path, token string }{
		{"GET", "/admin/clients", ""},
		{"GET", "/admin/clients", "admin-token-for-tests-0123456789abcdef"},
		{"POST", "/admin/users", "anything"},
		{"GET", "/admin/nothing-here", ""},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			r := jsonCall(t, l, tc.method, tc.path, tc.token, "")
			wantBearerError(t, l, r, "admin_api_disabled", "invalid_token", 401)
		})
	}
}
