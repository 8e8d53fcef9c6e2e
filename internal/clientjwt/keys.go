package clientjwt

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"fmt"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lucid-auth/lucid/internal/catalog"
)

// MinRSABits is the smallest RSA modulus accepted for any signature Lucid
// verifies with a key it did not make.
const MinRSABits = 2048

// KeySet is a set of public verification keys: a client's registered
// JWKS or jwks_uri, a trusted issuer's keys, a DPoP proof's own key.
type KeySet interface {
	ByKid(kid string) (jose.JSONWebKey, bool)
	// Fitting returns the keys that can verify alg.
	Fitting(alg string) []jose.JSONWebKey
}

// Keys are the candidate keys for one token: a public key set, chosen
// from by kid or by alg, or shared secrets, each tried.
type Keys struct {
	Set KeySet

	// Secrets are HMAC keys (client_secret_jwt), tried in order;
	// SecretName stands for them where a kid would be named.
	Secrets    [][]byte
	SecretName string

	// Detail, when set, returns operator-only key/value pairs for a
	// failed key choice (the published kids, skipped keys, a failed
	// refresh). A function, so the common success path builds nothing.
	Detail func() []any
}

// KeySource finds the keys a token must verify with. It sees the parsed,
// unverified token (its alg and kid) and reports its own failures (keys
// unreachable, none registered) with its use's entries.
type KeySource interface {
	Keys(ctx context.Context, t *Token) (Keys, *catalog.Error)
}

// KeySourceFunc adapts a function to KeySource.
type KeySourceFunc func(ctx context.Context, t *Token) (Keys, *catalog.Error)

// Keys calls f.
func (f KeySourceFunc) Keys(ctx context.Context, t *Token) (Keys, *catalog.Error) { return f(ctx, t) }

// StaticKeys is a fixed KeySet (a trusted issuer's jwks_file, tests).
type StaticKeys []jose.JSONWebKey

// ByKid returns the key with this kid.
func (s StaticKeys) ByKid(kid string) (jose.JSONWebKey, bool) {
	for _, k := range s {
		if k.KeyID == kid {
			return k, true
		}
	}
	return jose.JSONWebKey{}, false
}

// Fitting returns the keys that can verify alg.
func (s StaticKeys) Fitting(alg string) []jose.JSONWebKey {
	var out []jose.JSONWebKey
	for _, k := range s {
		if ok, _ := Fits(k, alg); ok {
			out = append(out, k)
		}
	}
	return out
}

// Secret is the source for client_secret_jwt: the given secrets.
func Secret(name string, secrets ...[]byte) KeySource {
	return KeySourceFunc(func(context.Context, *Token) (Keys, *catalog.Error) {
		return Keys{Secrets: secrets, SecretName: name}, nil
	})
}

// EmbeddedJWK is the source for DPoP proofs (RFC 9449 §4.2): the public
// key in the token's own jwk header. missing is the use's entry for a
// proof without one (filled with "reason").
func EmbeddedJWK(missing catalog.Name) KeySource {
	return KeySourceFunc(func(_ context.Context, t *Token) (Keys, *catalog.Error) {
		if t.JWK == nil {
			return Keys{}, catalog.New(missing, "reason", "the header has no jwk")
		}
		k := *t.JWK
		// The kid of an embedded key means nothing; the key is the key.
		k.KeyID = t.Kid
		return Keys{Set: StaticKeys{k}}, nil
	})
}

// Fits reports whether key k can verify alg, and if not, why.
func Fits(k jose.JSONWebKey, alg string) (bool, string) {
	if k.Algorithm != "" && k.Algorithm != alg {
		return false, fmt.Sprintf("the key is registered for alg %s", k.Algorithm)
	}
	switch alg {
	case string(jose.RS256), string(jose.PS256), string(jose.RS384), string(jose.PS384), string(jose.RS512), string(jose.PS512):
		if _, ok := k.Key.(*rsa.PublicKey); ok {
			return true, ""
		}
	case string(jose.ES256), string(jose.ES384), string(jose.ES512):
		if ec, ok := k.Key.(*ecdsa.PublicKey); ok {
			want := curveOf(alg)
			if ec.Curve == want {
				return true, ""
			}
			return false, "the key is on curve " + ec.Curve.Params().Name + ", " + alg + " needs " + want.Params().Name
		}
	case string(jose.EdDSA):
		if _, ok := k.Key.(ed25519.PublicKey); ok {
			return true, ""
		}
	}
	return false, "the key is " + KeyKind(k) + ", which cannot verify " + alg
}

// curveOf is the curve an ES algorithm signs on.
func curveOf(alg string) elliptic.Curve {
	switch alg {
	case string(jose.ES256):
		return elliptic.P256()
	case string(jose.ES384):
		return elliptic.P384()
	}
	return elliptic.P521()
}

// KeyKind describes a key for error descriptions.
func KeyKind(k jose.JSONWebKey) string {
	switch t := k.Key.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("a %d-bit RSA key", t.N.BitLen())
	case *ecdsa.PublicKey:
		return "an EC " + t.Curve.Params().Name + " key"
	case ed25519.PublicKey:
		return "an Ed25519 key"
	default:
		return fmt.Sprintf("a %T", k.Key)
	}
}
