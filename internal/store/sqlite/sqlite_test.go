package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/sqlite"
	"github.com/lucid-auth/lucid/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "lucid.db"))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return s
	})
}

// TestGroupCommit: writes that share a commit stay independent. Half of
// them fail (a duplicate id); the failures must not undo the others, and
// exactly one of the duplicates wins.
func TestGroupCommit(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "lucid.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const n = 200
	errs := make([]error, 2*n)
	var wg sync.WaitGroup
	for i := range 2 * n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprintf("c%d", i)
			if i%2 == 1 {
				id = "dup"
			}
			errs[i] = s.CreateClient(ctx, &store.Client{ID: id, Name: id, CreatedAt: time.Now()})
		}()
	}
	wg.Wait()
	dupWins := 0
	for i, err := range errs {
		switch {
		case i%2 == 0 && err != nil:
			t.Errorf("client c%d: %v", i, err)
		case i%2 == 1 && err == nil:
			dupWins++
		case i%2 == 1 && !errors.Is(err, store.ErrConflict):
			t.Errorf("duplicate: %v, want ErrConflict", err)
		}
	}
	if dupWins != 1 {
		t.Errorf("%d duplicates were created, want exactly 1", dupWins)
	}
	l, err := s.ListClients(ctx)
	if err != nil || len(l) != n+1 {
		t.Fatalf("ListClients: %d clients, %v; want %d", len(l), err, n+1)
	}
}

// TestChangeFeed: a commit by another connection (the CLI, another
// process) changes data_version, which the feed reports as a flush.
func TestChangeFeed(t *testing.T) {
	storetest.RunFeed(t, func(t *testing.T) (store.Store, store.Store) {
		path := filepath.Join(t.TempDir(), "lucid.db")
		a, err := sqlite.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		b, err := sqlite.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = a.Close(); _ = b.Close() })
		return a, b
	})
}
