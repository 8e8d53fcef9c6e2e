package postgres

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
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
	queue chan *piped
	stop  chan struct{}
	done  sync.WaitGroup
}

// A piped statement; scan reads its row (pgx.ErrNoRows is an answer, not
// a failure) and runs on the pipeline's goroutine before done is sent.
type piped struct {
	// deadline is the caller's; the zero time when it has none.
	deadline time.Time
	sql      string
	args     []any
	scan     func(pgx.Row) error
	state    atomic.Int32
	done     chan error
}

// States of a piped statement: its caller may give up only while queued.
const (
	pipeQueued int32 = iota
	pipeSent
	pipeAbandoned
)

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
	p := &pipeline{pool: pool, queue: make(chan *piped, maxPiped), stop: make(chan struct{})}
	p.done.Add(workers)
	for range workers {
		go p.work()
	}
	return p
}

// close stops the workers; statements still queued get errClosed.
func (p *pipeline) close() {
	close(p.stop)
	p.done.Wait()
	for {
		select {
		case it := <-p.queue:
			if it.state.CompareAndSwap(pipeQueued, pipeAbandoned) {
				it.done <- errClosed
			}
		default:
			return
		}
	}
}

// run sends the statement with the next batch and returns what scan
// returned.
func (p *pipeline) run(ctx context.Context, sql string, args []any, scan func(pgx.Row) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case <-p.stop:
		return errClosed
	default:
	}
	it := &piped{sql: sql, args: args, scan: scan, done: make(chan error, 1)}
	it.deadline, _ = ctx.Deadline()
	select {
	case p.queue <- it:
	case <-ctx.Done():
		return ctx.Err()
	case <-p.stop:
		return errClosed
	}
	select {
	case err := <-it.done:
		return err
	case <-ctx.Done():
		if it.state.CompareAndSwap(pipeQueued, pipeAbandoned) {
			return ctx.Err()
		}
		return <-it.done
	case <-p.stop:
		// A worker answers what it sent before it stops.
		if it.state.CompareAndSwap(pipeQueued, pipeAbandoned) {
			return errClosed
		}
		return <-it.done
	}
}

func (p *pipeline) work() {
	defer p.done.Done()
	batch := make([]*piped, 0, maxPiped)
	for {
		batch = batch[:0]
		select {
		case it := <-p.queue:
			batch = append(batch, it)
		case <-p.stop:
			return
		}
	drain:
		for len(batch) < maxPiped {
			select {
			case it := <-p.queue:
				batch = append(batch, it)
			default:
				break drain
			}
		}
		p.send(batch)
	}
}

// send runs a batch and answers each of its statements.
func (p *pipeline) send(batch []*piped) {
	live := batch[:0]
	for _, it := range batch {
		if it.state.CompareAndSwap(pipeQueued, pipeSent) {
			live = append(live, it)
		}
	}
	if len(live) == 0 {
		return
	}
	// The batch may run until the last of its callers' deadlines: once
	// sent, a statement's outcome is its caller's answer, and a statement
	// waiting on a row lock must not hold up the others for longer.
	var deadline time.Time
	for _, it := range live {
		if it.deadline.IsZero() {
			deadline = time.Now().Add(pipeTimeout)
			break
		}
		if it.deadline.After(deadline) {
			deadline = it.deadline
		}
	}
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	if len(live) == 1 {
		it := live[0]
		it.done <- it.scan(p.pool.QueryRow(ctx, it.sql, it.args...))
		return
	}
	b := &pgx.Batch{QueuedQueries: make([]*pgx.QueuedQuery, 0, len(live))}
	for _, it := range live {
		b.Queue(it.sql, it.args...)
	}
	answers := make([]error, len(live))
	br := p.pool.SendBatch(ctx, b)
	for i, it := range live {
		answers[i] = it.scan(br.QueryRow())
	}
	err := br.Close()
	if err == nil {
		for i, it := range live {
			it.done <- answers[i]
		}
		return
	}
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		for _, it := range live {
			it.done <- err
		}
		return
	}
	// The server refused a statement and rolled the batch back: each
	// runs again alone and gets its own outcome.
	for _, it := range live {
		it.done <- it.scan(p.pool.QueryRow(ctx, it.sql, it.args...))
	}
}

// readWorkers: reads take no locks, so two batches may be in flight at
// once, one filling while the other waits for the server.
const readWorkers = 2

var errClosed = errors.New("postgres: store closed")
