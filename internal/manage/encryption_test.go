package manage

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/store"
)

func TestCheckResponseEncryption(t *testing.T) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	set := func(use string) string {
		b, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &ec.PublicKey, KeyID: "k", Use: use}}})
		return string(b)
	}
	for _, tc := range []struct {
		name          string
		alg, enc      string
		jwks, jwksURI string
		entry         catalog.Name
		says, wantEnc string
	}{
		{"off", "", "", "", "", "", "", ""},
		{"enc alone", "", "A128GCM", set("enc"), "", catalog.AdminInvalid, "needs authorization_encrypted_response_alg", ""},
		{"default enc", "ECDH-ES", "", set("enc"), "", "", "", "A128CBC-HS256"},
		{"given enc", "ECDH-ES+A256KW", "A256GCM", set(""), "", "", "", "A256GCM"},
		{"jwks_uri not fetched", "RSA-OAEP-256", "", "", "https://app.example/jwks", "", "", "A128CBC-HS256"},
		{"RSA1_5", "RSA1_5", "", set("enc"), "", catalog.JARMEncryptionUnsupported, "RSA-OAEP-256, ECDH-ES", ""},
		{"A192GCM", "ECDH-ES", "A192GCM", set("enc"), "", catalog.JARMEncryptionUnsupported, "A128GCM, A256GCM", ""},
		{"no keys", "ECDH-ES", "", "", "", catalog.AdminInvalid, "give jwks or jwks_uri", ""},
		{"sig key only", "ECDH-ES", "", set("sig"), "", catalog.AdminInvalid, "needs a key to encrypt to", ""},
		{"EC key for RSA", "RSA-OAEP-256", "", set("enc"), "", catalog.AdminInvalid, "needs an RSA key", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &store.Client{ID: "c", AuthorizationEncAlg: tc.alg, AuthorizationEncEnc: tc.enc, JWKS: tc.jwks, JWKSURI: tc.jwksURI}
			err := checkResponseEncryption(c)
			if tc.entry == "" {
				if err != nil || c.AuthorizationEncEnc != tc.wantEnc {
					t.Fatalf("err %v, enc %q; want nil, %q", err, c.AuthorizationEncEnc, tc.wantEnc)
				}
				return
			}
			var ce *catalog.Error
			if !errors.As(err, &ce) || ce.Name() != tc.entry || !strings.Contains(ce.Error(), tc.says) {
				t.Fatalf("err %v; want %s saying %q", err, tc.entry, tc.says)
			}
		})
	}
}

func TestCheckSecretRequestObjects(t *testing.T) {
	for _, tc := range []struct {
		alg, method string
		ok          bool
	}{
		{"HS256", store.AuthSecretJWT, true},
		{"HS512", store.AuthSecretJWT, true},
		{"HS256", store.AuthSecretBasic, false},
		{"HS384", store.AuthSecretPost, false},
		{"HS256", store.AuthPrivateKeyJWT, false},
		{"HS256", store.AuthNone, false},
		{"ES256", store.AuthSecretBasic, true},
		{"none", store.AuthNone, true},
	} {
		t.Run(tc.alg+"/"+tc.method, func(t *testing.T) {
			err := checkSecretRequestObjects(&store.Client{RequestObjectAlg: tc.alg, TokenEndpointAuthMethod: tc.method})
			if (err == nil) != tc.ok {
				t.Fatalf("err %v, want ok %v", err, tc.ok)
			}
			if err != nil && !strings.Contains(err.Error(), "client_secret_jwt") {
				t.Fatalf("the refusal does not name client_secret_jwt: %v", err)
			}
		})
	}
}
