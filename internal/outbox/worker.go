package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/trace"
)

// Options configure an Outbox. Zero durations and counts take the
// defaults of the configuration (internal/config).
type Options struct {
	Store Store
	Log   *slog.Logger
	Now   func() time.Time
	// PollInterval is how often the worker looks for due items.
	PollInterval time.Duration
	// MaxAttempts is how many attempts an item gets before it is dead.
	MaxAttempts int
	// Backoff is the wait between attempts.
	Backoff Backoff
	// Timeout bounds one attempt (the handler's context).
	Timeout time.Duration
	// Batch is how many items one claim takes, delivered concurrently.
	Batch int

	// Count counts the outcome of an attempt by kind: OutcomeDelivered,
	// OutcomeFailed (to be retried) or OutcomeDead (given up on).
	Count func(kind, outcome string)
	// Backlog is given the counts of items by state after each poll that
	// found work, and at least every backlogEvery.
	Backlog func(store.OutboxCounts)
	// Report is told of every failed attempt, to log and keep its story
	// under the attempt's trace id. Without it failures are logged.
	Report func(ctx context.Context, f Failure)
}

// Outcomes of an attempt, the label of Options.Count.
const (
	OutcomeDelivered = "delivered"
	OutcomeFailed    = "failed"
	OutcomeDead      = "dead"
)

// Failure is one failed attempt.
type Failure struct {
	Item Item
	Err  error
	// Dead: no attempt follows (the attempts are used up, or Err is
	// Permanent); otherwise the next is at Next.
	Dead bool
	Next time.Time
	// MaxAttempts is the bound the item was held to.
	MaxAttempts int
	// NoHandler: no handler is registered for the item's kind.
	NoHandler bool
}

// Defaults.
const (
	defaultPoll     = time.Second
	defaultAttempts = 12
	defaultBase     = 5 * time.Second
	defaultCap      = time.Hour
	defaultTimeout  = 10 * time.Second
	defaultBatch    = 16
	// backlogEvery bounds how stale the backlog gauges get.
	backlogEvery = 15 * time.Second
	// settleTimeout bounds recording an outcome.
	settleTimeout = 10 * time.Second
)

// Outbox is the worker of one replica and the registry of its handlers.
type Outbox struct {
	o        Options
	mu       sync.RWMutex
	handlers map[string]Handler

	wake    chan struct{}
	stop    context.CancelFunc
	done    chan struct{}
	started bool
	once    sync.Once

	backlogAt time.Time // only the worker goroutine touches it
}

// New returns an Outbox; Register its handlers, then Start it.
func New(o Options) *Outbox {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.PollInterval <= 0 {
		o.PollInterval = defaultPoll
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = defaultAttempts
	}
	if o.Backoff.Base <= 0 {
		o.Backoff.Base = defaultBase
	}
	if o.Backoff.Cap < o.Backoff.Base {
		o.Backoff.Cap = max(defaultCap, o.Backoff.Base)
	}
	if o.Timeout <= 0 {
		o.Timeout = defaultTimeout
	}
	if o.Batch <= 0 {
		o.Batch = defaultBatch
	}
	return &Outbox{o: o, handlers: map[string]Handler{}, wake: make(chan struct{}, 1), done: make(chan struct{})}
}

// Register makes h deliver the items of kind; a later Register of the
// same kind replaces it.
func (x *Outbox) Register(kind string, h Handler) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.handlers[kind] = h
}

// Enqueue stores msgs (see the package function) and wakes this
// replica's worker, so that they go out without waiting for the next poll.
func (x *Outbox) Enqueue(ctx context.Context, msgs ...Message) error {
	if err := Enqueue(ctx, x.o.Store, x.o.Now(), msgs...); err != nil {
		return err
	}
	x.Wake()
	return nil
}

// Items builds pending items of msgs at this outbox's now (see the
// package function); Wake the worker once the write that stores them
// has committed.
func (x *Outbox) Items(msgs ...Message) ([]*store.OutboxItem, error) {
	return Items(x.o.Now(), msgs...)
}

// Wake makes the worker poll now.
func (x *Outbox) Wake() {
	select {
	case x.wake <- struct{}{}:
	default:
	}
}

// Start runs the worker until Close.
func (x *Outbox) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	x.mu.Lock()
	x.stop, x.started = cancel, true
	x.mu.Unlock()
	go x.run(ctx)
}

// Close stops the worker and waits, within ctx, for the attempts under
// way to finish and be recorded.
func (x *Outbox) Close(ctx context.Context) error {
	x.mu.RLock()
	started, stop := x.started, x.stop
	x.mu.RUnlock()
	if !started {
		return nil
	}
	x.once.Do(stop)
	select {
	case <-x.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (x *Outbox) run(ctx context.Context) {
	defer close(x.done)
	tick := time.NewTicker(x.o.PollInterval)
	defer tick.Stop()
	for {
		x.drain(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-x.wake:
		}
	}
}

// drain claims and delivers batches until none is full.
func (x *Outbox) drain(ctx context.Context) {
	for ctx.Err() == nil {
		n, err := x.RunOnce(ctx)
		if err != nil {
			if ctx.Err() == nil {
				x.o.Log.WarnContext(ctx, "outbox: claiming due deliveries", "err", err)
			}
			return
		}
		if n < x.o.Batch {
			return
		}
	}
}

// RunOnce claims one batch of due items, delivers them and records the
// outcomes; it returns how many it claimed. The worker calls it; tests
// may too.
func (x *Outbox) RunOnce(ctx context.Context) (int, error) {
	lease := newID()
	// The lease outlives every attempt of the batch (they run at once,
	// each bounded by Timeout) and the recording of its outcome.
	leaseFor := 2*x.o.Timeout + settleTimeout
	items, err := x.o.Store.ClaimOutbox(ctx, lease, x.o.Now(), leaseFor, x.o.Batch)
	if err != nil {
		return 0, err
	}
	var wg sync.WaitGroup
	for _, it := range items {
		wg.Go(func() { x.attempt(ctx, lease, it) })
	}
	wg.Wait()
	if x.o.Backlog != nil && (len(items) > 0 || time.Since(x.backlogAt) >= backlogEvery) {
		x.backlogAt = time.Now()
		if c, err := x.o.Store.CountOutbox(ctx); err == nil {
			x.o.Backlog(c)
		}
	}
	return len(items), nil
}

// attempt delivers one claimed item and records the outcome. A shutdown
// does not cut an attempt short: it runs to its own timeout, so that
// Close leaves no attempt half made and unrecorded.
func (x *Outbox) attempt(ctx context.Context, lease string, row *store.OutboxItem) {
	it := Item{ID: row.ID, Kind: row.Kind, Target: row.Target, ClientID: row.ClientID, Payload: row.Payload,
		CreatedAt: row.CreatedAt, Attempt: row.Attempts, TraceID: trace.New()}
	base := trace.With(context.WithoutCancel(ctx), it.TraceID)
	x.mu.RLock()
	h := x.handlers[it.Kind]
	x.mu.RUnlock()
	var err error
	if h == nil {
		err = Permanent(fmt.Errorf("no handler for deliveries of kind %q", it.Kind))
	} else {
		actx, cancel := context.WithTimeout(base, x.o.Timeout)
		err = safely(actx, h, it)
		cancel()
	}
	sctx, cancel := context.WithTimeout(base, settleTimeout)
	defer cancel()
	now := x.o.Now()
	if err == nil {
		if serr := x.o.Store.DeliveredOutbox(sctx, it.ID, lease, now); serr != nil {
			x.settleFailed(sctx, it, serr)
		}
		x.count(it.Kind, OutcomeDelivered)
		x.o.Log.DebugContext(sctx, "outbox: delivered", "trace_id", it.TraceID, "id", it.ID, "kind", it.Kind, "attempt", it.Attempt)
		return
	}
	f := Failure{Item: it, Err: err, MaxAttempts: x.o.MaxAttempts, NoHandler: h == nil}
	f.Dead = IsPermanent(err) || it.Attempt >= x.o.MaxAttempts
	f.Next = now.Add(x.o.Backoff.After(it.Attempt))
	if f.Dead {
		f.Next = now
	}
	x.report(sctx, f)
	r := store.OutboxRetry{Now: now, Next: f.Next, Error: clip(err.Error()), TraceID: it.TraceID, Dead: f.Dead}
	if serr := x.o.Store.RetryOutbox(sctx, it.ID, lease, r); serr != nil {
		x.settleFailed(sctx, it, serr)
	}
	if f.Dead {
		x.count(it.Kind, OutcomeDead)
	} else {
		x.count(it.Kind, OutcomeFailed)
	}
}

// settleFailed logs an outcome that could not be recorded: the lease ran
// out and another replica took the item over, or the database did not
// answer. Either way the item is attempted again (at least once).
func (x *Outbox) settleFailed(ctx context.Context, it Item, err error) {
	if errors.Is(err, store.ErrNotFound) {
		x.o.Log.WarnContext(ctx, "outbox: the lease ran out before the outcome was recorded; another attempt may follow",
			"trace_id", it.TraceID, "id", it.ID, "kind", it.Kind)
		return
	}
	x.o.Log.WarnContext(ctx, "outbox: recording the outcome of an attempt", "trace_id", it.TraceID, "id", it.ID, "kind", it.Kind, "err", err)
}

func (x *Outbox) report(ctx context.Context, f Failure) {
	if x.o.Report != nil {
		x.o.Report(ctx, f)
		return
	}
	x.o.Log.WarnContext(ctx, "outbox: delivery failed", "trace_id", f.Item.TraceID, "id", f.Item.ID, "kind", f.Item.Kind,
		"target", f.Item.Target, "attempt", f.Item.Attempt, "dead", f.Dead, "err", f.Err)
}

func (x *Outbox) count(kind, outcome string) {
	if x.o.Count != nil {
		x.o.Count(kind, outcome)
	}
}

// safely runs h, turning a panic into a failed attempt: one bad item
// must not take the worker, and the other deliveries, down with it.
func safely(ctx context.Context, h Handler, it Item) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("handler panicked: %v", v)
		}
	}()
	return h(ctx, it)
}

// maxError bounds the error text kept on an item.
const maxError = 1000

func clip(s string) string {
	if len(s) <= maxError {
		return s
	}
	return s[:maxError] + "…"
}
