package e2e

// Lucid's credentials recognised on sight (issue 10, items 1 and 3): a
// damaged value, a value of another kind and a value of no Lucid form each
// get their own entry at the token endpoint and userinfo; a token response
// without a refresh token says why, and so does the refresh that follows.

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/lucid-auth/lucid/internal/credential"
	"github.com/lucid-auth/lucid/internal/failure"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
)

// pendingCode is one fresh authorization code of cfg's client with its PKCE
// verifier, not yet exchanged.
type pendingCode struct{ code, verifier string }

func freshGrantCode(t *testing.T, l *lucid, cfg *oauth2.Config) pendingCode {
	t.Helper()
	v := oauth2.GenerateVerifier()
	return pendingCode{code: codeFrom(t, l.browser(t).authorize(cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(v))), "s"), verifier: v}
}

// codeForm is the token request that redeems code as cfg's client.
func codeExchangeForm(cfg *oauth2.Config, code, verifier string) url.Values {
	return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {cfg.RedirectURL}, "code_verifier": {verifier}}
}

// withheldAnswer is a token response with Lucid's extension member.
type withheldAnswer struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	IDToken      string `json:"id_token"`
	Withheld     string `json:"refresh_token_withheld"`
}

func wantTokenAnswer(t *testing.T, r *reply) withheldAnswer {
	t.Helper()
	var a withheldAnswer
	if r.status != http.StatusOK {
		t.Fatalf("token request: %d %s", r.status, r.body)
	}
	if err := json.Unmarshal(r.body, &a); err != nil || a.AccessToken == "" {
		t.Fatalf("token response %s: %v", r.body, err)
	}
	return a
}

// wantNoCredential fails when an answer or a stored story repeats a credential.
func wantNoCredential(t *testing.T, where, text string, values ...string) {
	t.Helper()
	for _, v := range values {
		if len(v) > 8 && strings.Contains(text, v[8:]) {
			t.Fatalf("%s repeats the credential sent: %s", where, text)
		}
	}
}

func TestCredentialKindsAtTheTokenEndpoint(t *testing.T) {
	ctx := context.Background()
	l := start(t)
	alice := l.user(t, demoUser)
	c, sec := l.client(t, manage.ClientSpec{Name: "Notes"})
	opaque := store.FormatOpaque
	oc, osec := l.client(t, manage.ClientSpec{Name: "Opaque", AccessTokenFormat: opaque})
	cfg, ocfg := l.oauthConfig(c, sec), l.oauthConfig(oc, osec)
	auth, oauth := basicAuth(c.ID, sec), basicAuth(oc.ID, osec)

	// What a signed-in client holds: a spent code, a JWT access token, an
	// ID token and a refresh token; and, from the opaque client, an opaque
	// access token.
	first := freshGrantCode(t, l, cfg)
	held := wantTokenAnswer(t, postToken(t, l, codeExchangeForm(cfg, first.code, first.verifier), auth))
	og := freshGrantCode(t, l, ocfg)
	oheld := wantTokenAnswer(t, postToken(t, l, codeExchangeForm(ocfg, og.code, og.verifier), oauth))
	for name, v := range map[string]string{"code": first.code, "refresh token": held.RefreshToken, "opaque access token": oheld.AccessToken} {
		if !credential.Inspect(v).Ours() {
			t.Fatalf("the %s has not Lucid's form: %.12s…", name, v)
		}
	}

	t.Run("code parameter", func(t *testing.T) {
		g := freshGrantCode(t, l, cfg)
		code := g.code
		cases := []struct {
			name, value, entry, says string
		}{
			{"truncated", code[:len(code)-7], "authorization_code_damaged", "7 characters are missing"},
			{"+ decoded twice into a space", code[:20] + " " + code[21:], "authorization_code_damaged", "URL-decoded twice"},
			{"left percent-encoded", code[:20] + "%2D" + code[21:], "authorization_code_damaged", "%xx escapes"},
			{"quoted", `"` + code + `"`, "authorization_code_damaged", "quotes"},
			{"whole query string", code + "&state=s", "authorization_code_damaged", "appended"},
			{"refresh token", held.RefreshToken, "authorization_code_is_refresh_token", "grant_type=refresh_token"},
			{"JWT access token", held.AccessToken, "authorization_code_is_token", "a JWT access token"},
			{"ID token", held.IDToken, "authorization_code_is_token", "an ID token"},
			{"opaque access token", oheld.AccessToken, "authorization_code_is_token", "an opaque access token"},
			{"of Lucid's form, unknown here", credential.New(credential.Code), "authorization_code_unknown", ""},
			{"of no Lucid form", "4/0AX4XfWh-not-lucid", "authorization_code_unknown", ""},
		}
		// Of many failures alike only the first few are stored (the
		// sampler), so the story is read for the first of each entry.
		storied := map[string]bool{}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				body := wantJSONError(t, l, postToken(t, l, codeExchangeForm(cfg, tc.value, g.verifier), auth), tc.entry, "invalid_grant", 400)
				if !strings.Contains(body.Description, tc.says) {
					t.Errorf("description does not say %q: %s", tc.says, body.Description)
				}
				wantNoCredential(t, "the description", body.Description, tc.value, code)
				if storied[tc.entry] {
					return
				}
				storied[tc.entry] = true
				st := story(t, l, body.TraceID)
				if st["presented"] == "" {
					t.Errorf("the story does not say what was recognised: %v", st)
				}
				for k, v := range st {
					wantNoCredential(t, "the story's "+k, v, tc.value, code)
				}
			})
		}
		// None of the mistakes spent the code: it is still good.
		wantTokenAnswer(t, postToken(t, l, codeExchangeForm(cfg, code, g.verifier), auth))
	})

	t.Run("refresh_token parameter", func(t *testing.T) {
		rt := held.RefreshToken
		refresh := func(v string) *reply {
			return postToken(t, l, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {v}}, auth)
		}
		cases := []struct {
			name, value, entry, says string
		}{
			{"truncated by a short column", rt[:40], "refresh_token_damaged", "truncated"},
			{"with a line break", rt + "\n", "refresh_token_damaged", "line break"},
			{"a code", freshGrantCode(t, l, cfg).code, "refresh_token_is_code", "grant_type=authorization_code"},
			{"an ID token", held.IDToken, "refresh_token_is_token", "an ID token"},
			// This grant asked for offline_access: the access token's
			// grant has a refresh token, and the answer says to send it.
			{"the access token of a grant with a refresh token", held.AccessToken, "refresh_token_is_token", "Its grant has a refresh token"},
			{"of Lucid's form, unknown here", credential.New(credential.Refresh), "refresh_token_unknown", ""},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				body := wantJSONError(t, l, refresh(tc.value), tc.entry, "invalid_grant", 400)
				if !strings.Contains(body.Description, tc.says) {
					t.Errorf("description does not say %q: %s", tc.says, body.Description)
				}
				wantNoCredential(t, "the description", body.Description, tc.value)
			})
		}
		// The mistakes did not spend or revoke the refresh token.
		r := refresh(rt)
		if next := wantTokenAnswer(t, r); next.RefreshToken == "" || next.Withheld != "" {
			t.Fatalf("rotation: %s", r.body)
		}
	})

	t.Run("bearer token at userinfo", func(t *testing.T) {
		bearer := func(v string) *reply {
			return send(t, http.MethodGet, l.URL+"/userinfo", nil, func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+v) })
		}
		at := oheld.AccessToken
		cases := []struct {
			name, value, entry, says string
		}{
			{"opaque token cut by a header limit", at[:30], "access_token_damaged", "truncated"},
			{"opaque token altered", at[:len(at)-1] + flippedLast(at), "access_token_damaged", "altered"},
			{"a refresh token", held.RefreshToken, "access_token_wrong_kind", "a refresh token"},
			{"a code", first.code, "access_token_wrong_kind", "an authorization code"},
			{"an ID token", held.IDToken, "access_token_is_id_token", "typ at+jwt"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				body, _ := wantBearerError(t, l, bearer(tc.value), tc.entry, "invalid_token", 401)
				if !strings.Contains(body.Description, tc.says) {
					t.Errorf("description does not say %q: %s", tc.says, body.Description)
				}
				wantNoCredential(t, "the description", body.Description, tc.value)
			})
		}
		if r := bearer(at); r.status != 200 {
			t.Fatalf("the opaque access token itself: %d %s", r.status, r.body)
		}
	})

	t.Run("introspection goes by the form, whatever the hint", func(t *testing.T) {
		ask := func(token, hint string) map[string]any {
			return introspect(t, l, c.ID, sec, token, func(r *http.Request) {
				r.Body = io.NopCloser(strings.NewReader(url.Values{"token": {token}, "token_type_hint": {hint}}.Encode()))
				r.ContentLength = -1
			})
		}
		rt := freshRefreshToken(t, l, cfg, auth)
		if info := ask(rt, "access_token"); info["active"] != true || info["token_type"] != "refresh_token" {
			t.Errorf("a refresh token hinted as an access token: %v", info)
		}
		if info := ask(first.code, "refresh_token"); info["active"] != false {
			t.Errorf("an authorization code: %v", info)
		}
		if info := ask(rt[:30], "refresh_token"); info["active"] != false {
			t.Errorf("a damaged refresh token: %v", info)
		}
	})

	// Credentials minted before prefixes existed keep working until they
	// expire: they are looked up as before.
	t.Run("unprefixed credentials still work", func(t *testing.T) {
		now := l.Clock.Now()
		legacyCode, v := secret.Token(32), oauth2.GenerateVerifier()
		if err := l.Store.CreateAuthCode(ctx, &store.AuthCode{
			Hash: secret.Hash(legacyCode), ClientID: c.ID, UserID: alice.ID,
			RedirectURI: cfg.RedirectURL, RedirectURIGiven: true, Scopes: []string{"openid", "offline_access"},
			CodeChallenge: oauth2.S256ChallengeFromVerifier(v), CodeChallengeMethod: "S256",
			AuthTime: now, CreatedAt: now, ExpiresAt: now.Add(time.Minute),
		}); err != nil {
			t.Fatal(err)
		}
		got := wantTokenAnswer(t, postToken(t, l, codeExchangeForm(cfg, legacyCode, v), auth))
		legacyAccess := secret.Token(32)
		if err := l.Store.CreateAccessToken(ctx, &store.AccessToken{
			Hash: secret.Hash(legacyAccess), JTI: secret.Token(16), ClientID: c.ID, UserID: alice.ID,
			Scopes: []string{"openid"}, Audience: []string{l.URL}, CreatedAt: now, ExpiresAt: now.Add(time.Hour),
		}); err != nil {
			t.Fatal(err)
		}
		if r := send(t, http.MethodGet, l.URL+"/userinfo", nil, func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+legacyAccess) }); r.status != 200 {
			t.Fatalf("an unprefixed opaque access token: %d %s", r.status, r.body)
		}
		if got.RefreshToken == "" {
			t.Fatal("no refresh token for a legacy code with offline_access")
		}
	})
}

func flippedLast(s string) string {
	if s[len(s)-1] == 'A' {
		return "B"
	}
	return "A"
}

// freshRefreshToken signs in and returns a new refresh token of cfg's client.
func freshRefreshToken(t *testing.T, l *lucid, cfg *oauth2.Config, auth func(*http.Request)) string {
	t.Helper()
	g := freshGrantCode(t, l, cfg)
	return wantTokenAnswer(t, postToken(t, l, codeExchangeForm(cfg, g.code, g.verifier), auth)).RefreshToken
}

// A token response without a refresh token names the reason; the trace id
// leads to a recorded note; the refresh that follows names it too.
func TestRefreshTokenWithheld(t *testing.T) {
	l := start(t)
	l.user(t, demoUser)
	c, sec := l.client(t, manage.ClientSpec{Name: "Notes"})
	noOffline, noOfflineSec := l.client(t, manage.ClientSpec{Name: "No offline", Scopes: []string{"openid", "profile", "email"}})
	codeOnly, codeOnlySec := l.client(t, manage.ClientSpec{Name: "Code only", GrantTypes: []string{"authorization_code"}})
	always, alwaysSec := l.client(t, manage.ClientSpec{Name: "Always", AlwaysRefresh: true})

	cases := []struct {
		name     string
		client   *store.Client
		secret   string
		scopes   []string
		withheld string // "" means a refresh token is issued
		// later is the entry a refresh with the access token gets, and
		// empty is the one a refresh with an empty refresh_token gets.
		later, empty string
	}{
		{"offline_access not requested", c, sec, []string{"openid", "profile"}, "refresh_token_not_requested", "refresh_token_is_token", "refresh_token_not_requested"},
		{"offline_access not allowed", noOffline, noOfflineSec, []string{"openid", "profile"}, "refresh_token_scope_not_allowed", "refresh_token_is_token", "refresh_token_scope_not_allowed"},
		{"refresh_token grant not allowed", codeOnly, codeOnlySec, []string{"openid", "offline_access"}, "grant_type_not_allowed", "", ""},
		{"offline_access requested", c, sec, []string{"openid", "offline_access"}, "", "", ""},
		{"always issued", always, alwaysSec, []string{"openid"}, "", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := l.oauthConfig(tc.client, tc.secret, tc.scopes...)
			auth := basicAuth(tc.client.ID, tc.secret)
			g := freshGrantCode(t, l, cfg)
			r := postToken(t, l, codeExchangeForm(cfg, g.code, g.verifier), auth)
			a := wantTokenAnswer(t, r)
			if a.Withheld != tc.withheld || (a.RefreshToken == "") != (tc.withheld != "") {
				t.Fatalf("refresh_token_withheld = %q with refresh token %v, want %q", a.Withheld, a.RefreshToken != "", tc.withheld)
			}
			if tc.withheld == "" {
				return
			}
			// The trace id of the 200 leads to a note with the same reason.
			tid := r.header.Get("X-Trace-Id")
			deadline := time.Now().Add(3 * time.Second)
			var f *store.Failure
			for {
				var err error
				if f, err = l.Store.GetFailure(context.Background(), tid); err == nil || time.Now().After(deadline) {
					if err != nil {
						t.Fatalf("no note under trace id %s: %v", tid, err)
					}
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			if f.Name != tc.withheld || !failure.IsNote(f) || f.ClientID != tc.client.ID {
				t.Fatalf("note = %+v", f)
			}
			wantNoCredential(t, "the note", f.Text, a.AccessToken, a.IDToken)
			if tc.later == "" {
				return
			}
			// Later, the client refreshes with what it has: the access
			// token, or nothing at all.
			body := wantJSONError(t, l, postToken(t, l, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {a.AccessToken}}, auth), tc.later, "invalid_grant", 400)
			if !strings.Contains(body.Description, tc.withheld) {
				t.Errorf("the refresh with the access token does not name %s: %s", tc.withheld, body.Description)
			}
			for _, empty := range []string{"", "undefined"} {
				wantJSONError(t, l, postToken(t, l, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {empty}}, auth), tc.empty, "invalid_grant", 400)
			}
		})
	}

	// The client that may not use the refresh_token grant is told so by the
	// entry its token response named.
	r := postToken(t, l, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"undefined"}}, basicAuth(codeOnly.ID, codeOnlySec))
	wantJSONError(t, l, r, "grant_type_not_allowed", "unauthorized_client", 400)

	// A client that gets refresh tokens and sends none is told the
	// parameter is missing, as before.
	wantJSONError(t, l, postToken(t, l, url.Values{"grant_type": {"refresh_token"}}, basicAuth(always.ID, alwaysSec)), "parameter_missing", "invalid_request", 400)
}
