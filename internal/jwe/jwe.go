// Package jwe encrypts what Lucid signs to a client's public key: the
// nested JWTs (signed, then encrypted, RFC 7519 §5.2) of encrypted JARM
// responses (JARM §2.3). It holds the algorithms served, the rule of
// which registered key may encrypt with which algorithm, and the
// encryption itself; the keys come from the caller (the client's jwks or
// jwks_uri, read by internal/clientauth).
//
// Policy:
//   - Key management: RSA-OAEP-256 (an RSA key of at least 2048 bits),
//     ECDH-ES, ECDH-ES+A128KW, ECDH-ES+A256KW (an EC key on P-256, P-384
//     or P-521). RSA1_5 (padding oracles) and RSA-OAEP with SHA-1 are not
//     offered; neither is dir, which would need a shared secret.
//   - Content encryption: A128GCM, A256GCM, A128CBC-HS256; the default,
//     when a client registers only the alg, is A128CBC-HS256 (OpenID
//     Connect Registration §2, JARM §3).
//   - A key may encrypt when its use is enc or absent, its alg (if any)
//     is the one asked for, and its type fits the alg. Keys marked
//     use enc are preferred over keys without use.
package jwe

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
)

// Algs are the key management algorithms served, as discovery lists them.
var Algs = []string{"RSA-OAEP-256", "ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A256KW"}

// Encs are the content encryption algorithms served.
var Encs = []string{"A128GCM", "A256GCM", "A128CBC-HS256"}

// DefaultEnc is the content encryption of a client that registered only
// an alg.
const DefaultEnc = "A128CBC-HS256"

// minRSABits is the smallest RSA modulus Lucid encrypts to.
const minRSABits = 2048

// Supported reports whether alg and enc are served; enc "" stands for
// DefaultEnc.
func Supported(alg, enc string) bool {
	return slices.Contains(Algs, alg) && (enc == "" || slices.Contains(Encs, enc))
}

// EncOrDefault is enc, or DefaultEnc when empty.
func EncOrDefault(enc string) string {
	if enc == "" {
		return DefaultEnc
	}
	return enc
}

// Fits reports whether key k may encrypt with alg, and if not, why.
func Fits(k jose.JSONWebKey, alg string) (bool, string) {
	if k.Use != "" && k.Use != "enc" {
		return false, fmt.Sprintf("its use is %s", k.Use)
	}
	if k.Algorithm != "" && k.Algorithm != alg {
		return false, fmt.Sprintf("it is registered for alg %s", k.Algorithm)
	}
	switch {
	case alg == "RSA-OAEP-256":
		rk, ok := k.Key.(*rsa.PublicKey)
		if !ok {
			return false, "it is " + kind(k) + "; " + alg + " needs an RSA key"
		}
		if rk.N.BitLen() < minRSABits {
			return false, fmt.Sprintf("it is a %d-bit RSA key; %s needs at least %d bits", rk.N.BitLen(), alg, minRSABits)
		}
		return true, ""
	case strings.HasPrefix(alg, "ECDH-ES") && slices.Contains(Algs, alg):
		ek, ok := k.Key.(*ecdsa.PublicKey)
		if !ok {
			return false, "it is " + kind(k) + "; " + alg + " needs an EC key"
		}
		switch ek.Curve {
		case elliptic.P256(), elliptic.P384(), elliptic.P521():
			return true, ""
		}
		return false, "it is on curve " + ek.Curve.Params().Name + "; " + alg + " needs P-256, P-384 or P-521"
	}
	return false, alg + " is not an algorithm Lucid encrypts with"
}

// Choose picks the key of keys that encrypts with alg: the first fitting
// key marked use enc, else the first fitting key without use. When none
// fits, reason says why, naming what each key lacks (at most a few).
func Choose(keys []jose.JSONWebKey, alg string) (k jose.JSONWebKey, reason string, ok bool) {
	var plain *jose.JSONWebKey
	var why []string
	for i := range keys {
		fit, w := Fits(keys[i], alg)
		switch {
		case fit && keys[i].Use == "enc":
			return keys[i], "", true
		case fit && plain == nil:
			plain = &keys[i]
		case !fit && len(why) < 4:
			why = append(why, "key "+name(keys[i], i)+": "+w)
		}
	}
	if plain != nil {
		return *plain, "", true
	}
	if len(keys) == 0 {
		return k, "the key set holds no key that can encrypt (with use enc, or without use)", false
	}
	return k, "no key fits " + alg + " (" + strings.Join(why, "; ") + ")", false
}

// Encrypt encrypts payload, a signed JWT, to key k with alg and enc (""
// for DefaultEnc): a compact JWE whose cty is JWT (RFC 7519 §5.2) and
// whose kid names k, so that the client knows which private key opens it.
func Encrypt(payload string, k jose.JSONWebKey, alg, enc string) (string, error) {
	e, err := jose.NewEncrypter(jose.ContentEncryption(EncOrDefault(enc)),
		jose.Recipient{Algorithm: jose.KeyAlgorithm(alg), Key: k.Key, KeyID: k.KeyID},
		(&jose.EncrypterOptions{}).WithContentType("JWT"))
	if err != nil {
		return "", fmt.Errorf("jwe: encrypter for %s/%s: %w", alg, enc, err)
	}
	obj, err := e.Encrypt([]byte(payload))
	if err != nil {
		return "", fmt.Errorf("jwe: encrypt: %w", err)
	}
	return obj.CompactSerialize()
}

// EncryptJSON encrypts payload, a JSON document that is not a JWT (the
// claims of a userinfo answer encrypted without being signed, OpenID
// Connect Core §5.3.2), to key k with alg and enc: a compact JWE without
// cty.
func EncryptJSON(payload []byte, k jose.JSONWebKey, alg, enc string) (string, error) {
	e, err := jose.NewEncrypter(jose.ContentEncryption(EncOrDefault(enc)),
		jose.Recipient{Algorithm: jose.KeyAlgorithm(alg), Key: k.Key, KeyID: k.KeyID}, nil)
	if err != nil {
		return "", fmt.Errorf("jwe: encrypter for %s/%s: %w", alg, enc, err)
	}
	obj, err := e.Encrypt(payload)
	if err != nil {
		return "", fmt.Errorf("jwe: encrypt: %w", err)
	}
	return obj.CompactSerialize()
}

func kind(k jose.JSONWebKey) string {
	switch t := k.Key.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("a %d-bit RSA key", t.N.BitLen())
	case *ecdsa.PublicKey:
		return "an EC " + t.Curve.Params().Name + " key"
	case ed25519.PublicKey:
		return "an Ed25519 key"
	case []byte:
		return "a symmetric key"
	default:
		return fmt.Sprintf("a %T key", k.Key)
	}
}

func name(k jose.JSONWebKey, i int) string {
	if k.KeyID != "" {
		return k.KeyID
	}
	return fmt.Sprintf("#%d", i)
}

// PublicKeys reads the members of a JWK set that could encrypt at all:
// public RSA and EC keys with use enc or without use. Members that are
// anything else, or cannot be read, are left out: whether some key fits
// an alg is Choose's question.
func PublicKeys(jwks []byte) []jose.JSONWebKey {
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if json.Unmarshal(jwks, &doc) != nil {
		return nil
	}
	var out []jose.JSONWebKey
	for _, raw := range doc.Keys {
		var meta struct {
			Kty string          `json:"kty"`
			Use string          `json:"use"`
			D   json.RawMessage `json:"d"`
			K   json.RawMessage `json:"k"`
		}
		if json.Unmarshal(raw, &meta) != nil || meta.D != nil || meta.K != nil {
			continue
		}
		if (meta.Kty != "RSA" && meta.Kty != "EC") || (meta.Use != "" && meta.Use != "enc") {
			continue
		}
		var k jose.JSONWebKey
		if k.UnmarshalJSON(raw) != nil || !k.Valid() || !k.IsPublic() {
			continue
		}
		out = append(out, k)
	}
	return out
}
