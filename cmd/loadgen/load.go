package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"
)

// result is one scenario's measurement.
type result struct {
	name      string
	ok        int
	errors    int
	shed      int // answered 503 (server_overloaded): neither ok nor an error
	firstErr  string
	exhausted bool
	elapsed   time.Duration
	p50, p99  time.Duration
	max       time.Duration
	// serverCPU and clientCPU are CPU time per successful request of
	// Lucid and of loadgen itself (which shares the machine).
	serverCPU time.Duration
	clientCPU time.Duration
	rssBefore int64
	rssPeak   int64
}

func (r result) rate() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.ok) / r.elapsed.Seconds()
}

// phase is the outcome of running the workers for a while.
type phase struct {
	latencies []time.Duration // of successful requests
	errors    int
	shed      int // 503 answers
	firstErr  string
	exhausted bool
	elapsed   time.Duration
}

// runPhase runs one step per worker until d has passed, max requests were
// started, material ran out or ctx ended. In-flight requests finish (each
// is bounded by the client timeout), so the last ones are not errors.
// Plain HTTP runs on the event loop where there is one; https, or a
// system without it, runs a goroutine per worker.
func (g *generator) runPhase(ctx context.Context, tgt target, steps []step, d time.Duration, max int) phase {
	if tgt.raw != nil && haveEventLoop {
		return runLoop(ctx, tgt.raw.addr, tgt.raw.host, steps, d, max, g.o.timeout, g.o.backoff)
	}
	return g.runWorkers(ctx, tgt, steps, d, max)
}

// target is where measured load goes: Lucid, or the bare-Go baseline.
type target struct {
	pid int
	// raw speaks plain HTTP to the target; nil for an https Lucid, which
	// gets net/http instead.
	raw *rawClient
}

func (t target) roundTrip(ctx context.Context, g *generator, r request) (int, []byte, error) {
	if t.raw != nil {
		return t.raw.do(r)
	}
	return g.sendHTTP(ctx, r)
}

// runWorkers is runPhase with a goroutine per worker.
func (g *generator) runWorkers(ctx context.Context, tgt target, steps []step, d time.Duration, max int) phase {
	var (
		mu        sync.Mutex
		out       phase
		started   atomic.Int64
		exhausted atomic.Bool
		wg        sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(d)
	for _, st := range steps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat := make([]time.Duration, 0, 1024)
			errs, sheds, first := 0, 0, ""
			for time.Now().Before(deadline) && ctx.Err() == nil && !exhausted.Load() {
				if started.Add(1) > int64(max) {
					break
				}
				r, err := st.next()
				if errors.Is(err, errExhausted) {
					exhausted.Store(true)
					break
				}
				t0 := time.Now()
				status, body, err := tgt.roundTrip(ctx, g, r)
				took := time.Since(t0)
				shed := err == nil && isShed(status, body)
				switch {
				case err != nil && st.abort != nil:
					st.abort()
				case err == nil && !shed:
					err = st.check(status, body)
				}
				switch {
				case shed:
					sheds++
					if g.o.backoff > 0 {
						time.Sleep(min(jitter(g.o.backoff), time.Until(deadline)))
					}
				case err != nil && ctx.Err() != nil:
					// Interrupted: neither a result nor an error of Lucid's.
				case err != nil:
					errs++
					if first == "" {
						first = err.Error()
					}
				default:
					lat = append(lat, took)
				}
			}
			mu.Lock()
			out.latencies = append(out.latencies, lat...)
			out.errors += errs
			out.shed += sheds
			if out.firstErr == "" {
				out.firstErr = first
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	out.elapsed = time.Since(start)
	out.exhausted = exhausted.Load()
	return out
}

// isShed reports an answer Lucid gave without doing any work, because
// the endpoint's class was full (server_overloaded): counted apart from
// successes and errors, and the request's material (a refresh token) is
// still good.
func isShed(status int, body []byte) bool {
	return status == http.StatusServiceUnavailable && bytes.Contains(body, []byte(`"server_overloaded"`))
}

// jitter spreads a backoff over [d/2, 3d/2), as clients told to use a
// randomised delay do: without it, every client shed in one burst comes
// back in the next.
func jitter(d time.Duration) time.Duration {
	return d/2 + rand.N(d)
}

// measure warms up, then measures one scenario while sampling the
// target's resident memory.
func (g *generator) measure(ctx context.Context, name string, tgt target, newStep func(int) step) (result, error) {
	pid := tgt.pid
	steps := make([]step, g.o.concurrency)
	for i := range steps {
		steps[i] = newStep(i)
	}
	res := result{name: name}
	before, err := readProc(pid)
	if err != nil {
		return res, err
	}
	res.rssBefore, res.rssPeak = before.rss, before.rss
	if g.o.warmup > 0 {
		w := g.runPhase(ctx, tgt, steps, g.o.warmup, g.o.maxRequests)
		if w.errors > 0 && len(w.latencies) == 0 {
			return res, fmt.Errorf("every warm-up request failed; the first: %s", w.firstErr)
		}
	}

	stop := make(chan struct{})
	var peak atomic.Int64
	peak.Store(before.rss)
	var sampler sync.WaitGroup
	sampler.Add(1)
	go func() {
		defer sampler.Done()
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				if s, err := readProc(pid); err == nil && s.rss > peak.Load() {
					peak.Store(s.rss)
				}
			}
		}
	}()
	p0, err := readProc(pid)
	if err != nil {
		close(stop)
		return res, err
	}
	self0 := selfCPU()
	ph := g.runPhase(ctx, tgt, steps, g.o.duration, g.o.maxRequests)
	self1 := selfCPU()
	p1, err := readProc(pid)
	close(stop)
	sampler.Wait()
	if err != nil {
		return res, err
	}

	res.ok, res.errors, res.shed, res.firstErr, res.exhausted, res.elapsed = len(ph.latencies), ph.errors, ph.shed, ph.firstErr, ph.exhausted, ph.elapsed
	res.rssPeak = max(peak.Load(), p1.rss)
	slices.Sort(ph.latencies)
	res.p50, res.p99 = percentile(ph.latencies, 0.50), percentile(ph.latencies, 0.99)
	if n := len(ph.latencies); n > 0 {
		res.max = ph.latencies[n-1]
		res.serverCPU = (p1.cpu - p0.cpu) / time.Duration(n)
		res.clientCPU = (self1 - self0) / time.Duration(n)
	}
	return res, nil
}

// percentile is the nearest-rank percentile of sorted values.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

func printResults(w io.Writer, results []result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\trequests\terrors\tshed\treq/s\tp50\tp99\tmax\tserver cpu/req\tloadgen cpu/req\trss before\trss peak\t")
	for _, r := range results {
		name := r.name
		if r.exhausted {
			name += "*"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.0f\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n",
			name, r.ok, r.errors, r.shed, r.rate(), ms(r.p50), ms(r.p99), ms(r.max),
			us(r.serverCPU), us(r.clientCPU), mib(r.rssBefore), mib(r.rssPeak))
	}
	_ = tw.Flush()
	for _, r := range results {
		if r.exhausted {
			fmt.Fprintf(w, "* %s used up its pre-minted material after %s (raise --pool for a longer run)\n", r.name, r.elapsed.Round(time.Millisecond))
		}
	}
	for _, r := range results {
		if r.errors > 0 {
			fmt.Fprintf(w, "%s: %d errors; the first: %s\n", r.name, r.errors, r.firstErr)
		}
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond)) }
func us(d time.Duration) string { return fmt.Sprintf("%.0fµs", float64(d)/float64(time.Microsecond)) }
func mib(b int64) string        { return fmt.Sprintf("%.1fMiB", float64(b)/(1<<20)) }
