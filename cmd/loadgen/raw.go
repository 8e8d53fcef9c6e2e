package main

import (
	"io"
	"net"
	"time"
)

// rawClient speaks just enough HTTP/1.1 for the load (http1.go) over
// keep-alive connections to one loopback host, one goroutine per request.
// It sends the setup requests, and the load where the event loop
// (evloop_linux.go) is not available. It exists because net/http's client
// spends about as much CPU per request as Lucid does; on a machine where
// the generator shares the CPUs with Lucid, every microsecond the
// generator spends is taken from the server it measures.
type rawClient struct {
	addr    string // host:port to dial
	host    string // Host header
	timeout time.Duration
	idle    chan *rawConn
}

type rawConn struct {
	c   net.Conn
	in  []byte // bytes read and not yet parsed
	out []byte // request being written, reused
}

func newRawClient(addr, host string, conns int, timeout time.Duration) *rawClient {
	return &rawClient{addr: addr, host: host, timeout: timeout, idle: make(chan *rawConn, conns)}
}

// do sends one request and returns the status and body. A connection that
// failed, or that the server will close, is not reused.
func (rc *rawClient) do(r request) (int, []byte, error) {
	var c *rawConn
	select {
	case c = <-rc.idle:
	default:
		nc, err := net.DialTimeout("tcp", rc.addr, 5*time.Second)
		if err != nil {
			return 0, nil, err
		}
		c = &rawConn{c: nc, in: make([]byte, 0, 16<<10)}
	}
	resp, err := c.roundTrip(rc.host, r, rc.timeout)
	if err != nil || !resp.keep {
		_ = c.c.Close()
		return resp.status, resp.body, err
	}
	select {
	case rc.idle <- c:
	default:
		_ = c.c.Close()
	}
	return resp.status, resp.body, nil
}

// close closes the idle connections.
func (rc *rawClient) close() {
	for {
		select {
		case c := <-rc.idle:
			_ = c.c.Close()
		default:
			return
		}
	}
}

func (c *rawConn) roundTrip(host string, r request, timeout time.Duration) (response, error) {
	if err := c.c.SetDeadline(time.Now().Add(timeout)); err != nil {
		return response{}, err
	}
	c.out = appendRequest(c.out[:0], host, r)
	if _, err := c.c.Write(c.out); err != nil {
		return response{}, err
	}
	eof := false
	for {
		resp, n, err := parseResponse(c.in, eof)
		if err != nil {
			return response{}, err
		}
		if n > 0 {
			// The body is copied out: c.in is reused for the next answer.
			resp.body = append([]byte(nil), resp.body...)
			c.in = c.in[:copy(c.in, c.in[n:])]
			return resp, nil
		}
		if len(c.in) == cap(c.in) {
			c.in = append(c.in, make([]byte, cap(c.in))...)[:len(c.in)]
		}
		m, err := c.c.Read(c.in[len(c.in):cap(c.in)])
		c.in = c.in[:len(c.in)+m]
		switch {
		case err == io.EOF:
			eof = true
		case err != nil:
			return response{}, err
		}
	}
}
