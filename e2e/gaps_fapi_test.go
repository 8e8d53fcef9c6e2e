package e2e

import (
	"context"
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"

	"github.com/lucid-auth/lucid/internal/granttype"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/store"
)

// TestFAPI2CIBASignedRequestKeySize: a CIBA signed authentication request
// of a client under the profile is held to §5.4.1 like its other JWTs: a
// 1024-bit RSA key of its jwks_uri is refused under the profile's entry
// (outside the profile the verifier's own rule refuses it), a 2048-bit
// one accepted.
func TestFAPI2CIBASignedRequestKeySize(t *testing.T) {
	short, long := rsaKey(t, 1024), rsaKey(t, 2048)
	good := newClientKey(t, "fapi-1")
	set := jwksWith(t, map[string]any{"fapi-1": &good.priv.PublicKey, "short": &short.PublicKey, "long": &long.PublicKey})
	keyServer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/jwk-set+json")
		_, _ = w.Write(set)
	}))
	t.Cleanup(keyServer.Close)
	l := start(t, withLocalKeySets)
	l.user(t, demoUser)
	spec := func(name string, fapi bool) manage.ClientSpec {
		return manage.ClientSpec{Name: name, AuthMethod: store.AuthPrivateKeyJWT, JWKSURI: keyServer.URL + "/jwks", FAPI2: fapi,
			GrantTypes: []string{cibaGrant}, ResponseTypes: []string{}, RedirectURIs: []string{}, Scopes: []string{"openid"},
			Backchannel: &store.BackchannelClient{DeliveryMode: store.DeliveryPoll, SigningAlg: "PS256"}}
	}
	bank, _ := l.client(t, spec("Bank", true))
	shop, _ := l.client(t, spec("Shop", false))
	request := func(c *store.Client, key any, kid string) *reply {
		now := l.Clock.Now()
		claims := map[string]any{"iss": c.ID, "aud": l.URL, "iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
			"jti": rand.Text(), "scope": "openid", "login_hint": demoUser}
		f := &fapiClient{c: c, key: good}
		form := f.assertion(t, l)
		form.Set("request", signJWT(t, jose.PS256, key, kid, claims))
		return bcAuthorize(t, l, c.ID, "", form)
	}
	wantJSONError(t, l, request(bank, short, "short"), "fapi_ciba_request_key_size", "invalid_request", http.StatusBadRequest)
	wantJSONError(t, l, request(shop, short, "short"), "request_object_alg_not_allowed", "invalid_request_object", http.StatusBadRequest)
	for _, r := range []*reply{request(bank, long, "long"), request(shop, long, "long")} {
		if r.status != http.StatusOK {
			t.Fatalf("want the request started: %d %s", r.status, r.body)
		}
	}

	// RS256 is not the profile's: refused at registration, and at the
	// endpoint for a client that came under the profile afterwards.
	rs := spec("Old bank", true)
	rs.Backchannel = &store.BackchannelClient{DeliveryMode: store.DeliveryPoll, SigningAlg: "RS256"}
	if _, _, err := l.Svc.CreateClient(context.Background(), rs); err == nil || !strings.Contains(err.Error(), "fapi_client_metadata_alg") {
		t.Fatalf("a FAPI client signing CIBA requests with RS256 was registered: %v", err)
	}
	rs.FAPI2 = false
	old, _ := l.client(t, rs)
	if _, err := l.Store.UpdateClient(context.Background(), old.ID, func(c *store.Client) error { c.FAPI2 = true; return nil }); err != nil {
		t.Fatal(err)
	}
	now := l.Clock.Now()
	form := (&fapiClient{c: old, key: good}).assertion(t, l)
	form.Set("request", signJWT(t, jose.RS256, long, "long", map[string]any{"iss": old.ID, "aud": l.URL, "iat": now.Unix(), "nbf": now.Unix(),
		"exp": now.Add(5 * time.Minute).Unix(), "jti": rand.Text(), "scope": "openid", "login_hint": demoUser}))
	wantJSONError(t, l, bcAuthorize(t, l, old.ID, "", form), "fapi_request_object_alg", "invalid_request_object", http.StatusBadRequest)
}

// TestExchangedIDTokenEncrypted: an ID token issued by token exchange is
// encrypted to the requesting client's key when it registered
// id_token_encrypted_response_alg, as the code grant's are; inside is a
// JWS go-oidc verifies, about the subject.
func TestExchangedIDTokenEncrypted(t *testing.T) {
	w := newExchangeWorld(t)
	l := w.l
	k := newEncClient(t)
	c, sec := m2m(t, l, manage.ClientSpec{
		Name: "Sealed backend", GrantTypes: []string{"client_credentials", string(granttype.TokenExchange)},
		Scopes: []string{"openid", "profile"}, JWKS: k.jwks(t), IDTokenEncAlg: "RSA-OAEP-256",
		TokenExchange: &store.ExchangePolicy{Impersonation: true, Audiences: []string{inventoryAPI}, SubjectClients: []string{w.web.ID}},
	})
	got := wantIssued(t, postToken(t, l, exchangeForm(w.user.AccessToken, "requested_token_type", ttID), basicAuth(c.ID, sec)))
	if got.IssuedTokenType != ttID {
		t.Fatalf("issued %q", got.IssuedTokenType)
	}
	inner, err := k.open(got.AccessToken, "RSA-OAEP-256", "A128CBC-HS256")
	if err != nil {
		t.Fatalf("the exchanged ID token is not encrypted to the client: %v", err)
	}
	idt, err := newProvider(t, l).Verifier(&oidc.Config{ClientID: c.ID, Now: l.Clock.Now}).Verify(context.Background(), inner)
	if err != nil || idt.Subject != w.alice.ID {
		t.Fatalf("inner ID token: %v (sub %v)", err, idt)
	}
	// Without the registration, the same exchange answers a plain JWS.
	plain := wantIssued(t, postToken(t, l, exchangeForm(w.user.AccessToken, "requested_token_type", ttID), basicAuth(w.backend.ID, w.backSec)))
	if strings.Count(plain.AccessToken, ".") != 2 {
		t.Fatalf("the backend's exchanged ID token is not a JWS: %.60s", plain.AccessToken)
	}
}
