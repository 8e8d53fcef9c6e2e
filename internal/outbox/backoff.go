package outbox

import (
	"math/rand/v2"
	"time"
)

// Backoff is the wait after a failed attempt: Base after the first,
// doubled after each further one, at most Cap, less up to a tenth at
// random so that the items of one outage do not all come due at once.
type Backoff struct {
	Base, Cap time.Duration
}

// After is the wait after failed attempt n (counting from 1).
func (b Backoff) After(n int) time.Duration {
	d := b.Base
	for i := 1; i < n && d < b.Cap; i++ {
		d *= 2
	}
	d = min(d, b.Cap)
	if tenth := int64(d / 10); tenth > 0 {
		d -= time.Duration(rand.Int64N(tenth + 1))
	}
	return d
}
