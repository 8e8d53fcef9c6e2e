package clientauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lucid-auth/lucid/internal/clientjwt"
	"github.com/lucid-auth/lucid/internal/jwe"
)

// minRSABits is the smallest RSA modulus accepted for assertions.
const minRSABits = clientjwt.MinRSABits

// maxJWKSBytes bounds a jwks_uri response.
const maxJWKSBytes = 256 << 10

// keySet is a client's usable signature verification keys.
type keySet struct {
	keys []jose.JSONWebKey
	// skipped says why members of the set were ignored, for the operator.
	skipped []string
	// enc are the members that could encrypt (use enc or no use), for
	// encrypted responses (EncryptionKey).
	enc []jose.JSONWebKey
}

func (s *keySet) byKid(kid string) (jose.JSONWebKey, bool) {
	for _, k := range s.keys {
		if k.KeyID == kid {
			return k, true
		}
	}
	return jose.JSONWebKey{}, false
}

// parseJWKS reads a JWK set. Members that cannot verify signatures (an
// unknown kty, "use":"enc", a symmetric key, a broken key) are skipped as
// RFC 7517 §5 asks; so is any member with private material. Two usable
// members with the same kid make the set unusable: which one the client
// meant is unknowable.
func parseJWKS(b []byte) (*keySet, error) {
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, errors.New("it is not a JSON object with a keys array")
	}
	if doc.Keys == nil {
		return nil, errors.New("it has no keys array")
	}
	set := &keySet{}
	seen := make(map[string]bool)
	for i, raw := range doc.Keys {
		var meta struct {
			Kty string          `json:"kty"`
			Use string          `json:"use"`
			D   json.RawMessage `json:"d"`
			K   json.RawMessage `json:"k"`
		}
		if err := json.Unmarshal(raw, &meta); err != nil {
			set.skipped = append(set.skipped, fmt.Sprintf("key #%d: not a JSON object", i))
			continue
		}
		if meta.D != nil || meta.K != nil {
			// Never parse private material: it is not needed, and a client
			// that publishes it has a problem it should hear about.
			set.skipped = append(set.skipped, fmt.Sprintf("key #%d: contains private key material; register only public keys", i))
			continue
		}
		switch meta.Kty {
		case "RSA", "EC", "OKP":
		default:
			set.skipped = append(set.skipped, fmt.Sprintf("key #%d: kty %q cannot verify an assertion", i, meta.Kty))
			continue
		}
		if meta.Use != "" && meta.Use != "sig" {
			set.skipped = append(set.skipped, fmt.Sprintf("key #%d: use is %q, not sig", i, meta.Use))
			continue
		}
		var k jose.JSONWebKey
		if err := k.UnmarshalJSON(raw); err != nil {
			set.skipped = append(set.skipped, fmt.Sprintf("key #%d: %v", i, err))
			continue
		}
		if !k.Valid() || !k.IsPublic() {
			set.skipped = append(set.skipped, fmt.Sprintf("key #%d: no usable public key", i))
			continue
		}
		if k.KeyID != "" {
			if seen[k.KeyID] {
				return nil, fmt.Errorf("two keys have kid %s", k.KeyID)
			}
			seen[k.KeyID] = true
		}
		set.keys = append(set.keys, k)
	}
	set.enc = jwe.PublicKeys(b)
	return set, nil
}

// fits reports whether key k can verify alg, and if not, why.
func fits(k jose.JSONWebKey, alg string) (bool, string) { return clientjwt.Fits(k, alg) }

// jwksCache keeps each client's jwks_uri keys. A fetch happens when the
// client has no keys yet, when they are older than ttl, or when an
// assertion names an unknown kid (the client may have rotated); at most one
// attempt per client per minRefresh, so forged kids cannot make Lucid hammer
// a client's server.
type jwksCache struct {
	mu      sync.Mutex
	entries map[string]*jwksEntry // by client id
}

type jwksEntry struct {
	// mu is held during a fetch, so concurrent requests of one client wait
	// for its result instead of fetching again.
	mu        sync.Mutex
	uri       string
	set       *keySet
	fetchedAt time.Time
	attempted time.Time
	err       *fetchError
}

// fetchError is a failed jwks_uri fetch: a reason the client may read and
// the underlying error for the operator.
type fetchError struct {
	reason string
	cause  error
}

func (e *fetchError) Error() string {
	if e.cause != nil {
		return e.reason + ": " + e.cause.Error()
	}
	return e.reason
}

func (c *jwksCache) entry(clientID, uri string) *jwksEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[clientID]
	if !ok || e.uri != uri {
		// A changed jwks_uri starts afresh; the old entry's fetch, if any,
		// finishes on the detached entry.
		e = &jwksEntry{uri: uri}
		c.entries[clientID] = e
	}
	return e
}

// remoteKeys returns the keys behind uri for clientID. needKid, when not
// empty, is a kid the caller is looking for: its absence from the cached
// set allows a refresh. refreshErr is a failed refresh the caller may
// mention to the operator while still using the returned keys.
func (a *Authenticator) remoteKeys(ctx context.Context, clientID, uri, needKid string) (set *keySet, refreshErr, err *fetchError) {
	e := a.jwks.entry(clientID, uri)
	e.mu.Lock()
	defer e.mu.Unlock()
	now := a.now()
	stale := e.set == nil || now.Sub(e.fetchedAt) >= a.jwksTTL
	missing := false
	if needKid != "" && e.set != nil {
		_, found := e.set.byKid(needKid)
		missing = !found
	}
	mayFetch := e.attempted.IsZero() || now.Sub(e.attempted) >= a.jwksMinRefresh || now.Before(e.attempted)
	if (stale || missing) && mayFetch {
		e.attempted = now
		s, ferr := a.fetchJWKS(ctx, uri)
		if ferr == nil {
			e.set, e.fetchedAt, e.err = s, now, nil
		} else {
			e.err = ferr
			if !stale {
				// Fresh keys stay good; only the hoped-for new kid is missing.
				return e.set, ferr, nil
			}
			// Stale keys are dropped: the client may have removed a
			// compromised key, and we cannot tell.
			e.set = nil
		}
	}
	if e.set == nil {
		if e.err == nil {
			e.err = &fetchError{reason: "no keys have been fetched yet"}
		}
		return nil, nil, e.err
	}
	return e.set, nil, nil
}

func (a *Authenticator) fetchJWKS(ctx context.Context, uri string) (*keySet, *fetchError) {
	// The result serves every request of this client, so a caller that
	// hangs up must not turn it into a cached failure.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.fetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, uri, nil)
	if err != nil {
		return nil, &fetchError{reason: "it is not a valid URL", cause: err}
	}
	if err := checkFetchScheme(req.URL, a.localKeys); err != nil {
		return nil, &fetchError{reason: "it does not use https", cause: err}
	}
	req.Header.Set("Accept", "application/jwk-set+json, application/json")
	resp, err := a.http.Do(req)
	if err != nil {
		switch {
		case errors.Is(err, ErrLocalAddress):
			return nil, &fetchError{reason: "its host is on a local network", cause: err}
		case errors.Is(err, ErrInsecureScheme):
			return nil, &fetchError{reason: "it redirected to a URL that does not use https", cause: err}
		case errors.Is(err, context.DeadlineExceeded):
			return nil, &fetchError{reason: fmt.Sprintf("it did not answer within %s", a.fetchTimeout), cause: err}
		}
		return nil, &fetchError{reason: "the HTTP request failed", cause: err}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, &fetchError{reason: fmt.Sprintf("it answered HTTP %d, not 200", resp.StatusCode)}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBytes+1))
	if err != nil {
		return nil, &fetchError{reason: "reading the response failed", cause: err}
	}
	if len(body) > maxJWKSBytes {
		return nil, &fetchError{reason: fmt.Sprintf("the response is larger than %d bytes", maxJWKSBytes)}
	}
	set, err := parseJWKS(body)
	if err != nil {
		return nil, &fetchError{reason: "the response is not a usable JWK set: " + err.Error()}
	}
	return set, nil
}
