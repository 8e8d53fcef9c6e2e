package backend

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/postgres/pgtest"
)

// TestOpenModes: management commands (OpenExisting) and read-only ones
// (OpenReadOnly) refuse a database that is not there instead of creating
// an empty one, and every file error names the path and the cause.
func TestOpenModes(t *testing.T) {
	dir := t.TempDir()
	notDB := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notDB, []byte("not a database, just some text that is long enough for a header\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.db")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	made := filepath.Join(dir, "made.db")
	st, err := Open(context.Background(), "sqlite:"+made)
	if err != nil {
		t.Fatal(err)
	}
	_ = st.Close()

	cases := []struct {
		name string
		path string // the SQLite file
		mode store.OpenMode
		// want is text the error must hold; "" means the open succeeds.
		want  []string
		noDB  bool // errors.Is(err, store.ErrNoDatabase)
		after func(t *testing.T)
	}{
		{name: "management command, no file", path: filepath.Join(dir, "typo.db"), mode: store.OpenExisting,
			want: []string{filepath.Join(dir, "typo.db"), "does not exist"}, noDB: true,
			after: func(t *testing.T) { absent(t, filepath.Join(dir, "typo.db")) }},
		{name: "read-only command, no file", path: filepath.Join(dir, "typo2.db"), mode: store.OpenReadOnly,
			want: []string{filepath.Join(dir, "typo2.db"), "does not exist"}, noDB: true,
			after: func(t *testing.T) { absent(t, filepath.Join(dir, "typo2.db")) }},
		{name: "management command, no directory", path: filepath.Join(dir, "nodir", "lucid.db"), mode: store.OpenExisting,
			want: []string{"directory " + filepath.Join(dir, "nodir") + " does not exist"}, noDB: true},
		{name: "an empty file is no Lucid database", path: empty, mode: store.OpenExisting,
			want: []string{empty, "no Lucid tables"}, noDB: true,
			after: func(t *testing.T) {
				if fi, err := os.Stat(empty); err != nil || fi.Size() != 0 {
					t.Errorf("the empty file was written to: %v, %v", fi, err)
				}
			}},
		{name: "create in a missing directory", path: filepath.Join(dir, "gone", "lucid.db"), mode: store.OpenCreate,
			want: []string{"cannot open database " + filepath.Join(dir, "gone", "lucid.db"), "directory " + filepath.Join(dir, "gone") + " does not exist"}},
		{name: "create on a directory", path: dir, mode: store.OpenCreate, want: []string{"cannot open database " + dir, "is a directory"}},
		{name: "not an SQLite file", path: notDB, mode: store.OpenCreate, want: []string{notDB, "not an SQLite database"}},
		{name: "not an SQLite file, read-only", path: notDB, mode: store.OpenReadOnly, want: []string{notDB, "not an SQLite database"}},
		{name: "existing database, management command", path: made, mode: store.OpenExisting},
		{name: "existing database, read-only command", path: made, mode: store.OpenReadOnly},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			st, err := OpenWith(ctx, "sqlite:"+c.path, c.mode)
			if len(c.want) == 0 {
				if err != nil {
					t.Fatalf("OpenWith: %v", err)
				}
				defer st.Close()
				if err := st.Ping(ctx); err != nil {
					t.Errorf("Ping: %v", err)
				}
				return
			}
			if err == nil {
				_ = st.Close()
				t.Fatalf("OpenWith succeeded, want an error with %q", c.want)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "(14)") {
				t.Errorf("error %q is SQLite's bare code", err)
			}
			if errors.Is(err, store.ErrNoDatabase) != c.noDB {
				t.Errorf("errors.Is(%q, ErrNoDatabase) = %v, want %v", err, !c.noDB, c.noDB)
			}
			if c.after != nil {
				c.after(t)
			}
		})
	}
}

// TestOpenReadOnlyRefusesWrites: a read-only open changes nothing, not
// even by mistake.
func TestOpenReadOnlyRefusesWrites(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "lucid.db")
	st, err := Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	_ = st.Close()
	ro, err := OpenWith(ctx, "sqlite:"+path, store.OpenReadOnly)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if err := ro.CreateAPI(ctx, &store.API{ID: "https://api.example", CreatedAt: time.Now()}); err == nil {
		t.Error("a read-only store wrote an API")
	}
}

// TestOpenModesPostgres: on PostgreSQL "no database" is a schema without
// Lucid's tables (a mistyped search_path, say): management and read-only
// commands refuse it and create nothing there.
func TestOpenModesPostgres(t *testing.T) {
	dsn := pgtest.Connect(t).FreshDSN(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, mode := range []store.OpenMode{store.OpenExisting, store.OpenReadOnly, store.OpenExisting} {
		st, err := OpenWith(ctx, dsn, mode)
		if err == nil {
			_ = st.Close()
			t.Fatalf("mode %d: OpenWith on an empty schema succeeded", mode)
		}
		if !errors.Is(err, store.ErrNoDatabase) || !strings.Contains(err.Error(), "lucid_test_") {
			t.Errorf("mode %d: %v, want ErrNoDatabase naming the schema", mode, err)
		}
	}
	st, err := OpenWith(ctx, dsn, store.OpenCreate)
	if err != nil {
		t.Fatal(err)
	}
	_ = st.Close()
	for _, mode := range []store.OpenMode{store.OpenExisting, store.OpenReadOnly} {
		st, err := OpenWith(ctx, dsn, mode)
		if err != nil {
			t.Fatalf("mode %d on a Lucid schema: %v", mode, err)
		}
		if err := st.Ping(ctx); err != nil {
			t.Errorf("mode %d: Ping: %v", mode, err)
		}
		_ = st.Close()
	}
}

func absent(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s exists after a refused open (%v)", path, err)
	}
}
