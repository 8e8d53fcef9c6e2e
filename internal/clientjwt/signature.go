package clientjwt

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"fmt"

	// The other hashes the algorithms below name.
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
		if !ecdsa.VerifyASN1(k, digest(h, signed), asn1Signature(sig[:size], sig[size:])) {
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

// asn1Signature is the DER ECDSA-Sig-Value (RFC 3279 §2.2.3) of the
// big-endian integers r and s, what ecdsa.Verify would build from them
// through big.Int, written directly.
func asn1Signature(r, s []byte) []byte {
	r, s = trimZeros(r), trimZeros(s)
	// Each INTEGER is under 128 bytes, its length one byte; a leading
	// zero keeps one whose top bit is set from reading as negative.
	intLen := func(b []byte) int {
		if len(b) == 0 || b[0]&0x80 != 0 {
			return len(b) + 1
		}
		return len(b)
	}
	body := 2 + intLen(r) + 2 + intLen(s)
	out := make([]byte, 0, 3+body)
	out = append(out, 0x30) // SEQUENCE
	if body >= 0x80 {
		out = append(out, 0x81) // the length in one more byte (P-521)
	}
	out = append(out, byte(body))
	for _, b := range [][]byte{r, s} {
		out = append(out, 0x02, byte(intLen(b))) // INTEGER
		if intLen(b) > len(b) {
			out = append(out, 0)
		}
		out = append(out, b...)
	}
	return out
}

// trimZeros drops the leading zero bytes of a big-endian integer.
func trimZeros(b []byte) []byte {
	for len(b) > 0 && b[0] == 0 {
		b = b[1:]
	}
	return b
}

func digest(h crypto.Hash, b []byte) []byte {
	if h == crypto.SHA256 {
		// The usual hash, without a hash.Hash to allocate.
		sum := sha256.Sum256(b)
		return sum[:]
	}
	w := h.New()
	w.Write(b)
	return w.Sum(nil)
}
