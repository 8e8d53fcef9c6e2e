package dpop

import (
	"context"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lucid-auth/lucid/internal/catalog"
)

// JOSE is the ProofVerifier built on go-jose, used until the shared
// verifier of client-made JWTs (internal/clientjwt) takes embedded keys.
type JOSE struct {
	// Algs are the allowed algorithms; nil is Algs.
	Algs []string
}

// privateMembers are the JWK members that only a private or symmetric key
// has (RFC 7518 §6.2.2, §6.3.2, §6.4.1; RFC 8037 §2).
var privateMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

// Verify implements ProofVerifier.
func (v JOSE) Verify(_ context.Context, proof string) ([]byte, string, *catalog.Error) {
	algs := v.Algs
	if algs == nil {
		algs = Algs
	}
	if len(proof) > maxProof || strings.Count(proof, ".") != 2 {
		return nil, "", catalog.New(catalog.DPoPProofMalformed, "reason", "it is not a compact JWS of three parts, at most 8 KB")
	}
	rawHeader, err := base64.RawURLEncoding.DecodeString(proof[:strings.IndexByte(proof, '.')])
	var h struct {
		Typ string                     `json:"typ"`
		Alg string                     `json:"alg"`
		JWK map[string]json.RawMessage `json:"jwk"`
	}
	if err != nil || json.Unmarshal(rawHeader, &h) != nil {
		return nil, "", catalog.New(catalog.DPoPProofMalformed, "reason", "its header is not base64url JSON")
	}
	if h.Typ != "dpop+jwt" {
		return nil, "", catalog.New(catalog.DPoPProofType, "typ", h.Typ)
	}
	if !slices.Contains(algs, h.Alg) {
		return nil, "", catalog.New(catalog.DPoPProofAlgorithm, "alg", h.Alg, "allowed", strings.Join(algs, " "))
	}
	if h.JWK == nil {
		return nil, "", catalog.New(catalog.DPoPProofKey, "reason", "the header has no jwk")
	}
	for _, m := range privateMembers {
		if _, ok := h.JWK[m]; ok {
			return nil, "", catalog.New(catalog.DPoPProofKey, "reason", "the jwk has the private or symmetric member "+m)
		}
	}
	sigAlgs := make([]jose.SignatureAlgorithm, len(algs))
	for i, a := range algs {
		sigAlgs[i] = jose.SignatureAlgorithm(a)
	}
	jws, err := jose.ParseSigned(proof, sigAlgs)
	if err != nil {
		return nil, "", catalog.New(catalog.DPoPProofKey, "reason", "the jwk is not a valid public key").Wrap(err)
	}
	key := jws.Signatures[0].Header.JSONWebKey
	if key == nil || !key.Valid() || !key.IsPublic() {
		return nil, "", catalog.New(catalog.DPoPProofKey, "reason", "the jwk is not a valid public key")
	}
	payload, err := jws.Verify(key.Key)
	if err != nil {
		return nil, "", catalog.New(catalog.DPoPProofSignature).Wrap(err)
	}
	jkt, err := Thumbprint(key)
	if err != nil {
		return nil, "", catalog.New(catalog.DPoPProofKey, "reason", "its thumbprint cannot be computed").Wrap(err)
	}
	return payload, jkt, nil
}

// Thumbprint is the RFC 7638 SHA-256 thumbprint of a key, base64url.
func Thumbprint(k *jose.JSONWebKey) (string, error) {
	b, err := k.Thumbprint(crypto.SHA256)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// ValidJKT says whether s has the form of a SHA-256 thumbprint: 43
// base64url characters (the dpop_jkt parameter, RFC 9449 §10).
func ValidJKT(s string) bool {
	if len(s) != 43 {
		return false
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil && len(b) == 32
}
