// Package fapi holds the rules of the FAPI 2.0 Security Profile (final,
// February 2025) that Lucid enforces for the clients under it: those
// registered with fapi2_security_profile, or every client when the
// server's fapi2_security_profile setting is on. Each check answers with
// its own catalog entry, whose description names the profile's section.
//
// Where each rule is enforced:
//
//   - §5.3.2.1-6 client authentication: clientauth (every endpoint that
//     authenticates clients) and, at registration, CheckMetadata.
//   - §5.3.2.1-8 assertion audience: clientauth, the issuer alone.
//   - §5.4.1 item 1 algorithms: clientauth (client assertions), the
//     provider (request objects, DPoP proofs at the token, PAR and
//     userinfo endpoints, JWT bearer assertions, what Lucid signs for the
//     client), the resource library (WithFAPI2) and CheckMetadata.
//   - §5.4.1 items 2 and 3 key sizes (RSA 2048 bits, elliptic curves
//     224): every key Lucid verifies a client's JWT with (KeyRule, on
//     clientjwt.Use.KeyCheck; CheckProof for DPoP keys) and, for
//     registered key sets, CheckMetadata.
//   - §5.3.2.1-4 sender-constrained tokens, §5.3.2.1-9 no refresh token
//     rotation, §5.3.2.1-11 code lifetime, §5.3.2.2 PAR, redirect_uri in
//     the push, PKCE: the provider.
package fapi

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/store"
)

// Algs are the JWS algorithms the profile allows (§5.4.1): for what
// clients sign and for what Lucid signs for them. none is never allowed.
var Algs = []string{"PS256", "ES256", "EdDSA"}

// AuthMethods are the client authentication methods the profile allows
// (§5.3.2.1 item 6): private_key_jwt, and mutual TLS (RFC 8705 §2).
var AuthMethods = []string{store.AuthPrivateKeyJWT, store.AuthTLSClient, store.AuthSelfSignedTLS}

// MaxCodeLifetime bounds an authorization code's life (§5.3.2.1 item 11).
const MaxCodeLifetime = 60 * time.Second

// DefaultSigningAlg is what Lucid signs ID tokens and JWT-secured
// authorization responses with for a client under the profile that
// registered no allowed algorithm: Lucid's keys are RS256, ES256 and
// EdDSA, and RS256 is not allowed.
const DefaultSigningAlg = "ES256"

// Covers reports whether the profile applies to c: the server-wide
// setting (global) or the client's own registration.
func Covers(global bool, c *store.Client) bool {
	return global || c != nil && c.FAPI2
}

// AlgAllowed reports whether alg is one of Algs.
func AlgAllowed(alg string) bool { return slices.Contains(Algs, alg) }

// AuthMethodAllowed reports whether method is one of AuthMethods.
func AuthMethodAllowed(method string) bool { return slices.Contains(AuthMethods, method) }

// CheckAuthMethod refuses a client under the profile that authenticated
// with method.
func CheckAuthMethod(clientID, method string) *catalog.Error {
	if AuthMethodAllowed(method) {
		return nil
	}
	return catalog.New(catalog.FAPIClientAuthMethod, "client_id", clientID, "method", methodText(method))
}

// CheckAssertionAlg refuses a client assertion signed with alg.
func CheckAssertionAlg(clientID, alg string) *catalog.Error {
	if AlgAllowed(alg) {
		return nil
	}
	return catalog.New(catalog.FAPIClientAssertionAlg, "client_id", clientID, "alg", algText(alg))
}

// CheckRequestObjectAlg refuses a request object signed with alg.
func CheckRequestObjectAlg(clientID, alg string) *catalog.Error {
	if AlgAllowed(alg) {
		return nil
	}
	return catalog.New(catalog.FAPIRequestObjectAlg, "client_id", clientID, "alg", algText(alg))
}

// CheckProof refuses the DPoP proofs of a request (the values of its
// DPoP header) when one is signed with an algorithm the profile does not
// allow, or its embedded key is smaller than the profile allows. A proof
// whose header cannot be read is left to the DPoP checker, which says
// what is wrong with it.
func CheckProof(clientID string, proofs []string) *catalog.Error {
	for _, p := range proofs {
		h, ok := readHeader(p)
		if !ok {
			continue
		}
		if h.Alg != nil && !AlgAllowed(*h.Alg) {
			return catalog.New(catalog.FAPIDPoPProofAlg, "client_id", clientID, "alg", algText(*h.Alg))
		}
		var k jose.JSONWebKey
		if len(h.JWK) > 0 && k.UnmarshalJSON(h.JWK) == nil {
			if why := KeyTooSmall(k.Key); why != "" {
				return catalog.New(catalog.FAPIDPoPKeySize, "client_id", clientID, "key", why)
			}
		}
	}
	return nil
}

// The key sizes of §5.4.1 items 2 and 3.
const (
	MinRSABits = 2048
	MinECBits  = 224
)

// KeyTooSmall describes key when it is smaller than the profile allows
// (an RSA modulus under MinRSABits, a curve under MinECBits), else "".
// Ed25519 keys are 256 bits, always enough.
func KeyTooSmall(key any) string {
	switch k := key.(type) {
	case *rsa.PublicKey:
		if n := k.N.BitLen(); n < MinRSABits {
			return fmt.Sprintf("a %d-bit RSA key, where the profile needs at least %d bits (§5.4.1 item 2)", n, MinRSABits)
		}
	case *ecdsa.PublicKey:
		if n := k.Curve.Params().BitSize; n < MinECBits {
			return fmt.Sprintf("a %d-bit elliptic curve key (%s), where the profile needs at least %d bits (§5.4.1 item 3)", n, k.Curve.Params().Name, MinECBits)
		}
	case ed25519.PublicKey:
	}
	return ""
}

// KeyRule is the key check (clientjwt.Use.KeyCheck) of a JWT client
// clientID made under the profile: a key smaller than KeyTooSmall allows
// is refused under name, before any signature is checked with it.
func KeyRule(name catalog.Name, clientID string) func(jose.JSONWebKey) *catalog.Error {
	return func(k jose.JSONWebKey) *catalog.Error {
		why := KeyTooSmall(k.Key)
		if why == "" {
			return nil
		}
		if k.KeyID != "" {
			why += ", kid " + clip(k.KeyID, 64)
		}
		return catalog.New(name, "client_id", clientID, "key", why)
	}
}

// CheckJWTBearerAlg refuses a JWT bearer assertion (RFC 7523 §2.1)
// presented by a client under the profile and signed with alg.
func CheckJWTBearerAlg(clientID, alg string) *catalog.Error {
	if AlgAllowed(alg) {
		return nil
	}
	return catalog.New(catalog.FAPIJWTBearerAlg, "client_id", clientID, "alg", algText(alg))
}

// SigningAlg is the algorithm Lucid signs with for a client under the
// profile that registered alg: alg itself when the profile allows it,
// else DefaultSigningAlg.
func SigningAlg(alg string) string {
	if AlgAllowed(alg) {
		return alg
	}
	return DefaultSigningAlg
}

// CheckMetadata refuses a registration (dynamic, admin API or command
// line) of a client under the profile whose metadata breaks it. offered
// are the algorithms Lucid signs with, for the description.
func CheckMetadata(c *store.Client, offered []string) *catalog.Error {
	if !AuthMethodAllowed(c.TokenEndpointAuthMethod) {
		return catalog.New(catalog.FAPIMetadataAuthMethod, "method", methodText(c.TokenEndpointAuthMethod))
	}
	var signs []string
	for _, a := range offered {
		if AlgAllowed(a) {
			signs = append(signs, a)
		}
	}
	backchannel := ""
	if c.Backchannel != nil {
		backchannel = c.Backchannel.SigningAlg
	}
	for _, f := range []struct{ field, alg string }{
		{"id_token_signed_response_alg", c.IDTokenAlg},
		{"backchannel_authentication_request_signing_alg", backchannel},
		{"authorization_signed_response_alg", c.AuthorizationAlg},
		{"request_object_signing_alg", c.RequestObjectAlg},
		{"userinfo_signed_response_alg", c.UserInfoAlg},
	} {
		if f.alg != "" && !AlgAllowed(f.alg) {
			return catalog.New(catalog.FAPIMetadataAlg, "field", f.field, "alg", algText(f.alg), "offered", strings.Join(signs, ", "))
		}
	}
	return checkKeySizes(c.JWKS)
}

// checkKeySizes refuses a registered JWK set holding a key smaller than
// the profile allows, whatever its use: signature keys verify what the
// client signs, encryption keys protect what Lucid sends it. Members
// that cannot be read are the key set validation's business.
func checkKeySizes(jwks string) *catalog.Error {
	if jwks == "" {
		return nil
	}
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if json.Unmarshal([]byte(jwks), &doc) != nil {
		return nil
	}
	for i, raw := range doc.Keys {
		var k jose.JSONWebKey
		if k.UnmarshalJSON(raw) != nil {
			continue
		}
		if why := KeyTooSmall(k.Key); why != "" {
			name := fmt.Sprintf("#%d", i)
			if k.KeyID != "" {
				name = clip(k.KeyID, 64)
			}
			return catalog.New(catalog.FAPIMetadataKeySize, "kid", name, "key", why)
		}
	}
	return nil
}

// HeaderAlg reads the alg of a compact JWS's protected header, without
// judging anything else; ok is false when there is none to read.
func HeaderAlg(jws string) (alg string, ok bool) {
	h, ok := readHeader(jws)
	if !ok || h.Alg == nil {
		return "", false
	}
	return *h.Alg, true
}

// header is what the profile's checks read of a JWS header.
type header struct {
	Alg *string         `json:"alg"`
	JWK json.RawMessage `json:"jwk"`
}

// readHeader reads a compact JWS's protected header, bounded.
func readHeader(jws string) (header, bool) {
	var h header
	head, _, found := strings.Cut(jws, ".")
	if !found || len(head) > 8192 {
		return h, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil || json.Unmarshal(raw, &h) != nil {
		return h, false
	}
	return h, true
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

func methodText(m string) string {
	if m == "" {
		return store.AuthSecretBasic
	}
	return m
}

func algText(a string) string {
	switch {
	case a == "":
		return "(no alg)"
	case len(a) > 20:
		return a[:20] + "…"
	}
	return a
}
