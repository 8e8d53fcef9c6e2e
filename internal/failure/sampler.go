package failure

import (
	"sort"
	"sync"
	"time"
)

// Key groups failures that are the same for an operator: the same catalog
// entry at the same endpoint for the same client_id, from the same client
// network (an IPv4 address or an IPv6 /64).
type Key struct {
	Network, Name, Endpoint, Client string
}

// Summarised is a group of failures that were counted, not reported one
// by one: Count more like the trace Like, since Since.
type Summarised struct {
	Key   Key
	Count int
	Like  string
	Since time.Time
}

// Sampler bounds how many failures are reported in full (logged and
// stored), however many arrive. Time is cut into fixed windows. In each
// window:
//
//   - the first Burst failures of each Key are reported in full; the rest
//     are counted, and when the window ends each group with a count is
//     reported as one summary ("N more like trace X");
//   - a network has at most PerNetwork keys; failures of further keys from
//     it (an attacker varying client_id, say) fall into one key of that
//     network with Name, Endpoint and Client "*";
//   - at most MaxKeys keys are tracked in all; failures of further keys
//     fall into one key with every field "*".
//
// So one window reports at most (MaxKeys+1)·Burst failures in full and
// MaxKeys+1 summaries, and from one network at most (PerNetwork+1)·Burst
// and PerNetwork+1, whatever the rate. Metrics still count every failure.
// A Sampler is safe for concurrent use; each replica samples on its own.
type Sampler struct {
	Window     time.Duration
	Burst      int
	PerNetwork int
	MaxKeys    int

	mu       sync.Mutex
	start    time.Time
	keys     map[Key]*tally
	networks map[string]int
}

type tally struct {
	full, more int
	like       string
	since      time.Time
}

// Defaults of the Sampler: an operator gets the first few of each kind of
// failure every minute, which is all a story can tell, and a count of the
// others.
const (
	DefaultWindow     = time.Minute
	DefaultBurst      = 3
	DefaultPerNetwork = 10
	DefaultMaxKeys    = 1000
)

// NewSampler returns a Sampler with the default bounds.
func NewSampler() *Sampler {
	return &Sampler{Window: DefaultWindow, Burst: DefaultBurst, PerNetwork: DefaultPerNetwork, MaxKeys: DefaultMaxKeys}
}

// maxKeyClient bounds the client_id kept in a key (and so in memory).
const maxKeyClient = 64

// Take counts one failure of k with trace id traceID at now. full says
// whether to report it in full. When a window has ended, done are its
// groups with failures that were only counted, to be reported as
// summaries now.
func (s *Sampler) Take(now time.Time, k Key, traceID string) (full bool, done []Summarised) {
	if len(k.Client) > maxKeyClient {
		k.Client = Clip(k.Client, maxKeyClient)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	done = s.roll(now)
	t := s.keys[k]
	if t == nil {
		switch {
		case len(s.keys) >= s.MaxKeys:
			k = Key{Network: "*", Name: "*", Endpoint: "*", Client: "*"}
		case s.networks[k.Network] >= s.PerNetwork:
			k = Key{Network: k.Network, Name: "*", Endpoint: "*", Client: "*"}
		default:
			s.networks[k.Network]++
		}
		if t = s.keys[k]; t == nil {
			t = &tally{since: now}
			s.keys[k] = t
		}
	}
	if t.full < s.Burst {
		t.full++
		if t.like == "" {
			t.like = traceID
		}
		return true, done
	}
	t.more++
	return false, done
}

// Flush ends the window if it is over, returning its summaries; the
// background writer calls it so that summaries come even when no further
// failure arrives.
func (s *Sampler) Flush(now time.Time) []Summarised {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.roll(now)
}

// roll starts a new window when the current one is over.
func (s *Sampler) roll(now time.Time) []Summarised {
	if s.keys != nil && now.Before(s.start.Add(s.Window)) {
		return nil
	}
	var out []Summarised
	for k, t := range s.keys {
		if t.more > 0 {
			out = append(out, Summarised{Key: k, Count: t.more, Like: t.like, Since: t.since})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Count > out[j].Count })
	s.start = now
	s.keys = make(map[Key]*tally)
	s.networks = make(map[string]int)
	return out
}
