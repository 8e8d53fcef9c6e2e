package password

import (
	"context"
	"errors"
	"runtime"
	"time"
)

// ErrBusy means every hashing slot stayed taken for the whole wait.
var ErrBusy = errors.New("password: every hashing slot is busy")

// Pool bounds how many password hashes run at once in this process. Each
// argon2id hash holds its memory (19 MiB with DefaultParams) for its whole
// computation, so without a bound a flood of sign-ins, which anyone can
// send, takes as much memory as it has concurrent requests. With a Pool of
// n slots, hashing holds at most n × the largest m of the hashes being
// checked; a request that finds no slot within a short wait is refused
// before it hashes, rather than queued without end. A Pool is safe for
// concurrent use.
type Pool struct {
	slots chan struct{}
	wait  time.Duration
}

// DefaultWait is how long a sign-in waits for a slot by default: about two
// hashes' time, enough to absorb a burst of real users, too short to queue
// a flood.
const DefaultWait = 100 * time.Millisecond

// NewPool returns a pool of n slots (n < 1: one per CPU, since a hash keeps
// one core busy) whose Acquire waits at most wait for a slot.
func NewPool(n int, wait time.Duration) *Pool {
	if n < 1 {
		n = runtime.NumCPU()
	}
	return &Pool{slots: make(chan struct{}, n), wait: max(wait, 0)}
}

// Slots is the number of hashes the pool lets run at once.
func (p *Pool) Slots() int { return cap(p.slots) }

// Acquire takes a slot, waiting at most the pool's wait and never past
// ctx. It returns ErrBusy when none came free in time (ctx's error if ctx
// ended first); otherwise release, to be called once after the hashing.
func (p *Pool) Acquire(ctx context.Context) (release func(), err error) {
	return p.AcquireWithin(ctx, p.wait)
}

// AcquireWithin is Acquire with another bound on the wait, for callers
// who are not anonymous (an administrator setting a password) and may
// wait longer than a sign-in.
func (p *Pool) AcquireWithin(ctx context.Context, wait time.Duration) (release func(), err error) {
	select {
	case p.slots <- struct{}{}:
		return p.release, nil
	default:
	}
	if wait <= 0 {
		return nil, ErrBusy
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case p.slots <- struct{}{}:
		return p.release, nil
	case <-t.C:
		return nil, ErrBusy
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// release collects the garbage the slot's hash left before it frees the
// slot. Each hash allocates its memory afresh (golang.org/x/crypto/argon2
// takes no buffer) and drops it when done; left to the collector's pace
// (GOGC=100 lets the heap double between cycles), several hashes' worth
// pile up whatever the number of slots. Collected at once, the next hash
// reuses the same pages, and hashing holds at most slots × m. The blocks
// hold no pointers, so the cycle is cheap next to the hash.
func (p *Pool) release() {
	runtime.GC()
	<-p.slots
}
