package throttle

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

func TestNetwork(t *testing.T) {
	for _, tc := range []struct{ remote, want string }{
		{"192.0.2.7:5000", "192.0.2.7/32"},
		{"192.0.2.7", "192.0.2.7/32"},
		{"[2001:db8:1:2:aaaa::1]:443", "2001:db8:1:2::/64"},
		{"[2001:db8:1:2:ffff::9]:443", "2001:db8:1:2::/64"}, // same /64, same key
		{"[::ffff:192.0.2.7]:80", "192.0.2.7/32"},           // mapped IPv4 is IPv4
		{"[fe80::1%eth0]:80", "fe80::/64"},
		{"pipe", ""}, // not an address: not counted
		{"", ""},
	} {
		p, ok := Network(tc.remote)
		if got := map[bool]string{true: p.String(), false: ""}[ok]; got != tc.want {
			t.Errorf("Network(%q) = %s %v, want %q", tc.remote, p, ok, tc.want)
		}
	}
}

func TestLimiter(t *testing.T) {
	l := New(3)
	t0 := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	a, b := netip.MustParsePrefix("192.0.2.1/32"), netip.MustParsePrefix("192.0.2.2/32")
	for i := range 3 {
		if _, wait := l.Take(a, t0); wait != 0 {
			t.Fatalf("event %d of 3 refused, wait %s", i+1, wait)
		}
	}
	_, wait := l.Take(a, t0)
	if want := 20 * time.Minute; wait < want-time.Second || wait > want {
		t.Fatalf("fourth event: wait %s, want about %s (an hour's allowance of 3)", wait, want)
	}
	if _, wait := l.Take(b, t0); wait != 0 {
		t.Fatalf("another network was limited too: wait %s", wait)
	}
	// A refusal does not eat into the allowance: after 20 minutes exactly
	// one more event is allowed.
	later := t0.Add(20 * time.Minute)
	if _, wait := l.Take(a, later); wait != 0 {
		t.Fatalf("after the wait: refused, wait %s", wait)
	}
	if _, wait := l.Take(a, later); wait == 0 {
		t.Fatal("two events after one refill")
	}
	// An event given back (the request did not count) is available again.
	undo, _ := l.Take(b, t0)
	undo()
	for i := range 2 {
		if _, wait := l.Take(b, t0); wait != 0 {
			t.Fatalf("after undo, event %d refused", i+2)
		}
	}
}

// TestLimiterPrunes: networks whose allowance refilled are forgotten once
// there are many, so a scan from many addresses does not grow the map for
// ever.
func TestLimiterPrunes(t *testing.T) {
	l := New(1)
	t0 := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for i := range pruneAt {
		l.Take(netip.MustParsePrefix(fmt.Sprintf("10.%d.%d.%d/32", i>>16&255, i>>8&255, i&255)), t0)
	}
	if len(l.buckets) != pruneAt {
		t.Fatalf("%d networks, want %d", len(l.buckets), pruneAt)
	}
	l.Take(netip.MustParsePrefix("192.0.2.1/32"), t0.Add(2*time.Hour))
	if len(l.buckets) != 1 {
		t.Fatalf("after two idle hours %d networks remain, want only the new one", len(l.buckets))
	}
}

// TestLimiterBounded: past maxNetworks busy networks a new one is let
// through uncounted instead of growing the map.
func TestLimiterBounded(t *testing.T) {
	l := New(1)
	t0 := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for i := range maxNetworks {
		busy := rate.NewLimiter(0, 1) // used up and never refilling: never pruned
		busy.Allow()
		l.buckets[netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}), 32)] = busy
	}
	late := netip.MustParsePrefix("192.0.2.1/32")
	for range 3 {
		if _, wait := l.Take(late, t0.Add(2*time.Hour)); wait != 0 {
			t.Fatalf("a new network past the bound was limited: wait %s", wait)
		}
	}
	if len(l.buckets) != maxNetworks {
		t.Fatalf("%d networks, want the bound %d", len(l.buckets), maxNetworks)
	}
}

func TestKeys(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	k := NewKeys(3)
	for i := range 3 {
		if !k.Allow("u1", now) {
			t.Fatalf("event %d refused", i+1)
		}
	}
	if k.Allow("u1", now) {
		t.Fatal("the fourth event in an hour was allowed")
	}
	if !k.Allow("u2", now) {
		t.Fatal("another key shares the bucket")
	}
	if !k.Allow("u1", now.Add(21*time.Minute)) {
		t.Fatal("the bucket did not refill")
	}
}
