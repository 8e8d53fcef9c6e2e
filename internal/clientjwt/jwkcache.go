package clientjwt

import (
	"crypto"
	"encoding/base64"
	"sync"

	jose "github.com/go-jose/go-jose/v4"
)

// JWKCache remembers embedded public keys (a DPoP proof's jwk header)
// already read, by their exact JSON text: a client signs every proof with
// the same key, and reading it (go-jose, with the check that an EC point
// is on its curve) is, after the signature, the costliest step of a
// proof. Only keys that were read as valid public keys are kept, and the
// text is the key, so a hit is exactly what reading it again would give.
// Bounded: when full it starts over. Safe for concurrent use; the keys it
// hands out are shared and must not be changed. Each key's thumbprint is
// kept with it: a proof's jkt is the same for every proof of the key.
type JWKCache struct {
	mu  sync.RWMutex
	m   map[string]cachedJWK
	max int
}

// cachedJWK is a key read and its thumbprint ("" if it had none).
type cachedJWK struct {
	key *jose.JSONWebKey
	jkt string
}

// NewJWKCache returns a cache of at most max keys.
func NewJWKCache(max int) *JWKCache {
	return &JWKCache{m: make(map[string]cachedJWK), max: max}
}

// get returns the key read from raw before; a nil cache has none.
func (c *JWKCache) get(raw []byte) (cachedJWK, bool) {
	if c == nil {
		return cachedJWK{}, false
	}
	c.mu.RLock()
	k, ok := c.m[string(raw)]
	c.mu.RUnlock()
	return k, ok
}

// put keeps k, read from raw, with its thumbprint.
func (c *JWKCache) put(raw []byte, k *jose.JSONWebKey) cachedJWK {
	e := cachedJWK{key: k}
	if c == nil {
		return e
	}
	e.jkt, _ = Thumbprint(k) // "" on failure: JWKThumbprint says why
	c.mu.Lock()
	if len(c.m) >= c.max {
		clear(c.m)
	}
	c.m[string(raw)] = e
	c.mu.Unlock()
	return e
}

// Thumbprint is the RFC 7638 SHA-256 thumbprint of a key, base64url.
func Thumbprint(k *jose.JSONWebKey) (string, error) {
	b, err := k.Thumbprint(crypto.SHA256)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
