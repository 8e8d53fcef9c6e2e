package postgres

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/lucid-auth/lucid/internal/store/postgres/pgtest"
)

// queue puts statements in one batch, as a worker would have gathered
// them, with answers for each.
func queue(stmts ...string) []*piped {
	batch := make([]*piped, len(stmts))
	for i, sql := range stmts {
		batch[i] = &piped{sql: sql, done: make(chan error, 1)}
	}
	return batch
}

// scanInto has each statement of the batch scan its one text column.
func scanInto(batch []*piped) []string {
	got := make([]string, len(batch))
	for i, it := range batch {
		it.scan = func(r pgx.Row) error { return r.Scan(&got[i]) }
	}
	return got
}

// A statement the server refuses rolls its batch back; the others run
// again on their own and keep their outcomes, and a write whose batch was
// rolled back is still written.
func TestPipelineIsolatesAFailingStatement(t *testing.T) {
	s := open(t, pgtest.Connect(t).FreshDSN(t))
	defer s.Close()
	ctx := context.Background()
	if _, err := s.pool.Exec(ctx, `CREATE TABLE pipe_probe (k text PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	p := newPipeline(s.pool, 0)
	batch := queue(
		`INSERT INTO pipe_probe (k) VALUES ('a') RETURNING k`,
		`SELECT (1/0)::text`,
		`INSERT INTO pipe_probe (k) VALUES ('a') ON CONFLICT DO NOTHING RETURNING k`,
		`INSERT INTO pipe_probe (k) VALUES ('b') RETURNING k`,
	)
	got := scanInto(batch)
	p.send(batch)
	errs := make([]error, len(batch))
	for i, it := range batch {
		errs[i] = <-it.done
	}

	if errs[0] != nil || got[0] != "a" {
		t.Errorf("first insert of a: %q, %v", got[0], errs[0])
	}
	var pgErr *pgconn.PgError
	if !errors.As(errs[1], &pgErr) || pgErr.Code != "22012" {
		t.Errorf("division by zero: got %v, want SQLSTATE 22012", errs[1])
	}
	if !errors.Is(errs[2], pgx.ErrNoRows) {
		t.Errorf("second insert of a: got %q, %v; want no row (it follows the first)", got[2], errs[2])
	}
	if errs[3] != nil || got[3] != "b" {
		t.Errorf("insert of b: %q, %v", got[3], errs[3])
	}
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM pipe_probe`).Scan(&n); err != nil || n != 2 {
		t.Errorf("rows: %d, %v; want 2", n, err)
	}
}

// A caller that gives up while its statement waits in the queue gets its
// context's error, and the statement is never sent.
func TestPipelineSkipsAbandonedStatements(t *testing.T) {
	s := open(t, pgtest.Connect(t).FreshDSN(t))
	defer s.Close()
	ctx := context.Background()
	if _, err := s.pool.Exec(ctx, `CREATE TABLE pipe_probe (k text PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	// No worker: the statement stays queued until the test sends it.
	p := newPipeline(s.pool, 0)
	gone, cancel := context.WithCancel(ctx)
	errc := make(chan error, 1)
	go func() {
		errc <- p.run(gone, `INSERT INTO pipe_probe (k) VALUES ('abandoned') RETURNING k`, nil, func(r pgx.Row) error { return r.Scan(new(string)) })
	}()
	for len(p.queue) == 0 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("abandoned statement: got %v, want context.Canceled", err)
	}
	kept := queue(`SELECT 'kept'`)
	got := scanInto(kept)
	p.send([]*piped{<-p.queue, kept[0]})
	if err := <-kept[0].done; err != nil || got[0] != "kept" {
		t.Fatalf("statement batched with the abandoned one: %q, %v", got[0], err)
	}
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM pipe_probe`).Scan(&n); err != nil || n != 0 {
		t.Errorf("rows: %d, %v; want 0", n, err)
	}
}

// Statements queued when the store closes are answered, not left waiting.
func TestPipelineClosed(t *testing.T) {
	s := open(t, pgtest.Connect(t).FreshDSN(t))
	p := newPipeline(s.pool, 1)
	p.close()
	err := p.run(context.Background(), `SELECT 1`, nil, func(r pgx.Row) error { return r.Scan(new(int)) })
	if !errors.Is(err, errClosed) {
		t.Errorf("after close: got %v, want errClosed", err)
	}
	s.Close()
}
