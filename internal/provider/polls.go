package provider

import (
	"sync"
	"time"
)

// pollPacer remembers, in memory, when each device code or backchannel
// request was last polled and the interval in force for it, so that a
// client polling faster than its interval gets slow_down (RFC 8628 §3.5,
// OpenID CIBA Core §11: the interval grows by 5 s) without a pending poll
// ever writing to the database. It is per replica: a device whose polls a load
// balancer spreads over replicas may poll faster, by up to the number of
// replicas, before it is slowed; and the interval raised by slow_down
// holds on the replica that raised it. Both only ever favour a device
// over the limit, never refuse a well-behaved one.
//
// The map holds at most max codes. When full, it forgets the codes that
// expired (at most once a second); if it is still full, the least
// recently polled of a few codes is forgotten (map order is random), so a
// flood of device codes costs bounded memory and O(1) per poll.
type pollPacer struct {
	mu    sync.Mutex
	codes map[string]*pollState
	max   int
	swept time.Time
}

type pollState struct {
	last     time.Time
	interval time.Duration
	expires  time.Time
}

// defaultMaxPolls bounds the memory to some tens of megabytes at most.
const defaultMaxPolls = 200_000

// slowDownStep is what every slow_down adds to the interval (RFC 8628 §3.5).
const slowDownStep = 5 * time.Second

func newPollPacer(size int) *pollPacer {
	return &pollPacer{codes: make(map[string]*pollState), max: max(size, 1)}
}

// poll records a poll of the device code hash at now. A poll sooner than
// the interval after the previous one (less a little slack for network
// jitter: a device that polls exactly at its interval must not be slowed
// when one request travels faster than the last) raises the interval by
// slowDownStep and reports tooSoon with the time since the last poll.
// interval is the one the code was issued with; the first poll of a code
// on this replica is never too soon.
func (d *pollPacer) poll(hash string, now time.Time, interval time.Duration, expires time.Time) (current, elapsed time.Duration, tooSoon bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	s := d.codes[hash]
	if s == nil {
		if len(d.codes) >= d.max {
			d.makeRoom(now)
		}
		d.codes[hash] = &pollState{last: now, interval: interval, expires: expires}
		return interval, 0, false
	}
	elapsed = now.Sub(s.last)
	s.last = now
	if elapsed < s.interval-slack(s.interval) {
		s.interval += slowDownStep
		return s.interval, elapsed, true
	}
	return s.interval, elapsed, false
}

// slack is how much sooner than its interval a poll may arrive: a fifth
// of the interval, at most a second.
func slack(interval time.Duration) time.Duration {
	return min(interval/5, time.Second)
}

// forget drops a code that no longer needs polling (redeemed).
func (d *pollPacer) forget(hash string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.codes, hash)
}

// len is the number of codes remembered.
func (d *pollPacer) len() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.codes)
}

// evictSample is how many codes are looked at to find one to forget.
const evictSample = 8

func (d *pollPacer) makeRoom(now time.Time) {
	if now.Sub(d.swept) >= time.Second {
		d.swept = now
		for k, s := range d.codes {
			if !now.Before(s.expires) {
				delete(d.codes, k)
			}
		}
		if len(d.codes) < d.max {
			return
		}
	}
	var oldest string
	var at time.Time
	n := 0
	for k, s := range d.codes {
		if oldest == "" || s.last.Before(at) {
			oldest, at = k, s.last
		}
		if n++; n == evictSample {
			break
		}
	}
	delete(d.codes, oldest)
}
