package dpop

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/clientjwt"
)

// Shared is the ProofVerifier on the one verifier of client-made JWTs
// (internal/clientjwt), with the key source of DPoP: the proof's own
// embedded public jwk. It checks typ, alg, jwk, signature and that iat is
// not ahead; the other claims are the Checker's.
type Shared struct {
	v   *clientjwt.Verifier
	use clientjwt.Use
	src clientjwt.KeySource
}

// NewShared makes the verifier of proofs on v for the algorithms algs
// (nil is Algs).
func NewShared(v *clientjwt.Verifier, algs []string) *Shared {
	if algs == nil {
		algs = Algs
	}
	sig := make([]jose.SignatureAlgorithm, len(algs))
	for i, a := range algs {
		sig[i] = jose.SignatureAlgorithm(a)
	}
	return &Shared{v: v, src: clientjwt.EmbeddedJWK(catalog.DPoPProofKey), use: clientjwt.Use{
		Names: clientjwt.Names{
			Malformed:        catalog.DPoPProofMalformed,
			AlgNotAllowed:    catalog.DPoPProofAlgorithm,
			SignatureInvalid: catalog.DPoPProofSignature,
			TypInvalid:       catalog.DPoPProofType,
			NotYetValid:      catalog.DPoPProofFuture,
		},
		Algs:     sig,
		AlgsText: strings.Join(algs, " "),
		Typ:      []string{"dpop+jwt"},
		JWKs:     clientjwt.NewJWKCache(jwkCacheSize),
	}}
}

// Verify implements ProofVerifier.
func (s *Shared) Verify(ctx context.Context, proof string) (map[string]json.RawMessage, string, *catalog.Error) {
	// A private or symmetric key in the header is the client's mistake to
	// name as such (the key must be treated as leaked), before parsing.
	if m := privateMember(proof); m != "" {
		return nil, "", catalog.New(catalog.DPoPProofKey, "reason", "the jwk has the private or symmetric member "+m)
	}
	t, e := clientjwt.Parse(proof, &s.use)
	if e != nil {
		return nil, "", e
	}
	if t.JWK == nil {
		return nil, "", catalog.New(catalog.DPoPProofKey, "reason", "the header has no jwk")
	}
	if ok, why := clientjwt.Fits(*t.JWK, t.Alg); !ok {
		return nil, "", catalog.New(catalog.DPoPProofKey, "reason", "the jwk cannot verify "+t.Alg+": "+why)
	}
	// exp and nbf mean nothing in a proof (RFC 9449 §4.2): its age is
	// counted from iat, by the Checker.
	t.Exp, t.Nbf = nil, nil
	if e := s.v.Verify(ctx, t, &s.use, s.src); e != nil {
		return nil, "", e
	}
	jkt, err := t.JWKThumbprint()
	if err != nil {
		return nil, "", catalog.New(catalog.DPoPProofKey, "reason", "its thumbprint cannot be computed").Wrap(err)
	}
	return t.Claims, jkt, nil
}

// jwkCacheSize bounds the proof keys a Shared remembers (JWKCache).
const jwkCacheSize = 4096

// privateMember is the first private or symmetric JWK member in the
// proof's header jwk, "" when there is none or the header cannot be read
// (the parser then says why).
func privateMember(proof string) string {
	i := strings.IndexByte(proof, '.')
	if i < 0 || i > maxProof {
		return ""
	}
	raw, err := base64.RawURLEncoding.DecodeString(proof[:i])
	if err != nil || !mayNamePrivate(raw) {
		return ""
	}
	var h struct {
		JWK map[string]json.RawMessage `json:"jwk"`
	}
	if json.Unmarshal(raw, &h) != nil {
		return ""
	}
	for _, m := range privateMembers {
		if _, ok := h.JWK[m]; ok {
			return m
		}
	}
	return ""
}

// mayNamePrivate reports whether a header might name a private member:
// one of them in quotes, or an escape, which could spell one. Almost
// every proof has neither, and is spared a second JSON reading.
func mayNamePrivate(header []byte) bool {
	if bytes.IndexByte(header, '\\') >= 0 {
		return true
	}
	for _, m := range quotedPrivate {
		if bytes.Contains(header, m) {
			return true
		}
	}
	return false
}

// quotedPrivate are privateMembers as they appear in JSON, in quotes.
var quotedPrivate = func() [][]byte {
	out := make([][]byte, len(privateMembers))
	for i, m := range privateMembers {
		out[i] = []byte(`"` + m + `"`)
	}
	return out
}()
