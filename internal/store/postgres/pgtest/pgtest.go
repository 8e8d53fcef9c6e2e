// Package pgtest gives tests a PostgreSQL database of their own: each
// FreshDSN is the server's DSN with a new, empty schema as its search_path,
// dropped when the test ends. Tests share one server without seeing each
// other's tables.
//
// The server is the one LUCID_TEST_POSTGRES names (default
// postgres://root@127.0.0.1:5432/test?sslmode=disable). When it cannot be
// reached, Connect skips the test, unless LUCID_REQUIRE_POSTGRES is set (as
// in CI), in which case it fails it.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Environment variables and the default server.
const (
	EnvDSN     = "LUCID_TEST_POSTGRES"
	EnvRequire = "LUCID_REQUIRE_POSTGRES"
	DefaultDSN = "postgres://root@127.0.0.1:5432/test?sslmode=disable"
)

// connectTimeout bounds the reachability check, so that an unreachable
// host skips quickly instead of hanging the test binary.
const connectTimeout = 5 * time.Second

// Server is a reachable PostgreSQL server to make schemas on.
type Server struct {
	dsn   string
	admin *pgxpool.Pool
}

// DSN is the server's DSN from the environment, or the default.
func DSN() string {
	if dsn := os.Getenv(EnvDSN); dsn != "" {
		return dsn
	}
	return DefaultDSN
}

// Connect checks that the server answers and returns it; the connection
// closes when t ends. It skips (or, with LUCID_REQUIRE_POSTGRES, fails) t
// when the server cannot be reached.
func Connect(t testing.TB) *Server {
	t.Helper()
	dsn := DSN()
	ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
	defer cancel()
	admin, err := pgxpool.New(ctx, dsn)
	if err == nil {
		if err = admin.Ping(ctx); err != nil {
			admin.Close()
		}
	}
	if err != nil {
		Unavailable(t, err)
	}
	t.Cleanup(admin.Close)
	return &Server{dsn: dsn, admin: admin}
}

// Unavailable skips t, or fails it when LUCID_REQUIRE_POSTGRES is set,
// saying which server could not be reached and how to pick another.
func Unavailable(t testing.TB, err error) {
	t.Helper()
	msg := "PostgreSQL at " + redact(DSN()) + " is not reachable (set " + EnvDSN + " to another DSN): " + err.Error()
	if os.Getenv(EnvRequire) != "" {
		t.Fatal(msg + "; " + EnvRequire + " is set, so this fails instead of skipping")
	}
	t.Skip(msg + "; set " + EnvRequire + " to fail instead of skipping")
}

// FreshDSN creates an empty schema and returns a DSN whose search_path is
// that schema alone. The schema and everything in it are dropped when t
// ends; the caller must have closed its connections by then (cleanups run
// last-registered first, so a store opened after FreshDSN and closed in a
// later cleanup is).
func (s *Server) FreshDSN(t testing.TB) string {
	t.Helper()
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	schema := "lucid_test_" + hex.EncodeToString(b)
	ident := pgx.Identifier{schema}.Sanitize()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := s.admin.Exec(ctx, "CREATE SCHEMA "+ident); err != nil {
		t.Fatalf("pgtest: create schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := s.admin.Exec(ctx, "DROP SCHEMA "+ident+" CASCADE"); err != nil {
			t.Errorf("pgtest: drop schema %s: %v", schema, err)
		}
	})
	return WithSearchPath(s.dsn, schema)
}

// QueryRow runs a query on the admin connection, outside any test
// schema unless the query names one (pg_stat_activity, for instance).
func (s *Server) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return s.admin.QueryRow(ctx, sql, args...)
}

// WithSearchPath returns dsn with its search_path set to schema, for both
// URL and keyword/value DSNs.
func WithSearchPath(dsn, schema string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		if u, err := url.Parse(dsn); err == nil {
			q := u.Query()
			q.Set("search_path", schema)
			u.RawQuery = q.Encode()
			return u.String()
		}
	}
	return dsn + " search_path=" + schema
}

// redact hides a password in a URL DSN for messages.
func redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.Scheme != "" {
		q := u.Query()
		if q.Has("password") {
			q.Set("password", "xxxxx")
			u.RawQuery = q.Encode()
		}
		return u.Redacted()
	}
	if strings.Contains(dsn, "password") {
		return "(the DSN in " + EnvDSN + ")"
	}
	return dsn
}
