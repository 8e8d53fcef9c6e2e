package main

import (
	"context"
	"os"
	"testing"
)

// TestMain lets the test binary serve the baseline when started as a
// baseline child, as the loadgen binary does.
func TestMain(m *testing.M) {
	if serveBaselineIfAsked() {
		return
	}
	os.Exit(m.Run())
}

// TestBaselineChild starts the bare server as a child process, measures a
// moment of load on it, and checks that the CPU it reports is the child's
// (greater than zero, from another pid) and that every answer was right.
func TestBaselineChild(t *testing.T) {
	g := &generator{o: &options{concurrency: 4, timeout: 5e9, duration: 2e8, warmup: 5e7, maxRequests: 100_000}}
	res, err := g.measureBaseline(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.ok == 0 || res.errors != 0 {
		t.Fatalf("baseline: %d answers, %d errors (first: %s)", res.ok, res.errors, res.firstErr)
	}
	if res.serverCPU <= 0 {
		t.Errorf("baseline CPU per request = %v, want the child's CPU", res.serverCPU)
	}
	if res.rssBefore <= 0 {
		t.Errorf("baseline RSS = %d, want the child's", res.rssBefore)
	}
}
