package dpop

import (
	"crypto/subtle"
	"strconv"
	"time"

	"github.com/lucid-auth/lucid/internal/secret"
)

// DefaultNonceWindow is how long one server nonce is handed out; each is
// accepted for that window and the next.
const DefaultNonceWindow = 5 * time.Minute

// Nonces are server nonces (RFC 9449 §8) kept in no state: a nonce is the
// form tag of a time window under the master key, so that every replica
// hands out and accepts the same ones, and they rotate by themselves.
type Nonces struct {
	keys   *secret.Keys
	window time.Duration
}

// NewNonces makes the nonces of keys; window <= 0 is DefaultNonceWindow.
func NewNonces(keys *secret.Keys, window time.Duration) *Nonces {
	if window <= 0 {
		window = DefaultNonceWindow
	}
	return &Nonces{keys: keys, window: window}
}

func (n *Nonces) at(w int64) string {
	return n.keys.Tag("dpop-nonce", strconv.FormatInt(w, 10))
}

func (n *Nonces) slot(now time.Time) int64 { return now.UnixNano() / int64(n.window) }

// Current is the nonce to hand out now.
func (n *Nonces) Current(now time.Time) string { return n.at(n.slot(now)) }

// Valid says whether v is the nonce of this window or the last one.
func (n *Nonces) Valid(v string, now time.Time) bool {
	w := n.slot(now)
	a := subtle.ConstantTimeCompare([]byte(v), []byte(n.at(w)))
	b := subtle.ConstantTimeCompare([]byte(v), []byte(n.at(w-1)))
	return a|b == 1
}
