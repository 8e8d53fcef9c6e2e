package backend

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/store/postgres/pgtest"
)

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	// Each case builds its DSN when it runs, so that only the PostgreSQL
	// cases need (and skip without) a server.
	fresh := func(t *testing.T) string { return pgtest.Connect(t).FreshDSN(t) }
	cases := []struct {
		name string
		dsn  func(t *testing.T) string
		// wantErr is text the error must contain; "" means Open succeeds
		// and the store answers Ping.
		wantErr string
		// created is a file the open must have made.
		created string
	}{
		{
			name:    "sqlite file",
			dsn:     func(*testing.T) string { return "sqlite:" + filepath.Join(dir, "a.db") },
			created: filepath.Join(dir, "a.db"),
		},
		{
			name:    "sqlite options are not part of the path",
			dsn:     func(*testing.T) string { return "sqlite:" + filepath.Join(dir, "b.db") + "?mode=ro" },
			created: filepath.Join(dir, "b.db"),
		},
		{name: "sqlite without a path", dsn: func(*testing.T) string { return "sqlite:" }, wantErr: "needs a file path"},
		{name: "sqlite with only options", dsn: func(*testing.T) string { return "sqlite:?cache=shared" }, wantErr: "needs a file path"},
		{
			name:    "unknown scheme",
			dsn:     func(*testing.T) string { return "mysql://lucid:hunter2@db.example/lucid" },
			wantErr: `scheme "mysql" is not supported`,
		},
		{
			name:    "no scheme",
			dsn:     func(*testing.T) string { return "host=db.example user=lucid password=hunter2" },
			wantErr: "no scheme",
		},
		{name: "empty", dsn: func(*testing.T) string { return "" }, wantErr: "no scheme"},
		{name: "postgres", dsn: fresh},
		{
			name: "postgresql",
			dsn: func(t *testing.T) string {
				dsn := fresh(t)
				rest, ok := strings.CutPrefix(dsn, "postgres://")
				if !ok {
					t.Skipf("%s is not a postgres:// URL", pgtest.EnvDSN)
				}
				return "postgresql://" + rest
			},
		},
		{
			name: "postgres unreachable",
			dsn: func(*testing.T) string {
				return "postgres://lucid:hunter2@127.0.0.1:1/lucid?sslmode=disable&connect_timeout=2"
			},
			wantErr: "connect",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			st, err := Open(ctx, c.dsn(t))
			if c.wantErr != "" {
				if err == nil {
					_ = st.Close()
					t.Fatalf("Open succeeded, want an error with %q", c.wantErr)
				}
				if st != nil {
					t.Errorf("failed Open returned a non-nil store %#v", st)
				}
				if !strings.Contains(err.Error(), c.wantErr) {
					t.Errorf("error %q does not contain %q", err, c.wantErr)
				}
				if strings.Contains(err.Error(), "hunter2") {
					t.Errorf("error %q shows the password", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			t.Cleanup(func() {
				if err := st.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			if err := st.Ping(ctx); err != nil {
				t.Errorf("Ping: %v", err)
			}
			if c.created != "" {
				if _, err := os.Stat(c.created); err != nil {
					t.Errorf("database file: %v", err)
				}
			}
		})
	}
}
