package postgres

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/lucid-auth/lucid/internal/store/groupcommit"
)

// A pipeline sends the hot single statements that arrive while its
// previous batch is in flight as one pgx batch: one round trip, one
// wake-up of one server process and, for writes, one commit (one WAL
// flush) for all of them. Sent one by one, each statement costs both
// Lucid and PostgreSQL a round trip of system calls and the commit its
// own flush; under load that, not the statements, is most of the work.
//
// Every statement is one that is atomic on its own (a conditional UPDATE
// or INSERT … ON CONFLICT, or a read), so running several in one
// transaction changes no outcome: two that touch the same row in one
// batch see each other as they would have in sequence. A batch runs in
// the implicit transaction of the extended protocol: a statement that
// fails rolls the whole batch back, and each statement is then run again
// on its own, so one request's failure is never another's. A batch whose
// outcome is unknown (the connection broke) is not run again: a write
// that did commit would find itself and report a replay.
type pipeline struct {
	pool  *pgxpool.Pool
	queue *groupcommit.Queue[*piped]
	done  sync.WaitGroup
}

// A piped statement; scan reads its row (pgx.ErrNoRows is an answer, not
// a failure) and runs on the pipeline's goroutine before the answer.
type piped struct {
	// deadline is the caller's; the zero time when it has none.
	deadline time.Time
	sql      string
	args     []any
	scan     func(pgx.Row) error
}

const (
	// maxPiped bounds a batch; more waiting statements go in the next.
	maxPiped = 128
	// pipeTimeout bounds a batch whose callers set no deadline.
	pipeTimeout = 10 * time.Second
)

// newPipeline starts workers goroutines. One worker for writes keeps
// Lucid's own batches from ever waiting on each other's row locks; reads
// take no locks and may use more.
func newPipeline(pool *pgxpool.Pool, workers int) *pipeline {
	p := &pipeline{pool: pool, queue: groupcommit.New[*piped](maxPiped, errClosed)}
	p.done.Add(workers)
	for range workers {
		go p.work()
	}
	return p
}

// close stops the workers once they have answered what they took.
func (p *pipeline) close() {
	p.queue.Close()
	p.done.Wait()
}

// run sends the statement with the next batch and returns what scan
// returned.
func (p *pipeline) run(ctx context.Context, sql string, args []any, scan func(pgx.Row) error) error {
	it := &piped{sql: sql, args: args, scan: scan}
	it.deadline, _ = ctx.Deadline()
	return p.queue.Submit(ctx, it)
}

func (p *pipeline) work() {
	defer p.done.Done()
	var batch []*groupcommit.Item[*piped]
	for {
		var ok bool
		if batch, ok = p.queue.Take(batch, maxPiped); !ok {
			return
		}
		p.send(groupcommit.Started(batch))
	}
}

// send runs a batch and answers each of its statements.
func (p *pipeline) send(live []*groupcommit.Item[*piped]) {
	if len(live) == 0 {
		return
	}
	// The batch may run until the last of its callers' deadlines: once
	// sent, a statement's outcome is its caller's answer, and a statement
	// waiting on a row lock must not hold up the others for longer.
	var deadline time.Time
	for _, it := range live {
		if it.Work.deadline.IsZero() {
			deadline = time.Now().Add(pipeTimeout)
			break
		}
		if it.Work.deadline.After(deadline) {
			deadline = it.Work.deadline
		}
	}
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	alone := func(it *piped) error { return it.scan(p.pool.QueryRow(ctx, it.sql, it.args...)) }
	if len(live) == 1 {
		live[0].Finish(alone(live[0].Work))
		return
	}
	b := &pgx.Batch{QueuedQueries: make([]*pgx.QueuedQuery, 0, len(live))}
	for _, it := range live {
		b.Queue(it.Work.sql, it.Work.args...)
	}
	answers := make([]error, len(live))
	br := p.pool.SendBatch(ctx, b)
	for i, it := range live {
		answers[i] = it.Work.scan(br.QueryRow())
	}
	err := br.Close()
	var pgErr *pgconn.PgError
	switch {
	case err == nil:
		for i, it := range live {
			it.Finish(answers[i])
		}
	case errors.As(err, &pgErr):
		// The server refused a statement and rolled the batch back: each
		// runs again alone and gets its own outcome.
		for _, it := range live {
			it.Finish(alone(it.Work))
		}
	default:
		for _, it := range live {
			it.Finish(err)
		}
	}
}

// readWorkers: reads take no locks, so two batches may be in flight at
// once, one filling while the other waits for the server.
const readWorkers = 2

var errClosed = errors.New("postgres: store closed")
