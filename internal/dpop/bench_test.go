package dpop

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/clientjwt"
)

// BenchmarkECDSAVerify is the signature check alone, the floor.
func BenchmarkECDSAVerify(b *testing.B) {
	priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	sum := sha256.Sum256([]byte("x"))
	sig, _ := ecdsa.SignASN1(rand.Reader, priv, sum[:])
	for b.Loop() {
		if !ecdsa.VerifyASN1(&priv.PublicKey, sum[:], sig) {
			b.Fatal("bad")
		}
	}
}

func signBench(b *testing.B, priv *ecdsa.PrivateKey) string {
	return sign(b, priv, map[string]any{"jti": "j", "htm": "POST", "htu": "https://x/token", "iat": time.Now().Unix()})
}

// BenchmarkVerifyShared is the JOSE layer of one ES256 proof, through
// internal/clientjwt.
func BenchmarkVerifyShared(b *testing.B) {
	priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p := signBench(b, priv)
	v := NewShared(clientjwt.New(nil, nil), nil)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, e := v.Verify(context.Background(), p); e != nil {
			b.Fatal(e)
		}
	}
}
