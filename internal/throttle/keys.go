package throttle

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Keys bounds events per key (an account id, a name typed into a form)
// with the same hourly token buckets as Limiter, in memory, per replica.
// Past maxNetworks keys, after pruning, a new key is not counted.
type Keys struct {
	perHour int

	mu      sync.Mutex
	buckets map[string]*rate.Limiter
	pruned  time.Time
}

// NewKeys returns a Keys allowing perHour events an hour per key (at least 1).
func NewKeys(perHour int) *Keys {
	return &Keys{perHour: max(perHour, 1), buckets: map[string]*rate.Limiter{}}
}

// PerHour is the hourly allowance of one key.
func (l *Keys) PerHour() int { return l.perHour }

// Allow counts one event for key at now and reports whether it is within
// the allowance; an event past it is not counted.
func (l *Keys) Allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) >= pruneAt && now.Sub(l.pruned) >= time.Minute {
			l.pruned = now
			for k, b := range l.buckets {
				if b.TokensAt(now) >= float64(l.perHour) {
					delete(l.buckets, k)
				}
			}
		}
		if len(l.buckets) >= maxNetworks {
			return true
		}
		b = rate.NewLimiter(rate.Limit(float64(l.perHour)/time.Hour.Seconds()), l.perHour)
		l.buckets[key] = b
	}
	return b.AllowN(now, 1)
}
