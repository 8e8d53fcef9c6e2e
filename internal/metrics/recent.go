package metrics

import (
	"sync/atomic"
	"time"
)

// RecentMinutes is how much history Recent keeps.
const RecentMinutes = 60

// Recent counts requests, failures and request time per minute over the
// last hour, in memory and per process: the console's live charts. A
// slot is reused an hour later; a count landing while its slot is being
// reset may be lost, which a chart can bear and the hot path gains from
// (atomics only, no lock).
type Recent struct {
	slots [RecentMinutes]minuteSlot
}

type minuteSlot struct {
	minute, requests, failures, nanos atomic.Int64
}

// Minute is one minute's figures.
type Minute struct {
	Start    time.Time
	Requests int64
	Failures int64
	// Mean is the mean time to answer a request in this minute.
	Mean time.Duration
}

func (r *Recent) slot(at time.Time) *minuteSlot {
	m := at.Unix() / 60
	s := &r.slots[m%RecentMinutes]
	if old := s.minute.Load(); old != m && s.minute.CompareAndSwap(old, m) {
		s.requests.Store(0)
		s.failures.Store(0)
		s.nanos.Store(0)
	}
	return s
}

func (r *Recent) request(at time.Time, took time.Duration) {
	s := r.slot(at)
	s.requests.Add(1)
	s.nanos.Add(int64(took))
}

func (r *Recent) failure(at time.Time) { r.slot(at).failures.Add(1) }

// Minutes are the last RecentMinutes minutes up to now, oldest first;
// minutes without a request are zero.
func (r *Recent) Minutes(now time.Time) []Minute {
	out := make([]Minute, RecentMinutes)
	last := now.Unix() / 60
	for i := range out {
		m := last - int64(RecentMinutes-1-i)
		out[i].Start = time.Unix(m*60, 0).UTC()
		s := &r.slots[m%RecentMinutes]
		if s.minute.Load() != m {
			continue
		}
		out[i].Requests, out[i].Failures = s.requests.Load(), s.failures.Load()
		if out[i].Requests > 0 {
			out[i].Mean = time.Duration(s.nanos.Load() / out[i].Requests)
		}
	}
	return out
}
