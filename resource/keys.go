package resource

import (
	"context"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// keysMaxAge bounds how long a key set is used before it is fetched again;
// an unknown kid refetches sooner, at most once per keysMinRefresh (also
// after a failed fetch), so tokens with made-up kids cannot make the API
// hammer Lucid.
const (
	keysMaxAge     = 5 * time.Minute
	keysMinRefresh = 10 * time.Second
)

// keyCache holds the issuer's key set. A fetch runs without the lock, one
// at a time: while it runs, requests whose kid is cached keep using the
// cached keys, and only those that need the new set wait for it.
//
// The JWKS URL comes from the issuer's discovery document, which the API
// is configured to trust, so it is fetched with the API's HTTP client
// (often on an internal network), not through Lucid's SSRF-guarded fetcher
// of keys that clients register.
type keyCache struct {
	fetch func(ctx context.Context) (*jose.JSONWebKeySet, error)
	now   func() time.Time

	mu       sync.Mutex
	keys     *jose.JSONWebKeySet // replaced, never modified
	fetched  time.Time           // of keys
	tried    time.Time           // last fetch started
	err      error               // of the last fetch, nil when it worked
	inflight chan struct{}       // closed when the running fetch ends
}

// cached returns the keys held now, without fetching.
func (c *keyCache) cached() *jose.JSONWebKeySet {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.keys
}

// get returns a key set that has kid if one can be had: the cached set
// when it is fresh and has kid, else the result of a (shared) fetch. When
// no set has kid, it returns the newest set and the last fetch's error
// (nil when the fetch worked and kid really is unknown).
func (c *keyCache) get(ctx context.Context, kid string) (*jose.JSONWebKeySet, error) {
	for {
		c.mu.Lock()
		now := c.now()
		has := c.keys != nil && (kid == "" || len(c.keys.Key(kid)) > 0)
		fresh := c.keys != nil && now.Sub(c.fetched) < keysMaxAge
		mayTry := c.tried.IsZero() || now.Sub(c.tried) >= keysMinRefresh
		switch {
		case has && (fresh || !mayTry || c.inflight != nil):
			// Good enough; a stale set is refreshed by the one request
			// that starts the fetch, never waited for by the others.
			keys := c.keys
			c.mu.Unlock()
			return keys, nil
		case c.inflight != nil:
			// This kid needs the set being fetched.
			wait := c.inflight
			c.mu.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return c.cached(), ctx.Err()
			}
		case !mayTry:
			keys, err := c.keys, c.err
			c.mu.Unlock()
			return keys, err
		}
		done := make(chan struct{})
		c.inflight, c.tried = done, now
		c.mu.Unlock()

		set, err := c.fetch(ctx)

		c.mu.Lock()
		c.err = err
		if err == nil {
			c.keys, c.fetched = set, c.now()
		}
		c.inflight = nil
		close(done)
		keys, last := c.keys, c.err
		c.mu.Unlock()
		if keys != nil && (kid == "" || len(keys.Key(kid)) > 0) {
			// A stale set that has kid stays in use when a refresh fails.
			return keys, nil
		}
		return keys, last
	}
}
