package e2e

// FAPI 2.0 Security Profile §5.3.2.1 item 9: an authorization server
// "shall not use refresh token rotation except in extraordinary
// circumstances". A client under the profile keeps its refresh token; a
// client that is not keeps rotation and its reuse detection.

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/manage"
)

// fapiTokenAnswer is a token endpoint's success answer.
type fapiTokenAnswer struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	RefreshToken string `json:"refresh_token"`
	IDToken      string `json:"id_token"`
}

func wantFAPITokens(t *testing.T, r *reply, what string) fapiTokenAnswer {
	t.Helper()
	var a fapiTokenAnswer
	if r.status != http.StatusOK || json.Unmarshal(r.body, &a) != nil || a.AccessToken == "" {
		t.Fatalf("%s: %d %.400s", what, r.status, r.body)
	}
	return a
}

// fapiTokens runs the profile's flow for f (PAR, browser, DPoP-bound code
// exchange) with scope, and returns the token answer.
func fapiTokens(t *testing.T, l *lucid, f *fapiClient, d *dpopTransport, scope ...string) *oauth2.Token {
	t.Helper()
	cfg := *f.cfg
	cfg.Scopes = scope
	verifier := oauth2.GenerateVerifier()
	form := pushParams(t, &cfg, "st-rt", oauth2.S256ChallengeOption(verifier))
	requestURI := pushed(t, l, push(t, l, mergeForm(form, f.assertion(t, l)), nil))
	code := codeFrom(t, l.browser(t).authorize(parAuthURL(l, f.c.ID, requestURI)), "st-rt")
	tok, err := cfg.Exchange(dpopContext(d), code, f.authCode(t, l, verifier)...)
	if err != nil {
		t.Fatalf("FAPI code exchange: %v", err)
	}
	return tok
}

// assertionNow is f's client assertion on the server's clock.
func (f *fapiClient) assertionNow(t *testing.T, l *lucid) url.Values {
	now := l.Clock.Now()
	return f.assertion(t, l, "iat", now.Unix(), "exp", now.Add(time.Minute).Unix())
}

func TestFAPI2RefreshNotRotated(t *testing.T) {
	l := start(t, func(c *config.Config) { c.Lifetimes.RefreshIdle = 10 * time.Minute })
	l.user(t, demoUser)
	f := newFAPIClient(t, l)
	d := &dpopTransport{t: t, key: newDPoPKey(t)}
	tok := fapiTokens(t, l, f, d, oidc.ScopeOpenID, oidc.ScopeOfflineAccess)
	rt := tok.RefreshToken
	if rt == "" {
		t.Fatal("no refresh token for offline_access")
	}
	refresh := func(token string) *reply {
		form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {token}, "client_id": {f.c.ID}}
		// Proofs on the server's clock, which the test moves.
		proof := d.key.proof(t, "POST", l.URL+"/token", withClaim("iat", l.Clock.Now().Unix()))
		return postToken(t, l, mergeForm(form, f.assertionNow(t, l)), withDPoP(proof))
	}

	// Each refresh answers with the same refresh token and a new access
	// token bound to the DPoP key. The idle lifetime starts again at each
	// use: three refreshes 8 minutes apart outlive a 10-minute idle limit.
	last := tok.AccessToken
	for i := range 3 {
		if i > 0 {
			l.Clock.Advance(8 * time.Minute)
		}
		a := wantFAPITokens(t, refresh(rt), "refresh without rotation")
		if a.RefreshToken != rt {
			t.Fatalf("refresh %d under FAPI 2.0 rotated the refresh token (§5.3.2.1 item 9)", i+1)
		}
		if a.AccessToken == last || a.TokenType != "DPoP" || cnfJKT(jwtClaims(t, a.AccessToken)) != d.key.jkt {
			t.Fatalf("refresh %d: token type %q, cnf.jkt %q; want a new DPoP-bound access token", i+1, a.TokenType, cnfJKT(jwtClaims(t, a.AccessToken)))
		}
		last = a.AccessToken
	}
	// The same token presented twice in a row is no reuse: the family
	// lives, and the access token of the first answer still opens userinfo.
	wantFAPITokens(t, refresh(rt), "the same refresh token again")
	if in := introspectAs(t, l, last); in["active"] != true {
		t.Fatalf("access token after repeated refreshes: %v", in)
	}
	// It is still bound to the client's authentication: without a client
	// assertion the request is not even looked at.
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {f.c.ID}}
	if r := postToken(t, l, form, withDPoP(d.key.proof(t, "POST", l.URL+"/token", withClaim("iat", l.Clock.Now().Unix())))); r.status != http.StatusUnauthorized {
		t.Fatalf("refresh without client authentication: %d %s", r.status, r.body)
	}

	// Revoking it ends the family: the refresh token and the access token.
	rev := mergeForm(url.Values{"token": {rt}, "client_id": {f.c.ID}}, f.assertionNow(t, l))
	if r := send(t, http.MethodPost, l.URL+"/revoke", strings.NewReader(rev.Encode()), func(r *http.Request) {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}); r.status != http.StatusOK {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	wantJSONError(t, l, refresh(rt), "refresh_token_revoked", "invalid_grant", http.StatusBadRequest)
	if in := introspectAs(t, l, last); in["active"] != false {
		t.Fatalf("access token of a revoked family: %v", in)
	}
}

// TestRefreshRotationOutsideFAPI: on the same server, a client not under
// the profile keeps rotation: a new refresh token each time, the old one
// replayed revokes the family.
func TestRefreshRotationOutsideFAPI(t *testing.T) {
	l := start(t)
	l.user(t, demoUser)
	c, sec := l.client(t, manage.ClientSpec{Name: "Web"})
	cfg := l.oauthConfig(c, sec)
	verifier := oauth2.GenerateVerifier()
	b := l.browser(t)
	code := codeFrom(t, b.authorize(cfg.AuthCodeURL("st-plain", oauth2.S256ChallengeOption(verifier))), "st-plain")
	tok, err := cfg.Exchange(t.Context(), code, oauth2.VerifierOption(verifier))
	if err != nil || tok.RefreshToken == "" {
		t.Fatalf("code exchange: %v", err)
	}
	refresh := func(rt string) *reply {
		return postToken(t, l, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}, basicAuth(c.ID, sec))
	}
	next := wantFAPITokens(t, refresh(tok.RefreshToken), "rotation")
	if next.RefreshToken == "" || next.RefreshToken == tok.RefreshToken {
		t.Fatalf("a client outside FAPI 2.0 was not rotated: %q", next.RefreshToken)
	}
	wantJSONError(t, l, refresh(tok.RefreshToken), "refresh_token_reused", "invalid_grant", http.StatusBadRequest)
	wantJSONError(t, l, refresh(next.RefreshToken), "refresh_token_revoked", "invalid_grant", http.StatusBadRequest)
}
