package keycheck

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/lucid-auth/lucid/internal/keys"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/sqlite"
)

func keysOf(t *testing.T, b byte) *secret.Keys {
	t.Helper()
	sk, err := secret.Derive(bytes.Repeat([]byte{b}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return sk
}

func open(t *testing.T) store.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "lucid.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

func stored(t *testing.T, st store.Store) bool {
	t.Helper()
	_, err := st.GetKeyCheck(context.Background())
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		t.Fatal(err)
	}
	return err == nil
}

// TestCheck: the first key a database is used with is the one it keeps;
// another key is refused, also on a database made before check values
// existed when its signing keys say so.
func TestCheck(t *testing.T) {
	ctx := context.Background()
	a, b := keysOf(t, 'a'), keysOf(t, 'b')

	t.Run("new database", func(t *testing.T) {
		st := open(t)
		if err := Check(ctx, st, a, ReadOnly); err != nil || stored(t, st) {
			t.Fatalf("read-only check on a new database: %v, stored %v", err, stored(t, st))
		}
		if err := Check(ctx, st, a, Record); err != nil || !stored(t, st) {
			t.Fatalf("first check: %v, stored %v", err, stored(t, st))
		}
		if err := Check(ctx, st, a, Record); err != nil {
			t.Errorf("same key again: %v", err)
		}
		for _, mode := range []Mode{Record, ReadOnly} {
			if err := Check(ctx, st, b, mode); !errors.Is(err, ErrMismatch) {
				t.Errorf("another key (mode %d): %v, want ErrMismatch", mode, err)
			}
		}
	})

	t.Run("older database with signing keys", func(t *testing.T) {
		st := open(t)
		if _, err := keys.NewManager(ctx, st, a, nil); err != nil {
			t.Fatal(err)
		}
		for _, mode := range []Mode{Record, ReadOnly} {
			if err := Check(ctx, st, b, mode); !errors.Is(err, ErrMismatch) {
				t.Errorf("a key that opens no signing key (mode %d): %v, want ErrMismatch", mode, err)
			}
		}
		if stored(t, st) {
			t.Fatal("a refused key stored its check value")
		}
		if err := Check(ctx, st, a, Record); err != nil || !stored(t, st) {
			t.Fatalf("the signing keys' own key: %v, stored %v", err, stored(t, st))
		}
		if err := Check(ctx, st, b, Record); !errors.Is(err, ErrMismatch) {
			t.Errorf("after the check value is stored: %v, want ErrMismatch", err)
		}
	})

	t.Run("older database without signing keys", func(t *testing.T) {
		// Nothing sealed to compare with: the first key used stays.
		st := open(t)
		if err := Check(ctx, st, b, Record); err != nil {
			t.Fatal(err)
		}
		if err := Check(ctx, st, a, Record); !errors.Is(err, ErrMismatch) {
			t.Errorf("%v, want ErrMismatch", err)
		}
	})
}
