package e2e

// Issue 12: a device_code or an auth_req_id presented again after its
// tokens were issued revokes those tokens, as a reused authorization code
// does: the first access token stops working at userinfo, the first
// refresh token at the token endpoint.

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// wantFamilyRevoked checks that the tokens of a first redemption no
// longer work, and names the reason the family was revoked.
func wantFamilyRevoked(t *testing.T, l *lucid, access, refresh, reason string, refreshAuth func(*http.Request), form url.Values) {
	t.Helper()
	ui := send(t, http.MethodGet, l.URL+"/userinfo", nil, bearer(access))
	wantBearerError(t, l, ui, "access_token_revoked", "invalid_token", http.StatusUnauthorized)
	form.Set("grant_type", "refresh_token")
	form.Set("refresh_token", refresh)
	e := wantJSONError(t, l, postToken(t, l, form, refreshAuth), "refresh_token_revoked", "invalid_grant", http.StatusBadRequest)
	if !strings.Contains(e.Description, reason) {
		t.Errorf("refresh refusal does not name the reason %q: %s", reason, e.Description)
	}
}

func TestDeviceRedeemedAgainRevokes(t *testing.T) {
	l := start(t)
	l.user(t, demoUser)
	c := deviceClient(t, l)
	da := startDevice(t, l, c.ID, nil)
	l.browser(t).approveDevice(da.VerificationURIComplete, "allow")
	r := poll(t, l, c.ID, da.DeviceCode)
	var tok struct{ AccessToken, RefreshToken string }
	if r.status != http.StatusOK || json.Unmarshal(r.body, &struct {
		A *string `json:"access_token"`
		R *string `json:"refresh_token"`
	}{&tok.AccessToken, &tok.RefreshToken}) != nil || tok.RefreshToken == "" {
		t.Fatalf("first poll: %d %s", r.status, r.body)
	}
	if ui := send(t, http.MethodGet, l.URL+"/userinfo", nil, bearer(tok.AccessToken)); ui.status != http.StatusOK {
		t.Fatalf("userinfo before the second redemption: %d %s", ui.status, ui.body)
	}
	e := wantJSONError(t, l, poll(t, l, c.ID, da.DeviceCode), "device_code_used", "invalid_grant", http.StatusBadRequest)
	if !strings.Contains(e.Description, "has now been revoked") {
		t.Errorf("description does not say the tokens were revoked: %s", e.Description)
	}
	wantFamilyRevoked(t, l, tok.AccessToken, tok.RefreshToken, "device code redeemed again", nil, url.Values{"client_id": {c.ID}})
}

func TestCIBARedeemedAgainRevokes(t *testing.T) {
	w := newCIBAWorld(t)
	l := w.l
	a := startCIBA(t, l, w.poll.ID, w.pollSecret, hintForm("scope", "openid offline_access"))
	adminDecide(t, l, w.alice.ID, "approve", http.StatusOK)
	tok := wantCIBATokens(t, cibaPoll(t, l, w.poll.ID, w.pollSecret, a.AuthReqID))
	if ui := send(t, http.MethodGet, l.URL+"/userinfo", nil, bearer(tok.AccessToken)); ui.status != http.StatusOK || tok.RefreshToken == "" {
		t.Fatalf("userinfo before the second redemption: %d %s (refresh token %q)", ui.status, ui.body, tok.RefreshToken)
	}
	e := wantJSONError(t, l, cibaPoll(t, l, w.poll.ID, w.pollSecret, a.AuthReqID), "ciba_auth_req_id_used", "invalid_grant", http.StatusBadRequest)
	if !strings.Contains(e.Description, "has now been revoked") {
		t.Errorf("description does not say the tokens were revoked: %s", e.Description)
	}
	wantFamilyRevoked(t, l, tok.AccessToken, tok.RefreshToken, "auth_req_id redeemed again", basicAuth(w.poll.ID, w.pollSecret), url.Values{})
}
