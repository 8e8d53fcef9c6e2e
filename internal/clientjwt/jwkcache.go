package clientjwt

import (
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
// hands out are shared and must not be changed.
type JWKCache struct {
	mu  sync.RWMutex
	m   map[string]*jose.JSONWebKey
	max int
}

// NewJWKCache returns a cache of at most max keys.
func NewJWKCache(max int) *JWKCache {
	return &JWKCache{m: make(map[string]*jose.JSONWebKey), max: max}
}

// get returns the key read from raw before; a nil cache has none.
func (c *JWKCache) get(raw []byte) (*jose.JSONWebKey, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.RLock()
	k, ok := c.m[string(raw)]
	c.mu.RUnlock()
	return k, ok
}

// put keeps k, read from raw.
func (c *JWKCache) put(raw []byte, k *jose.JSONWebKey) {
	if c == nil {
		return
	}
	c.mu.Lock()
	if len(c.m) >= c.max {
		clear(c.m)
	}
	c.m[string(raw)] = k
	c.mu.Unlock()
}
