// Package secret holds how Lucid makes and keeps secrets: random tokens,
// their storage hashes, keyed hashes of client secrets, and sealing of
// private keys at rest. Everything derives from one server master key.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
)

// MinMasterKey is the least master key length accepted, in bytes.
const MinMasterKey = 32

// Token returns n random bytes encoded as unpadded base64url.
func Token(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// ID returns a random identifier of n bytes that starts with a letter or
// digit: ids are typed as command-line arguments, where a leading '-'
// would read as a flag.
func ID(n int) string {
	for {
		id := Token(n)
		if c := id[0]; c != '-' && c != '_' {
			return id
		}
	}
}

// Hash is the storage key of a high-entropy token (code, refresh token,
// session id): hex SHA-256. A slow hash buys nothing for 256-bit randoms.
func Hash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Keys are the working keys derived from the master key.
type Keys struct {
	pepper []byte
	mac    []byte
	aead   cipher.AEAD
	// holder salts the keys SealFor derives from a token.
	holder []byte
}

// Derive builds the working keys from the master key.
func Derive(master []byte) (*Keys, error) {
	if len(master) < MinMasterKey {
		return nil, fmt.Errorf("secret: master key is %d bytes, need at least %d", len(master), MinMasterKey)
	}
	pepper, err := hkdf.Key(sha256.New, master, nil, "lucid client-secret pepper v1", 32)
	if err != nil {
		return nil, err
	}
	kek, err := hkdf.Key(sha256.New, master, nil, "lucid key-encryption key v1", 32)
	if err != nil {
		return nil, err
	}
	mac, err := hkdf.Key(sha256.New, master, nil, "lucid form and cookie tags v1", 32)
	if err != nil {
		return nil, err
	}
	holder, err := hkdf.Key(sha256.New, master, nil, "lucid sealing for a token's holder v1", 32)
	if err != nil {
		return nil, err
	}
	aead, err := newAEAD(kek)
	if err != nil {
		return nil, err
	}
	return &Keys{pepper: pepper, mac: mac, aead: aead, holder: holder}, nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// HashClientSecret is the keyed hash (HMAC-SHA-256 with the pepper) under
// which a client secret is stored.
func (k *Keys) HashClientSecret(s string) string {
	m := hmac.New(sha256.New, k.pepper)
	m.Write([]byte(s))
	return hex.EncodeToString(m.Sum(nil))
}

// SecretMatches compares a presented secret with a stored hash in constant time.
func (k *Keys) SecretMatches(presented, storedHash string) bool {
	want, err := hex.DecodeString(storedHash)
	if err != nil {
		return false
	}
	m := hmac.New(sha256.New, k.pepper)
	m.Write([]byte(presented))
	return subtle.ConstantTimeCompare(m.Sum(nil), want) == 1
}

// ClientSecretMAC is the keyed hash of a presented secret, computed once
// to compare it with many stored hashes (MACMatches).
func (k *Keys) ClientSecretMAC(presented string) []byte {
	m := hmac.New(sha256.New, k.pepper)
	m.Write([]byte(presented))
	return m.Sum(nil)
}

// MACMatches compares a ClientSecretMAC with a stored hash in constant time.
func MACMatches(mac []byte, storedHash string) bool {
	want, err := hex.DecodeString(storedHash)
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare(mac, want) == 1
}

// Seal encrypts plaintext (AES-256-GCM, random nonce); aad binds it to its
// use, for example a key id.
func (k *Keys) Seal(plaintext, aad []byte) []byte {
	nonce := make([]byte, k.aead.NonceSize(), k.aead.NonceSize()+len(plaintext)+k.aead.Overhead())
	_, _ = rand.Read(nonce)
	return k.aead.Seal(nonce, nonce, plaintext, aad)
}

// ErrUnseal means the ciphertext was not sealed with this master key.
var ErrUnseal = errors.New("secret: cannot decrypt: wrong master key or corrupted data")

// Open decrypts what Seal produced.
func (k *Keys) Open(sealed, aad []byte) ([]byte, error) {
	n := k.aead.NonceSize()
	if len(sealed) < n {
		return nil, ErrUnseal
	}
	out, err := k.aead.Open(nil, sealed[:n], sealed[n:], aad)
	if err != nil {
		return nil, ErrUnseal
	}
	return out, nil
}

// holderAEAD is the cipher of SealFor and OpenFor: its key comes from the
// token (high-entropy, never stored) salted with the master key, so that
// neither the database nor the master key alone opens what it sealed.
func (k *Keys) holderAEAD(token string) (cipher.AEAD, error) {
	key, err := hkdf.Key(sha256.New, []byte(token), k.holder, "lucid sealed for the holder of a token v1", 32)
	if err != nil {
		return nil, err
	}
	return newAEAD(key)
}

// SealFor encrypts plaintext (AES-256-GCM, random nonce) for whoever holds
// token, a random token the server keeps only as its Hash: the refresh
// grant seals a rotation's answer with the old refresh token, so that the
// same answer can be given again only to a request that presents it.
func (k *Keys) SealFor(token string, plaintext, aad []byte) ([]byte, error) {
	aead, err := k.holderAEAD(token)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plaintext)+aead.Overhead())
	_, _ = rand.Read(nonce)
	return aead.Seal(nonce, nonce, plaintext, aad), nil
}

// OpenFor decrypts what SealFor produced with the same token, master key
// and aad; anything else is ErrUnseal.
func (k *Keys) OpenFor(token string, sealed, aad []byte) ([]byte, error) {
	aead, err := k.holderAEAD(token)
	if err != nil {
		return nil, err
	}
	n := aead.NonceSize()
	if len(sealed) < n {
		return nil, ErrUnseal
	}
	out, err := aead.Open(nil, sealed[:n], sealed[n:], aad)
	if err != nil {
		return nil, ErrUnseal
	}
	return out, nil
}

// Tag authenticates data for one purpose (a CSRF token bound to a browser
// and an interaction, say); every replica with the same master key agrees.
func (k *Keys) Tag(purpose, data string) string {
	m := hmac.New(sha256.New, k.mac)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(data))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// TagMatches checks a Tag in constant time.
func (k *Keys) TagMatches(purpose, data, tag string) bool {
	return hmac.Equal([]byte(k.Tag(purpose, data)), []byte(tag))
}

// ClientSecretAAD binds a sealed client secret to its client and secret id,
// so a sealed value copied to another row does not open.
func ClientSecretAAD(clientID, secretID string) []byte {
	return []byte("client-secret\x00" + clientID + "\x00" + secretID)
}
