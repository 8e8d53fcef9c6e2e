package failure

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
)

// BatchStore keeps failure stories in batches and bounds them; store.Store
// is one.
type BatchStore interface {
	RecordFailures(ctx context.Context, fs []*store.Failure) error
	TrimFailures(ctx context.Context, unattributed bool, keep int) (int64, error)
}

// Reasons a failure's story was not stored, the label of the drop counter.
const (
	DropQueueFull  = "queue_full"  // the queue was full: the database is slower than the failures
	DropRepeated   = "repeated"    // one of many like it, counted in a summary (Sampler)
	DropStoreError = "store_error" // the database refused or did not answer
)

var dropReasons = [...]string{DropQueueFull, DropRepeated, DropStoreError}

// WriterOptions configure a Writer.
type WriterOptions struct {
	Store BatchStore
	Log   *slog.Logger
	// QueueSize is how many stories may wait to be written; past it they
	// are dropped and counted. At least 1.
	QueueSize int
	// MaxStories and MaxUnattributed bound the stories kept of each class
	// (attributed to a registered client, or not); 0 leaves a class to
	// the retention alone.
	MaxStories, MaxUnattributed int
	// Known tells whether a client_id names a registered client.
	Known func(ctx context.Context, clientID string) bool
	// Dropped counts a story not stored, by reason (a metric).
	Dropped func(reason string)
	// Sampler, when set, is flushed on every report so that its summaries
	// are logged even when no further failure comes.
	Sampler *Sampler
	Now     func() time.Time
	// ReportEvery is how often dropped stories are reported in the log
	// (one line with the counts, not one per drop); default 10s.
	ReportEvery time.Duration
}

// Writer stores failure stories in the background, so that no request
// waits on the database to record its failure. Stories wait in a bounded
// queue; one goroutine takes what has gathered, writes it in one batch
// (one transaction), and after every tenth of a class's bound has been
// written trims that class back to its bound, so the table stays within
// about 110% of MaxStories + MaxUnattributed rows between the periodic
// clean-ups. A story that finds the queue full is dropped and counted.
type Writer struct {
	o       WriterOptions
	queue   chan *store.Failure
	flushes chan chan struct{}
	stop    chan struct{}
	done    chan struct{}
	once    sync.Once
	started atomic.Bool

	dropped  [len(dropReasons)]atomic.Int64
	reported [len(dropReasons)]int64
	// sinceTrim counts stories written per class since it was last trimmed
	// (index 1: unattributed).
	sinceTrim [2]int
}

// maxWriteBatch bounds the stories written in one transaction.
const maxWriteBatch = 256

// NewWriter returns a Writer; Start runs it.
func NewWriter(o WriterOptions) *Writer {
	if o.QueueSize < 1 {
		o.QueueSize = 1
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.ReportEvery <= 0 {
		o.ReportEvery = 10 * time.Second
	}
	w := &Writer{
		o:       o,
		queue:   make(chan *store.Failure, o.QueueSize),
		flushes: make(chan chan struct{}),
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	// Trim at the first write: the table may be over its bound already
	// (a lowered setting, an older Lucid).
	w.sinceTrim = [2]int{trimEvery(o.MaxStories), trimEvery(o.MaxUnattributed)}
	return w
}

func trimEvery(bound int) int { return max(bound/10, 1) }

// Start runs the writer's goroutine until Close.
func (w *Writer) Start() {
	if w.started.CompareAndSwap(false, true) {
		go w.run()
	}
}

// Enqueue hands a story to the writer without waiting; a full queue drops
// it, counted.
func (w *Writer) Enqueue(f *store.Failure) bool {
	select {
	case w.queue <- f:
		return true
	default:
		w.countDrop(DropQueueFull)
		return false
	}
}

// Dropped is how many stories were not stored for reason so far.
func (w *Writer) Dropped(reason string) int64 {
	for i, r := range dropReasons {
		if r == reason {
			return w.dropped[i].Load()
		}
	}
	return 0
}

func (w *Writer) countDrop(reason string) {
	for i, r := range dropReasons {
		if r == reason {
			w.dropped[i].Add(1)
		}
	}
	if w.o.Dropped != nil {
		w.o.Dropped(reason)
	}
}

// Flush waits until every story queued before it has been written (or
// dropped), or ctx ends.
func (w *Writer) Flush(ctx context.Context) error {
	done := make(chan struct{})
	select {
	case w.flushes <- done:
	case <-w.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops the writer after writing what is queued: the server calls it
// once it has stopped taking requests. It returns when the queue is
// written or ctx ends.
func (w *Writer) Close(ctx context.Context) error {
	w.once.Do(func() { close(w.stop) })
	if !w.started.Load() {
		return nil
	}
	select {
	case <-w.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (w *Writer) run() {
	defer close(w.done)
	tick := time.NewTicker(w.o.ReportEvery)
	defer tick.Stop()
	for {
		select {
		case f := <-w.queue:
			w.write(f)
		case done := <-w.flushes:
			w.drain()
			close(done)
		case <-tick.C:
			w.report()
		case <-w.stop:
			w.drain()
			w.report()
			return
		}
	}
}

// drain writes everything queued now.
func (w *Writer) drain() {
	for {
		select {
		case f := <-w.queue:
			w.write(f)
		default:
			return
		}
	}
}

// write stores first and whatever else is queued, up to a batch.
func (w *Writer) write(first *store.Failure) {
	batch := []*store.Failure{first}
gather:
	for len(batch) < maxWriteBatch {
		select {
		case f := <-w.queue:
			batch = append(batch, f)
		default:
			break gather
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), saveTimeout)
	defer cancel()
	for _, f := range batch {
		classify(ctx, w.o.Known, f)
	}
	if err := w.o.Store.RecordFailures(ctx, batch); err != nil {
		if w.dropped[2].Load() == w.reported[2] {
			// The first failed write since the last report says why; the
			// next report counts the rest.
			w.o.Log.Warn("could not record failures", "stories", len(batch), "err", err)
		}
		for range batch {
			w.countDrop(DropStoreError)
		}
		return
	}
	for _, f := range batch {
		if f.Unattributed {
			w.sinceTrim[1]++
		} else {
			w.sinceTrim[0]++
		}
	}
	w.trim(ctx)
}

// trim bounds each class that has grown by a tenth of its bound.
func (w *Writer) trim(ctx context.Context) {
	for i, bound := range []int{w.o.MaxStories, w.o.MaxUnattributed} {
		if bound <= 0 || w.sinceTrim[i] < trimEvery(bound) {
			continue
		}
		if _, err := w.o.Store.TrimFailures(ctx, i == 1, bound); err != nil {
			w.o.Log.Warn("could not trim failure stories", "unattributed", i == 1, "err", err)
			continue
		}
		w.sinceTrim[i] = 0
	}
}

// report logs, at most once per ReportEvery, how many stories were
// dropped since the last report, and the sampler's finished summaries.
func (w *Writer) report() {
	if w.o.Sampler != nil {
		logSummaries(context.Background(), w.o.Log, w.o.Sampler.Flush(w.o.Now()))
	}
	var attrs []any
	for i, r := range dropReasons {
		n := w.dropped[i].Load()
		if d := n - w.reported[i]; d > 0 && r != DropRepeated {
			attrs = append(attrs, r, d)
		}
		w.reported[i] = n
	}
	if attrs != nil {
		w.o.Log.Warn("failure stories dropped", append(attrs, "queue", cap(w.queue))...)
	}
}
