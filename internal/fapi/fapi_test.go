package fapi

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/store"
)

func name(e *catalog.Error) catalog.Name {
	if e == nil {
		return ""
	}
	return e.Name()
}

func jws(header string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(header)) + ".e30.c2ln"
}

func TestCovers(t *testing.T) {
	for _, tc := range []struct {
		global bool
		c      *store.Client
		want   bool
	}{
		{false, &store.Client{}, false},
		{false, &store.Client{FAPI2: true}, true},
		{true, &store.Client{}, true},
		{true, nil, true},
		{false, nil, false},
	} {
		if got := Covers(tc.global, tc.c); got != tc.want {
			t.Errorf("Covers(%v, %+v) = %v, want %v", tc.global, tc.c, got, tc.want)
		}
	}
}

func TestRuntimeChecks(t *testing.T) {
	for _, tc := range []struct {
		what string
		err  *catalog.Error
		want catalog.Name
	}{
		{"private_key_jwt", CheckAuthMethod("c", store.AuthPrivateKeyJWT), ""},
		{"tls_client_auth", CheckAuthMethod("c", store.AuthTLSClient), ""},
		{"self_signed_tls_client_auth", CheckAuthMethod("c", store.AuthSelfSignedTLS), ""},
		{"client_secret_basic", CheckAuthMethod("c", store.AuthSecretBasic), catalog.FAPIClientAuthMethod},
		{"client_secret_jwt", CheckAuthMethod("c", store.AuthSecretJWT), catalog.FAPIClientAuthMethod},
		{"none", CheckAuthMethod("c", store.AuthNone), catalog.FAPIClientAuthMethod},
		{"assertion ES256", CheckAssertionAlg("c", "ES256"), ""},
		{"assertion PS256", CheckAssertionAlg("c", "PS256"), ""},
		{"assertion EdDSA", CheckAssertionAlg("c", "EdDSA"), ""},
		{"assertion RS256", CheckAssertionAlg("c", "RS256"), catalog.FAPIClientAssertionAlg},
		{"assertion HS256", CheckAssertionAlg("c", "HS256"), catalog.FAPIClientAssertionAlg},
		{"assertion ES384", CheckAssertionAlg("c", "ES384"), catalog.FAPIClientAssertionAlg},
		{"request object none", CheckRequestObjectAlg("c", "none"), catalog.FAPIRequestObjectAlg},
		{"request object RS256", CheckRequestObjectAlg("c", "RS256"), catalog.FAPIRequestObjectAlg},
		{"request object PS256", CheckRequestObjectAlg("c", "PS256"), ""},
		{"no proof", CheckProof("c", nil), ""},
		{"ES256 proof", CheckProof("c", []string{jws(`{"alg":"ES256","typ":"dpop+jwt"}`)}), ""},
		{"RS256 proof", CheckProof("c", []string{jws(`{"alg":"RS256","typ":"dpop+jwt"}`)}), catalog.FAPIDPoPProofAlg},
		{"RS256 proof second", CheckProof("c", []string{jws(`{"alg":"ES256"}`), jws(`{"alg":"RS256"}`)}), catalog.FAPIDPoPProofAlg},
		// Unreadable proofs are the DPoP checker's to name.
		{"garbage proof", CheckProof("c", []string{"not a jwt"}), ""},
		{"proof without alg", CheckProof("c", []string{jws(`{"typ":"dpop+jwt"}`)}), ""},
	} {
		if got := name(tc.err); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.what, got, tc.want)
		}
	}
}

func TestCheckMetadata(t *testing.T) {
	offered := []string{"RS256", "ES256", "EdDSA"}
	key := func(edit func(c *store.Client)) *store.Client {
		c := &store.Client{TokenEndpointAuthMethod: store.AuthPrivateKeyJWT, IDTokenAlg: "ES256"}
		if edit != nil {
			edit(c)
		}
		return c
	}
	for _, tc := range []struct {
		what  string
		c     *store.Client
		want  catalog.Name
		field string
	}{
		{"key client", key(nil), "", ""},
		{"mTLS client", key(func(c *store.Client) { c.TokenEndpointAuthMethod = store.AuthTLSClient }), "", ""},
		{"secret client", key(func(c *store.Client) { c.TokenEndpointAuthMethod = store.AuthSecretBasic }), catalog.FAPIMetadataAuthMethod, ""},
		{"default method", key(func(c *store.Client) { c.TokenEndpointAuthMethod = "" }), catalog.FAPIMetadataAuthMethod, ""},
		{"public client", key(func(c *store.Client) { c.TokenEndpointAuthMethod = store.AuthNone }), catalog.FAPIMetadataAuthMethod, ""},
		{"RS256 ID tokens", key(func(c *store.Client) { c.IDTokenAlg = "RS256" }), catalog.FAPIMetadataAlg, "id_token_signed_response_alg"},
		{"RS256 JARM", key(func(c *store.Client) { c.AuthorizationAlg = "RS256" }), catalog.FAPIMetadataAlg, "authorization_signed_response_alg"},
		{"unsigned request objects", key(func(c *store.Client) { c.RequestObjectAlg = "none" }), catalog.FAPIMetadataAlg, "request_object_signing_alg"},
		{"PS256 request objects", key(func(c *store.Client) { c.RequestObjectAlg = "PS256" }), "", ""},
		{"EdDSA everything", key(func(c *store.Client) { c.IDTokenAlg, c.AuthorizationAlg = "EdDSA", "EdDSA" }), "", ""},
	} {
		e := CheckMetadata(tc.c, offered)
		if got := name(e); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.what, got, tc.want)
			continue
		}
		if tc.field != "" && e.Value("field") != tc.field {
			t.Errorf("%s: field %q, want %q", tc.what, e.Value("field"), tc.field)
		}
		if tc.want == catalog.FAPIMetadataAlg && e.Value("offered") != "ES256, EdDSA" {
			t.Errorf("%s: offered %q, want the allowed algorithms Lucid signs with", tc.what, e.Value("offered"))
		}
	}
}

func TestSigningAlg(t *testing.T) {
	for alg, want := range map[string]string{"RS256": "ES256", "": "ES256", "ES256": "ES256", "EdDSA": "EdDSA", "PS256": "PS256"} {
		if got := SigningAlg(alg); got != want {
			t.Errorf("SigningAlg(%q) = %q, want %q", alg, got, want)
		}
	}
}

func TestHeaderAlg(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
		ok   bool
	}{
		{jws(`{"alg":"PS256"}`), "PS256", true},
		{jws(`{"alg":""}`), "", true},
		{jws(`{"typ":"JWT"}`), "", false},
		{jws(`not json`), "", false},
		{"no-dots", "", false},
		{"%%%.e30.x", "", false},
	} {
		got, ok := HeaderAlg(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("HeaderAlg(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// TestKeySizes: §5.4.1 items 2 and 3 for DPoP proofs' embedded keys,
// keys chosen to verify a JWT, and registered key sets.
func TestKeySizes(t *testing.T) {
	rsaKey := func(bits int) *rsa.PrivateKey {
		k, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	short, long := rsaKey(1024), rsaKey(2048)
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	edPub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	jwk := func(k any) string {
		b, err := json.Marshal(jose.JSONWebKey{Key: k, KeyID: "k1"})
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	proof := func(alg string, k any) string {
		return jws(`{"typ":"dpop+jwt","alg":"` + alg + `","jwk":` + jwk(k) + `}`)
	}
	rule := KeyRule(catalog.FAPIClientAssertionKeySize, "c")
	for _, tc := range []struct {
		what string
		err  *catalog.Error
		want catalog.Name
	}{
		{"proof PS256, 2048-bit key", CheckProof("c", []string{proof("PS256", &long.PublicKey)}), ""},
		{"proof PS256, 1024-bit key", CheckProof("c", []string{proof("PS256", &short.PublicKey)}), catalog.FAPIDPoPKeySize},
		{"proof RS256, 1024-bit key: the alg first", CheckProof("c", []string{proof("RS256", &short.PublicKey)}), catalog.FAPIDPoPProofAlg},
		{"proof ES256", CheckProof("c", []string{proof("ES256", &ec.PublicKey)}), ""},
		{"proof EdDSA", CheckProof("c", []string{proof("EdDSA", edPub)}), ""},
		{"proof with an unreadable jwk", CheckProof("c", []string{jws(`{"alg":"ES256","jwk":{"kty":"EC"}}`)}), ""},
		{"verification key 1024 bits", rule(jose.JSONWebKey{Key: &short.PublicKey, KeyID: "old"}), catalog.FAPIClientAssertionKeySize},
		{"verification key 2048 bits", rule(jose.JSONWebKey{Key: &long.PublicKey}), ""},
		{"verification key P-256", rule(jose.JSONWebKey{Key: &ec.PublicKey}), ""},
		{"registered short key", CheckMetadata(&store.Client{TokenEndpointAuthMethod: store.AuthPrivateKeyJWT,
			JWKS: `{"keys":[` + jwk(&ec.PublicKey) + `,` + jwk(&short.PublicKey) + `]}`}, nil), catalog.FAPIMetadataKeySize},
		{"registered long keys", CheckMetadata(&store.Client{TokenEndpointAuthMethod: store.AuthPrivateKeyJWT,
			JWKS: `{"keys":[` + jwk(&ec.PublicKey) + `,` + jwk(&long.PublicKey) + `]}`}, nil), ""},
	} {
		if got := name(tc.err); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.what, got, tc.want)
		}
	}
	if why := KeyTooSmall(&short.PublicKey); !strings.Contains(why, "1024-bit RSA") || !strings.Contains(why, "§5.4.1 item 2") {
		t.Errorf("KeyTooSmall of a 1024-bit key: %q", why)
	}
	// A P-224 key (which go-jose does not read) is below nothing; the
	// rule still names the curve size for curves it could meet.
	p224, err := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if why := KeyTooSmall(&p224.PublicKey); why != "" {
		t.Errorf("a 224-bit curve is the minimum, not below it: %q", why)
	}
}
