package main

import (
	"bufio"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestReadResponse(t *testing.T) {
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
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body, keep, err := readResponse(bufio.NewReader(strings.NewReader(tc.in)))
			if tc.fail {
				if err == nil {
					t.Fatalf("accepted %q", tc.in)
				}
				return
			}
			if err != nil || status != tc.status || string(body) != tc.body || keep != tc.keep {
				t.Fatalf("got %d %q keep=%v err=%v", status, body, keep, err)
			}
		})
	}
}

// TestRawClientAgainstNetHTTP: the raw client and Go's server agree, over
// several requests on reused connections, for small and chunked answers.
func TestRawClientAgainstNetHTTP(t *testing.T) {
	big := strings.Repeat("x", 10000) // past net/http's buffer: chunked
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		if r.Header.Get("Authorization") != "Basic abc" {
			w.WriteHeader(401)
			return
		}
		if r.URL.Path == "/big" {
			_, _ = w.Write([]byte(big))
			return
		}
		_, _ = w.Write([]byte(r.Method + " " + r.URL.Path + " " + r.PostForm.Get("a")))
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	rc := newRawClient(u.Host, u.Host, 2, 5*time.Second)
	defer rc.close()
	for i := range 20 {
		status, body, err := rc.do("POST", "/token", "Basic abc", "a=1&b=2")
		if err != nil || status != 200 || string(body) != "POST /token 1" {
			t.Fatalf("request %d: %d %q %v", i, status, body, err)
		}
		status, body, err = rc.do("GET", "/big", "Basic abc", "")
		if err != nil || status != 200 || string(body) != big {
			t.Fatalf("big %d: %d %d bytes %v", i, status, len(body), err)
		}
	}
	if status, _, err := rc.do("GET", "/", "", ""); err != nil || status != 401 {
		t.Fatalf("unauthenticated: %d %v", status, err)
	}
}
