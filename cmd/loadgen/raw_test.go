package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestParseResponse(t *testing.T) {
	tests := []struct {
		name, in   string
		status     int
		body       string
		keep, fail bool
	}{
		{"content length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", 200, "hello", true, false},
		{"chunked with extension and trailer", "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\n", 201, "hello world", true, false},
		{"connection close", "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}", 400, "{}", false, false},
		{"to end of stream", "HTTP/1.1 200 OK\r\n\r\nrest", 200, "rest", false, false},
		{"bad status line", "HTTP/1.0 200 OK\r\n\r\n", 0, "", false, true},
		{"bad chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 0, "", false, true},
		{"short body", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", 0, "", false, true},
		{"short chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhe", 0, "", false, true},
		{"headers cut", "HTTP/1.1 200 OK\r\nContent-Le", 0, "", false, true},
		{"no content", "HTTP/1.1 204 No Content\r\n\r\n", 204, "", true, false},
		{"not modified with a length", "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n", 304, "", true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// With the connection ended after in: complete or an error.
			resp, n, err := parseResponse([]byte(tc.in), true)
			if tc.fail {
				if err == nil {
					t.Fatalf("accepted %q", tc.in)
				}
				return
			}
			if err != nil || n != len(tc.in) || resp.status != tc.status || string(resp.body) != tc.body || resp.keep != tc.keep {
				t.Fatalf("got %d %q keep=%v n=%d err=%v", resp.status, resp.body, resp.keep, n, err)
			}
			// Arriving a byte at a time: incomplete until the last byte
			// (a body without a length only ends with the connection).
			for i := range len(tc.in) - 1 {
				if _, n, err := parseResponse([]byte(tc.in[:i]), false); n != 0 || err != nil {
					t.Fatalf("after %d of %d bytes: n=%d err=%v", i, len(tc.in), n, err)
				}
			}
		})
	}
	// Two answers back to back: the first takes only its own bytes.
	two := "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naHTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n"
	resp, n, err := parseResponse([]byte(two), false)
	if err != nil || string(resp.body) != "a" || two[n:] != "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n" {
		t.Fatalf("first of two: %q n=%d err=%v", resp.body, n, err)
	}
}

// testServer answers like Lucid's endpoints do: small answers with a
// length, large ones chunked; every fifth answer closes the connection.
func testServer(t *testing.T) (*httptest.Server, string) {
	t.Helper()
	big := strings.Repeat("x", 10000) // past net/http's buffer: chunked
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		if n.Add(1)%5 == 0 {
			w.Header().Set("Connection", "close")
		}
		if r.Header.Get("Authorization") != "Basic abc" {
			w.WriteHeader(401)
			return
		}
		if r.URL.Path == "/big" {
			_, _ = w.Write([]byte(big))
			return
		}
		if r.URL.Path == "/drop" { // no answer at all
			if c, _, err := http.NewResponseController(w).Hijack(); err == nil {
				_ = c.Close()
			}
			return
		}
		_, _ = w.Write([]byte(r.Method + " " + r.URL.Path + " " + r.PostForm.Get("a")))
	}))
	t.Cleanup(srv.Close)
	return srv, big
}

// TestRawClientAgainstNetHTTP: the raw client and Go's server agree, over
// several requests on reused connections, for small and chunked answers.
func TestRawClientAgainstNetHTTP(t *testing.T) {
	srv, big := testServer(t)
	u, _ := url.Parse(srv.URL)
	rc := newRawClient(u.Host, u.Host, 2, 5*time.Second)
	defer rc.close()
	for i := range 20 {
		status, body, err := rc.do(request{"POST", "/token", "Basic abc", "a=1&b=2", ""})
		if err != nil || status != 200 || string(body) != "POST /token 1" {
			t.Fatalf("request %d: %d %q %v", i, status, body, err)
		}
		status, body, err = rc.do(request{"GET", "/big", "Basic abc", "", ""})
		if err != nil || status != 200 || string(body) != big {
			t.Fatalf("big %d: %d %d bytes %v", i, status, len(body), err)
		}
	}
	if status, _, err := rc.do(request{"GET", "/", "", "", ""}); err != nil || status != 401 {
		t.Fatalf("unauthenticated: %d %v", status, err)
	}
}

// TestEventLoopAgainstNetHTTP: the event loop carries every worker's
// requests, checks each answer, reconnects when the server closes, and
// stops at max requests; a failed check is an error, not a result.
func TestEventLoopAgainstNetHTTP(t *testing.T) {
	if !haveEventLoop {
		t.Skip("no event loop on this system")
	}
	srv, big := testServer(t)
	u, _ := url.Parse(srv.URL)
	var checked atomic.Int64
	steps := make([]step, 4)
	for i := range steps {
		r := request{"POST", "/token", "Basic abc", fmt.Sprintf("a=%d", i), ""}
		want := fmt.Sprintf("POST /token %d", i)
		if i == 3 {
			r, want = request{"GET", "/big", "Basic abc", "", ""}, big
		}
		steps[i] = step{
			next: func() (request, error) { return r, nil },
			check: func(status int, body []byte) error {
				checked.Add(1)
				if status != 200 || string(body) != want {
					return fmt.Errorf("worker %d: %d %.40q", i, status, body)
				}
				return nil
			},
		}
	}
	ph := runLoop(context.Background(), u.Host, u.Host, steps, 10*time.Second, 400, 5*time.Second, 0)
	if ph.errors != 0 || len(ph.latencies) != 400 || checked.Load() != 400 {
		t.Fatalf("%d results, %d errors (%s), %d checks; want 400 results", len(ph.latencies), ph.errors, ph.firstErr, checked.Load())
	}
	if ph.elapsed >= 5*time.Second {
		t.Errorf("the phase went on for %s after its 400 requests", ph.elapsed)
	}

	// A worker whose material runs out ends the phase; failed checks count.
	left := 10
	bad := step{
		next: func() (request, error) {
			if left == 0 {
				return request{}, errExhausted
			}
			left--
			return request{"GET", "/", "", "", ""}, nil // 401
		},
		check: func(status int, _ []byte) error {
			if status != 200 {
				return fmt.Errorf("HTTP %d", status)
			}
			return nil
		},
	}
	ph = runLoop(context.Background(), u.Host, u.Host, []step{bad}, 10*time.Second, 1000, 5*time.Second, 0)
	if !ph.exhausted || ph.errors != 10 || len(ph.latencies) != 0 || ph.firstErr != "HTTP 401" {
		t.Fatalf("exhausted=%v errors=%d results=%d first=%q; want exhausted after 10 errors", ph.exhausted, ph.errors, len(ph.latencies), ph.firstErr)
	}
}

// TestAbortOnNoAnswer: a request that gets no answer is an error, its
// check is not run, and its step hears of it (so that a refresh chain is
// not replayed), on the event loop and with a goroutine per worker alike.
func TestAbortOnNoAnswer(t *testing.T) {
	srv, _ := testServer(t)
	u, _ := url.Parse(srv.URL)
	var aborted, checked atomic.Int64
	newStep := func() step {
		return step{
			next:  func() (request, error) { return request{"GET", "/drop", "Basic abc", "", ""}, nil },
			check: func(int, []byte) error { checked.Add(1); return nil },
			abort: func() { aborted.Add(1) },
		}
	}
	g := &generator{raw: newRawClient(u.Host, u.Host, 2, 5*time.Second), o: &options{timeout: 5 * time.Second}}
	defer g.raw.close()
	phases := map[string]phase{"workers": g.runWorkers(context.Background(), target{raw: g.raw}, []step{newStep(), newStep()}, 10*time.Second, 6)}
	if haveEventLoop {
		phases["event loop"] = runLoop(context.Background(), u.Host, u.Host, []step{newStep(), newStep()}, 10*time.Second, 6, 5*time.Second, 0)
	}
	for name, ph := range phases {
		if ph.errors != 6 || len(ph.latencies) != 0 {
			t.Errorf("%s: %d errors, %d results; want 6 errors", name, ph.errors, len(ph.latencies))
		}
	}
	if want := int64(6 * len(phases)); aborted.Load() != want || checked.Load() != 0 {
		t.Fatalf("aborted %d times, checked %d times; want %d aborts and no check", aborted.Load(), checked.Load(), want)
	}
}
