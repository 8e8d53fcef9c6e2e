package provider

import (
	"fmt"
	"testing"
	"time"
)

func TestPollGuard(t *testing.T) {
	g := newPollGuard(1024)
	t0 := time.Unix(1_000_000, 0)
	steps := []struct {
		at       time.Duration
		ok       bool
		interval time.Duration
	}{
		{0, true, 5 * time.Second},
		{5 * time.Second, true, 5 * time.Second},
		{9 * time.Second, false, 10 * time.Second},  // 4 s after: slow down, +5 s
		{15 * time.Second, false, 15 * time.Second}, // 6 s < 10 s
		{30 * time.Second, true, 15 * time.Second},
	}
	for i, s := range steps {
		_, interval, ok := g.poll("a", t0.Add(s.at), 5*time.Second)
		if ok != s.ok || interval != s.interval {
			t.Errorf("poll %d at %s: ok %v interval %s, want %v %s", i, s.at, ok, interval, s.ok, s.interval)
		}
	}
	if got := g.interval("a", 5*time.Second); got != 15*time.Second {
		t.Errorf("interval in force %s, want 15s", got)
	}
	g.forget("a")
	if _, _, ok := g.poll("a", t0.Add(31*time.Second), 5*time.Second); !ok {
		t.Error("a forgotten request is refused")
	}
}

func TestPollGuardBounded(t *testing.T) {
	g := newPollGuard(pollShards * 8)
	now := time.Unix(1_000_000, 0)
	for i := range 10_000 {
		g.poll(fmt.Sprint(i), now, time.Second)
	}
	total := 0
	for i := range g.shards {
		total += len(g.shards[i].m)
	}
	if total > pollShards*8 {
		t.Fatalf("%d entries remembered, want at most %d", total, pollShards*8)
	}
}
