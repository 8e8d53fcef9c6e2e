// Package postgres is Lucid's PostgreSQL backend (pgx, through a pgxpool
// connection pool).
//
// Rows keep the model as JSON plus the columns needed for lookups,
// uniqueness, expiry and the atomic conditional writes, as in the SQLite
// backend. Columns that a conditional write changes (redeemed_at,
// rotated_at, revoked_at, …) are the truth for those fields and are laid
// over the JSON on read.
//
// Concurrency: many replicas may share one database, so every single-use
// or rotation rule is one conditional statement (UPDATE … WHERE … IS NULL
// RETURNING, INSERT … ON CONFLICT … WHERE) whose outcome PostgreSQL decides
// under the row lock. Sessions run at READ COMMITTED: a statement that
// waited for another transaction's row lock re-checks its WHERE clause
// against the committed row, so the loser of a race sees no row instead of
// a serialization error. Read-modify-write (the Update methods) locks the
// row with SELECT … FOR UPDATE.
//
// Tables are created unqualified, in the first schema of the connection's
// search_path; a "search_path" parameter in the connection string picks
// another schema than public. pgxpool's parameters (pool_max_conns, …) are
// read from the connection string too.
//
// Times are timestamptz (microseconds), written and read back in UTC. Key
// columns use the "C" collation: equality and order are bytewise, as in
// SQLite and Go. PostgreSQL text cannot hold NUL or invalid UTF-8, so a key
// with either is never stored: lookups of one report ErrNotFound and
// writes of one fail.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/puddle/v2"

	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/canonical"
)

const (
	// cancelFallback is how long a statement whose context ended may wait
	// for the server to honour the cancel request before the connection
	// is dropped instead.
	cancelFallback = 2 * time.Second
	// cleanupTimeout bounds a rollback that runs after the caller's
	// context has ended.
	cleanupTimeout = 5 * time.Second
)

// Store is a store.Store on one PostgreSQL database (and schema).
type Store struct {
	pool *pgxpool.Pool
	// writes and reads batch the hot statements (pipeline.go).
	writes, reads *pipeline
	// closed ends the change feed's listener (changes.go) with the store.
	closed    chan struct{}
	closeOnce sync.Once
}

var _ store.Store = (*Store)(nil)

// Open connects to the database the connection string names
// ("postgres://…" or "postgresql://…") and brings its schema up to date.
// Replicas starting at once apply each migration step once.
func Open(ctx context.Context, dsn string) (*Store, error) {
	return OpenWith(ctx, dsn, store.OpenCreate)
}

// OpenWith connects as Open does, then, as mode allows, migrates
// (store.OpenCreate), refuses a schema without Lucid's tables and migrates
// an existing one (store.OpenMigrate), or only checks that the schema is
// there and current (store.OpenExisting, store.OpenReadOnly).
func OpenWith(ctx context.Context, dsn string, mode store.OpenMode) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, parseError(err)
	}
	params := cfg.ConnConfig.RuntimeParams
	// The single-use rules rely on READ COMMITTED's re-check of a locked
	// row; a stricter server default would turn lost races into
	// serialization errors. A pooler that drops the parameter leaves the
	// server default, which is READ COMMITTED unless changed.
	params["default_transaction_isolation"] = "read committed"
	if params["application_name"] == "" {
		params["application_name"] = "lucid"
	}
	// A context that ends cancels the statement on the server, so a
	// writer that gave up does not keep waiting for a row lock there.
	cfg.ConnConfig.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: c, DeadlineDelay: cancelFallback}
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	s := &Store{pool: pool, closed: make(chan struct{}), writes: newPipeline(pool, 1), reads: newPipeline(pool, readWorkers)}
	if err := s.open(ctx, mode); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// parseError keeps the connection string, which may hold a password, out
// of the message.
func parseError(err error) error {
	var pe *pgconn.ParseConfigError
	if errors.As(err, &pe) {
		if inner := pe.Unwrap(); inner != nil {
			return fmt.Errorf("postgres: invalid connection string: %w", inner)
		}
		return errors.New("postgres: invalid connection string")
	}
	return fmt.Errorf("postgres: invalid connection string: %w", err)
}

// Ping checks that the database answers and holds Lucid's schema.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.pool.QueryRow(ctx, `SELECT 1 FROM schema_version LIMIT 1`).Scan(&one); err != nil {
		return s.fail(ctx, "ping", err)
	}
	return nil
}

// Close closes the pool, waiting for connections in use to be returned.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		close(s.closed)
		s.writes.close()
		s.reads.close()
	})
	s.pool.Close()
	return nil
}

// write runs fn in a READ COMMITTED transaction and commits what it did.
func (s *Store) write(ctx context.Context, fn func(pgx.Tx) error) error {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		rollback(ctx, tx)
		return err
	}
	return tx.Commit(ctx)
}

// rollback ends a failed transaction even when the caller's context has
// ended, so that the connection goes back to the pool clean; if it cannot,
// pgx closes the connection and the server rolls back.
func rollback(ctx context.Context, tx pgx.Tx) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	_ = tx.Rollback(rctx)
}

// exec runs one statement on its own.
func (s *Store) exec(ctx context.Context, op, query string, args ...any) error {
	if _, err := s.pool.Exec(ctx, query, args...); err != nil {
		return s.fail(ctx, op, err)
	}
	return nil
}

// fail wraps a driver error with the operation, keeps store sentinels as
// they are, maps unique violations to ErrConflict, and makes a context that
// ended visible to errors.Is even when the server reports it as a canceled
// statement.
func (s *Store) fail(ctx context.Context, op string, err error) error {
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrConflict),
		errors.Is(err, store.ErrAlreadyUsed), errors.Is(err, store.ErrInvalidated):
		return err
	case errors.Is(err, pgx.ErrNoRows):
		return store.ErrNotFound
	case isConflict(err):
		return fmt.Errorf("postgres: %s: %w", op, store.ErrConflict)
	case isUnavailable(err):
		return wrap(ctx, op, fmt.Errorf("%w (%w)", store.ErrUnavailable, err))
	}
	return wrap(ctx, op, err)
}

// wrap names the operation and, when the context has ended, makes that
// visible to errors.Is whatever the driver reported.
func wrap(ctx context.Context, op string, err error) error {
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("postgres: %s: %w (%w)", op, cerr, err)
	}
	return fmt.Errorf("postgres: %s: %w", op, err)
}

// isUnavailable: the server cannot be reached or the pool is closed, as
// opposed to a statement that failed.
func isUnavailable(err error) bool {
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.As(err, &ce) || errors.As(err, &ne) || errors.Is(err, puddle.ErrClosedPool) || errors.Is(err, errClosed) ||
		errors.Is(err, io.ErrUnexpectedEOF) || pgconn.SafeToRetry(err)
}

// uniqueViolation is the SQLSTATE of a duplicate key.
const uniqueViolation = "23505"

func isConflict(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == uniqueViolation
}

// errBadKey refuses a key that PostgreSQL text cannot hold.
var errBadKey = errors.New("key is not NUL-free UTF-8 text")

// storable reports whether every key can be a text value: valid UTF-8
// without NUL. A key that cannot be stored cannot be found either.
func storable(keys ...string) bool {
	for _, k := range keys {
		if !utf8.ValidString(k) || strings.IndexByte(k, 0) >= 0 {
			return false
		}
	}
	return true
}

// ts is a nullable time column value: NULL for the zero time.
func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return canonical.Time(t)
}

func tsPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return ts(*t)
}

// nullString is a nullable text column value: NULL for "".
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}
