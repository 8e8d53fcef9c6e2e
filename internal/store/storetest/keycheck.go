package storetest

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/lucid-auth/lucid/internal/store"
)

// testKeyCheck: a new database has no key check; the first one stored
// stays, byte for byte, and a second is refused with ErrConflict, also
// when several processes race to store theirs.
func testKeyCheck(t *testing.T, s store.Store) {
	ctx := context.Background()
	if _, err := s.GetKeyCheck(ctx); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetKeyCheck on a new database: %v, want ErrNotFound", err)
	}
	// Every byte value survives, NUL and invalid UTF-8 included.
	first := []byte{0, 1, 0xff, 0xfe, 'k', 0}
	const racers = 8
	errs := make([]error, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := first
			if i > 0 {
				v = []byte{byte(i), 2, 3}
			}
			errs[i] = s.CreateKeyCheck(ctx, v)
		}()
	}
	wg.Wait()
	won := -1
	for i, err := range errs {
		switch {
		case err == nil && won >= 0:
			t.Fatalf("CreateKeyCheck succeeded for racers %d and %d", won, i)
		case err == nil:
			won = i
		case !errors.Is(err, store.ErrConflict):
			t.Errorf("racer %d: %v, want ErrConflict", i, err)
		}
	}
	if won < 0 {
		t.Fatal("no CreateKeyCheck succeeded")
	}
	want := first
	if won > 0 {
		want = []byte{byte(won), 2, 3}
	}
	got, err := s.GetKeyCheck(ctx)
	must(t, err, "get key check")
	if !bytes.Equal(got, want) {
		t.Errorf("GetKeyCheck = %x, want the winner's %x", got, want)
	}
	if err := s.CreateKeyCheck(ctx, []byte("another")); !errors.Is(err, store.ErrConflict) {
		t.Errorf("second CreateKeyCheck: %v, want ErrConflict", err)
	}
	if got, _ := s.GetKeyCheck(ctx); !bytes.Equal(got, want) {
		t.Errorf("a refused CreateKeyCheck changed the stored value to %x", got)
	}
}
