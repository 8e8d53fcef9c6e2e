package jwe

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

func keys(t *testing.T) (rsa2048, rsa1024 *rsa.PrivateKey, p256, p224 *ecdsa.PrivateKey, ed ed25519.PublicKey) {
	t.Helper()
	var err error
	if rsa2048, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		t.Fatal(err)
	}
	if rsa1024, err = rsa.GenerateKey(rand.Reader, 1024); err != nil {
		t.Fatal(err)
	}
	if p256, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	if p224, err = ecdsa.GenerateKey(elliptic.P224(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	ed, _, _ = ed25519.GenerateKey(rand.Reader)
	return
}

func TestFits(t *testing.T) {
	r2048, r1024, p256, p224, ed := keys(t)
	for _, tc := range []struct {
		name string
		key  jose.JSONWebKey
		alg  string
		ok   bool
		why  string
	}{
		{"RSA for RSA-OAEP-256", jose.JSONWebKey{Key: &r2048.PublicKey, Use: "enc"}, "RSA-OAEP-256", true, ""},
		{"RSA without use", jose.JSONWebKey{Key: &r2048.PublicKey}, "RSA-OAEP-256", true, ""},
		{"RSA marked sig", jose.JSONWebKey{Key: &r2048.PublicKey, Use: "sig"}, "RSA-OAEP-256", false, "use is sig"},
		{"RSA for another alg", jose.JSONWebKey{Key: &r2048.PublicKey, Algorithm: "RSA-OAEP"}, "RSA-OAEP-256", false, "registered for alg RSA-OAEP"},
		{"short RSA", jose.JSONWebKey{Key: &r1024.PublicKey}, "RSA-OAEP-256", false, "1024-bit"},
		{"EC for RSA", jose.JSONWebKey{Key: &p256.PublicKey}, "RSA-OAEP-256", false, "needs an RSA key"},
		{"P-256 for ECDH-ES", jose.JSONWebKey{Key: &p256.PublicKey}, "ECDH-ES", true, ""},
		{"P-256 for ECDH-ES+A128KW", jose.JSONWebKey{Key: &p256.PublicKey, Algorithm: "ECDH-ES+A128KW"}, "ECDH-ES+A128KW", true, ""},
		{"P-224", jose.JSONWebKey{Key: &p224.PublicKey}, "ECDH-ES", false, "P-224"},
		{"RSA for ECDH", jose.JSONWebKey{Key: &r2048.PublicKey}, "ECDH-ES+A256KW", false, "needs an EC key"},
		{"Ed25519 for ECDH", jose.JSONWebKey{Key: ed}, "ECDH-ES", false, "Ed25519"},
		{"unsupported alg", jose.JSONWebKey{Key: &p256.PublicKey}, "ECDH-ES+A192KW", false, "not an algorithm"},
		{"RSA1_5", jose.JSONWebKey{Key: &r2048.PublicKey}, "RSA1_5", false, "not an algorithm"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ok, why := Fits(tc.key, tc.alg)
			if ok != tc.ok || !strings.Contains(why, tc.why) {
				t.Fatalf("Fits = %v %q, want %v %q", ok, why, tc.ok, tc.why)
			}
		})
	}
}

func TestChoose(t *testing.T) {
	r2048, _, p256, _, _ := keys(t)
	plainEC := jose.JSONWebKey{Key: &p256.PublicKey, KeyID: "plain"}
	encEC := jose.JSONWebKey{Key: &p256.PublicKey, KeyID: "enc", Use: "enc"}
	sigEC := jose.JSONWebKey{Key: &p256.PublicKey, KeyID: "sig", Use: "sig"}
	rsaKey := jose.JSONWebKey{Key: &r2048.PublicKey, KeyID: "rsa"}
	for _, tc := range []struct {
		name string
		keys []jose.JSONWebKey
		alg  string
		kid  string // "" for none
		why  string
	}{
		{"use enc preferred", []jose.JSONWebKey{plainEC, encEC}, "ECDH-ES", "enc", ""},
		{"no use accepted", []jose.JSONWebKey{sigEC, plainEC}, "ECDH-ES", "plain", ""},
		{"by type", []jose.JSONWebKey{encEC, rsaKey}, "RSA-OAEP-256", "rsa", ""},
		{"none fits", []jose.JSONWebKey{sigEC, rsaKey}, "ECDH-ES", "", "key sig: its use is sig; key rsa: it is a 2048-bit RSA key"},
		{"empty", nil, "ECDH-ES", "", "holds no key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, why, ok := Choose(tc.keys, tc.alg)
			if ok != (tc.kid != "") || k.KeyID != tc.kid || !strings.Contains(why, tc.why) {
				t.Fatalf("Choose = %q %q %v, want %q %q", k.KeyID, why, ok, tc.kid, tc.why)
			}
		})
	}
}

// TestEncryptRoundTrip: every alg and enc served makes a JWE the private
// key opens, with cty JWT and the key's kid.
func TestEncryptRoundTrip(t *testing.T) {
	r2048, _, p256, _, _ := keys(t)
	for _, alg := range Algs {
		for _, enc := range append([]string{""}, Encs...) {
			t.Run(alg+"/"+enc, func(t *testing.T) {
				pub, priv := jose.JSONWebKey{Key: &p256.PublicKey, KeyID: "ec"}, any(p256)
				if alg == "RSA-OAEP-256" {
					pub, priv = jose.JSONWebKey{Key: &r2048.PublicKey, KeyID: "rsa"}, r2048
				}
				out, err := Encrypt("a.signed.jwt", pub, alg, enc)
				if err != nil {
					t.Fatal(err)
				}
				obj, err := jose.ParseEncryptedCompact(out, []jose.KeyAlgorithm{jose.KeyAlgorithm(alg)}, []jose.ContentEncryption{jose.ContentEncryption(EncOrDefault(enc))})
				if err != nil {
					t.Fatal(err)
				}
				if obj.Header.KeyID != pub.KeyID || obj.Header.ExtraHeaders["cty"] != "JWT" {
					t.Fatalf("header %+v", obj.Header)
				}
				got, err := obj.Decrypt(priv)
				if err != nil || string(got) != "a.signed.jwt" {
					t.Fatalf("decrypt: %q %v", got, err)
				}
			})
		}
	}
}

func TestPublicKeys(t *testing.T) {
	r2048, _, p256, _, ed := keys(t)
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: &r2048.PublicKey, KeyID: "rsa", Use: "enc"},
		{Key: &p256.PublicKey, KeyID: "ec"},
		{Key: &p256.PublicKey, KeyID: "sig", Use: "sig"},
		{Key: ed, KeyID: "okp"},
		{Key: p256, KeyID: "private", Use: "enc"},
	}}
	b, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	var kids []string
	for _, k := range PublicKeys(b) {
		kids = append(kids, k.KeyID)
	}
	if strings.Join(kids, " ") != "rsa ec" {
		t.Fatalf("PublicKeys kept %v, want rsa ec", kids)
	}
	if PublicKeys([]byte("not json")) != nil {
		t.Fatal("a broken set gave keys")
	}
}
