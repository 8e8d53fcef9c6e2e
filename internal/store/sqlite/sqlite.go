// Package sqlite is Lucid's SQLite backend (modernc.org/sqlite, no cgo).
//
// Rows keep the model as JSON plus the columns needed for lookups,
// uniqueness, expiry and the atomic conditional writes. Columns that a
// conditional write changes (redeemed_at, rotated_at, revoked_at, …) are the
// truth for those fields and are laid over the JSON on read.
//
// Concurrency: SQLite has one writer at a time. Every write goes through a
// pool of exactly one connection, so writers in this process queue in Go
// (bounded by their context) and never see SQLITE_BUSY; transactions begin
// IMMEDIATE and wait busy_timeout for writers in other processes (the CLI
// next to a running server). Reads use a separate pool of read-only
// connections, which WAL lets run alongside the writer.
//
// Times are stored in UTC, truncated to microseconds (the precision the
// PostgreSQL backend has), as Unix microseconds in columns. Nil and empty
// slices and maps are not told apart.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/groupcommit"
)

// busyTimeout bounds how long a statement waits for another process's
// lock; the caller's context can end the wait sooner.
const busyTimeout = 10 * time.Second

// Store is a store.Store on one SQLite database file.
type Store struct {
	w *sql.DB // exactly one connection: all writes
	r *sql.DB // read-only connections

	// writes feeds the writer goroutine, which commits queued writes
	// together (see write); stop ends the store's goroutines and done says
	// the writer has ended.
	writes    *groupcommit.Queue[writeReq]
	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once

	getClient, getUser, getCode, getRefresh, getFamily, getSession, getRequest *sql.Stmt
	getSessionByID                                                             *sql.Stmt
	getAccess, deniedJTI, getAPI                                               *sql.Stmt
	reads                                                                      []*sql.Stmt // all of the above, for Close
	// getDevice reads a device code (every device poll); prepared on
	// first use, as its table comes with a later migration (device.go).
	getDevice   atomic.Pointer[sql.Stmt]
	prepareLock sync.Mutex
	// getBackchannel is the CIBA poll's read, prepared on first use (a
	// database opened at an older schema version has no table for it yet).
	getBackchannel atomic.Pointer[sql.Stmt]

	// prepared holds every statement a write has run, prepared on the
	// writer connection after its first use (see wtx); unprepared lists
	// those waiting for the connection to be free. Only the writer
	// goroutine touches either, so they need no lock.
	prepared   map[string]*sql.Stmt
	unprepared []string
	// txStmts are the prepared statements bound to the transaction being
	// committed (see wtx.stmt); emptied at the start of each commit.
	txStmts map[*sql.Stmt]*sql.Stmt
}

var _ store.Store = (*Store)(nil)

// Open opens (creating if needed) the database at path and brings its
// schema up to date: OpenWith with store.OpenCreate.
func Open(ctx context.Context, path string) (*Store, error) {
	return OpenWith(ctx, path, store.OpenCreate)
}

// OpenWith opens the database at path as mode allows: store.OpenCreate
// creates the file when it is missing and migrates, store.OpenMigrate
// refuses a missing file (or one without Lucid's schema) and migrates,
// store.OpenExisting refuses those and an outdated schema,
// store.OpenReadOnly refuses the same and writes nothing. An error
// opening the file names the path and the cause.
//
// Durability: WAL with synchronous=FULL fsyncs the log at every commit, so
// a commit that returned survives kill -9 and power loss alike.
// synchronous=NORMAL would also survive a killed process (the commit is in
// the WAL file already) but could lose the last commits on power loss or an
// OS crash; a lost refresh-token rotation or code redemption is a security
// event, so Lucid pays the fsync.
func OpenWith(ctx context.Context, path string, mode store.OpenMode) (*Store, error) {
	if path == "" {
		return nil, errors.New("sqlite: empty database path")
	}
	s := &Store{writes: groupcommit.New[writeReq](maxBatch, errClosed), stop: make(chan struct{}), done: make(chan struct{}), prepared: map[string]*sql.Stmt{}, txStmts: map[*sql.Stmt]*sql.Stmt{}}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: database path: %w", err)
	}
	uri := "file:" + uriPath.Replace(abs)
	busy := fmt.Sprintf("_busy_timeout=%d", busyTimeout.Milliseconds())
	// mode=rw: SQLite opens without creating the file.
	existing := ""
	if mode != store.OpenCreate {
		existing = "&mode=rw"
	}
	writer := "&_journal_mode=WAL&_synchronous=FULL&_foreign_keys=1&_txlock=immediate"
	if mode == store.OpenReadOnly {
		writer = "&_query_only=1&_foreign_keys=1&_txlock=immediate"
	}
	s.w, err = sql.Open("sqlite", uri+"?"+busy+writer+existing)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	s.w.SetMaxOpenConns(1)
	s.w.SetMaxIdleConns(1)
	s.w.SetConnMaxLifetime(0)
	s.w.SetConnMaxIdleTime(0)
	s.r, err = sql.Open("sqlite", uri+"?"+busy+"&_query_only=1"+existing)
	if err != nil {
		_ = s.w.Close()
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	s.r.SetMaxOpenConns(n)
	s.r.SetMaxIdleConns(n)
	go s.writer()
	if err := s.open(ctx, abs, mode); err != nil {
		_ = s.Close()
		return nil, err
	}
	if err := s.prepare(ctx); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// uriPath escapes what a SQLite URI filename would otherwise interpret.
var uriPath = strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")

// prepare readies the hot reads (token endpoint, session lookup).
func (s *Store) prepare(ctx context.Context) error {
	for _, p := range []struct {
		st  **sql.Stmt
		sql string
	}{
		{&s.getClient, `SELECT data FROM clients WHERE id = ?`},
		{&s.getUser, `SELECT data FROM users WHERE id = ?`},
		{&s.getCode, `SELECT ` + codeCols + ` FROM auth_codes WHERE hash = ?`},
		{&s.getRefresh, `SELECT ` + rotatedCols + ` FROM refresh_tokens WHERE hash = ?`},
		{&s.getFamily, `SELECT ` + familyCols + ` FROM token_families WHERE id = ?`},
		{&s.getSession, `SELECT data FROM sessions WHERE hash = ?`},
		{&s.getSessionByID, `SELECT data FROM sessions WHERE json_extract(data, '$.id') = ?`},
		{&s.getRequest, `SELECT data FROM auth_requests WHERE id = ?`},
		{&s.getAccess, `SELECT data, revoked_at FROM access_tokens WHERE hash = ?`},
		{&s.deniedJTI, `SELECT 1 FROM denied_jtis WHERE jti = ?`},
		{&s.getAPI, `SELECT data FROM apis WHERE id = ?`},
	} {
		st, err := s.r.PrepareContext(ctx, p.sql)
		if err != nil {
			return s.fail(ctx, "prepare", err)
		}
		*p.st = st
		s.reads = append(s.reads, st)
	}
	return nil
}

// Ping checks that the database file can be read.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.r.QueryRowContext(ctx, `SELECT 1 FROM schema_version LIMIT 1`).Scan(&one); err != nil {
		return s.fail(ctx, "ping", err)
	}
	return nil
}

// Close stops the writer, then closes both pools.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		close(s.stop)
		s.writes.Close()
	})
	<-s.done
	for _, st := range s.reads {
		_ = st.Close()
	}
	if st := s.getDevice.Load(); st != nil {
		_ = st.Close()
	}
	for _, st := range s.prepared {
		_ = st.Close()
	}
	if st := s.getBackchannel.Load(); st != nil {
		_ = st.Close()
	}
	return errors.Join(s.w.Close(), s.r.Close())
}

// maxBatch bounds how many writes share one commit.
const maxBatch = 128

// errClosed answers writes after Close.
var errClosed = fmt.Errorf("sqlite: store closed: %w", store.ErrUnavailable)

// writeReq is one queued write.
type writeReq struct {
	ctx context.Context
	fn  func(context.Context, wtx) error
}

// write runs fn inside an immediate transaction on the writer connection
// and returns once that transaction is durably committed (or fn failed).
//
// Group commit: writes that queue up while a commit is in flight go into
// the next transaction together, each inside its own SAVEPOINT, so one
// fsync makes many of them durable and a write whose fn fails is rolled
// back alone. fn gets a context that keeps the caller's values but not its
// cancellation: interrupting a statement can make SQLite roll back the
// whole shared transaction. The caller's context still bounds the wait in
// the queue, and the wait for the transaction to begin (another process
// holding the lock), which is where a slow database makes writers wait.
func (s *Store) write(ctx context.Context, fn func(context.Context, wtx) error) error {
	return s.writes.Submit(ctx, writeReq{ctx: context.WithoutCancel(ctx), fn: fn})
}

// writer commits queued writes, batching those that arrive during a commit.
func (s *Store) writer() {
	defer close(s.done)
	var batch []*groupcommit.Item[writeReq]
	for {
		var ok bool
		if batch, ok = s.writes.Take(batch, maxBatch); !ok {
			return
		}
		s.commit(batch)
		s.prepareUsed()
	}
}

// maxPrepared bounds the writer's statement cache. Lucid's write
// statements are constants, a few dozen in all; the bound only guards
// against a future query built from values.
const maxPrepared = 128

// wtx is the transaction a write function gets: a *sql.Tx whose
// statements run prepared once the writer has seen them. Parsing and
// planning a statement costs SQLite about as much as running a small one,
// and the hot writes (code redemption, refresh rotation, jti) run
// thousands of times a second.
type wtx struct {
	*sql.Tx
	s *Store
}

func (t wtx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := t.s.prepared[query]; st != nil {
		return t.stmt(ctx, st).ExecContext(ctx, args...)
	}
	t.s.unprepared = append(t.s.unprepared, query)
	return t.Tx.ExecContext(ctx, query, args...)
}

func (t wtx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := t.s.prepared[query]; st != nil {
		return t.stmt(ctx, st).QueryRowContext(ctx, args...)
	}
	t.s.unprepared = append(t.s.unprepared, query)
	return t.Tx.QueryRowContext(ctx, query, args...)
}

// stmt is st bound to the transaction, bound once per transaction: a
// batch runs the same few statements (SAVEPOINT, RELEASE, the jti insert)
// for each of its writes, and binding makes a Stmt and registers it with
// the pool each time. The transaction closes them when it ends.
func (t wtx) stmt(ctx context.Context, st *sql.Stmt) *sql.Stmt {
	ts := t.s.txStmts[st]
	if ts == nil {
		ts = t.StmtContext(ctx, st)
		t.s.txStmts[st] = ts
	}
	return ts
}

// prepareUsed prepares the statements writes ran unprepared, now that no
// transaction holds the writer connection. A statement that fails to
// prepare stays unprepared; running it reports the error.
func (s *Store) prepareUsed() {
	for _, q := range s.unprepared {
		if _, ok := s.prepared[q]; ok || len(s.prepared) >= maxPrepared {
			continue
		}
		if st, err := s.w.PrepareContext(context.Background(), q); err == nil {
			s.prepared[q] = st
		}
	}
	s.unprepared = s.unprepared[:0]
}

// commit runs one batch in one transaction and answers every write in it.
func (s *Store) commit(batch []*groupcommit.Item[writeReq]) {
	ctx := context.Background()
	clear(s.txStmts) // bound to the last transaction, closed with it
	errs := make([]error, len(batch))
	answer := func(common error) {
		for i, r := range batch {
			if errs[i] == nil {
				errs[i] = common
			}
			r.Finish(errs[i])
		}
	}
	sqlTx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		answer(err)
		return
	}
	// Beginning may have waited for another process's lock; writes whose
	// callers gave up meanwhile are not run.
	if batch = groupcommit.Started(batch); len(batch) == 0 {
		_ = sqlTx.Rollback()
		return
	}
	errs = errs[:len(batch)]
	tx := wtx{Tx: sqlTx, s: s}
	if len(batch) == 1 {
		if errs[0] = batch[0].Work.fn(batch[0].Work.ctx, tx); errs[0] != nil {
			_ = tx.Rollback()
			answer(nil)
			return
		}
		answer(tx.Commit())
		return
	}
	for i, r := range batch {
		if _, err := tx.ExecContext(ctx, "SAVEPOINT w"); err != nil {
			_ = tx.Rollback()
			answer(err)
			return
		}
		if errs[i] = r.Work.fn(r.Work.ctx, tx); errs[i] != nil {
			if _, err := tx.ExecContext(ctx, "ROLLBACK TO w"); err != nil {
				// The transaction itself is gone: nothing in it stands.
				_ = tx.Rollback()
				for j := range errs {
					if j != i {
						errs[j] = err
					}
				}
				answer(nil)
				return
			}
		}
		if _, err := tx.ExecContext(ctx, "RELEASE w"); err != nil {
			_ = tx.Rollback()
			for j := range errs {
				if j != i || errs[j] == nil {
					errs[j] = err
				}
			}
			answer(nil)
			return
		}
	}
	answer(tx.Commit())
}

// fail wraps a driver error with the operation, keeps store sentinels as
// they are, and makes a context that ended visible to errors.Is even when
// the driver reports it as an interrupted statement.
func (s *Store) fail(ctx context.Context, op string, err error) error {
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrConflict),
		errors.Is(err, store.ErrAlreadyUsed), errors.Is(err, store.ErrInvalidated):
		return err
	case errors.Is(err, sql.ErrNoRows):
		return store.ErrNotFound
	case isConflict(err):
		return fmt.Errorf("sqlite: %s: %w", op, store.ErrConflict)
	case isUnavailable(err):
		return fmt.Errorf("sqlite: %s: %w (%w)", op, store.ErrUnavailable, err)
	}
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("sqlite: %s: %w (%w)", op, cerr, err)
	}
	return fmt.Errorf("sqlite: %s: %w", op, err)
}

func isConflict(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// isUnavailable: the database cannot serve now, through no fault of the
// request: closed, locked past the busy timeout, I/O failing, disk full.
func isUnavailable(err error) bool {
	// database/sql does not export its errors for a closed pool or statement.
	if msg := err.Error(); errors.Is(err, sql.ErrConnDone) || strings.Contains(msg, "sql: database is closed") || strings.Contains(msg, "sql: statement is closed") {
		return true
	}
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code() & 0xff { // the primary result code
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_FULL:
		return true
	}
	return false
}

// affected reports whether an exec changed a row.
func affected(res sql.Result) (bool, error) {
	n, err := res.RowsAffected()
	return n > 0, err
}

// micros is a time column value: Unix microseconds, NULL for the zero time.
func micros(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

func microsPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return micros(*t)
}

// timePtr reads a nullable time column.
func timePtr(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := time.UnixMicro(v.Int64).UTC()
	return &t
}
