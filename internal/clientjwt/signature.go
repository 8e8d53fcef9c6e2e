package clientjwt

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rsa"
	"errors"
	"fmt"
	"math/big"

	// The hashes the algorithms below name.
	_ "crypto/sha256"
	_ "crypto/sha512"
)

// errSignature is every signature that does not verify: the caller names
// the key, never the reason, so a forger learns nothing more.
var errSignature = errors.New("signature does not verify")

// verifyJWS checks sig over signed (RFC 7515 §5.2) for alg with key. Parse
// has already checked the alg against the use's list and Fits the key
// against the alg; this is only the arithmetic, on the standard library,
// so that the token is parsed once (the JSON and base64 by Parse) instead
// of again by a general JOSE library on the hottest paths (DPoP proofs,
// client assertions).
func verifyJWS(alg string, key any, signed, sig []byte) error {
	h, err := algHash(alg)
	if err != nil {
		return err
	}
	switch k := key.(type) {
	case *rsa.PublicKey:
		d := digest(h, signed)
		switch alg {
		case "RS256", "RS384", "RS512":
			return rsa.VerifyPKCS1v15(k, h, d, sig)
		case "PS256", "PS384", "PS512":
			// RFC 7518 §3.5: the salt is as long as the hash.
			return rsa.VerifyPSS(k, h, d, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: h})
		}
	case *ecdsa.PublicKey:
		if alg != "ES256" && alg != "ES384" && alg != "ES512" {
			break
		}
		// RFC 7518 §3.4: R and S as fixed-length big-endian integers.
		size := (k.Curve.Params().BitSize + 7) / 8
		if len(sig) != 2*size {
			return errSignature
		}
		r, s := new(big.Int).SetBytes(sig[:size]), new(big.Int).SetBytes(sig[size:])
		if !ecdsa.Verify(k, digest(h, signed), r, s) {
			return errSignature
		}
		return nil
	case ed25519.PublicKey:
		if alg != "EdDSA" || len(k) != ed25519.PublicKeySize || len(sig) != ed25519.SignatureSize {
			return errSignature
		}
		if !ed25519.Verify(k, signed, sig) {
			return errSignature
		}
		return nil
	case []byte:
		if alg != "HS256" && alg != "HS384" && alg != "HS512" {
			break
		}
		m := hmac.New(h.New, k)
		m.Write(signed)
		if !hmac.Equal(m.Sum(nil), sig) {
			return errSignature
		}
		return nil
	}
	return fmt.Errorf("%w: a %T cannot verify %s", errSignature, key, alg)
}

func algHash(alg string) (crypto.Hash, error) {
	switch alg {
	case "RS256", "PS256", "ES256", "HS256":
		return crypto.SHA256, nil
	case "RS384", "PS384", "ES384", "HS384":
		return crypto.SHA384, nil
	case "RS512", "PS512", "ES512", "HS512":
		return crypto.SHA512, nil
	case "EdDSA":
		return 0, nil // Ed25519 hashes internally
	}
	return 0, fmt.Errorf("%w: unknown alg %q", errSignature, alg)
}

func digest(h crypto.Hash, b []byte) []byte {
	w := h.New()
	w.Write(b)
	return w.Sum(nil)
}
