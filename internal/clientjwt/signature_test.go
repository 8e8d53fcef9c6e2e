package clientjwt

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/asn1"
	"encoding/base64"
	"math/big"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

// TestVerifyJWSAgainstGoJose signs with go-jose, the reference, for every
// algorithm Lucid accepts from clients, and checks that verifyJWS accepts
// the signature and refuses it after any change: to the signed input, to
// the signature, with another key, under another alg name.
func TestVerifyJWSAgainstGoJose(t *testing.T) {
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	otherRSA, _ := rsa.GenerateKey(rand.Reader, 2048)
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	p521, _ := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	otherP256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	edPub, edPriv, _ := ed25519.GenerateKey(rand.Reader)
	otherEd, _, _ := ed25519.GenerateKey(rand.Reader)
	secret := []byte(strings.Repeat("s", 64))

	tests := []struct {
		alg       jose.SignatureAlgorithm
		sign, pub any
		other     any
	}{
		{jose.RS256, rsaKey, &rsaKey.PublicKey, &otherRSA.PublicKey},
		{jose.RS384, rsaKey, &rsaKey.PublicKey, &otherRSA.PublicKey},
		{jose.RS512, rsaKey, &rsaKey.PublicKey, &otherRSA.PublicKey},
		{jose.PS256, rsaKey, &rsaKey.PublicKey, &otherRSA.PublicKey},
		{jose.PS384, rsaKey, &rsaKey.PublicKey, &otherRSA.PublicKey},
		{jose.PS512, rsaKey, &rsaKey.PublicKey, &otherRSA.PublicKey},
		{jose.ES256, p256, &p256.PublicKey, &otherP256.PublicKey},
		{jose.ES384, p384, &p384.PublicKey, &p256.PublicKey},
		{jose.ES512, p521, &p521.PublicKey, &p384.PublicKey},
		{jose.EdDSA, edPriv, edPub, otherEd},
		{jose.HS256, secret, secret, []byte(strings.Repeat("t", 64))},
		{jose.HS384, secret, secret, secret[:48]},
		{jose.HS512, secret, secret, append([]byte{'x'}, secret[1:]...)},
	}
	for _, tt := range tests {
		t.Run(string(tt.alg), func(t *testing.T) {
			s, err := jose.NewSigner(jose.SigningKey{Algorithm: tt.alg, Key: tt.sign}, nil)
			if err != nil {
				t.Fatal(err)
			}
			jws, err := s.Sign([]byte(`{"iss":"c","jti":"1"}`))
			if err != nil {
				t.Fatal(err)
			}
			compact, _ := jws.CompactSerialize()
			parts := strings.Split(compact, ".")
			signed := []byte(parts[0] + "." + parts[1])
			sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
			alg := string(tt.alg)

			if err := verifyJWS(alg, tt.pub, signed, sig); err != nil {
				t.Fatalf("a go-jose signature does not verify: %v", err)
			}
			tampered := append([]byte(nil), signed...)
			tampered[len(tampered)-1] ^= 1
			flipped := append([]byte(nil), sig...)
			flipped[len(flipped)/2] ^= 0x80
			for name, c := range map[string]struct {
				alg       string
				key       any
				in, sigAt []byte
			}{
				"changed input":     {alg, tt.pub, tampered, sig},
				"changed signature": {alg, tt.pub, signed, flipped},
				"truncated":         {alg, tt.pub, signed, sig[:len(sig)-1]},
				"empty signature":   {alg, tt.pub, signed, nil},
				"other key":         {alg, tt.other, signed, sig},
				"other alg":         {otherAlg(alg), tt.pub, signed, sig},
				"none":              {"none", tt.pub, signed, sig},
			} {
				if err := verifyJWS(c.alg, c.key, c.in, c.sigAt); err == nil {
					t.Errorf("%s: verified", name)
				}
			}
		})
	}
}

// otherAlg is an alg of the same key type with another hash or padding,
// which must not verify the signature (no alg confusion).
func otherAlg(alg string) string {
	switch alg {
	case "RS256":
		return "PS256"
	case "PS256":
		return "RS256"
	case "ES256":
		return "ES384"
	case "EdDSA":
		return "ES256"
	case "HS256":
		return "HS512"
	}
	return alg[:2] + "256"
}

// TestASN1Signature: the DER written directly is encoding/asn1's, for
// integers with leading zeros, the top bit set, zero, and P-521 sizes.
func TestASN1Signature(t *testing.T) {
	ints := [][]byte{{0}, {0, 0}, {1}, {0x7f}, {0x80}, {0, 0x80}, {0, 0, 1, 2}, bytes.Repeat([]byte{0xff}, 32), bytes.Repeat([]byte{0x01}, 32)}
	for range 20 {
		for _, n := range []int{32, 48, 66} {
			b := make([]byte, n)
			_, _ = rand.Read(b)
			ints = append(ints, b)
		}
	}
	ints = append(ints, append([]byte{0x01}, bytes.Repeat([]byte{0xff}, 65)...), bytes.Repeat([]byte{0xff}, 66))
	for _, r := range ints {
		for _, s := range ints {
			want, err := asn1.Marshal(struct{ R, S *big.Int }{new(big.Int).SetBytes(r), new(big.Int).SetBytes(s)})
			if err != nil {
				t.Fatal(err)
			}
			if got := asn1Signature(r, s); !bytes.Equal(got, want) {
				t.Fatalf("r %x s %x: %x, want %x", r, s, got, want)
			}
		}
	}
}
