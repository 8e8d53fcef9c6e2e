// Package throttle counts what anyone may do that costs something:
// requests per client network with token buckets (open client
// registration, the sign-in form), and failed sign-ins for usernames that
// have no account (Names), so that they lock as accounts do. By default
// each replica counts in memory; with Shared (throttle.shared) the counts
// are rows of the database, one conditional write per event, so that the
// limits hold across replicas. A shared count that fails (the database
// does not answer) falls back to this replica's memory.
package throttle

import (
	"context"
	"net"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/lucid-auth/lucid/internal/store"
)

// Option adjusts a Limiter or Names.
type Option func(*sharing)

type sharing struct {
	st    store.ThrottleStore
	space string
}

// Shared counts in st, under keys that start with space (which limit
// they belong to), so that every replica on the database shares the
// count. A nil st leaves the count in memory.
func Shared(st store.ThrottleStore, space string) Option {
	return func(s *sharing) { s.st, s.space = st, space }
}

// Limiter bounds events per client network: an IPv4 address, or an IPv6
// /64, the block one host usually gets. Each network has a token bucket
// holding an hour's allowance that refills evenly over the hour, so a
// burst is allowed and a steady flood is not. A Limiter is safe for
// concurrent use; each replica counts on its own unless Shared.
type Limiter struct {
	perHour int
	shared  sharing

	mu      sync.Mutex
	buckets map[netip.Prefix]*rate.Limiter
	pruned  time.Time
}

// pruneAt is the number of networks above which idle ones are forgotten.
const pruneAt = 4096

// maxNetworks bounds the memory: past it, and after pruning, a network
// not yet seen is let through uncounted. An attacker with that many
// networks at once (a botnet, a large IPv6 allocation) is beyond what a
// per-network limit can stop; the per-account lockout still applies to
// sign-in, and Lucid keeps a bounded footprint.
const maxNetworks = 100_000

// New returns a Limiter allowing perHour events an hour per network
// (at least 1).
func New(perHour int, opts ...Option) *Limiter {
	l := &Limiter{perHour: max(perHour, 1), buckets: map[netip.Prefix]*rate.Limiter{}}
	for _, o := range opts {
		o(&l.shared)
	}
	return l
}

// PerHour is the hourly allowance of one network.
func (l *Limiter) PerHour() int { return l.perHour }

// Network is the key a remote address (host:port, or a bare host) is
// counted under; ok is false when it is no IP address, and such a request
// is not counted at all rather than lumped in with every other.
func Network(remoteAddr string) (p netip.Prefix, ok bool) {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Prefix{}, false
	}
	a = a.Unmap().WithZone("")
	bits := 32
	if a.Is6() {
		bits = 64
	}
	p, _ = a.Prefix(bits)
	return p, true
}

// Take counts one event from the network at now. When the network's
// allowance is used up it counts nothing and says how long until the next
// event is allowed. Otherwise undo gives the event back, for a request
// that turns out not to count.
func (l *Limiter) Take(net netip.Prefix, now time.Time) (undo func(), wait time.Duration) {
	return l.TakeContext(context.Background(), net, now)
}

// TakeContext is Take bounded by ctx when the count is shared.
func (l *Limiter) TakeContext(ctx context.Context, net netip.Prefix, now time.Time) (undo func(), wait time.Duration) {
	if st := l.shared.st; st != nil {
		key := l.shared.space + ":" + net.String()
		interval := time.Hour / time.Duration(l.perHour)
		wait, err := st.TakeThrottle(ctx, key, now, interval, l.perHour)
		if err == nil {
			if wait > 0 {
				return nil, wait
			}
			return func() { _ = st.GiveThrottle(context.WithoutCancel(ctx), key, interval) }, 0
		}
		// The database did not answer: count here meanwhile.
	}
	return l.takeLocal(net, now)
}

func (l *Limiter) takeLocal(net netip.Prefix, now time.Time) (undo func(), wait time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[net]
	if b == nil {
		l.prune(now)
		if len(l.buckets) >= maxNetworks {
			return func() {}, 0
		}
		b = rate.NewLimiter(rate.Limit(float64(l.perHour)/time.Hour.Seconds()), l.perHour)
		l.buckets[net] = b
	}
	r := b.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return nil, d
	}
	return func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		r.CancelAt(now)
	}, 0
}

// prune forgets networks whose bucket has refilled, at most once a minute
// and only when there are many: they would start full anyway.
func (l *Limiter) prune(now time.Time) {
	if len(l.buckets) < pruneAt || now.Sub(l.pruned) < time.Minute {
		return
	}
	l.pruned = now
	for k, b := range l.buckets {
		if b.TokensAt(now) >= float64(l.perHour) {
			delete(l.buckets, k)
		}
	}
}
