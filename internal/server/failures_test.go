package server_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/server"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/sqlite"
	"github.com/lucid-auth/lucid/internal/trace"
)

// heldStore holds story writes until released, as a slow database would.
type heldStore struct {
	store.Store
	release chan struct{}
}

func (h *heldStore) RecordFailures(ctx context.Context, fs []*store.Failure) error {
	<-h.release
	return h.Store.RecordFailures(ctx, fs)
}

// TestShutdownWritesQueuedStories: stories still queued when Lucid is
// told to stop are written before Run returns.
func TestShutdownWritesQueuedStories(t *testing.T) {
	dir := t.TempDir()
	addr := freeAddr(t)
	cfg := testConfig("http://" + addr)
	cfg.Addr = addr
	inner, err := sqlite.Open(context.Background(), filepath.Join(dir, "lucid.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer inner.Close()
	st := &heldStore{Store: inner, release: make(chan struct{})}
	s, err := server.New(context.Background(), &cfg, st, nil, server.WithFailureSampler(nil))
	if err != nil {
		t.Fatal(err)
	}
	cancel, done := run(s)

	var traces []string
	for i := range 20 {
		resp, err := http.Get(fmt.Sprintf("%s/missing/%d", cfg.Issuer, i))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		traces = append(traces, resp.Header.Get(trace.Header))
	}
	cancel()
	select {
	case err := <-done:
		t.Fatalf("Run returned (%v) with stories still held", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(st.release)
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Run did not return")
	}
	for _, tid := range traces {
		if _, err := inner.GetFailure(context.Background(), tid); err != nil {
			t.Errorf("story %s lost at shutdown: %v", tid, err)
		}
	}
}
