package provider

import (
	"strconv"
	"testing"
	"time"
)

func TestDevicePollsSlowDown(t *testing.T) {
	d := newPollPacer(10)
	t0 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	exp := t0.Add(10 * time.Minute)
	steps := []struct {
		after    time.Duration // since the previous poll
		tooSoon  bool
		interval time.Duration
	}{
		{0, false, 5 * time.Second},                         // first poll
		{5 * time.Second, false, 5 * time.Second},           // on time
		{4200 * time.Millisecond, false, 5 * time.Second},   // within the slack
		{3 * time.Second, true, 10 * time.Second},           // too soon: +5 s
		{6 * time.Second, true, 15 * time.Second},           // the old interval is too soon now
		{15 * time.Second, false, 15 * time.Second},         // the raised one holds
		{14100 * time.Millisecond, false, 15 * time.Second}, // slack is at most 1 s
		{13900 * time.Millisecond, true, 20 * time.Second},
	}
	now := t0
	for i, s := range steps {
		now = now.Add(s.after)
		interval, elapsed, tooSoon := d.poll("h", now, 5*time.Second, exp)
		if tooSoon != s.tooSoon || interval != s.interval {
			t.Fatalf("poll %d: tooSoon %v interval %s, want %v %s", i, tooSoon, interval, s.tooSoon, s.interval)
		}
		if i > 0 && elapsed != s.after {
			t.Fatalf("poll %d: elapsed %s, want %s", i, elapsed, s.after)
		}
	}
	d.forget("h")
	if _, _, tooSoon := d.poll("h", now, 5*time.Second, exp); tooSoon {
		t.Fatal("a forgotten code was slowed")
	}
}

func TestDevicePollsBounded(t *testing.T) {
	d := newPollPacer(100)
	t0 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 1000 {
		d.poll("h"+strconv.Itoa(i), t0.Add(time.Duration(i)*time.Millisecond), time.Second, t0.Add(time.Hour))
	}
	if n := d.len(); n > 100 {
		t.Fatalf("holds %d codes, bound 100", n)
	}
	// Expired codes go first, all at once.
	late := t0.Add(2 * time.Hour)
	d.poll("fresh", late, time.Second, late.Add(time.Hour))
	if n := d.len(); n != 1 {
		t.Fatalf("after the expired codes were swept it holds %d codes, want 1", n)
	}
}
