package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/granttype"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/server"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/sqlite"
)

// Token exchange (RFC 8693) and the JWT bearer grant (RFC 7523 §2.1),
// driven over HTTP the way a backend service and a workload would.

const (
	inventoryAPI = "https://inventory.example.com"
	shippingAPI  = "https://shipping.example.com"
	reportsAPI   = "https://reports.example.com"

	ttAccess  = "urn:ietf:params:oauth:token-type:access_token"
	ttJWT     = "urn:ietf:params:oauth:token-type:jwt"
	ttID      = "urn:ietf:params:oauth:token-type:id_token"
	ttRefresh = "urn:ietf:params:oauth:token-type:refresh_token"
)

// issued is a successful token response, with RFC 8693's issued_token_type.
type issued struct {
	AccessToken     string `json:"access_token"`
	TokenType       string `json:"token_type"`
	ExpiresIn       int64  `json:"expires_in"`
	Scope           string `json:"scope"`
	RefreshToken    string `json:"refresh_token"`
	IDToken         string `json:"id_token"`
	IssuedTokenType string `json:"issued_token_type"`
}

func wantIssued(t *testing.T, r *reply) issued {
	t.Helper()
	if r.status != http.StatusOK || r.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("token request: %d %v %s", r.status, r.header.Get("Cache-Control"), r.body)
	}
	var out issued
	if err := json.Unmarshal(r.body, &out); err != nil || out.AccessToken == "" {
		t.Fatalf("token response %s: %v", r.body, err)
	}
	return out
}

// verifiedClaims checks a JWT against Lucid's JWKS and returns its claims.
func verifiedClaims(t *testing.T, l *lucid, token, typ string) map[string]any {
	t.Helper()
	parsed, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.ES256, jose.RS256, jose.EdDSA})
	if err != nil {
		t.Fatalf("not a JWT: %v", err)
	}
	if got := parsed.Headers[0].ExtraHeaders["typ"]; got != typ {
		t.Fatalf("typ = %v, want %s", got, typ)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(send(t, http.MethodGet, l.URL+"/jwks", nil, nil).body, &set); err != nil {
		t.Fatal(err)
	}
	keys := set.Key(parsed.Headers[0].KeyID)
	if len(keys) != 1 {
		t.Fatalf("kid %s not in the JWKS", parsed.Headers[0].KeyID)
	}
	var claims map[string]any
	if err := parsed.Claims(keys[0].Public(), &claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

// exchangeForm is a token exchange request for subject as an access token;
// kv adds or replaces parameters.
func exchangeForm(subject string, kv ...string) url.Values {
	f := url.Values{"grant_type": {string(granttype.TokenExchange)}, "subject_token": {subject}, "subject_token_type": {ttAccess}}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			f.Del(kv[i])
			continue
		}
		f.Add(kv[i], kv[i+1])
	}
	return f
}

// withParam replaces one parameter of a form built by exchangeForm.
func withParam(f url.Values, k, v string) url.Values {
	f.Set(k, v)
	return f
}

// exchangeWorld is a shop: a web front end whose user signs in, a backend
// that exchanges the user's token to call the inventory, and more
// services with narrower policies.
type exchangeWorld struct {
	l                                  *lucid
	alice                              *store.User
	web, backend, shipping, imp, other *store.Client
	webSec, backSec, shipSec, impSec   string
	otherSec                           string
	webCfg                             *oauth2.Config
	user                               *oauth2.Token // alice's tokens at the web front end
}

func newExchangeWorld(t *testing.T) *exchangeWorld {
	t.Helper()
	ctx := context.Background()
	w := &exchangeWorld{l: start(t)}
	l := w.l
	w.alice = l.user(t, demoUser)
	if _, err := l.Svc.CreateAPI(ctx, manage.APISpec{ID: inventoryAPI, Scopes: []string{"openid", "profile"}, TokenFormat: store.FormatOpaque}); err != nil {
		t.Fatal(err)
	}
	w.web, w.webSec = l.client(t, manage.ClientSpec{Name: "Web shop"})
	w.backend, w.backSec = m2m(t, l, manage.ClientSpec{
		Name:       "Orders backend",
		GrantTypes: []string{"client_credentials", string(granttype.TokenExchange), "refresh_token"},
		Scopes:     []string{"openid", "profile", "orders:read"},
		TokenExchange: &store.ExchangePolicy{Impersonation: true, Delegation: true,
			Audiences: []string{inventoryAPI, ordersAPI}, SubjectClients: []string{w.web.ID}},
	})
	w.shipping, w.shipSec = m2m(t, l, manage.ClientSpec{
		Name: "Shipping", GrantTypes: []string{"client_credentials", string(granttype.TokenExchange)},
		Scopes: []string{"openid", "profile", "orders:read"}, Audiences: []string{shippingAPI},
		TokenExchange: &store.ExchangePolicy{Delegation: true, Audiences: []string{shippingAPI}, SubjectClients: []string{w.backend.ID}},
	})
	w.imp, w.impSec = m2m(t, l, manage.ClientSpec{
		Name: "Reports", GrantTypes: []string{string(granttype.TokenExchange)}, Scopes: []string{"openid", "profile"},
		TokenExchange: &store.ExchangePolicy{Impersonation: true, Audiences: []string{inventoryAPI}, SubjectClients: []string{w.web.ID}},
	})
	w.other, w.otherSec = m2m(t, l, manage.ClientSpec{
		Name: "Stranger", GrantTypes: []string{string(granttype.TokenExchange)}, Scopes: []string{"openid", "profile"},
		TokenExchange: &store.ExchangePolicy{Impersonation: true, Audiences: []string{inventoryAPI}},
	})
	w.webCfg = l.oauthConfig(w.web, w.webSec)
	w.user, _ = login(t, l, l.browser(t), w.webCfg)
	return w
}

// ccToken is a client's own client_credentials token, its actor token.
func (w *exchangeWorld) ccToken(t *testing.T, id, secret string) string {
	t.Helper()
	cc := clientcredentials.Config{ClientID: id, ClientSecret: secret, TokenURL: w.l.URL + "/token", Scopes: []string{"orders:read"}}
	tok, err := cc.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return tok.AccessToken
}

func TestTokenExchange(t *testing.T) {
	ctx := context.Background()
	w := newExchangeWorld(t)
	l := w.l
	subject := verifiedClaims(t, l, w.user.AccessToken, "at+jwt")

	t.Run("impersonation", func(t *testing.T) {
		r := postToken(t, l, exchangeForm(w.user.AccessToken, "audience", inventoryAPI, "requested_token_type", ttJWT), basicAuth(w.backend.ID, w.backSec))
		got := wantIssued(t, r)
		if got.IssuedTokenType != ttJWT || got.TokenType != "Bearer" || got.RefreshToken != "" || got.IDToken != "" {
			t.Fatalf("response %+v", got)
		}
		c := verifiedClaims(t, l, got.AccessToken, "at+jwt")
		// The subject's scope narrowed to what the backend may have; the
		// subject's grant kept, so that revoking it ends this token too.
		if c["sub"] != w.alice.ID || c["client_id"] != w.backend.ID || c["aud"] != inventoryAPI || c["scope"] != "openid profile" ||
			c["grant_id"] != subject["grant_id"] || c["act"] != nil || c["iss"] != l.URL {
			t.Fatalf("claims %v", c)
		}
		if c["exp"].(float64) > subject["exp"].(float64) {
			t.Errorf("the exchanged token outlives its subject: %v > %v", c["exp"], subject["exp"])
		}
		if got.Scope != "openid profile" {
			t.Errorf("scope %q", got.Scope)
		}
	})

	t.Run("opaque access token by the API's format", func(t *testing.T) {
		got := wantIssued(t, postToken(t, l, exchangeForm(w.user.AccessToken, "resource", inventoryAPI, "scope", "openid"), basicAuth(w.backend.ID, w.backSec)))
		if got.IssuedTokenType != ttAccess || strings.Contains(got.AccessToken, ".") || got.Scope != "openid" {
			t.Fatalf("response %+v", got)
		}
		info := introspect(t, l, w.backend.ID, w.backSec, got.AccessToken, nil)
		if info["active"] != true || info["sub"] != w.alice.ID || info["client_id"] != w.backend.ID || info["aud"] != inventoryAPI {
			t.Fatalf("introspection %v", info)
		}
	})

	t.Run("delegation chain", func(t *testing.T) {
		// The backend acts for alice at the inventory (an opaque token)...
		hop1 := wantIssued(t, postToken(t, l, exchangeForm(w.user.AccessToken, "audience", inventoryAPI,
			"actor_token", w.ccToken(t, w.backend.ID, w.backSec), "actor_token_type", ttAccess), basicAuth(w.backend.ID, w.backSec)))
		if strings.Contains(hop1.AccessToken, ".") {
			t.Fatalf("want an opaque token, got %q", hop1.AccessToken)
		}
		// Introspection names the actor of a delegated opaque token.
		info := introspect(t, l, w.backend.ID, w.backSec, hop1.AccessToken, nil)
		if act, _ := info["act"].(map[string]any); act["sub"] != w.backend.ID || act["client_id"] != w.backend.ID {
			t.Fatalf("introspection act: %v", info)
		}
		// ...and shipping, called by the backend with that token, acts in turn.
		hop2 := wantIssued(t, postToken(t, l, exchangeForm(hop1.AccessToken, "actor_token", w.ccToken(t, w.shipping.ID, w.shipSec),
			"actor_token_type", ttJWT, "requested_token_type", ttJWT), basicAuth(w.shipping.ID, w.shipSec)))
		c := verifiedClaims(t, l, hop2.AccessToken, "at+jwt")
		wantAct := map[string]any{"sub": w.shipping.ID, "client_id": w.shipping.ID,
			"act": map[string]any{"sub": w.backend.ID, "client_id": w.backend.ID}}
		if c["sub"] != w.alice.ID || c["client_id"] != w.shipping.ID || c["aud"] != shippingAPI || !reflect.DeepEqual(c["act"], wantAct) ||
			c["grant_id"] != subject["grant_id"] {
			t.Fatalf("claims %v", c)
		}
	})

	t.Run("ID token as subject", func(t *testing.T) {
		idToken, _ := w.user.Extra("id_token").(string)
		f := withParam(exchangeForm(idToken, "audience", inventoryAPI, "requested_token_type", ttJWT), "subject_token_type", ttID)
		c := verifiedClaims(t, l, wantIssued(t, postToken(t, l, f, basicAuth(w.backend.ID, w.backSec))).AccessToken, "at+jwt")
		if c["sub"] != w.alice.ID || c["scope"] != "openid" || c["client_id"] != w.backend.ID {
			t.Fatalf("claims %v", c)
		}
	})

	t.Run("ID token for the backend", func(t *testing.T) {
		got := wantIssued(t, postToken(t, l, exchangeForm(w.user.AccessToken, "requested_token_type", ttID), basicAuth(w.backend.ID, w.backSec)))
		if got.IssuedTokenType != ttID || got.TokenType != "N_A" {
			t.Fatalf("response %+v", got)
		}
		v := newProvider(t, l).Verifier(&oidc.Config{ClientID: w.backend.ID, Now: l.Clock.Now})
		idt, err := v.Verify(ctx, got.AccessToken)
		if err != nil {
			t.Fatal(err)
		}
		var claims struct {
			Name string `json:"name"`
			AZP  string `json:"azp"`
		}
		if err := idt.Claims(&claims); err != nil || idt.Subject != w.alice.ID || claims.Name != "Alice Liddell" || claims.AZP != w.backend.ID {
			t.Fatalf("ID token %s %+v %v", idt.Subject, claims, err)
		}
	})

	t.Run("refresh token the backend redeems", func(t *testing.T) {
		got := wantIssued(t, postToken(t, l, exchangeForm(w.user.AccessToken, "requested_token_type", ttRefresh, "scope", "openid profile"), basicAuth(w.backend.ID, w.backSec)))
		if got.IssuedTokenType != ttRefresh || got.TokenType != "N_A" || got.ExpiresIn <= 0 {
			t.Fatalf("response %+v", got)
		}
		cfg := oauth2.Config{ClientID: w.backend.ID, ClientSecret: w.backSec, Endpoint: oauth2.Endpoint{TokenURL: l.URL + "/token", AuthStyle: oauth2.AuthStyleInHeader}}
		tok, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: got.AccessToken}).Token()
		if err != nil {
			t.Fatal(err)
		}
		if tok.RefreshToken == "" || tok.RefreshToken == got.AccessToken {
			t.Errorf("the refresh token was not rotated: %q", tok.RefreshToken)
		}
		r := send(t, http.MethodGet, l.URL+"/userinfo", nil, bearer(tok.AccessToken))
		var info map[string]any
		_ = json.Unmarshal(r.body, &info)
		if r.status != 200 || info["sub"] != w.alice.ID || info["name"] != "Alice Liddell" {
			t.Fatalf("userinfo with the refreshed token: %d %s", r.status, r.body)
		}
	})

	t.Run("discovery", func(t *testing.T) {
		var doc struct {
			Grants []string `json:"grant_types_supported"`
		}
		_ = json.Unmarshal(send(t, http.MethodGet, l.URL+"/.well-known/openid-configuration", nil, nil).body, &doc)
		if !slices.Contains(doc.Grants, string(granttype.TokenExchange)) || !slices.Contains(doc.Grants, string(granttype.JWTBearer)) {
			t.Errorf("grant_types_supported %v", doc.Grants)
		}
	})

	t.Run("never outlives the subject", func(t *testing.T) {
		l.Clock.Advance(6 * time.Minute) // the subject has 4 minutes left
		got := wantIssued(t, postToken(t, l, exchangeForm(w.user.AccessToken, "audience", inventoryAPI, "requested_token_type", ttJWT), basicAuth(w.backend.ID, w.backSec)))
		c := verifiedClaims(t, l, got.AccessToken, "at+jwt")
		if got.ExpiresIn > 4*60 || c["exp"].(float64) > subject["exp"].(float64) {
			t.Fatalf("expires_in %d, exp %v; the subject expires at %v", got.ExpiresIn, c["exp"], subject["exp"])
		}
	})

	// Revoking the user's grant at the front end ends what was exchanged
	// from it: the tokens, and the refresh chain the backend was given.
	exchanged := wantIssued(t, postToken(t, l, exchangeForm(w.user.AccessToken, "audience", inventoryAPI), basicAuth(w.backend.ID, w.backSec)))
	chain := wantIssued(t, postToken(t, l, exchangeForm(w.user.AccessToken, "requested_token_type", ttRefresh, "scope", "openid profile"), basicAuth(w.backend.ID, w.backSec)))
	backendCfg := oauth2.Config{ClientID: w.backend.ID, ClientSecret: w.backSec, Endpoint: oauth2.Endpoint{TokenURL: l.URL + "/token", AuthStyle: oauth2.AuthStyleInHeader}}
	next, err := backendCfg.TokenSource(ctx, &oauth2.Token{RefreshToken: chain.AccessToken}).Token()
	if err != nil {
		t.Fatalf("the exchanged refresh token before the revocation: %v", err)
	}
	if r := revoke(t, l, w.web.ID, w.webSec, w.user.RefreshToken); r.status != 200 {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	if info := introspect(t, l, w.backend.ID, w.backSec, exchanged.AccessToken, nil); info["active"] != false {
		t.Fatalf("an exchanged token outlived its subject's grant: %v", info)
	}
	if info := introspect(t, l, w.backend.ID, w.backSec, next.AccessToken, nil); info["active"] != false {
		t.Fatalf("a token refreshed from an exchanged chain outlived the subject's grant: %v", info)
	}
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {next.RefreshToken}}
	wantJSONError(t, l, postToken(t, l, form, basicAuth(w.backend.ID, w.backSec)), "refresh_token_revoked", "invalid_grant", 400)
	e := wantJSONError(t, l, postToken(t, l, exchangeForm(w.user.AccessToken, "audience", inventoryAPI), basicAuth(w.backend.ID, w.backSec)),
		"exchange_token_revoked", "invalid_request", 400)
	if !strings.Contains(e.Description, "revoked by its client") {
		t.Errorf("description does not say why: %s", e.Description)
	}
}

// TestExchangedGrantRevokedMeanwhile: a grant made by token exchange while
// its parent was being revoked misses the revocation's mark on its
// descendants; it must still end with the parent. The test writes that
// outcome to the store directly: the parent revoked, then the child.
func TestExchangedGrantRevokedMeanwhile(t *testing.T) {
	ctx := context.Background()
	w := newExchangeWorld(t)
	l := w.l
	now := l.Clock.Now()
	family := func(id, client, parent string, issued store.Issued) {
		t.Helper()
		code := &store.AuthCode{Hash: secret.Hash(id), ClientID: client, UserID: w.alice.ID, Scopes: []string{"openid", "profile"},
			CreatedAt: now, ExpiresAt: now.Add(time.Minute)}
		if err := l.Store.CreateAuthCode(ctx, code); err != nil {
			t.Fatal(err)
		}
		f := &store.TokenFamily{ID: id, ClientID: client, UserID: w.alice.ID, Scopes: code.Scopes, CreatedAt: now, ParentID: parent}
		if _, err := l.Store.RedeemAuthCode(ctx, code.Hash, f, issued, now); err != nil {
			t.Fatal(err)
		}
	}
	family("front-grant", w.web.ID, "", store.Issued{})
	if err := l.Store.RevokeTokenFamily(ctx, "front-grant", "authorization code reused", now); err != nil {
		t.Fatal(err)
	}
	rt := secret.Token(32)
	family("late-child", w.backend.ID, "front-grant", store.Issued{Refresh: &store.RefreshToken{
		Hash: secret.Hash(rt), FamilyID: "late-child", ClientID: w.backend.ID, UserID: w.alice.ID, Scopes: []string{"openid", "profile"},
		CreatedAt: now, ExpiresAt: now.Add(time.Hour), IdleExpiresAt: now.Add(time.Hour)}})
	if f, err := l.Store.GetTokenFamily(ctx, "late-child"); err != nil || f.RevokedAt != nil {
		t.Fatalf("setup: the late child should carry no mark of its own: %+v %v", f, err)
	}

	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}
	e := wantJSONError(t, l, postToken(t, l, form, basicAuth(w.backend.ID, w.backSec)), "refresh_token_revoked", "invalid_grant", 400)
	if !strings.Contains(e.Description, "authorization code reused") {
		t.Errorf("description does not give the parent's reason: %s", e.Description)
	}
	if info := introspect(t, l, w.backend.ID, w.backSec, rt, nil); info["active"] != false {
		t.Fatalf("introspection calls the late child's refresh token active: %v", info)
	}
}

func TestTokenExchangeErrors(t *testing.T) {
	w := newExchangeWorld(t)
	l := w.l
	userTok := w.user.AccessToken
	idToken, _ := w.user.Extra("id_token").(string)
	backAuth := basicAuth(w.backend.ID, w.backSec)
	backActor := w.ccToken(t, w.backend.ID, w.backSec)
	cases := []struct {
		name   string
		form   url.Values
		auth   func(*http.Request)
		entry  string
		code   string
		status int
	}{
		{"no subject token", exchangeForm("", "subject_token", ""), backAuth, "parameter_missing", "invalid_request", 400},
		{"no subject token type", exchangeForm(userTok, "subject_token_type", ""), backAuth, "parameter_missing", "invalid_request", 400},
		{"short token type", withParam(exchangeForm(userTok), "subject_token_type", "access_token"), backAuth, "exchange_token_type_unsupported", "invalid_request", 400},
		{"actor token type unknown", exchangeForm(userTok, "actor_token", backActor, "actor_token_type", "urn:ietf:params:oauth:token-type:saml2"), backAuth, "exchange_token_type_unsupported", "invalid_request", 400},
		{"actor token without type", exchangeForm(userTok, "actor_token", backActor), backAuth, "parameter_missing", "invalid_request", 400},
		{"actor type without token", exchangeForm(userTok, "actor_token_type", ttAccess), backAuth, "exchange_actor_token_type_without_token", "invalid_request", 400},
		{"requested type unknown", exchangeForm(userTok, "requested_token_type", "urn:ietf:params:oauth:token-type:saml2"), backAuth, "exchange_requested_token_type_unsupported", "invalid_request", 400},
		{"unknown token", exchangeForm("not-a-token", "audience", inventoryAPI), backAuth, "exchange_token_invalid", "invalid_request", 400},
		{"forged JWT", exchangeForm(userTok[:strings.LastIndexByte(userTok, '.')]+".AAAA", "audience", inventoryAPI), backAuth, "exchange_token_invalid", "invalid_request", 400},
		{"ID token sent as access token", exchangeForm(idToken, "audience", inventoryAPI), backAuth, "exchange_token_type_mismatch", "invalid_request", 400},
		{"access token sent as ID token", withParam(exchangeForm(userTok, "audience", inventoryAPI), "subject_token_type", ttID), backAuth, "exchange_token_type_mismatch", "invalid_request", 400},
		{"another client's token", exchangeForm(userTok, "audience", inventoryAPI), basicAuth(w.other.ID, w.otherSec), "exchange_token_other_client", "invalid_request", 400},
		{"impersonation not allowed", exchangeForm(backActor), basicAuth(w.shipping.ID, w.shipSec), "exchange_impersonation_not_allowed", "unauthorized_client", 400},
		{"delegation not allowed", exchangeForm(userTok, "actor_token", backActor, "actor_token_type", ttAccess), basicAuth(w.imp.ID, w.impSec), "exchange_delegation_not_allowed", "unauthorized_client", 400},
		{"audience not allowed", exchangeForm(userTok, "audience", "https://payroll.example.com"), backAuth, "exchange_audience_not_allowed", "invalid_target", 400},
		{"resource not allowed", exchangeForm(userTok, "audience", inventoryAPI, "resource", shippingAPI), backAuth, "exchange_audience_not_allowed", "invalid_target", 400},
		{"relative resource", exchangeForm(userTok, "resource", "inventory"), backAuth, "resource_invalid", "invalid_target", 400},
		{"no target among several", exchangeForm(userTok), backAuth, "exchange_audience_missing", "invalid_target", 400},
		{"target for an ID token", exchangeForm(userTok, "requested_token_type", ttID, "audience", inventoryAPI), backAuth, "exchange_target_not_applicable", "invalid_target", 400},
		{"scope wider than the subject", exchangeForm(userTok, "audience", inventoryAPI, "scope", "openid orders:read"), backAuth, "exchange_scope_widened", "invalid_scope", 400},
		{"scope the client may not have", exchangeForm(userTok, "audience", inventoryAPI, "scope", "email"), backAuth, "scope_not_allowed", "invalid_scope", 400},
		{"ID token about a client", exchangeForm(backActor, "requested_token_type", ttID), backAuth, "exchange_needs_user", "invalid_request", 400},
		{"ID token without openid", exchangeForm(userTok, "requested_token_type", ttID, "scope", "profile"), backAuth, "exchange_id_token_needs_openid", "invalid_scope", 400},
		{"refresh token for a client without refresh", exchangeForm(userTok, "requested_token_type", ttRefresh), basicAuth(w.imp.ID, w.impSec), "exchange_refresh_not_allowed", "unauthorized_client", 400},
		{"refresh token by delegation", exchangeForm(userTok, "requested_token_type", ttRefresh, "actor_token", backActor, "actor_token_type", ttAccess), backAuth, "exchange_refresh_with_actor", "invalid_request", 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantJSONError(t, l, postToken(t, l, tc.form, tc.auth), tc.entry, tc.code, tc.status)
		})
	}

	t.Run("subject token in the query", func(t *testing.T) {
		r := send(t, http.MethodPost, l.URL+"/token?subject_token=x", strings.NewReader(exchangeForm(userTok).Encode()), func(r *http.Request) {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			backAuth(r)
		})
		wantJSONError(t, l, r, "secret_in_query", "invalid_request", 400)
	})

	t.Run("delegation chain too long", func(t *testing.T) {
		token := userTok
		for hop := 1; hop <= 5; hop++ {
			token = wantIssued(t, postToken(t, l, exchangeForm(token, "audience", inventoryAPI, "requested_token_type", ttJWT,
				"actor_token", backActor, "actor_token_type", ttAccess), backAuth)).AccessToken
		}
		e := wantJSONError(t, l, postToken(t, l, exchangeForm(token, "audience", inventoryAPI, "actor_token", backActor, "actor_token_type", ttAccess), backAuth),
			"exchange_delegation_too_deep", "invalid_request", 400)
		if !strings.Contains(e.Description, "6 actors") {
			t.Errorf("description %s", e.Description)
		}
	})

	t.Run("revoked by its client", func(t *testing.T) {
		tok, _ := login(t, l, l.browser(t), w.webCfg)
		if r := revoke(t, l, w.web.ID, w.webSec, tok.AccessToken); r.status != 200 {
			t.Fatalf("revoke: %d", r.status)
		}
		wantJSONError(t, l, postToken(t, l, exchangeForm(tok.AccessToken, "audience", inventoryAPI), backAuth), "exchange_token_revoked", "invalid_request", 400)
	})

	t.Run("user disabled since", func(t *testing.T) {
		l.user(t, "bob")
		tok := loginAs(t, l, w.webCfg, "bob")
		if _, err := l.keepingGrants().SetDisabled(context.Background(), "bob", true); err != nil {
			t.Fatal(err)
		}
		wantJSONError(t, l, postToken(t, l, exchangeForm(tok.AccessToken, "audience", inventoryAPI), backAuth), "grant_user_inactive", "invalid_grant", 400)
	})

	// Last, as it ends every token above: the subjects expire (an ID token
	// lives an hour).
	l.Clock.Advance(61 * time.Minute)
	for _, f := range []url.Values{exchangeForm(userTok, "audience", inventoryAPI), withParam(exchangeForm(idToken, "audience", inventoryAPI), "subject_token_type", ttID)} {
		wantJSONError(t, l, postToken(t, l, f, backAuth), "exchange_token_expired", "invalid_request", 400)
	}
}

// TestTokenExchangeAdminAPI: the policy travels through the admin API.
func TestTokenExchangeAdminAPI(t *testing.T) {
	l := start(t)
	body := `{"client_name":"Orders backend","grant_types":["` + string(granttype.TokenExchange) + `"],
		"token_exchange":{"delegation":true,"audiences":["` + inventoryAPI + `"]}}`
	r := jsonCall(t, l, http.MethodPost, "/admin/clients", l.cfg.AdminToken, body)
	var out manage.ClientView
	if err := json.Unmarshal(r.body, &out); err != nil || r.status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	if out.TokenExchange == nil || !out.TokenExchange.Delegation || !slices.Equal(out.TokenExchange.Audiences, []string{inventoryAPI}) {
		t.Fatalf("policy %+v", out.TokenExchange)
	}
	r = jsonCall(t, l, http.MethodPatch, "/admin/clients/"+out.ID, l.cfg.AdminToken, `{"jwt_bearer":{"issuers":["https://k8s.example.com"]}}`)
	out = manage.ClientView{}
	if err := json.Unmarshal(r.body, &out); err != nil || r.status != http.StatusOK || out.JWTBearer == nil || out.TokenExchange == nil {
		t.Fatalf("patch: %d %s", r.status, r.body)
	}
	r = jsonCall(t, l, http.MethodPatch, "/admin/clients/"+out.ID, l.cfg.AdminToken, `{"token_exchange":{}}`)
	wantJSONError(t, l, r, "admin_invalid_input", "invalid_request", 400)
}

const (
	k8sIssuer  = "https://k8s.example.com"
	ciIssuer   = "https://ci.example.com"
	downIssuer = "https://down.example.com"
	shopSA     = "system:serviceaccount:shop:orders"
)

// bearerWorld runs Lucid trusting three issuers: a cluster whose keys are
// fetched (and whose tokens are reused), a CI system whose keys are in a
// file (each token once), and an issuer whose key server is down.
type bearerWorld struct {
	l                *lucid
	k8s, small       *rsa.PrivateKey
	ci1, ci2         *ecdsa.PrivateKey
	worker, ciOnly   *store.Client
	workerSec, ciSec string
	public           *store.Client
}

func newBearerWorld(t *testing.T) *bearerWorld {
	t.Helper()
	ctx := context.Background()
	w := &bearerWorld{}
	var err error
	if w.k8s, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		t.Fatal(err)
	}
	if w.small, err = rsa.GenerateKey(rand.Reader, 1024); err != nil {
		t.Fatal(err)
	}
	w.ci1, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	w.ci2, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	k8sSet, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: &w.k8s.PublicKey, KeyID: "k8s-1", Algorithm: "RS256", Use: "sig"},
		{Key: &w.small.PublicKey, KeyID: "k8s-small", Use: "sig"},
	}})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /k8s/jwks", func(rw http.ResponseWriter, _ *http.Request) { _, _ = rw.Write(k8sSet) })
	mux.HandleFunc("GET /down/jwks", func(rw http.ResponseWriter, _ *http.Request) {
		http.Error(rw, "maintenance", http.StatusServiceUnavailable)
	})
	keys := httptest.NewServer(mux)
	t.Cleanup(keys.Close)

	ciSet, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: &w.ci1.PublicKey, KeyID: "ci-1", Use: "sig"}, {Key: &w.ci2.PublicKey, KeyID: "ci-2", Use: "sig"},
	}})
	ciFile := filepath.Join(t.TempDir(), "ci.jwks")
	if err := os.WriteFile(ciFile, ciSet, 0o600); err != nil {
		t.Fatal(err)
	}
	w.l = start(t, withLocalKeySets, func(c *config.Config) {
		c.TrustedIssuers = []config.TrustedIssuer{
			{Issuer: k8sIssuer, JWKSURI: keys.URL + "/k8s/jwks", AllowReuse: true},
			{Issuer: ciIssuer, JWKSFile: ciFile, Audience: "https://lucid.example.com", MaxLifetime: 15 * time.Minute},
			{Issuer: downIssuer, JWKSURI: keys.URL + "/down/jwks"},
		}
	})
	if err := w.l.cfg.Validate(); err != nil {
		t.Fatalf("the test configuration is invalid: %v", err)
	}
	if _, err := w.l.Svc.CreateAPI(ctx, manage.APISpec{ID: reportsAPI, Scopes: []string{"orders:read"}, TokenFormat: store.FormatOpaque}); err != nil {
		t.Fatal(err)
	}
	// A token carries only the scopes of the APIs it is for.
	if _, err := w.l.Svc.CreateAPI(ctx, manage.APISpec{ID: ordersAPI, Scopes: []string{"orders:read"}}); err != nil {
		t.Fatal(err)
	}
	w.worker, w.workerSec = m2m(t, w.l, manage.ClientSpec{
		Name: "Orders worker", GrantTypes: []string{string(granttype.JWTBearer)}, Audiences: []string{ordersAPI, reportsAPI},
		JWTBearer: &store.JWTBearerPolicy{Issuers: []string{k8sIssuer, ciIssuer, downIssuer}, Subjects: []string{"system:serviceaccount:shop:*", "repo:shop/orders"}},
	})
	w.ciOnly, w.ciSec = m2m(t, w.l, manage.ClientSpec{
		Name: "CI deployer", GrantTypes: []string{string(granttype.JWTBearer)},
		JWTBearer: &store.JWTBearerPolicy{Issuers: []string{ciIssuer}},
	})
	var perr error
	if w.public, _, perr = w.l.Svc.CreateClient(ctx, manage.ClientSpec{
		Name: "Edge worker", AuthMethod: store.AuthNone, GrantTypes: []string{string(granttype.JWTBearer)},
		Scopes: []string{"orders:read"}, Audiences: []string{ordersAPI},
		JWTBearer: &store.JWTBearerPolicy{Issuers: []string{k8sIssuer}},
	}); perr != nil {
		t.Fatal(perr)
	}
	return w
}

// k8sClaims are the claims of a good service account token for Lucid.
func (w *bearerWorld) k8sClaims(kv ...any) map[string]any {
	now := w.l.Clock.Now()
	c := map[string]any{"iss": k8sIssuer, "sub": shopSA, "aud": []string{w.l.URL + "/token"},
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(10 * time.Minute).Unix(), "jti": rand.Text()}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(c, kv[i].(string))
			continue
		}
		c[kv[i].(string)] = kv[i+1]
	}
	return c
}

// ciClaims are the claims of a good CI job token for Lucid.
func (w *bearerWorld) ciClaims(kv ...any) map[string]any {
	return w.k8sClaims(append([]any{"iss", ciIssuer, "sub", "repo:shop/orders", "aud", "https://lucid.example.com"}, kv...)...)
}

func bearerForm(assertion string, kv ...string) url.Values {
	f := url.Values{"grant_type": {string(granttype.JWTBearer)}, "assertion": {assertion}}
	for i := 0; i+1 < len(kv); i += 2 {
		f.Set(kv[i], kv[i+1])
	}
	return f
}

func TestJWTBearer(t *testing.T) {
	w := newBearerWorld(t)
	l := w.l
	auth := basicAuth(w.worker.ID, w.workerSec)

	// A service account token, presented as it is mounted in the pod: the
	// cluster's tokens may be presented again until they expire.
	assertion := signJWT(t, jose.RS256, w.k8s, "k8s-1", w.k8sClaims())
	for range 2 {
		got := wantIssued(t, postToken(t, l, bearerForm(assertion, "scope", "orders:read", "resource", ordersAPI), auth))
		if got.TokenType != "Bearer" || got.RefreshToken != "" || got.IssuedTokenType != "" || got.Scope != "orders:read" {
			t.Fatalf("response %+v", got)
		}
		c := verifiedClaims(t, l, got.AccessToken, "at+jwt")
		if c["sub"] != shopSA || c["client_id"] != w.worker.ID || c["aud"] != ordersAPI || c["iss"] != l.URL {
			t.Fatalf("claims %v", c)
		}
	}

	// An opaque token keeps the workload as its subject.
	got := wantIssued(t, postToken(t, l, bearerForm(signJWT(t, jose.RS256, w.k8s, "k8s-1", w.k8sClaims()), "resource", reportsAPI), auth))
	if strings.Contains(got.AccessToken, ".") {
		t.Fatalf("want an opaque token for the reports API, got %q", got.AccessToken)
	}
	if info := introspect(t, l, w.worker.ID, w.workerSec, got.AccessToken, nil); info["active"] != true || info["sub"] != shopSA || info["client_id"] != w.worker.ID {
		t.Fatalf("introspection %v", info)
	}

	// Keys from a file and an audience of the operator's choosing; the
	// file holds two keys, so the token names its own.
	ci := signJWT(t, jose.ES256, w.ci2, "ci-2", w.ciClaims())
	wantIssued(t, postToken(t, l, bearerForm(ci), auth))
	// A CI token is accepted once.
	wantJSONError(t, l, postToken(t, l, bearerForm(ci), auth), "jwt_bearer_replayed", "invalid_grant", 400)

	// A public client identifies itself and lets the assertion speak (RFC 7523 §3.1).
	pub := bearerForm(signJWT(t, jose.RS256, w.k8s, "k8s-1", w.k8sClaims()), "client_id", w.public.ID)
	if c := verifiedClaims(t, l, wantIssued(t, postToken(t, l, pub, nil)).AccessToken, "at+jwt"); c["sub"] != shopSA || c["client_id"] != w.public.ID {
		t.Fatalf("public client claims %v", c)
	}
}

func TestJWTBearerErrors(t *testing.T) {
	w := newBearerWorld(t)
	l := w.l
	auth := basicAuth(w.worker.ID, w.workerSec)
	forger, _ := rsa.GenerateKey(rand.Reader, 2048)
	now := l.Clock.Now()
	k8s := func(kv ...any) string { return signJWT(t, jose.RS256, w.k8s, "k8s-1", w.k8sClaims(kv...)) }
	cases := []struct {
		name      string
		assertion string
		auth      func(*http.Request)
		extra     []string
		entry     string
		code      string
		status    int
	}{
		{"no assertion", "", auth, nil, "parameter_missing", "invalid_request", 400},
		{"not a JWT", "abc.def.ghi", auth, nil, "jwt_bearer_malformed", "invalid_grant", 400},
		{"encrypted", "a.b.c.d.e", auth, nil, "jwt_bearer_malformed", "invalid_grant", 400},
		{"HMAC", signJWT(t, jose.HS256, []byte("0123456789abcdef0123456789abcdef"), "k8s-1", w.k8sClaims()), auth, nil, "jwt_bearer_alg_not_allowed", "invalid_grant", 400},
		{"small RSA key", signJWT(t, jose.RS256, w.small, "k8s-small", w.k8sClaims()), auth, nil, "jwt_bearer_alg_not_allowed", "invalid_grant", 400},
		{"untrusted issuer", k8s("iss", "https://evil.example.com"), auth, nil, "jwt_bearer_issuer_untrusted", "invalid_grant", 400},
		{"issuer not allowed for the client", k8s(), basicAuth(w.ciOnly.ID, w.ciSec), nil, "jwt_bearer_issuer_not_allowed", "unauthorized_client", 400},
		{"issuer keys down", signJWT(t, jose.RS256, w.k8s, "k8s-1", w.k8sClaims("iss", downIssuer)), auth, nil, "jwt_bearer_keys_unavailable", "temporarily_unavailable", 503},
		{"unknown kid", signJWT(t, jose.RS256, w.k8s, "k8s-9", w.k8sClaims()), auth, nil, "jwt_bearer_key_unknown", "invalid_grant", 400},
		{"no kid among two keys", signJWT(t, jose.ES256, w.ci1, "", w.ciClaims()), auth, nil, "jwt_bearer_key_not_chosen", "invalid_grant", 400},
		{"forged signature", signJWT(t, jose.RS256, forger, "k8s-1", w.k8sClaims()), auth, nil, "jwt_bearer_signature_invalid", "invalid_grant", 400},
		{"alg not fitting the key", signJWT(t, jose.ES256, w.ci1, "k8s-1", w.k8sClaims()), auth, nil, "jwt_bearer_signature_invalid", "invalid_grant", 400},
		{"audience of another service", k8s("aud", "https://kubernetes.default.svc"), auth, nil, "jwt_bearer_audience_invalid", "invalid_grant", 400},
		{"no aud", k8s("aud", nil), auth, nil, "jwt_bearer_audience_invalid", "invalid_grant", 400},
		{"ci token for the default audience", signJWT(t, jose.ES256, w.ci1, "ci-1", w.ciClaims("aud", l.URL+"/token")), auth, nil, "jwt_bearer_audience_invalid", "invalid_grant", 400},
		{"no exp", k8s("exp", nil), auth, nil, "jwt_bearer_expiry_missing", "invalid_grant", 400},
		{"expired", k8s("iat", now.Add(-20*time.Minute).Unix(), "nbf", nil, "exp", now.Add(-5*time.Minute).Unix()), auth, nil, "jwt_bearer_expired", "invalid_grant", 400},
		{"not yet valid", k8s("nbf", now.Add(10*time.Minute).Unix(), "exp", now.Add(20*time.Minute).Unix()), auth, nil, "jwt_bearer_not_yet_valid", "invalid_grant", 400},
		{"issued in the future", k8s("iat", now.Add(5*time.Minute).Unix(), "nbf", nil), auth, nil, "jwt_bearer_not_yet_valid", "invalid_grant", 400},
		{"lives too long", k8s("exp", now.Add(2*time.Hour).Unix()), auth, nil, "jwt_bearer_lifetime_too_long", "invalid_grant", 400},
		{"ci token longer than its issuer allows", signJWT(t, jose.ES256, w.ci1, "ci-1", w.ciClaims("exp", now.Add(30*time.Minute).Unix())), auth, nil, "jwt_bearer_lifetime_too_long", "invalid_grant", 400},
		{"no sub", k8s("sub", nil), auth, nil, "jwt_bearer_subject_missing", "invalid_grant", 400},
		{"subject of another namespace", k8s("sub", "system:serviceaccount:billing:payer"), auth, nil, "jwt_bearer_subject_not_allowed", "unauthorized_client", 400},
		{"ci token without jti", signJWT(t, jose.ES256, w.ci1, "ci-1", w.ciClaims("jti", nil)), auth, nil, "jwt_bearer_jti_missing", "invalid_grant", 400},
		{"person's scope", k8s(), auth, []string{"scope", "openid orders:read"}, "scope_needs_user", "invalid_scope", 400},
		{"scope the client may not have", k8s(), auth, []string{"scope", "orders:delete"}, "scope_not_allowed", "invalid_scope", 400},
		{"resource the client may not have", k8s(), auth, []string{"resource", shippingAPI}, "resource_unknown", "invalid_target", 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			form := bearerForm(tc.assertion, tc.extra...)
			if tc.assertion == "" {
				form.Del("assertion")
			}
			e := wantJSONError(t, l, postToken(t, l, form, tc.auth), tc.entry, tc.code, tc.status)
			if tc.entry == "scope_needs_user" && !strings.Contains(e.Description, string(granttype.JWTBearer)) {
				t.Errorf("description names the wrong grant: %s", e.Description)
			}
		})
	}

	t.Run("assertion in the query", func(t *testing.T) {
		r := send(t, http.MethodPost, l.URL+"/token?assertion=x", strings.NewReader(bearerForm(k8s()).Encode()), func(r *http.Request) {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			auth(r)
		})
		wantJSONError(t, l, r, "secret_in_query", "invalid_request", 400)
	})
}

// TestJWTBearerBadKeyFile: a trusted issuer whose jwks_file cannot be read
// stops the server at start-up, naming the issuer.
func TestJWTBearerBadKeyFile(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.jwks")
	cfg := config.Default()
	cfg.Issuer = "http://127.0.0.1:9" // the defaults have none
	cfg.TrustedIssuers = []config.TrustedIssuer{{Issuer: ciIssuer, JWKSFile: missing}}
	if err := startErr(t, &cfg); err == nil || !strings.Contains(err.Error(), ciIssuer) {
		t.Fatalf("server.New = %v, want an error naming %s", err, ciIssuer)
	}
}

// startErr builds a server from cfg on a fresh database and returns what
// server.New said, for configurations that must not start.
func startErr(t *testing.T, cfg *config.Config) error {
	t.Helper()
	ctx := context.Background()
	master := make([]byte, 32)
	_, _ = rand.Read(master)
	cfg.MasterKey = base64.StdEncoding.EncodeToString(master)
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "lucid.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	_, err = server.New(ctx, cfg, st, nil)
	return err
}
