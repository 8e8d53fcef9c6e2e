package throttle

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"
	"time"
)

// Names counts failed sign-ins for usernames that have no account, so that
// such a name locks exactly as an account does (whose count is in the
// database): otherwise a name that never locks is a name that does not
// exist. Names are kept by the SHA-256 of their lower-case form (the
// store matches usernames case-insensitively), so a long name costs no
// more memory than a short one. The map holds at most a fixed number of
// names; when full, the least recently failed of a random sample is
// forgotten. Each replica counts on its own unless Shared. A Names is safe
// for concurrent use.
type Names struct {
	max    int
	shared sharing

	mu    sync.Mutex
	names map[[sha256.Size]byte]*nameState
}

type nameState struct {
	failed      int
	lockedUntil time.Time
	last        time.Time
}

// DefaultMaxNames bounds a Names to a few megabytes.
const DefaultMaxNames = 50_000

// evictSample is how many names are looked at to find one to forget.
const evictSample = 16

// NewNames returns a Names holding at most size names (at least 1).
func NewNames(size int, opts ...Option) *Names {
	n := &Names{max: max(size, 1), names: map[[sha256.Size]byte]*nameState{}}
	for _, o := range opts {
		o(&n.shared)
	}
	return n
}

func (n *Names) sharedKey(name string) string {
	k := nameKey(name)
	return n.shared.space + ":" + hex.EncodeToString(k[:])
}

func nameKey(name string) [sha256.Size]byte {
	return sha256.Sum256([]byte(strings.ToLower(name)))
}

// LockedUntil is the end of name's lock; the zero time when it has none.
func (n *Names) LockedUntil(name string) time.Time {
	if st := n.shared.st; st != nil {
		if until, err := st.ThrottleLockedUntil(context.Background(), n.sharedKey(name)); err == nil {
			return until
		}
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if s := n.names[nameKey(name)]; s != nil {
		return s.lockedUntil
	}
	return time.Time{}
}

// Fail counts one more failed sign-in for name at now. lockFor says, from
// the number of failures in a row, how long the name is locked (0: not
// locked); the caller passes the rule its accounts follow. Fail returns
// the end of the lock this failure started, or the zero time.
func (n *Names) Fail(name string, now time.Time, lockFor func(failed int) time.Duration) time.Time {
	if st := n.shared.st; st != nil {
		var until time.Time
		_, err := st.FailThrottle(context.Background(), n.sharedKey(name), now, func(failed int) time.Time {
			until = time.Time{}
			if d := lockFor(failed); d > 0 {
				until = now.Add(d)
			}
			return until
		})
		if err == nil {
			return until
		}
	}
	k := nameKey(name)
	n.mu.Lock()
	defer n.mu.Unlock()
	s := n.names[k]
	if s == nil {
		if len(n.names) >= n.max {
			n.evict()
		}
		s = &nameState{}
		n.names[k] = s
	}
	s.failed++
	s.last = now
	if d := lockFor(s.failed); d > 0 {
		s.lockedUntil = now.Add(d)
		return s.lockedUntil
	}
	return time.Time{}
}

// Len is the number of names counted.
func (n *Names) Len() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.names)
}

// evict forgets the least recently failed of a few names (map order is
// random), which is O(1) where finding the oldest of all would be O(n).
func (n *Names) evict() {
	var oldest [sha256.Size]byte
	var at time.Time
	i := 0
	for k, s := range n.names {
		if i == 0 || s.last.Before(at) {
			oldest, at = k, s.last
		}
		if i++; i == evictSample {
			break
		}
	}
	delete(n.names, oldest)
}

// Forget clears name's count and lock after a successful sign-in, as an
// account's are cleared.
func (n *Names) Forget(name string) {
	if st := n.shared.st; st != nil {
		// A failed clear leaves a count that a later success clears.
		_ = st.ClearThrottleFailures(context.Background(), n.sharedKey(name))
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	delete(n.names, nameKey(name))
}
