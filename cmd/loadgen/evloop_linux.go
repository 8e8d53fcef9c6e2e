//go:build linux

package main

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"net"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// haveEventLoop says runLoop drives the load on this system.
const haveEventLoop = true

// runLoop drives one keep-alive connection per step from this goroutine
// with epoll, the way wrk does: nonblocking sockets, one write and one
// read per request, and no scheduler hand-off between the two. A
// goroutine per connection costs 12–40 µs of CPU per request here, most of
// it in the Go scheduler parking and waking threads; this loop costs
// about 7 µs, which on a machine shared with Lucid is CPU left to Lucid.
//
// backoff > 0 makes a connection whose request was shed wait that long
// before its next request, as a client honouring Retry-After does.
func runLoop(ctx context.Context, addr, host string, steps []step, d time.Duration, max int, timeout, backoff time.Duration) phase {
	l := &loop{host: host, timeout: timeout, max: max, ctx: ctx, backoff: backoff}
	var out phase
	if err := l.open(addr, steps); err != nil {
		l.close()
		out.errors, out.firstErr = len(steps), err.Error()
		return out
	}
	defer l.close()
	start := time.Now()
	deadline := start.Add(d)
	for _, c := range l.conns {
		l.issue(c, start)
	}
	events := make([]unix.EpollEvent, len(l.conns))
	lastScan := start
	for {
		now := time.Now()
		if !l.stopping && (!now.Before(deadline) || ctx.Err() != nil) {
			l.stopping = true
		}
		if l.stopping && l.inFlight == 0 {
			break
		}
		if now.Sub(lastScan) > 100*time.Millisecond {
			lastScan = now
			for _, c := range l.conns {
				if c.waiting && now.Sub(c.sent) > timeout {
					l.fail(c, fmt.Errorf("no answer within %s", timeout), now)
				}
			}
		}
		n, err := epollWait(l.ep, events, 10)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			l.record(fmt.Errorf("epoll_wait: %w", err))
			break
		}
		now = time.Now()
		for len(l.paused) > 0 && !l.paused[0].resumeAt.After(now) {
			l.issue(heap.Pop(&l.paused).(*loopConn), now)
		}
		for _, ev := range events[:n] {
			c := l.conns[ev.Fd]
			if ev.Events&unix.EPOLLOUT != 0 {
				// With nothing to send (a connection left idle at the end),
				// stop asking: EPOLLOUT on an idle socket fires at once.
				l.flush(c, now)
			}
			if ev.Events&(unix.EPOLLIN|unix.EPOLLHUP|unix.EPOLLERR) != 0 {
				l.readable(c, now)
			}
		}
	}
	out.latencies, out.errors, out.shed, out.firstErr, out.exhausted = l.latencies, l.errors, l.shed, l.firstErr, l.exhausted
	out.elapsed = time.Since(start)
	return out
}

// epollWait is epoll_wait as a raw system call. Through the runtime's
// system call path, every wait that blocks makes the scheduler hand this
// goroutine's P away and wake a thread to take it back, which costs more
// than the request it waits for when answers come a few a millisecond. A
// raw call keeps the P; the runtime waits at most the 10 ms timeout for it
// (a stop-the-world, say), and a preemption signal only ends the wait
// early (EINTR).
func epollWait(ep int, events []unix.EpollEvent, msec int) (int, error) {
	n, _, errno := unix.RawSyscall6(unix.SYS_EPOLL_PWAIT, uintptr(ep), uintptr(unsafe.Pointer(&events[0])), uintptr(len(events)), uintptr(msec), 0, 0)
	if errno != 0 {
		return 0, errno
	}
	return int(n), nil
}

// loop is the state of one runLoop.
type loop struct {
	ctx     context.Context
	host    string
	timeout time.Duration
	max     int
	ep      int
	sa      unix.Sockaddr
	family  int
	conns   []*loopConn

	started, inFlight int
	stopping          bool // no new requests: time is up, or material ran out
	backoff           time.Duration
	paused            pausedConns // shed, waiting for resumeAt
	latencies         []time.Duration
	errors, shed      int
	firstErr          string
	exhausted         bool
}

// loopConn is one connection and the worker whose requests it carries.
type loopConn struct {
	id      int32 // index in loop.conns, the epoll event's data
	fd      int
	st      step
	in      []byte // bytes read and not yet parsed
	out     []byte // the request being sent
	off     int    // bytes of out written
	wantOut bool   // registered for EPOLLOUT
	sent    time.Time
	waiting bool // a request is in flight
	// resumeAt is when a shed connection sends again (backoff).
	resumeAt time.Time
}

func (l *loop) open(addr string, steps []step) error {
	ta, err := net.ResolveTCPAddr("tcp", addr)
	if err != nil {
		return err
	}
	if ip4 := ta.IP.To4(); ip4 != nil {
		l.family, l.sa = unix.AF_INET, &unix.SockaddrInet4{Port: ta.Port, Addr: [4]byte(ip4)}
	} else {
		l.family, l.sa = unix.AF_INET6, &unix.SockaddrInet6{Port: ta.Port, Addr: [16]byte(ta.IP.To16())}
	}
	if l.ep, err = unix.EpollCreate1(unix.EPOLL_CLOEXEC); err != nil {
		return fmt.Errorf("epoll_create: %w", err)
	}
	for i, st := range steps {
		c := &loopConn{id: int32(i), fd: -1, st: st, in: make([]byte, 0, 16<<10)}
		l.conns = append(l.conns, c)
		if err := l.dial(c); err != nil {
			return err
		}
	}
	return nil
}

// dial opens c's socket; the connection completes in the background and
// the first request waits for it (EPOLLOUT).
func (l *loop) dial(c *loopConn) error {
	fd, err := unix.Socket(l.family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("socket: %w", err)
	}
	// Requests are one write each: Nagle would only delay them.
	_ = unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	if err := unix.Connect(fd, l.sa); err != nil && !errors.Is(err, unix.EINPROGRESS) {
		_ = unix.Close(fd)
		return fmt.Errorf("connect: %w", err)
	}
	ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLOUT, Fd: c.id}
	if err := unix.EpollCtl(l.ep, unix.EPOLL_CTL_ADD, fd, &ev); err != nil {
		_ = unix.Close(fd)
		return fmt.Errorf("epoll_ctl: %w", err)
	}
	c.fd, c.wantOut, c.in, c.off, c.out = fd, true, c.in[:0], 0, c.out[:0]
	return nil
}

func (l *loop) close() {
	for _, c := range l.conns {
		if c.fd >= 0 {
			_ = unix.Close(c.fd)
		}
	}
	if l.ep > 0 {
		_ = unix.Close(l.ep)
	}
}

// issue starts c's next request, unless the phase is ending.
func (l *loop) issue(c *loopConn, now time.Time) {
	if l.started >= l.max {
		l.stopping = true
	}
	if l.stopping || l.ctx.Err() != nil {
		return
	}
	r, err := c.st.next()
	if errors.Is(err, errExhausted) {
		l.exhausted, l.stopping = true, true
		return
	}
	l.started++
	l.inFlight++
	c.out, c.off = appendRequest(c.out[:0], l.host, r), 0
	c.sent, c.waiting = now, true
	l.flush(c, now)
}

// flush writes what is left of c's request, asking for EPOLLOUT only
// while the socket cannot take it all.
func (l *loop) flush(c *loopConn, now time.Time) {
	for c.off < len(c.out) {
		n, err := unix.Write(c.fd, c.out[c.off:])
		if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.ENOTCONN) {
			l.watchOut(c, true, now)
			return
		}
		if err != nil {
			l.fail(c, fmt.Errorf("write: %w", err), now)
			return
		}
		c.off += n
	}
	l.watchOut(c, false, now)
}

func (l *loop) watchOut(c *loopConn, want bool, now time.Time) {
	if c.wantOut == want {
		return
	}
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: c.id}
	if want {
		ev.Events |= unix.EPOLLOUT
	}
	if err := unix.EpollCtl(l.ep, unix.EPOLL_CTL_MOD, c.fd, &ev); err != nil {
		l.fail(c, fmt.Errorf("epoll_ctl: %w", err), now)
		return
	}
	c.wantOut = want
}

// readable reads what c's socket holds and finishes its request when the
// whole answer is in.
func (l *loop) readable(c *loopConn, now time.Time) {
	eof := false
	for {
		if len(c.in) == cap(c.in) {
			c.in = append(c.in, make([]byte, cap(c.in))...)[:len(c.in)]
		}
		n, err := unix.Read(c.fd, c.in[len(c.in):cap(c.in)])
		if n > 0 {
			c.in = c.in[:len(c.in)+n]
			continue
		}
		if errors.Is(err, unix.EAGAIN) {
			break
		}
		if err != nil {
			l.fail(c, fmt.Errorf("read: %w", err), now)
			return
		}
		eof = true // n == 0
		break
	}
	if !c.waiting {
		if eof || len(c.in) > 0 {
			// The server closed an idle connection, or spoke unasked.
			l.reconnect(c, now)
		}
		return
	}
	resp, used, err := parseResponse(c.in, eof)
	if err != nil {
		l.fail(c, err, now)
		return
	}
	if used == 0 {
		return // more to come
	}
	took := now.Sub(c.sent)
	c.waiting = false
	l.inFlight--
	pause := false
	switch {
	case isShed(resp.status, resp.body):
		l.shed++
		pause = l.backoff > 0
	default:
		if err := c.st.check(resp.status, resp.body); err != nil {
			l.record(err)
		} else {
			l.latencies = append(l.latencies, took)
		}
	}
	c.in = c.in[:copy(c.in, c.in[used:])]
	if eof || !resp.keep {
		l.reconnect(c, now)
		return
	}
	if pause {
		c.resumeAt = now.Add(jitter(l.backoff))
		heap.Push(&l.paused, c)
		return
	}
	l.issue(c, now)
}

// pausedConns is a min-heap of shed connections by resumeAt.
type pausedConns []*loopConn

func (p pausedConns) Len() int           { return len(p) }
func (p pausedConns) Less(i, j int) bool { return p[i].resumeAt.Before(p[j].resumeAt) }
func (p pausedConns) Swap(i, j int)      { p[i], p[j] = p[j], p[i] }
func (p *pausedConns) Push(x any)        { *p = append(*p, x.(*loopConn)) }
func (p *pausedConns) Pop() any {
	old := *p
	c := old[len(old)-1]
	*p = old[:len(old)-1]
	return c
}

// fail ends c's request with err, then carries on with a new connection.
func (l *loop) fail(c *loopConn, err error, now time.Time) {
	if c.waiting {
		c.waiting = false
		l.inFlight--
		l.record(err)
		if c.st.abort != nil {
			c.st.abort()
		}
	}
	l.reconnect(c, now)
}

// reconnect replaces c's connection and starts its next request.
func (l *loop) reconnect(c *loopConn, now time.Time) {
	if c.fd >= 0 {
		_ = unix.Close(c.fd) // also leaves the epoll set
		c.fd = -1
	}
	if l.stopping {
		return
	}
	if err := l.dial(c); err != nil {
		l.record(err)
		l.stopping = true // cannot reach Lucid any more
		return
	}
	l.issue(c, now)
}

// record counts a failed request; one interrupted by the end of ctx is
// neither a result nor Lucid's error.
func (l *loop) record(err error) {
	if l.ctx.Err() != nil {
		return
	}
	l.errors++
	if l.firstErr == "" {
		l.firstErr = err.Error()
	}
}
