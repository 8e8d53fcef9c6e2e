package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

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
