package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"
)

// rawClient speaks just enough HTTP/1.1 for the load: keep-alive
// connections to one loopback host, a request with a few headers, a
// response with Content-Length or chunked encoding. It exists because
// net/http's client spends about as much CPU per request as Lucid does;
// on a machine where the generator shares the CPUs with Lucid, every
// microsecond the generator spends is taken from the server it measures.
type rawClient struct {
	addr    string // host:port to dial
	host    string // Host header
	timeout time.Duration
	idle    chan *rawConn
}

type rawConn struct {
	c   net.Conn
	r   *bufio.Reader
	buf []byte // request being written, reused
}

func newRawClient(addr, host string, conns int, timeout time.Duration) *rawClient {
	return &rawClient{addr: addr, host: host, timeout: timeout, idle: make(chan *rawConn, conns)}
}

// do sends one request and returns the status and body. A connection that
// failed, or that the server will close, is not reused.
func (rc *rawClient) do(method, path, auth, form string) (int, []byte, error) {
	var c *rawConn
	select {
	case c = <-rc.idle:
	default:
		nc, err := net.DialTimeout("tcp", rc.addr, 5*time.Second)
		if err != nil {
			return 0, nil, err
		}
		c = &rawConn{c: nc, r: bufio.NewReaderSize(nc, 16<<10)}
	}
	status, body, keep, err := c.roundTrip(rc.host, method, path, auth, form, rc.timeout)
	if err != nil || !keep {
		_ = c.c.Close()
		return status, body, err
	}
	select {
	case rc.idle <- c:
	default:
		_ = c.c.Close()
	}
	return status, body, nil
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

func (c *rawConn) roundTrip(host, method, path, auth, form string, timeout time.Duration) (status int, body []byte, keep bool, err error) {
	if err := c.c.SetDeadline(time.Now().Add(timeout)); err != nil {
		return 0, nil, false, err
	}
	b := c.buf[:0]
	b = append(b, method...)
	b = append(b, ' ')
	b = append(b, path...)
	b = append(b, " HTTP/1.1\r\nHost: "...)
	b = append(b, host...)
	b = append(b, "\r\n"...)
	if auth != "" {
		b = append(b, "Authorization: "...)
		b = append(b, auth...)
		b = append(b, "\r\n"...)
	}
	if form != "" {
		b = append(b, "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: "...)
		b = strconv.AppendInt(b, int64(len(form)), 10)
		b = append(b, "\r\n"...)
	}
	b = append(b, "\r\n"...)
	b = append(b, form...)
	c.buf = b
	if _, err := c.c.Write(b); err != nil {
		return 0, nil, false, err
	}
	return readResponse(c.r)
}

var errMalformed = errors.New("malformed HTTP response")

// readResponse reads one HTTP/1.1 response.
func readResponse(r *bufio.Reader) (status int, body []byte, keep bool, err error) {
	line, err := r.ReadSlice('\n')
	if err != nil {
		return 0, nil, false, err
	}
	// "HTTP/1.1 200 OK\r\n"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.1 ")) {
		return 0, nil, false, fmt.Errorf("%w: status line %q", errMalformed, line)
	}
	status, err = strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, nil, false, fmt.Errorf("%w: status %q", errMalformed, line[9:12])
	}
	length, chunked, keep := -1, false, true
	for {
		line, err := r.ReadSlice('\n')
		if err != nil {
			return 0, nil, false, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return 0, nil, false, fmt.Errorf("%w: header %q", errMalformed, line)
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(value)); err != nil || length < 0 {
				return 0, nil, false, fmt.Errorf("%w: Content-Length %q", errMalformed, value)
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(value, []byte("chunked"))
		case bytes.EqualFold(name, []byte("Connection")):
			keep = !bytes.EqualFold(value, []byte("close"))
		}
	}
	switch {
	case chunked:
		body, err = readChunked(r)
	case length >= 0:
		body = make([]byte, length)
		_, err = io.ReadFull(r, body)
	default:
		// Neither: the body runs to the end of the connection.
		body, err = io.ReadAll(r)
		keep = false
	}
	return status, body, keep && err == nil, err
}

// readChunked reads a chunked body (RFC 9112 §7.1), ignoring extensions
// and trailers.
func readChunked(r *bufio.Reader) ([]byte, error) {
	var body []byte
	for {
		line, err := r.ReadSlice('\n')
		if err != nil {
			return nil, err
		}
		size, _, _ := bytes.Cut(bytes.TrimRight(line, "\r\n"), []byte(";"))
		n, err := strconv.ParseUint(string(bytes.TrimSpace(size)), 16, 32)
		if err != nil {
			return nil, fmt.Errorf("%w: chunk size %q", errMalformed, size)
		}
		if n == 0 {
			for { // trailers, then the empty line
				line, err := r.ReadSlice('\n')
				if err != nil {
					return nil, err
				}
				if len(bytes.TrimRight(line, "\r\n")) == 0 {
					return body, nil
				}
			}
		}
		start := len(body)
		body = append(body, make([]byte, n)...)
		if _, err := io.ReadFull(r, body[start:]); err != nil {
			return nil, err
		}
		if _, err := r.Discard(2); err != nil { // CRLF after the chunk
			return nil, err
		}
	}
}
