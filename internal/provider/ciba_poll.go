package provider

import (
	"sync"
	"time"
)

// pollGuard remembers when each backchannel request was last polled, so
// that a poll faster than the interval is told slow_down without any
// database write: a pending poll is one read. It is per replica and
// bounded: a client that spreads its polls over replicas, or a request
// forgotten to make room, only gets a poll through that it should have
// been told to slow down; nothing is ever refused wrongly.
type pollGuard struct {
	shards [pollShards]pollShard
	// perShard bounds each shard's entries.
	perShard int
}

const pollShards = 16

// maxPolls bounds the requests remembered per replica (a few MiB).
const maxPolls = 1 << 16

// pollIdle is how long after its last poll an entry may be dropped to
// make room: longer than any interval a client is asked to keep.
const pollIdle = 10 * time.Minute

type pollShard struct {
	mu sync.Mutex
	m  map[string]pollState
}

type pollState struct {
	last     time.Time
	interval time.Duration
}

func newPollGuard(limit int) *pollGuard {
	g := &pollGuard{perShard: max(limit/pollShards, 1)}
	for i := range g.shards {
		g.shards[i].m = make(map[string]pollState)
	}
	return g
}

func (g *pollGuard) shard(key string) *pollShard {
	var h uint32 = 2166136261
	for i := 0; i < len(key); i++ {
		h = (h ^ uint32(key[i])) * 16777619
	}
	return &g.shards[h%pollShards]
}

// poll records a poll of key at now. ok is false when it came sooner than
// the interval after the previous one; the interval then grows by 5
// seconds for this and every later poll (OpenID CIBA Core §11). waited is
// the time since the previous poll, interval the one now in force.
func (g *pollGuard) poll(key string, now time.Time, base time.Duration) (waited, interval time.Duration, ok bool) {
	s := g.shard(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	st, seen := s.m[key]
	if !seen {
		if len(s.m) >= g.perShard {
			s.makeRoom(now, g.perShard)
		}
		s.m[key] = pollState{last: now, interval: base}
		return 0, base, true
	}
	waited, ok = now.Sub(st.last), true
	if waited < st.interval {
		st.interval += 5 * time.Second
		ok = false
	}
	st.last = now
	s.m[key] = st
	return waited, st.interval, ok
}

// interval is the interval in force for key.
func (g *pollGuard) interval(key string, base time.Duration) time.Duration {
	s := g.shard(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.m[key]; ok {
		return st.interval
	}
	return base
}

// forget drops key once its request is over.
func (g *pollGuard) forget(key string) {
	s := g.shard(key)
	s.mu.Lock()
	delete(s.m, key)
	s.mu.Unlock()
}

// makeRoom drops idle entries, and when none is idle a quarter of the
// shard (arbitrary ones: map order), so that a flood of new requests costs
// at most some missed slow_downs.
func (s *pollShard) makeRoom(now time.Time, limit int) {
	for k, st := range s.m {
		if now.Sub(st.last) > pollIdle {
			delete(s.m, k)
		}
	}
	for k := range s.m {
		if len(s.m) <= limit*3/4 {
			break
		}
		delete(s.m, k)
	}
}
