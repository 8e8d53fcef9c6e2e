package e2e

// The FAPI 2.0 Security Profile mode: a client under it goes through the
// whole flow the profile describes (PAR with private_key_jwt, PKCE, a
// DPoP-bound code exchange, userinfo with DPoP), and each rule it breaks
// is refused under its own entry, over real HTTP.

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/store"
)

// fapiClient is a client under the profile, authenticating with
// private_key_jwt and its ES256 key.
type fapiClient struct {
	c   *store.Client
	key clientKey
	cfg *oauth2.Config
}

func newFAPIClient(t *testing.T, l *lucid) *fapiClient {
	t.Helper()
	k := newClientKey(t, "fapi-1")
	c, _ := l.client(t, manage.ClientSpec{Name: "Bank App", AuthMethod: store.AuthPrivateKeyJWT, JWKS: clientJWKS(t, k), FAPI2: true})
	cfg := l.oauthConfig(c, "", oidc.ScopeOpenID, "profile")
	cfg.Endpoint.AuthStyle = oauth2.AuthStyleInParams
	return &fapiClient{c: c, key: k, cfg: cfg}
}

// assertion is a client assertion as the profile wants it: aud the
// issuer, as a string (§5.3.2.1), ES256; edits change its claims.
func (f *fapiClient) assertion(t *testing.T, l *lucid, edits ...any) url.Values {
	t.Helper()
	claims := edited(assertionClaims(l, f.c.ID), append([]any{"aud", l.URL}, edits...)...)
	return assertionForm(signJWT(t, jose.ES256, f.key.priv, f.key.kid, claims))
}

// authCode are the token request options that authenticate f.
func (f *fapiClient) authCode(t *testing.T, l *lucid, verifier string) []oauth2.AuthCodeOption {
	a := f.assertion(t, l)
	return []oauth2.AuthCodeOption{oauth2.VerifierOption(verifier),
		oauth2.SetAuthURLParam("client_assertion_type", a.Get("client_assertion_type")),
		oauth2.SetAuthURLParam("client_assertion", a.Get("client_assertion"))}
}

// rsaSigned is claims signed with a fresh RSA key in alg: the profile's
// refusals come before any key lookup, so the key need not be registered.
func rsaSigned(t *testing.T, alg jose.SignatureAlgorithm, claims map[string]any) string {
	t.Helper()
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return signJWT(t, alg, priv, "rsa-1", claims)
}

func jwtHeaderAlg(t *testing.T, token string) string {
	t.Helper()
	head, _, _ := strings.Cut(token, ".")
	raw, err := base64.RawURLEncoding.DecodeString(head)
	var h struct {
		Alg string `json:"alg"`
	}
	if err != nil || json.Unmarshal(raw, &h) != nil {
		t.Fatalf("not a JWS: %.40s", token)
	}
	return h.Alg
}

// TestFAPI2Flow: the profile's flow end to end for a client registered
// under it, on a server that is not: PAR with private_key_jwt and a DPoP
// proof binding the code, the browser with only client_id and
// request_uri, iss in the response, the code exchanged with x/oauth2 and
// a DPoP proof, userinfo with the DPoP scheme, an ES256 ID token though
// the client named no algorithm, and a code that lives 60 s although the
// server's codes live 5 minutes.
func TestFAPI2Flow(t *testing.T) {
	l := start(t, func(c *config.Config) { c.Lifetimes.Code = 5 * time.Minute })
	l.user(t, demoUser)
	f := newFAPIClient(t, l)
	if f.c.IDTokenAlg != "ES256" {
		t.Fatalf("a client under FAPI 2.0 registered without an ID token alg got %q, want ES256", f.c.IDTokenAlg)
	}
	d := &dpopTransport{t: t, key: newDPoPKey(t)}
	ctx := dpopContext(d)

	verifier := oauth2.GenerateVerifier()
	form := pushParams(t, f.cfg, "st-fapi", oauth2.S256ChallengeOption(verifier), oidc.Nonce("n-fapi"))
	if form.Get("redirect_uri") == "" {
		t.Fatal("x/oauth2 left redirect_uri out of the pushed request")
	}
	requestURI := pushed(t, l, push(t, l, mergeForm(form, f.assertion(t, l)), withDPoP(d.key.proof(t, "POST", l.URL+"/par"))))
	back := l.browser(t).authorize(parAuthURL(l, f.c.ID, requestURI))
	if back.Query().Get("iss") != l.URL {
		t.Fatalf("authorization response %v: want iss %s (RFC 9207, FAPI 2.0 §5.3.2.2)", back.Query(), l.URL)
	}
	code := codeFrom(t, back, "st-fapi")

	tok, err := f.cfg.Exchange(ctx, code, f.authCode(t, l, verifier)...)
	if err != nil {
		t.Fatalf("DPoP-bound exchange under FAPI 2.0: %v", err)
	}
	if tok.Type() != "DPoP" || cnfJKT(jwtClaims(t, tok.AccessToken)) != d.key.jkt {
		t.Fatalf("token type %q, cnf.jkt %q: want DPoP bound to %s", tok.Type(), cnfJKT(jwtClaims(t, tok.AccessToken)), d.key.jkt)
	}
	raw, _ := tok.Extra("id_token").(string)
	if alg := jwtHeaderAlg(t, raw); alg != "ES256" {
		t.Fatalf("ID token signed with %s, want ES256 (FAPI 2.0 §5.4.1)", alg)
	}
	idt, err := newProvider(t, l).Verifier(&oidc.Config{ClientID: f.c.ID, SupportedSigningAlgs: []string{"ES256"}}).Verify(context.Background(), raw)
	if err != nil || idt.Nonce != "n-fapi" {
		t.Fatalf("ID token: %v", err)
	}
	resp, err := f.cfg.Client(ctx, tok).Get(l.URL + "/userinfo")
	if err != nil {
		t.Fatal(err)
	}
	var ui map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&ui)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || ui["sub"] == nil {
		t.Fatalf("userinfo with DPoP: %d %v", resp.StatusCode, ui)
	}

	// §5.3.2.1 item 11: the code lives 60 s, not lifetimes.code.
	verifier = oauth2.GenerateVerifier()
	form = pushParams(t, f.cfg, "st-late", oauth2.S256ChallengeOption(verifier))
	requestURI = pushed(t, l, push(t, l, mergeForm(form, f.assertion(t, l)), nil))
	code = codeFrom(t, l.browser(t).authorize(parAuthURL(l, f.c.ID, requestURI)), "st-late")
	l.Clock.Advance(61 * time.Second)
	_, err = f.cfg.Exchange(ctx, code, f.authCode(t, l, verifier)...)
	wantOAuthError(t, err, "authorization_code_expired", "invalid_grant", http.StatusBadRequest)
}

// TestFAPI2Refusals triggers each rule of the profile a client under it
// can break at the authorization, PAR and token endpoints.
func TestFAPI2Refusals(t *testing.T) {
	l := start(t)
	l.user(t, demoUser)
	f := newFAPIClient(t, l)
	verifier := oauth2.GenerateVerifier()
	good := func() url.Values { return pushParams(t, f.cfg, "st-r", oauth2.S256ChallengeOption(verifier)) }

	// §5.3.2.2 item 3: a request in the URL, and a request_uri that is not
	// the PAR endpoint's, are refused back at the redirect URI, with iss.
	b := l.browser(t)
	p := b.get(f.cfg.AuthCodeURL("st-direct", oauth2.S256ChallengeOption(verifier)))
	if p.location == nil {
		t.Fatalf("an authorization request in the URL: %d %.300s", p.status, p.body)
	}
	wantAuthzError(t, l, p.location, "fapi_par_required", "invalid_request", "st-direct")
	p = b.get(l.URL + "/authorize?" + url.Values{"client_id": {f.c.ID}, "request_uri": {"https://client.example.com/req/1"}, "state": {"st-ext"}}.Encode())
	if p.location == nil {
		t.Fatalf("an external request_uri: %d %.300s", p.status, p.body)
	}
	wantAuthzError(t, l, p.location, "fapi_par_required", "invalid_request", "st-ext")

	// §5.3.2.2 items 5 and 6: PKCE and redirect_uri in every push.
	noPKCE := good()
	noPKCE.Del("code_challenge")
	noPKCE.Del("code_challenge_method")
	wantJSONError(t, l, push(t, l, mergeForm(noPKCE, f.assertion(t, l)), nil), "fapi_pkce_required", "invalid_request", http.StatusBadRequest)
	noRedirect := good()
	noRedirect.Del("redirect_uri")
	wantJSONError(t, l, push(t, l, mergeForm(noRedirect, f.assertion(t, l)), nil), "fapi_redirect_uri_missing", "invalid_request", http.StatusBadRequest)

	// §5.3.2.1 item 8: the issuer alone is the audience; the token and PAR
	// endpoints' URLs, which Lucid otherwise accepts, are refused.
	for _, aud := range []any{l.URL + "/token", l.URL + "/par", []string{l.URL}} {
		wantJSONError(t, l, push(t, l, mergeForm(good(), f.assertion(t, l, "aud", aud)), nil), "fapi_client_assertion_audience", "invalid_client", http.StatusUnauthorized)
	}
	// §5.4.1: RS256 client assertions, request objects and DPoP proofs.
	rs256 := assertionForm(rsaSigned(t, jose.RS256, edited(assertionClaims(l, f.c.ID), "aud", l.URL)))
	wantJSONError(t, l, push(t, l, mergeForm(good(), rs256), nil), "fapi_client_assertion_alg", "invalid_client", http.StatusUnauthorized)
	object := jarClaims(l, f.c.ID, verifier)
	req := url.Values{"client_id": {f.c.ID}, "request": {rsaSigned(t, jose.RS256, object)}}
	wantJSONError(t, l, push(t, l, mergeForm(req, f.assertion(t, l)), nil), "fapi_request_object_alg", "invalid_request_object", http.StatusBadRequest)
	dk := newDPoPKey(t)
	rsProof := dk.proof(t, "POST", l.URL+"/par", withHeader("alg", "RS256"))
	wantJSONError(t, l, push(t, l, mergeForm(good(), f.assertion(t, l)), withDPoP(rsProof)), "fapi_dpop_proof_alg", "invalid_dpop_proof", http.StatusBadRequest)

	// §5.3.2.1 item 4: a code exchange without a DPoP proof (and without a
	// certificate) is refused before the code is spent; with one it works.
	requestURI := pushed(t, l, push(t, l, mergeForm(good(), f.assertion(t, l)), nil))
	code := codeFrom(t, l.browser(t).authorize(parAuthURL(l, f.c.ID, requestURI)), "st-r")
	_, err := f.cfg.Exchange(context.Background(), code, f.authCode(t, l, verifier)...)
	wantOAuthError(t, err, "fapi_sender_constraint_required", "invalid_request", http.StatusBadRequest)
	d := &dpopTransport{t: t, key: newDPoPKey(t)}
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {f.c.RedirectURIs[0]}, "code_verifier": {verifier}, "client_id": {f.c.ID}}
	r := postToken(t, l, mergeForm(form, f.assertion(t, l)), withDPoP(d.key.proof(t, "POST", l.URL+"/token", withHeader("alg", "RS256"))))
	wantJSONError(t, l, r, "fapi_dpop_proof_alg", "invalid_dpop_proof", http.StatusBadRequest)
	tok, err := f.cfg.Exchange(dpopContext(d), code, f.authCode(t, l, verifier)...)
	if err != nil || tok.Type() != "DPoP" {
		t.Fatalf("the same code with a DPoP proof: %v", err)
	}
}

// TestFAPI2ServerWide: with fapi2_security_profile on, discovery says
// exactly what is served, and a client registered before with a secret
// is refused at every endpoint that authenticates it.
func TestFAPI2ServerWide(t *testing.T) {
	l := start(t, func(c *config.Config) { c.FAPI2SecurityProfile = true })
	var meta map[string]any
	if err := json.Unmarshal(send(t, http.MethodGet, l.URL+"/.well-known/openid-configuration", nil, nil).body, &meta); err != nil {
		t.Fatal(err)
	}
	list := func(k string) string {
		v, _ := meta[k].([]any)
		out := make([]string, len(v))
		for i, x := range v {
			out[i], _ = x.(string)
		}
		return strings.Join(out, " ")
	}
	for k, want := range map[string]string{
		"token_endpoint_auth_methods_supported":            "private_key_jwt",
		"introspection_endpoint_auth_methods_supported":    "private_key_jwt",
		"revocation_endpoint_auth_methods_supported":       "private_key_jwt",
		"token_endpoint_auth_signing_alg_values_supported": "PS256 ES256 EdDSA",
		"request_object_signing_alg_values_supported":      "PS256 ES256 EdDSA",
		"dpop_signing_alg_values_supported":                "PS256 ES256 EdDSA",
		"id_token_signing_alg_values_supported":            "ES256 EdDSA",
		"authorization_signing_alg_values_supported":       "ES256 EdDSA",
		"code_challenge_methods_supported":                 "S256",
		"response_types_supported":                         "code",
	} {
		if got := list(k); got != want {
			t.Errorf("discovery %s = %q, want %q", k, got, want)
		}
	}
	if meta["require_pushed_authorization_requests"] != true || meta["authorization_response_iss_parameter_supported"] != true {
		t.Errorf("discovery: require_pushed_authorization_requests %v, iss parameter %v; want both true",
			meta["require_pushed_authorization_requests"], meta["authorization_response_iss_parameter_supported"])
	}

	// l.Svc is not the server's: it stands for a client registered before
	// the server went under the profile.
	old, sec := l.client(t, manage.ClientSpec{Name: "Old App", GrantTypes: []string{"client_credentials"}, Scopes: []string{"openid"}})
	cc := url.Values{"grant_type": {"client_credentials"}}
	wantJSONError(t, l, postToken(t, l, cc, basicAuth(old.ID, sec)), "fapi_client_auth_method", "invalid_client", http.StatusUnauthorized)
	wantJSONError(t, l, send(t, http.MethodPost, l.URL+"/revoke", strings.NewReader("token=x"), both(basicAuth(old.ID, sec), func(r *http.Request) {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	})), "fapi_client_auth_method", "invalid_client", http.StatusUnauthorized)
	pub, _ := l.client(t, manage.ClientSpec{Name: "Phone", AuthMethod: store.AuthNone})
	wantJSONError(t, l, push(t, l, url.Values{"client_id": {pub.ID}, "response_type": {"code"}, "scope": {"openid"}, "redirect_uri": {clientCB}}, nil),
		"fapi_client_auth_method", "invalid_client", http.StatusUnauthorized)

	// The server's own management (admin API, registration, command line)
	// holds every new client to the profile.
	wantJSONError(t, l, jsonCall(t, l, http.MethodPost, "/admin/clients", l.cfg.AdminToken, `{"client_name":"New","redirect_uris":["`+clientCB+`"]}`),
		"fapi_client_metadata_auth_method", "invalid_client_metadata", http.StatusBadRequest)
}

// TestFAPI2Registration: dynamic registration and the admin API refuse
// metadata the profile forbids, each under its entry, and accept a
// client that follows it.
func TestFAPI2Registration(t *testing.T) {
	l := start(t, withRegistration(config.RegistrationOpen))
	k := newClientKey(t, "reg-1")
	jwks := clientJWKS(t, k)
	wantJSONError(t, l, jsonCall(t, l, http.MethodPost, "/register", "", `{"redirect_uris":["`+clientCB+`"],"fapi2_security_profile":true}`),
		"fapi_client_metadata_auth_method", "invalid_client_metadata", http.StatusBadRequest)
	wantJSONError(t, l, jsonCall(t, l, http.MethodPost, "/register", "", `{"redirect_uris":["`+clientCB+`"],"fapi2_security_profile":true,"token_endpoint_auth_method":"none"}`),
		"fapi_client_metadata_auth_method", "invalid_client_metadata", http.StatusBadRequest)
	wantJSONError(t, l, jsonCall(t, l, http.MethodPost, "/register", "", `{"redirect_uris":["`+clientCB+`"],"fapi2_security_profile":true,"token_endpoint_auth_method":"private_key_jwt","jwks":`+jwks+`,"request_object_signing_alg":"RS256"}`),
		"fapi_client_metadata_alg", "invalid_client_metadata", http.StatusBadRequest)
	r := jsonCall(t, l, http.MethodPost, "/register", "", `{"redirect_uris":["`+clientCB+`"],"fapi2_security_profile":true,"token_endpoint_auth_method":"private_key_jwt","jwks":`+jwks+`}`)
	var reg struct {
		ClientID string `json:"client_id"`
		FAPI2    bool   `json:"fapi2_security_profile"`
		IDAlg    string `json:"id_token_signed_response_alg"`
	}
	if r.status != http.StatusCreated || json.Unmarshal(r.body, &reg) != nil || !reg.FAPI2 || reg.IDAlg != "ES256" {
		t.Fatalf("registration under FAPI 2.0: %d %s", r.status, r.body)
	}

	admin := l.cfg.AdminToken
	body := `{"client_name":"Bank","redirect_uris":["` + clientCB + `"],"fapi2_security_profile":true,"token_endpoint_auth_method":"private_key_jwt","jwks":` + jwks
	wantJSONError(t, l, jsonCall(t, l, http.MethodPost, "/admin/clients", admin, body+`,"id_token_signed_response_alg":"RS256"}`),
		"fapi_client_metadata_alg", "invalid_client_metadata", http.StatusBadRequest)
	if r := jsonCall(t, l, http.MethodPost, "/admin/clients", admin, body+`,"id_token_signed_response_alg":"EdDSA"}`); r.status != http.StatusCreated {
		t.Fatalf("admin API, a client under FAPI 2.0: %d %s", r.status, r.body)
	}
	// An existing secret client cannot be put under the profile as it is.
	c, _ := l.client(t, manage.ClientSpec{Name: "Web"})
	wantJSONError(t, l, jsonCall(t, l, http.MethodPatch, "/admin/clients/"+c.ID, admin, `{"fapi2_security_profile":true}`),
		"fapi_client_metadata_auth_method", "invalid_client_metadata", http.StatusBadRequest)
}

// TestFAPI2MutualTLS: on a server-wide FAPI 2.0 server with mutual TLS,
// discovery offers the mTLS methods too, and a client authenticating with
// its certificate gets certificate-bound tokens without a DPoP proof,
// which satisfies §5.3.2.1 item 4; a private_key_jwt client over the same
// TLS without a certificate or a proof does not.
func TestFAPI2MutualTLS(t *testing.T) {
	m := startMTLS(t, func(c *config.Config) { c.FAPI2SecurityProfile = true })
	r := do(t, m.httpClient(nil), http.MethodGet, m.URL+"/.well-known/openid-configuration", nil, nil)
	var meta struct {
		Methods []string `json:"token_endpoint_auth_methods_supported"`
	}
	if err := json.Unmarshal(r.body, &meta); err != nil || strings.Join(meta.Methods, " ") != "private_key_jwt tls_client_auth self_signed_tls_client_auth" {
		t.Fatalf("discovery with mTLS under FAPI 2.0: %v %s", err, r.body)
	}
	own := selfSigned(t, "bank-svc")
	spec := m2mSpec(store.AuthSelfSignedTLS)
	spec.JWKS, spec.IDTokenAlg = jwksOf(t, own, true), "ES256"
	c, _ := m.client(t, spec)
	cc := clientcredentials.Config{ClientID: c.ID, TokenURL: m.URL + "/token", AuthStyle: oauth2.AuthStyleInParams}
	tok, err := cc.Token(context.WithValue(context.Background(), oauth2.HTTPClient, m.httpClient(&own)))
	if err != nil {
		t.Fatalf("client_credentials over mTLS under FAPI 2.0: %v", err)
	}
	if got := cnfOf(t, tok.AccessToken); got != thumb(own) {
		t.Fatalf("cnf x5t#S256 = %q, want %q", got, thumb(own))
	}

	k := newClientKey(t, "k1")
	kspec := m2mSpec(store.AuthPrivateKeyJWT)
	kspec.JWKS, kspec.IDTokenAlg = clientJWKS(t, k), "ES256"
	kc, _ := m.client(t, kspec)
	claims := edited(assertionClaims(m.lucid, kc.ID), "aud", m.URL)
	form := mergeForm(url.Values{"grant_type": {"client_credentials"}, "client_id": {kc.ID}}, assertionForm(signJWT(t, jose.ES256, k.priv, k.kid, claims)))
	wantJSONError(t, m.lucid, do(t, m.httpClient(nil), http.MethodPost, m.URL+"/token", form, nil), "fapi_sender_constraint_required", "invalid_request", http.StatusBadRequest)
}
