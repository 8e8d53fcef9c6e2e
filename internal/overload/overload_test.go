package overload

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/trace"
	"github.com/lucid-auth/lucid/internal/ui"
)

func TestClassify(t *testing.T) {
	for path, want := range map[string]Class{
		"/token": Token, "/authorize": Pages, "/login": Pages, "/consent": Pages, "/logout": Pages,
		"/introspect": Introspection, "/revoke": Introspection, "/userinfo": UserInfo,
		"/.well-known/openid-configuration": Discovery, "/jwks": Discovery,
		"/register": Registration, "/register/abc": Registration, "/admin/clients": Admin,
		"/healthz": Exempt, "/errors/x": Other, "/assets/lucid.css": Other, "/nope": Other, "/tokens": Other,
	} {
		if got := Classify(path); got != want {
			t.Errorf("Classify(%q) = %s, want %s", path, got.Key(), want.Key())
		}
	}
}

// harness serves the limiter in front of a handler that blocks token and
// page requests until released, over real HTTP on loopback.
type harness struct {
	url     string
	lim     *Limiter
	entered chan string
	release chan struct{}
	mu      sync.Mutex
	counted []string
}

func newHarness(t *testing.T, limits config.InFlight) *harness {
	t.Helper()
	pages, err := ui.New()
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{entered: make(chan string, 16), release: make(chan struct{})}
	h.lim = New(Options{Limits: limits, Issuer: "http://issuer.test", Pages: pages, Count: func(name, code, ep string) {
		h.mu.Lock()
		h.counted = append(h.counted, name+"/"+code+"/"+ep)
		h.mu.Unlock()
	}})
	srv := httptest.NewServer(trace.Middleware(h.lim.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if c := Classify(r.URL.Path); c == Token || c == Pages {
			h.entered <- r.URL.Path
			<-h.release
		}
		fmt.Fprintf(w, "ok %d", len(body))
	}))))
	t.Cleanup(srv.Close)
	t.Cleanup(func() {
		select {
		case <-h.release:
		default:
			close(h.release)
		}
	})
	h.url = srv.URL
	return h
}

func get(t *testing.T, method, u, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// TestShedding: with a limit of 2, two requests held in flight, the third
// is answered 503 with Retry-After at once, in the class's wire form; a
// request of another class and the health check still go through; once
// the two finish, the class takes requests again.
func TestShedding(t *testing.T) {
	h := newHarness(t, config.InFlight{Token: 2, Pages: 1})
	results := make(chan string, 3)
	for range 2 {
		go func() {
			resp, body := get(t, http.MethodPost, h.url+"/token", "grant_type=client_credentials")
			results <- fmt.Sprint(resp.StatusCode, " ", body)
		}()
	}
	<-h.entered
	<-h.entered
	if n := h.lim.InFlight(Token); n != 2 {
		t.Fatalf("in flight %d, want 2", n)
	}

	resp, body := get(t, http.MethodPost, h.url+"/token", "grant_type=client_credentials")
	var e struct{ Error, ErrorCode, ErrorDescription, TraceID string }
	_ = json.Unmarshal([]byte(body), &struct {
		Error            *string `json:"error"`
		ErrorCode        *string `json:"error_code"`
		ErrorDescription *string `json:"error_description"`
		TraceID          *string `json:"trace_id"`
	}{&e.Error, &e.ErrorCode, &e.ErrorDescription, &e.TraceID})
	if resp.StatusCode != http.StatusServiceUnavailable || e.ErrorCode != "server_overloaded" || e.Error != "temporarily_unavailable" ||
		resp.Header.Get("Retry-After") != "1" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") ||
		e.TraceID == "" || e.TraceID != resp.Header.Get("X-Trace-Id") {
		t.Fatalf("third token request: %d %v %s", resp.StatusCode, resp.Header, body)
	}
	if !strings.Contains(e.ErrorDescription, "token requests") {
		t.Errorf("description does not name the class: %s", e.ErrorDescription)
	}

	// Pages: one held, the next gets the HTML page.
	go func() {
		resp, body := get(t, http.MethodGet, h.url+"/authorize?client_id=x", "")
		results <- fmt.Sprint(resp.StatusCode, " ", body)
	}()
	<-h.entered
	resp, body = get(t, http.MethodGet, h.url+"/login", "")
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "1" ||
		!strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(body, "server_overloaded") ||
		!strings.Contains(body, resp.Header.Get("X-Trace-Id")) {
		t.Fatalf("page shed: %d %v %.300s", resp.StatusCode, resp.Header, body)
	}

	// Unlimited classes and the health check are not held up.
	for _, path := range []string{"/healthz", "/introspect"} {
		if resp, _ := get(t, http.MethodGet, h.url+path, ""); resp.StatusCode != 200 {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
	}

	close(h.release)
	for range 3 {
		if r := <-results; !strings.HasPrefix(r, "200 ok") {
			t.Errorf("held request: %s", r)
		}
	}
	if n := h.lim.InFlight(Token); n != 0 {
		t.Fatalf("in flight after the requests ended: %d", n)
	}
	if resp, body := get(t, http.MethodPost, h.url+"/token", "x=1"); resp.StatusCode != 200 || body != "ok 3" {
		t.Fatalf("after the burst: %d %s", resp.StatusCode, body)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	want := []string{"server_overloaded/temporarily_unavailable/token", "server_overloaded/temporarily_unavailable/sign_in"}
	if fmt.Sprint(h.counted) != fmt.Sprint(want) {
		t.Errorf("counted %v, want %v", h.counted, want)
	}
}

// TestSlowBodiesHoldNoPlace: clients that send their bodies slowly (a
// slow network, or an attacker) do not take the places of the class; the
// handler gets the whole body once it came, and a body over the limit
// still reaches the handler so it can refuse it.
func TestSlowBodiesHoldNoPlace(t *testing.T) {
	h := newHarness(t, config.InFlight{Token: 2})
	addr := strings.TrimPrefix(h.url, "http://")
	var slow []net.Conn
	for range 3 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fmt.Fprintf(c, "POST /token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 20\r\n\r\ngrant_type=")
		slow = append(slow, c)
	}
	done := make(chan string, 1)
	go func() {
		resp, body := get(t, http.MethodPost, h.url+"/token", "grant_type=client_credentials")
		done <- fmt.Sprint(resp.StatusCode, " ", body)
	}()
	if got := <-h.entered; got != "/token" {
		t.Fatal(got)
	}
	if n := h.lim.InFlight(Token); n != 1 {
		t.Fatalf("in flight %d with three slow senders and one request; want 1", n)
	}
	h.release <- struct{}{}
	if r := <-done; r != "200 ok 29" {
		t.Fatalf("request behind slow senders: %s", r)
	}
	// One slow sender finishes: its handler gets the whole body.
	_, _ = io.WriteString(slow[0], "password1")
	if got := <-h.entered; got != "/token" {
		t.Fatal(got)
	}
	h.release <- struct{}{}
	_ = slow[0].SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 512)
	n, _ := slow[0].Read(buf)
	if !strings.Contains(string(buf[:n]), "ok 20") {
		t.Fatalf("slow sender's answer: %q", buf[:n])
	}
}

// TestBodyOverTheLimit reaches the handler with everything sent, so that
// its own limit (http.MaxBytesReader) answers it.
func TestBodyOverTheLimit(t *testing.T) {
	h := newHarness(t, config.InFlight{Token: 1})
	close(h.release)
	big := strings.Repeat("a", maxBody+10)
	done := make(chan string, 1)
	go func() {
		resp, body := get(t, http.MethodPost, h.url+"/token", big)
		done <- fmt.Sprint(resp.StatusCode, " ", body)
	}()
	<-h.entered
	if r := <-done; r != fmt.Sprintf("200 ok %d", len(big)) {
		t.Fatalf("got %s", r)
	}
}
