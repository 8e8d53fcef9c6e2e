// Package groupcommit is the queue behind both backends' batched writes:
// callers submit work and wait for its outcome; a worker takes whatever
// has queued up while it was busy and runs it together (one SQLite
// transaction, one PostgreSQL batch), so that one commit serves many
// requests.
//
// A caller may give up only while its work is still queued: once a worker
// has started it, the work may commit, and its outcome is the caller's
// answer whatever the caller's context says.
package groupcommit

import (
	"context"
	"sync"
	"sync/atomic"
)

// Queue holds work of type T for its workers.
type Queue[T any] struct {
	items  chan *Item[T]
	stop   chan struct{}
	once   sync.Once
	closed error
}

// Item is one piece of queued work.
type Item[T any] struct {
	Work T
	// state moves from queued to started (a worker took it) or to
	// abandoned (its caller gave up first), exactly once.
	state atomic.Int32
	done  chan error
}

const (
	queued int32 = iota
	started
	abandoned
)

// New makes a queue that holds up to capacity items before Submit waits;
// closed is the answer to work submitted after Close.
func New[T any](capacity int, closed error) *Queue[T] {
	return &Queue[T]{items: make(chan *Item[T], capacity), stop: make(chan struct{}), closed: closed}
}

// Submit queues work and returns its outcome (what the worker passed to
// Finish). It returns ctx's error if ctx ends while the work is queued,
// and the queue's closed error if the queue closes first.
func (q *Queue[T]) Submit(ctx context.Context, work T) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case <-q.stop:
		return q.closed
	default:
	}
	it := &Item[T]{Work: work, done: make(chan error, 1)}
	select {
	case q.items <- it:
	case <-ctx.Done():
		return ctx.Err()
	case <-q.stop:
		return q.closed
	}
	select {
	case err := <-it.done:
		return err
	case <-ctx.Done():
		if it.state.CompareAndSwap(queued, abandoned) {
			return ctx.Err()
		}
		return <-it.done
	case <-q.stop:
		// A worker finishes what it started before it stops.
		if it.state.CompareAndSwap(queued, abandoned) {
			return q.closed
		}
		return <-it.done
	}
}

// Take waits for work and returns it with whatever else is queued, at
// most max items, appended to batch[:0]. It returns false once the queue
// is closed. The worker must Start each item before running it and
// Finish each item it started.
func (q *Queue[T]) Take(batch []*Item[T], max int) ([]*Item[T], bool) {
	batch = batch[:0]
	select {
	case it := <-q.items:
		batch = append(batch, it)
	case <-q.stop:
		return batch, false
	}
	for len(batch) < max {
		select {
		case it := <-q.items:
			batch = append(batch, it)
		default:
			return batch, true
		}
	}
	return batch, true
}

// Started keeps the items of batch whose callers still wait, marking
// them started: from now on their callers wait for Finish.
func Started[T any](batch []*Item[T]) []*Item[T] {
	live := batch[:0]
	for _, it := range batch {
		if it.state.CompareAndSwap(queued, started) {
			live = append(live, it)
		}
	}
	return live
}

// Finish answers the item's caller.
func (it *Item[T]) Finish(err error) { it.done <- err }

// Close stops the queue: Submit refuses new work, work still queued is
// answered with the closed error, and Take returns false once it finds
// nothing queued. Work a worker has taken is the worker's to finish; the
// owner waits for its workers before closing what they use.
func (q *Queue[T]) Close() {
	q.once.Do(func() { close(q.stop) })
	for {
		select {
		case it := <-q.items:
			if it.state.CompareAndSwap(queued, abandoned) {
				it.done <- q.closed
			}
		default:
			return
		}
	}
}

// Len is how many items wait in the queue.
func (q *Queue[T]) Len() int { return len(q.items) }
