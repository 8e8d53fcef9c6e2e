package server_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/password"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/server"
	"github.com/lucid-auth/lucid/internal/store/sqlite"
)

// syncBuffer is a log sink safe for the background writers' lines too.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// accessLines are the access log lines ("msg":"request") of a JSON log.
func accessLines(t *testing.T, log string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(log), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) != nil {
			continue
		}
		if m["msg"] == "request" {
			out = append(out, m)
		}
	}
	return out
}

// accessServer is a Lucid logging to a buffer, behind a trusted proxy,
// with one client_credentials client.
func accessServer(t *testing.T, adjust func(*config.Config)) (http.Handler, *syncBuffer, string, string) {
	t.Helper()
	ctx := context.Background()
	master := make([]byte, 32)
	_, _ = rand.Read(master)
	path := filepath.Join(t.TempDir(), "lucid.db")
	cfg := config.Default()
	cfg.Issuer = "http://lucid.test"
	cfg.MasterKey = base64.StdEncoding.EncodeToString(master)
	cfg.TrustedProxies = []string{"192.0.2.0/24"}
	adjust(&cfg)
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	buf := &syncBuffer{}
	var h slog.Handler = slog.NewJSONHandler(buf, nil)
	if cfg.LogFormat != "json" {
		h = slog.NewTextHandler(buf, nil)
	}
	srv, err := server.New(ctx, &cfg, st, slog.New(h))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close(context.Background()) })
	sk, _ := secret.Derive(master)
	svc := &manage.Service{Store: st, Secrets: sk, HashPassword: func(pw string) (string, error) {
		return password.HashWith(password.TestParams(), pw)
	}}
	c, sec, err := svc.CreateClient(ctx, manage.ClientSpec{Name: "access", GrantTypes: []string{"client_credentials"},
		Scopes: []string{"orders:read"}, Audiences: []string{"https://orders.example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	return srv.Handler(), buf, c.ID, sec
}

// TestAccessLog: one JSON line per request with the method, route
// pattern, status, bytes, client, trace id and the client's network
// after the trusted proxy, and nothing secret: not the client secret, not
// a query value, not a cookie, not the Authorization header.
func TestAccessLog(t *testing.T) {
	const (
		querySecret  = "query-secret-a8f3e1"
		cookieSecret = "cookie-secret-77b2c0"
		formSecret   = "form-secret-19dd4e"
	)
	tests := []struct {
		name     string
		path     string
		auth     func(id, sec string) string
		form     string
		status   int
		route    string
		client   bool // the line names the client
		nowanted string
	}{
		{"token issued", "/token?note=" + querySecret, basicAuth, "grant_type=client_credentials&scope=orders:read&extra=" + formSecret, 200, "/token", true, ""},
		{"wrong secret", "/token?q=" + querySecret, func(id, _ string) string { return basicAuth(id, "wrong-"+formSecret) }, "grant_type=client_credentials", 401, "/token", true, ""},
		{"nothing there", "/nowhere/" + "x?token=" + querySecret, nil, "", 404, "/", false, ""},
	}
	h, buf, id, sec := accessServer(t, func(c *config.Config) { c.LogFormat = "json" })
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(accessLines(t, buf.String()))
			r := httptest.NewRequest(http.MethodPost, tt.path, strings.NewReader(tt.form))
			r.Header.Set("Content-Type", formType)
			if tt.auth != nil {
				r.Header.Set("Authorization", tt.auth(id, sec))
			}
			r.Header.Set("Cookie", "lucid_session="+cookieSecret)
			r.RemoteAddr = "192.0.2.10:4321"
			r.Header.Set("X-Forwarded-For", "203.0.113.7, 192.0.2.11")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			lines := accessLines(t, buf.String())
			if len(lines) != before+1 {
				t.Fatalf("%d access lines after the request, want %d:\n%s", len(lines), before+1, buf)
			}
			l := lines[len(lines)-1]
			want := map[string]any{
				"method": "POST", "status": float64(tt.status), "bytes": float64(w.Body.Len()),
				"trace_id": w.Header().Get("X-Trace-Id"), "network": "203.0.113.7/32",
			}
			for k, v := range want {
				if l[k] != v {
					t.Errorf("%s = %v, want %v (line %v)", k, l[k], v, l)
				}
			}
			if route, _ := l["route"].(string); !strings.HasSuffix(route, tt.route) {
				t.Errorf("route = %q, want the pattern %q", route, tt.route)
			}
			if got := l["client_id"]; (got == id) != tt.client {
				t.Errorf("client_id = %v, want it named: %v", got, tt.client)
			}
			if _, ok := l["duration"]; !ok {
				t.Errorf("no duration: %v", l)
			}
		})
	}
	log := buf.String()
	for _, s := range []string{sec, querySecret, cookieSecret, formSecret, "Basic "} {
		if strings.Contains(log, s) {
			t.Errorf("the log holds %q:\n%s", s, log)
		}
	}
}

// TestAccessLogSwitch: on by default in JSON mode only; access_log turns
// it on or off either way.
func TestAccessLogSwitch(t *testing.T) {
	on, off := true, false
	tests := []struct {
		name   string
		format string
		set    *bool
		lines  bool
	}{
		{"json default", "json", nil, true},
		{"text default", "text", nil, false},
		{"json off", "json", &off, false},
		{"text on", "text", &on, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, buf, _, _ := accessServer(t, func(c *config.Config) { c.LogFormat = tt.format; c.AccessLog = tt.set })
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/livez", nil))
			if w.Code != 200 {
				t.Fatalf("/livez: %d", w.Code)
			}
			if got := strings.Contains(buf.String(), "msg=request") || len(accessLines(t, buf.String())) > 0; got != tt.lines {
				t.Fatalf("access line written: %v, want %v:\n%s", got, tt.lines, buf)
			}
		})
	}
}
