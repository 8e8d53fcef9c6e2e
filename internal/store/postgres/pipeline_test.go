package postgres

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/lucid-auth/lucid/internal/store/groupcommit"
	"github.com/lucid-auth/lucid/internal/store/postgres/pgtest"
)

// submit queues statements on a pipeline without workers, each scanning
// its one text column, and returns them as a worker would take them, with
// their answers to come.
func submit(t *testing.T, p *pipeline, stmts ...string) ([]*groupcommit.Item[*piped], []string, []chan error) {
	t.Helper()
	got := make([]string, len(stmts))
	answers := make([]chan error, len(stmts))
	for i, sql := range stmts {
		answers[i] = make(chan error, 1)
		go func() {
			answers[i] <- p.run(context.Background(), sql, nil, func(r pgx.Row) error { return r.Scan(&got[i]) })
		}()
		for p.queue.Len() < i+1 {
			time.Sleep(time.Millisecond)
		}
	}
	batch, ok := p.queue.Take(nil, maxPiped)
	if !ok || len(batch) != len(stmts) {
		t.Fatalf("took %d statements (%v), want %d", len(batch), ok, len(stmts))
	}
	return batch, got, answers
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
	batch, got, answers := submit(t, p,
		`INSERT INTO pipe_probe (k) VALUES ('a') RETURNING k`,
		`SELECT (1/0)::text`,
		`INSERT INTO pipe_probe (k) VALUES ('a') ON CONFLICT DO NOTHING RETURNING k`,
		`INSERT INTO pipe_probe (k) VALUES ('b') RETURNING k`,
	)
	p.send(groupcommit.Started(batch))
	errs := make([]error, len(answers))
	for i, a := range answers {
		errs[i] = <-a
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
	// No worker: the statements stay queued until the test sends them.
	p := newPipeline(s.pool, 0)
	gone, cancel := context.WithCancel(ctx)
	errc := make(chan error, 1)
	go func() {
		errc <- p.run(gone, `INSERT INTO pipe_probe (k) VALUES ('abandoned') RETURNING k`, nil, func(r pgx.Row) error { return r.Scan(new(string)) })
	}()
	for p.queue.Len() == 0 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("abandoned statement: got %v, want context.Canceled", err)
	}
	abandoned, _ := p.queue.Take(nil, 1)
	kept, got, answers := submit(t, p, `SELECT 'kept'`)
	live := groupcommit.Started(append(abandoned, kept...))
	if len(live) != 1 {
		t.Fatalf("%d statements to send, want only the one whose caller waits", len(live))
	}
	p.send(live)
	if err := <-answers[0]; err != nil || got[0] != "kept" {
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
