package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/manage"
)

const initialAccessToken = "initial-access-token-for-tests-0123456789"

// withRegistration turns dynamic client registration on.
func withRegistration(mode string, tokens ...string) func(*config.Config) {
	return func(c *config.Config) {
		c.Registration.Mode, c.Registration.InitialAccessTokens = mode, tokens
	}
}

// registered is the RFC 7591 §3.2.1 client information response.
type registered struct {
	ClientID          string   `json:"client_id"`
	ClientSecret      string   `json:"client_secret"`
	IssuedAt          int64    `json:"client_id_issued_at"`
	SecretExpiresAt   *int64   `json:"client_secret_expires_at"`
	AccessToken       string   `json:"registration_access_token"`
	ClientURI         string   `json:"registration_client_uri"`
	ClientName        string   `json:"client_name"`
	RedirectURIs      []string `json:"redirect_uris"`
	GrantTypes        []string `json:"grant_types"`
	ResponseTypes     []string `json:"response_types"`
	AuthMethod        string   `json:"token_endpoint_auth_method"`
	Scope             string   `json:"scope"`
	IDTokenSigningAlg string   `json:"id_token_signed_response_alg"`
}

func decodeRegistered(t *testing.T, r *reply, status int) registered {
	t.Helper()
	if r.status != status {
		t.Fatalf("got %d %s, want %d", r.status, r.body, status)
	}
	if r.header.Get("Cache-Control") != "no-store" || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Fatalf("client information needs no-store and JSON: %v", r.header)
	}
	var out registered
	if err := json.Unmarshal(r.body, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func discoveryDoc(t *testing.T, l *lucid) map[string]any {
	t.Helper()
	r := send(t, http.MethodGet, l.URL+"/.well-known/openid-configuration", nil, nil)
	var doc map[string]any
	if err := json.Unmarshal(r.body, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// A developer with an initial access token registers a client, signs a
// user in with it through golang.org/x/oauth2, then reads, changes and
// deletes the registration with its registration access token.
func TestRegistrationCodeFlow(t *testing.T) {
	ctx := context.Background()
	l := start(t, withRegistration(config.RegistrationInitialToken, initialAccessToken))
	alice := l.user(t, demoUser)

	prov := newProvider(t, l)
	var meta struct {
		RegistrationEndpoint string `json:"registration_endpoint"`
	}
	if err := prov.Claims(&meta); err != nil || meta.RegistrationEndpoint != l.URL+"/register" {
		t.Fatalf("discovery registration_endpoint = %q (%v)", meta.RegistrationEndpoint, err)
	}

	reg := decodeRegistered(t, jsonCall(t, l, http.MethodPost, "/register", initialAccessToken, `{
		"client_name": "Notes",
		"redirect_uris": ["`+clientCB+`"],
		"grant_types": ["authorization_code", "refresh_token"],
		"scope": "openid profile email offline_access",
		"logo_uri": "https://notes.example.com/logo.png"
	}`), http.StatusCreated)
	if reg.ClientID == "" || reg.ClientSecret == "" || reg.AccessToken == "" || reg.SecretExpiresAt == nil || *reg.SecretExpiresAt != 0 {
		t.Fatalf("registration response lacks credentials: %+v", reg)
	}
	if reg.ClientURI != l.URL+"/register/"+reg.ClientID || reg.IssuedAt != l.Clock.Now().Unix() || reg.AuthMethod != "client_secret_basic" || reg.IDTokenSigningAlg != "RS256" {
		t.Fatalf("registration response %+v", reg)
	}

	cfg := &oauth2.Config{
		ClientID:     reg.ClientID,
		ClientSecret: reg.ClientSecret,
		Endpoint:     oauth2.Endpoint{AuthURL: l.URL + "/authorize", TokenURL: l.URL + "/token", AuthStyle: oauth2.AuthStyleInHeader},
		RedirectURL:  clientCB,
		Scopes:       []string{oidc.ScopeOpenID, "email", oidc.ScopeOfflineAccess},
	}
	tok, _ := login(t, l, l.browser(t), cfg)
	rawID, _ := tok.Extra("id_token").(string)
	idt, err := prov.Verifier(&oidc.Config{ClientID: reg.ClientID}).Verify(ctx, rawID)
	if err != nil {
		t.Fatalf("ID token for the registered client does not verify: %v", err)
	}
	if idt.Subject != alice.ID || tok.RefreshToken == "" {
		t.Fatalf("sub %q, refresh token %t", idt.Subject, tok.RefreshToken != "")
	}

	path := "/register/" + reg.ClientID
	read := decodeRegistered(t, jsonCall(t, l, http.MethodGet, path, reg.AccessToken, ""), http.StatusOK)
	if read.ClientName != "Notes" || read.AccessToken != reg.AccessToken || read.ClientSecret != "" || read.Scope != "openid profile email offline_access" {
		t.Fatalf("read back %+v", read)
	}

	// RFC 7592 §2.2: the update replaces the registration; the new
	// redirect URI works at once and the secret stays the same.
	moved := "http://127.0.0.1:2/callback"
	upd := decodeRegistered(t, jsonCall(t, l, http.MethodPut, path, reg.AccessToken, `{
		"client_id": "`+reg.ClientID+`",
		"client_secret": "`+reg.ClientSecret+`",
		"client_name": "Notes 2",
		"redirect_uris": ["`+moved+`"],
		"grant_types": ["authorization_code", "refresh_token"],
		"scope": "openid email offline_access"
	}`), http.StatusOK)
	if upd.ClientName != "Notes 2" || len(upd.RedirectURIs) != 1 || upd.RedirectURIs[0] != moved || upd.ClientSecret != "" {
		t.Fatalf("update answered %+v", upd)
	}
	cfg.RedirectURL = moved
	if tok2, _ := login(t, l, l.browser(t), cfg); tok2.AccessToken == "" {
		t.Fatal("no access token after the update")
	}

	if r := jsonCall(t, l, http.MethodDelete, path, reg.AccessToken, ""); r.status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	// The deleted client's credentials and registration token are dead.
	_, err = cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	wantOAuthError(t, err, "client_unknown", "invalid_client", http.StatusUnauthorized)
	wantBearerError(t, l, jsonCall(t, l, http.MethodGet, path, reg.AccessToken, ""), "registration_access_token_invalid", "invalid_token", http.StatusUnauthorized)
}

// An open server registers a backend; client_credentials then works once
// the operator grants it an API, which a client can never grant itself.
func TestRegistrationClientCredentials(t *testing.T) {
	ctx := context.Background()
	l := start(t, withRegistration(config.RegistrationOpen))
	reg := decodeRegistered(t, jsonCall(t, l, http.MethodPost, "/register", "", `{
		"client_name": "Billing",
		"grant_types": ["client_credentials"],
		"token_endpoint_auth_method": "client_secret_post",
		"scope": "orders:read",
		"audiences": ["`+ordersAPI+`"]
	}`), http.StatusCreated)
	if len(reg.ResponseTypes) != 0 || len(reg.RedirectURIs) != 0 {
		t.Fatalf("a client_credentials client got %v / %v", reg.ResponseTypes, reg.RedirectURIs)
	}
	cc := clientcredentials.Config{ClientID: reg.ClientID, ClientSecret: reg.ClientSecret, TokenURL: l.URL + "/token",
		Scopes: []string{"orders:read"}, AuthStyle: oauth2.AuthStyleInParams}
	_, err := cc.Token(ctx)
	wantOAuthError(t, err, "resource_none_allowed", "invalid_target", http.StatusBadRequest)

	aud := []string{ordersAPI}
	if _, err := l.Svc.UpdateClient(ctx, reg.ClientID, manage.ClientPatch{Audiences: &aud}); err != nil {
		t.Fatal(err)
	}
	tok, err := cc.Token(ctx)
	if err != nil || tok.AccessToken == "" {
		t.Fatalf("client_credentials for the registered client: %v", err)
	}
}

// TestRegistrationOpenLimit: open registration accepts open_per_hour new
// clients an hour from one network; refused registrations do not count,
// the allowance refills over the hour, and registrations with an initial
// access token are never limited.
func TestRegistrationOpenLimit(t *testing.T) {
	perHour := func(n int) func(*config.Config) {
		return func(c *config.Config) { c.Registration.OpenPerHour = n }
	}
	const body = `{"client_name": "Script", "grant_types": ["client_credentials"], "token_endpoint_auth_method": "client_secret_basic"}`
	l := start(t, withRegistration(config.RegistrationOpen), perHour(2))
	decodeRegistered(t, jsonCall(t, l, http.MethodPost, "/register", "", body), http.StatusCreated)
	wantJSONError(t, l, jsonCall(t, l, http.MethodPost, "/register", "", `{"grant_types": ["password"]}`),
		"registration_metadata_invalid", "invalid_client_metadata", http.StatusBadRequest)
	decodeRegistered(t, jsonCall(t, l, http.MethodPost, "/register", "", body), http.StatusCreated)

	r := jsonCall(t, l, http.MethodPost, "/register", "", body)
	e := wantJSONError(t, l, r, "registration_rate_limited", "temporarily_unavailable", http.StatusTooManyRequests)
	if !strings.Contains(e.Description, "2 registrations and updates an hour") || !strings.Contains(e.Description, "127.0.0.1/32") {
		t.Errorf("description does not give the limit and the network: %s", e.Description)
	}
	if after, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || after < 29*60 || after > 30*60 {
		t.Errorf("Retry-After %q, want about half an hour in seconds", r.header.Get("Retry-After"))
	}
	clients, err := l.Store.ListClients(context.Background())
	if err != nil || len(clients) != 2 {
		t.Fatalf("%d clients after a refused registration (%v), want 2", len(clients), err)
	}

	l.Clock.Advance(30 * time.Minute)
	decodeRegistered(t, jsonCall(t, l, http.MethodPost, "/register", "", body), http.StatusCreated)
	wantJSONError(t, l, jsonCall(t, l, http.MethodPost, "/register", "", body), "registration_rate_limited", "temporarily_unavailable", http.StatusTooManyRequests)

	// Behind a trusted proxy each forwarded client counts on its own,
	// whether the proxy sends the address with a port or without.
	l = start(t, withRegistration(config.RegistrationOpen), perHour(1), func(c *config.Config) { c.TrustedProxies = []string{"127.0.0.0/8"} })
	via := func(xff string) *reply {
		return send(t, http.MethodPost, l.URL+"/register", strings.NewReader(body), func(r *http.Request) {
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("X-Forwarded-For", xff)
		})
	}
	decodeRegistered(t, via("198.51.100.7:5555"), http.StatusCreated)
	e = wantJSONError(t, l, via("203.0.113.9, 198.51.100.7"), "registration_rate_limited", "temporarily_unavailable", http.StatusTooManyRequests)
	if !strings.Contains(e.Description, "198.51.100.7/32") {
		t.Errorf("the limit was not applied to the forwarded client: %s", e.Description)
	}
	decodeRegistered(t, via("[2001:db8::1]:443"), http.StatusCreated)
	wantJSONError(t, l, via("2001:db8::2"), "registration_rate_limited", "temporarily_unavailable", http.StatusTooManyRequests) // same /64
	decodeRegistered(t, via("198.51.100.8"), http.StatusCreated)

	// Holders of an initial access token are trusted: no limit.
	l = start(t, withRegistration(config.RegistrationInitialToken, initialAccessToken), perHour(1))
	for range 3 {
		decodeRegistered(t, jsonCall(t, l, http.MethodPost, "/register", initialAccessToken, body), http.StatusCreated)
	}
}

func TestRegistrationDisabled(t *testing.T) {
	l := start(t)
	if ep, ok := discoveryDoc(t, l)["registration_endpoint"]; ok {
		t.Fatalf("discovery advertises registration_endpoint %v while registration is off", ep)
	}
	wantJSONError(t, l, jsonCall(t, l, http.MethodPost, "/register", "", `{"redirect_uris":["`+clientCB+`"]}`), "registration_disabled", "access_denied", http.StatusForbidden)
	wantJSONError(t, l, jsonCall(t, l, http.MethodGet, "/register/demo", "anything", ""), "registration_disabled", "access_denied", http.StatusForbidden)
}

// Every registration entry, triggered over HTTP and asserted in full.
func TestRegistrationErrors(t *testing.T) {
	l := start(t, withRegistration(config.RegistrationInitialToken, initialAccessToken))
	mine := decodeRegistered(t, jsonCall(t, l, http.MethodPost, "/register", initialAccessToken, `{"redirect_uris":["`+clientCB+`"]}`), http.StatusCreated)
	theirs := decodeRegistered(t, jsonCall(t, l, http.MethodPost, "/register", initialAccessToken, `{"redirect_uris":["`+clientCB+`"]}`), http.StatusCreated)
	operators, _ := l.client(t, manage.ClientSpec{Name: "Operator's"})
	mePath := "/register/" + mine.ClientID
	ok := func(extra string) string {
		return `{"redirect_uris":["` + clientCB + `"]` + extra + `}`
	}

	cases := []struct {
		name, method, path, token, body string
		entry, code                     string
		status                          int
		want                            string // in error_description
	}{
		// Access.
		{name: "no initial token", method: "POST", path: "/register", body: ok(""),
			entry: "registration_initial_token_missing", code: "invalid_token", status: 401},
		{name: "wrong initial token", method: "POST", path: "/register", token: "not-" + initialAccessToken, body: ok(""),
			entry: "registration_initial_token_invalid", code: "invalid_token", status: 401},
		{name: "no registration token", method: "GET", path: mePath,
			entry: "registration_access_token_missing", code: "invalid_token", status: 401, want: mine.ClientID},
		{name: "another client's registration token", method: "GET", path: mePath, token: theirs.AccessToken,
			entry: "registration_access_token_invalid", code: "invalid_token", status: 401, want: mine.ClientID},
		{name: "operator's client", method: "DELETE", path: "/register/" + operators.ID, token: mine.AccessToken,
			entry: "registration_access_token_invalid", code: "invalid_token", status: 401},
		{name: "initial token is not a registration token", method: "GET", path: mePath, token: initialAccessToken,
			entry: "registration_access_token_invalid", code: "invalid_token", status: 401},

		// Request shape.
		{name: "not JSON", method: "POST", path: "/register", token: initialAccessToken, body: `redirect_uris=` + clientCB,
			entry: "registration_request_malformed", code: "invalid_request", status: 400, want: "not valid JSON"},
		{name: "wrong method", method: "PATCH", path: mePath, token: mine.AccessToken, body: ok(""),
			entry: "method_not_allowed", code: "invalid_request", status: 405},

		// Metadata.
		{name: "unsupported auth method", method: "POST", path: "/register", token: initialAccessToken, body: ok(`,"token_endpoint_auth_method":"client_secret_magic"`),
			entry: "registration_metadata_invalid", code: "invalid_client_metadata", status: 400, want: "field token_endpoint_auth_method"},
		{name: "scope as a list", method: "POST", path: "/register", token: initialAccessToken, body: ok(`,"scope":["openid"]`),
			entry: "registration_metadata_invalid", code: "invalid_client_metadata", status: 400, want: "field scope"},
		{name: "code without authorization_code", method: "POST", path: "/register", token: initialAccessToken, body: ok(`,"grant_types":["client_credentials"],"response_types":["code"]`),
			entry: "registration_grant_response_types_inconsistent", code: "invalid_client_metadata", status: 400, want: "grant_types client_credentials"},
		{name: "jwks and jwks_uri", method: "POST", path: "/register", token: initialAccessToken,
			body:  ok(`,"token_endpoint_auth_method":"private_key_jwt","jwks":{"keys":[]},"jwks_uri":"https://notes.example.com/jwks"`),
			entry: "registration_jwks_and_jwks_uri", code: "invalid_client_metadata", status: 400},
		{name: "update for another client", method: "PUT", path: mePath, token: mine.AccessToken, body: ok(`,"client_id":"` + theirs.ClientID + `"`),
			entry: "registration_client_id_mismatch", code: "invalid_client_metadata", status: 400, want: theirs.ClientID},
		{name: "update choosing a secret", method: "PUT", path: mePath, token: mine.AccessToken, body: ok(`,"client_id":"` + mine.ClientID + `","client_secret":"` + theirs.ClientSecret + `"`),
			entry: "registration_client_secret_mismatch", code: "invalid_client_metadata", status: 400},
		{name: "software statement", method: "POST", path: "/register", token: initialAccessToken,
			body:  ok(`,"software_statement":"eyJhbGciOiJSUzI1NiJ9.eyJzb2Z0d2FyZV9pZCI6Im5vdGVzIn0.c2lnbmF0dXJl"`),
			entry: "registration_software_statement_unsupported", code: "unapproved_software_statement", status: 400},
		{name: "software statement not a JWT", method: "POST", path: "/register", token: initialAccessToken, body: ok(`,"software_statement":{"software_id":"notes"}`),
			entry: "registration_software_statement_invalid", code: "invalid_software_statement", status: 400},

		// Redirect URIs.
		{name: "no redirect uri", method: "POST", path: "/register", token: initialAccessToken, body: `{"client_name":"Notes"}`,
			entry: "registration_redirect_uri_missing", code: "invalid_redirect_uri", status: 400},
		{name: "malformed", method: "POST", path: "/register", token: initialAccessToken, body: `{"redirect_uris":["https://notes.example.com/ cb"]}`,
			entry: "registration_redirect_uri_malformed", code: "invalid_redirect_uri", status: 400, want: "whitespace"},
		{name: "relative", method: "POST", path: "/register", token: initialAccessToken, body: `{"redirect_uris":["/callback"]}`,
			entry: "registration_redirect_uri_not_absolute", code: "invalid_redirect_uri", status: 400, want: "/callback"},
		{name: "fragment", method: "POST", path: "/register", token: initialAccessToken, body: `{"redirect_uris":["https://notes.example.com/#/cb"]}`,
			entry: "registration_redirect_uri_fragment", code: "invalid_redirect_uri", status: 400},
		{name: "wildcard", method: "POST", path: "/register", token: initialAccessToken, body: `{"redirect_uris":["https://*.notes.example.com/cb"]}`,
			entry: "registration_redirect_uri_wildcard", code: "invalid_redirect_uri", status: 400},
		{name: "user info", method: "POST", path: "/register", token: initialAccessToken, body: `{"redirect_uris":["https://me@notes.example.com/cb"]}`,
			entry: "registration_redirect_uri_userinfo", code: "invalid_redirect_uri", status: 400},
		{name: "http on a public host", method: "POST", path: "/register", token: initialAccessToken, body: `{"redirect_uris":["http://notes.example.com/cb"]}`,
			entry: "registration_redirect_uri_http_not_loopback", code: "invalid_redirect_uri", status: 400, want: "http://notes.example.com/cb"},
		{name: "short custom scheme", method: "POST", path: "/register", token: initialAccessToken, body: `{"redirect_uris":["notes:/cb"]}`,
			entry: "registration_redirect_uri_scheme_unsupported", code: "invalid_redirect_uri", status: 400, want: "scheme notes"},
		{name: "bad redirect in an update", method: "PUT", path: mePath, token: mine.AccessToken, body: `{"client_id":"` + mine.ClientID + `","redirect_uris":["http://notes.example.com/cb"]}`,
			entry: "registration_redirect_uri_http_not_loopback", code: "invalid_redirect_uri", status: 400},
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
			if !strings.Contains(body.Description, tc.want) {
				t.Errorf("error_description %q lacks %q", body.Description, tc.want)
			}
		})
	}

	// Nothing refused changed the registration.
	after := decodeRegistered(t, jsonCall(t, l, http.MethodGet, mePath, mine.AccessToken, ""), http.StatusOK)
	if after.RedirectURIs[0] != clientCB || after.ClientName != mine.ClientName {
		t.Fatalf("a refused request changed the client: %+v", after)
	}
}
