package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/lucid-auth/lucid/internal/store"
)

// openAt makes a database at path with only the first n migrations, as an
// older Lucid left it.
func openAt(t *testing.T, path string, n int) {
	t.Helper()
	all := migrations
	migrations = all[:n]
	s, err := Open(context.Background(), path)
	migrations = all
	if err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
}

// TestOpenModesOnAnOlderSchema: only OpenMigrate and OpenCreate change the
// schema; management (OpenExisting) and read-only opens refuse an older
// one, and SchemaOf reads it without changing it.
func TestOpenModesOnAnOlderSchema(t *testing.T) {
	ctx := context.Background()
	n := len(migrations)
	cases := []struct {
		mode    store.OpenMode
		refused bool
	}{
		{store.OpenExisting, true},
		{store.OpenReadOnly, true},
		{store.OpenMigrate, false},
		{store.OpenCreate, false},
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.mode), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "old.db")
			openAt(t, path, n-1)
			sc, err := SchemaOf(ctx, path)
			if err != nil || !sc.Exists || sc.Applied != n-1 || sc.Pending() != 1 || sc.Known() != n {
				t.Fatalf("SchemaOf = %+v, %v; want version %d of %d", sc, err, n-1, n)
			}
			s, err := OpenWith(ctx, path, c.mode)
			if c.refused {
				if !errors.Is(err, store.ErrSchemaOutdated) {
					t.Fatalf("OpenWith = %v, want ErrSchemaOutdated", err)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				_ = s.Close()
			}
			after, err := SchemaOf(ctx, path)
			want := n
			if c.refused {
				want = n - 1
			}
			if err != nil || after.Applied != want {
				t.Errorf("after the open the schema is at %d (%v), want %d", after.Applied, err, want)
			}
		})
	}
	t.Run("no file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "none.db")
		sc, err := SchemaOf(ctx, path)
		if err != nil || sc.Exists || sc.Pending() != n {
			t.Fatalf("SchemaOf(missing) = %+v, %v", sc, err)
		}
		if _, err := OpenWith(ctx, path, store.OpenMigrate); !errors.Is(err, store.ErrNoDatabase) {
			t.Fatalf("OpenMigrate on a missing file = %v, want ErrNoDatabase", err)
		}
	})
}

// TestBackupWhileWriting: a backup taken while writes go on holds every
// write that finished before it began, is a sound database at the
// current schema, and never overwrites a file; InUse tells an open
// database from a closed one.
func TestBackupWhileWriting(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "lucid.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	var (
		wg      sync.WaitGroup
		created atomic.Int64
		stop    = make(chan struct{})
	)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if err := s.CreateClient(ctx, &store.Client{ID: fmt.Sprintf("c-%d-%d", w, i), Name: "n"}); err != nil {
					t.Error(err)
					return
				}
				created.Add(1)
			}
		}()
	}
	for created.Load() < 200 {
		runtime.Gosched() // let the writers get going
	}
	before := created.Load()
	out := filepath.Join(dir, "backup.db")
	err = Backup(ctx, path, out)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if inUse, err := InUse(ctx, path); err != nil || !inUse {
		t.Errorf("InUse of an open database = %v, %v; want true", inUse, err)
	}
	_ = s.Close()
	if inUse, err := InUse(ctx, path); err != nil || inUse {
		t.Errorf("InUse of a closed database = %v, %v; want false", inUse, err)
	}

	b, err := OpenWith(ctx, out, store.OpenReadOnly)
	if err != nil {
		t.Fatalf("the backup does not open: %v", err)
	}
	defer b.Close()
	var ok string
	if err := b.r.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check = %q, %v", ok, err)
	}
	var n int64
	if err := b.r.QueryRowContext(ctx, `SELECT count(*) FROM clients`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n < before {
		t.Errorf("the backup holds %d clients, but %d were written before it began", n, before)
	}
	if err := Backup(ctx, path, out); err == nil {
		t.Error("a second backup to the same file succeeded; a backup must never overwrite")
	}
	if err := Backup(ctx, filepath.Join(dir, "none.db"), filepath.Join(dir, "x.db")); !errors.Is(err, store.ErrNoDatabase) {
		t.Errorf("backing up a missing database = %v, want ErrNoDatabase", err)
	}
}
