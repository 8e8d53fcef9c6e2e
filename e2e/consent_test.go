package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/lucid-auth/lucid/internal/manage"
)

// TestConsentWithdrawal: an operator (through the admin API) withdraws a
// user's consent; the client's tokens stop working and say why, and the
// next sign-in asks for consent again.
func TestConsentWithdrawal(t *testing.T) {
	ctx := context.Background()
	l := start(t)
	u := l.user(t, demoUser)
	c, sec := l.client(t, manage.ClientSpec{Name: "Notes"})
	cfg := l.oauthConfig(c, sec)
	b := l.browser(t)
	tok, _ := login(t, l, b, cfg)

	admin := func(method, path string) *reply {
		return send(t, method, l.URL+path, nil, func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+l.cfg.AdminToken) })
	}
	r := admin(http.MethodGet, "/admin/users/"+u.ID+"/consents")
	var list struct {
		Consents []struct {
			ClientID string   `json:"client_id"`
			Scopes   []string `json:"scopes"`
		} `json:"consents"`
	}
	if err := json.Unmarshal(r.body, &list); err != nil || r.status != 200 || len(list.Consents) != 1 || list.Consents[0].ClientID != c.ID {
		t.Fatalf("consents: %d %s", r.status, r.body)
	}
	if r := admin(http.MethodDelete, "/admin/users/"+u.ID+"/consents/"+c.ID); r.status != 204 {
		t.Fatalf("withdraw: %d %s", r.status, r.body)
	}
	wantJSONError(t, l, admin(http.MethodDelete, "/admin/users/"+u.ID+"/consents/"+c.ID), "admin_not_found", "not_found", 404)

	_, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	body := wantOAuthError(t, err, "refresh_consent_withdrawn", "invalid_grant", 400)
	if !strings.Contains(body.Description, "withdrawn") {
		t.Errorf("description: %s", body.Description)
	}
	r = send(t, http.MethodGet, l.URL+"/userinfo", nil, func(req *http.Request) { req.Header.Set("Authorization", "Bearer "+tok.AccessToken) })
	wantBearerError(t, l, r, "access_token_revoked", "invalid_token", 401)

	// The browser is still signed in, but consent is asked again.
	p := b.get(cfg.AuthCodeURL("again", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	if !p.isConsent() {
		t.Fatalf("no consent page after withdrawal: %d %v", p.status, p.location)
	}
}

// TestUnknownPath: a mistyped URL gets the catalog's page, not Go's bare 404.
func TestUnknownPath(t *testing.T) {
	l := start(t)
	b := l.browser(t)
	p := b.get(l.URL + "/nope")
	wantErrorPage(t, l, p, "page_not_found", 404)
}
