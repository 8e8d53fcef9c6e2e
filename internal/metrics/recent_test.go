package metrics

import (
	"testing"
	"time"
)

// TestRecent: counts land in their minute, the window ends at now, and a
// slot an hour old is not mistaken for this hour's.
func TestRecent(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 12, 0, 30, 0, time.UTC)
	var r Recent
	r.request(t0, 10*time.Millisecond)
	r.request(t0.Add(10*time.Second), 30*time.Millisecond)
	r.failure(t0.Add(20 * time.Second))
	r.request(t0.Add(2*time.Minute), time.Millisecond)
	for _, tc := range []struct {
		name string
		now  time.Time
		// figures of the last three minutes, oldest first
		want [3]Minute
	}{
		{"two minutes on", t0.Add(2 * time.Minute), [3]Minute{{Requests: 2, Failures: 1, Mean: 20 * time.Millisecond}, {}, {Requests: 1, Mean: time.Millisecond}}},
		{"an hour on: old slots are not this hour's", t0.Add(62 * time.Minute), [3]Minute{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ms := r.Minutes(tc.now)
			if len(ms) != RecentMinutes || !ms[len(ms)-1].Start.Equal(tc.now.Truncate(time.Minute)) {
				t.Fatalf("%d minutes, the last starting %s", len(ms), ms[len(ms)-1].Start)
			}
			for i, w := range tc.want {
				got := ms[len(ms)-3+i]
				got.Start = time.Time{}
				if got != w {
					t.Errorf("minute %d: %+v, want %+v", i, got, w)
				}
			}
		})
	}
}
