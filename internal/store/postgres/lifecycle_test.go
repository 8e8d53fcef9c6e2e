package postgres

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/postgres/pgtest"
)

// TestOpenModesOnAnOlderSchema: only OpenMigrate and OpenCreate change the
// schema; management (OpenExisting) and read-only opens refuse an older
// one, and SchemaOf reads it (and an empty schema) without changing it.
func TestOpenModesOnAnOlderSchema(t *testing.T) {
	ctx := context.Background()
	srv := pgtest.Connect(t)
	n := len(migrations)

	fresh := srv.FreshDSN(t)
	sc, err := SchemaOf(ctx, fresh)
	if err != nil || sc.Exists || sc.Pending() != n || sc.Where == "" {
		t.Fatalf("SchemaOf(empty schema) = %+v, %v", sc, err)
	}
	if _, err := OpenWith(ctx, fresh, store.OpenMigrate); !errors.Is(err, store.ErrNoDatabase) {
		t.Fatalf("OpenMigrate on an empty schema = %v, want ErrNoDatabase", err)
	}

	for _, c := range []struct {
		mode    store.OpenMode
		refused bool
	}{
		{store.OpenExisting, true},
		{store.OpenReadOnly, true},
		{store.OpenMigrate, false},
	} {
		t.Run(fmt.Sprint(c.mode), func(t *testing.T) {
			dsn := srv.FreshDSN(t)
			all := migrations
			migrations = all[:n-1]
			s, err := Open(ctx, dsn)
			migrations = all
			if err != nil {
				t.Fatal(err)
			}
			s.Close()
			if sc, err := SchemaOf(ctx, dsn); err != nil || !sc.Exists || sc.Applied != n-1 {
				t.Fatalf("SchemaOf = %+v, %v; want version %d", sc, err, n-1)
			}
			s, err = OpenWith(ctx, dsn, c.mode)
			switch {
			case c.refused && !errors.Is(err, store.ErrSchemaOutdated):
				t.Fatalf("OpenWith = %v, want ErrSchemaOutdated", err)
			case !c.refused && err != nil:
				t.Fatal(err)
			case err == nil:
				s.Close()
			}
			want := n
			if c.refused {
				want = n - 1
			}
			if sc, err := SchemaOf(ctx, dsn); err != nil || sc.Applied != want {
				t.Errorf("after the open the schema is at %d (%v), want %d", sc.Applied, err, want)
			}
		})
	}
}
