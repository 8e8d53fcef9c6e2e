package e2e

import (
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

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
}
