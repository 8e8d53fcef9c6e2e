package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/resource"
)

// storyLog is a resource server's slog output, read back as records.
type storyLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *storyLog) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

// story returns the "request failed" record logged under traceID.
func (s *storyLog) story(t *testing.T, traceID string) map[string]any {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, line := range bytes.Split(s.buf.Bytes(), []byte("\n")) {
		var rec map[string]any
		if json.Unmarshal(line, &rec) == nil && rec["msg"] == "request failed" && rec["trace_id"] == traceID {
			return rec
		}
	}
	t.Fatalf("no failure story under trace id %q in the API's log:\n%s", traceID, s.buf.String())
	return nil
}

// wantStory asserts that the API's log tells the failure of r under the
// trace id r carries, with the fields `lucid explain` shows, naming entry.
func wantStory(t *testing.T, log *storyLog, r *reply, entry string) map[string]any {
	t.Helper()
	tid := r.header.Get("X-Trace-Id")
	if tid == "" {
		t.Fatal("no X-Trace-Id on the answer")
	}
	rec := log.story(t, tid)
	if rec["error_code"] != entry || rec["endpoint"] != "resource" || rec["request"] == "" || rec["description"] == "" {
		t.Fatalf("story %v, want %s at the resource endpoint with request and description", rec, entry)
	}
	return rec
}

// wantBareChallenge asserts RFC 6750 §3.1's answer to a request without a
// token: 401, only the realm in the challenge, no body. The wire carries
// no entry name, so the name is asserted in the API's failure story.
func wantBareChallenge(t *testing.T, l *lucid, log *storyLog, r *reply) {
	t.Helper()
	want := `Bearer realm="` + l.URL + `"`
	if r.status != 401 || r.header.Get("WWW-Authenticate") != want || len(r.body) != 0 || r.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("got %d %q %q %v; want 401 with only %q", r.status, r.header.Get("WWW-Authenticate"), r.body, r.header, want)
	}
	wantStory(t, log, r, "bearer_token_missing")
	triggered.add("bearer_token_missing")
}

// jwksSwitch fails the API's key set fetches while broken is set; other
// requests go to Lucid unchanged.
type jwksSwitch struct {
	broken  atomic.Bool
	fetches atomic.Int32
}

func (s *jwksSwitch) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, "/jwks") {
		s.fetches.Add(1)
		if s.broken.Load() {
			return nil, errors.New("connection refused (test)")
		}
	}
	return http.DefaultTransport.RoundTrip(r)
}

// TestResourceLibraryStory: a resource server built with package resource
// tells each failure under its own trace id in its own log, and the
// failures that are not about the token (empty Bearer, another issuer,
// keys that cannot be fetched after a rotation, introspection credentials
// refused) have their own entries.
func TestResourceLibraryStory(t *testing.T) {
	ctx := context.Background()
	l := start(t)
	c, sec := m2m(t, l, manage.ClientSpec{})
	log := &storyLog{}
	sw := &jwksSwitch{}
	v, err := resource.New(ctx, l.URL, ordersAPI, resource.WithClock(l.Clock.Now),
		resource.WithHTTPClient(&http.Client{Transport: sw, Timeout: 10 * time.Second}),
		resource.WithLogger(slog.New(slog.NewJSONHandler(log, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	if err != nil {
		t.Fatal(err)
	}
	api := httptest.NewServer(v.Require("orders:read")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "orders")
	})))
	t.Cleanup(api.Close)
	call := func(u, authorization string) *reply {
		return send(t, http.MethodGet, u, nil, func(r *http.Request) {
			if authorization != "" {
				r.Header.Set("Authorization", authorization)
			}
		})
	}
	token := func() string {
		cc := clientcredentials.Config{ClientID: c.ID, ClientSecret: sec, TokenURL: l.URL + "/token", Scopes: []string{"orders:read"}}
		tok, err := cc.Token(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return tok.AccessToken
	}
	good := token()

	t.Run("no token", func(t *testing.T) {
		wantBareChallenge(t, l, log, call(api.URL, ""))
	})

	t.Run("empty Bearer", func(t *testing.T) {
		for _, h := range []string{"Bearer", "Bearer ", "bearer    "} {
			r := call(api.URL, h)
			wantBearerError(t, l, r, "bearer_token_empty", "invalid_request", 400)
			wantStory(t, log, r, "bearer_token_empty")
			// Lucid's own bearer endpoint says the same.
			wantBearerError(t, l, call(l.URL+"/userinfo", h), "bearer_token_empty", "invalid_request", 400)
		}
	})

	t.Run("another issuer", func(t *testing.T) {
		stranger := start(t)
		sc, ssec := m2m(t, stranger, manage.ClientSpec{})
		cc := clientcredentials.Config{ClientID: sc.ID, ClientSecret: ssec, TokenURL: stranger.URL + "/token", Scopes: []string{"orders:read"}}
		tok, err := cc.Token(ctx)
		if err != nil {
			t.Fatal(err)
		}
		before := sw.fetches.Load()
		r := call(api.URL, "Bearer "+tok.AccessToken)
		body, _ := wantBearerError(t, l, r, "access_token_foreign_issuer", "invalid_token", 401)
		if !strings.Contains(body.Description, stranger.URL) || !strings.Contains(body.Description, l.URL) {
			t.Errorf("description does not name both issuers: %s", body.Description)
		}
		wantStory(t, log, r, "access_token_foreign_issuer")
		if n := sw.fetches.Load(); n != before {
			t.Errorf("a token of another issuer made the API fetch keys %d times", n-before)
		}
	})

	t.Run("JSON serialization", func(t *testing.T) {
		parts := strings.Split(good, ".")
		full, _ := json.Marshal(map[string]string{"protected": parts[0], "payload": parts[1], "signature": parts[2]})
		if _, err := jose.ParseSigned(string(full), []jose.SignatureAlgorithm{jose.ES256}); err != nil {
			t.Fatalf("the test's JSON serialization is not a JWS: %v", err)
		}
		r := call(api.URL, "Bearer "+string(full))
		body, _ := wantBearerError(t, l, r, "access_token_malformed", "invalid_token", 401)
		if !strings.Contains(body.Description, "compact") {
			t.Errorf("description does not say only the compact form is accepted: %s", body.Description)
		}
	})

	t.Run("rotation with the key set unreachable", func(t *testing.T) {
		if r := call(api.URL, "Bearer "+good); r.status != 200 {
			t.Fatalf("before: %d %s", r.status, r.body)
		}
		if r := jsonCall(t, l, http.MethodPost, "/admin/keys/rotate", l.cfg.AdminToken, ""); r.status != 200 {
			t.Fatalf("rotate: %d %s", r.status, r.body)
		}
		rotated := token()
		sw.broken.Store(true)
		// An unknown kid refetches at most every 10 s.
		l.Clock.Advance(11 * time.Second)
		// A token under a cached key still passes; one under the new key
		// cannot be judged: a retryable 503, not an invalid token.
		if r := call(api.URL, "Bearer "+good); r.status != 200 {
			t.Fatalf("cached key refused while the key set is unreachable: %d %s", r.status, r.body)
		}
		r := call(api.URL, "Bearer "+rotated)
		wantJSONError(t, l, r, "resource_keys_unavailable", "temporarily_unavailable", 503)
		wantRetryAfter(t, r.header, "")
		if r.header.Get("WWW-Authenticate") != "" {
			t.Fatalf("a 503 with a challenge reads as an authentication failure: %s", r.header.Get("WWW-Authenticate"))
		}
		if rec := wantStory(t, log, r, "resource_keys_unavailable"); !strings.Contains(rec["cause"].(string), "connection refused") {
			t.Errorf("story does not give the cause: %v", rec)
		}
		if _, err := v.Verify(ctx, rotated); !errors.Is(err, resource.ErrUnavailable) {
			t.Errorf("Verify: %v, want ErrUnavailable", err)
		}
		// Back again: the next try after the refresh interval finds the key.
		sw.broken.Store(false)
		l.Clock.Advance(11 * time.Second)
		if r := call(api.URL, "Bearer "+rotated); r.status != 200 {
			t.Fatalf("after the key set came back: %d %s", r.status, r.body)
		}
	})

	t.Run("introspection credentials refused", func(t *testing.T) {
		rs, _ := m2m(t, l, manage.ClientSpec{Name: "Orders API"})
		vi, err := resource.New(ctx, l.URL, ordersAPI, resource.WithClock(l.Clock.Now), resource.WithIntrospection(rs.ID, "not-the-secret"),
			resource.WithLogger(slog.New(slog.NewJSONHandler(log, nil))))
		if err != nil {
			t.Fatal(err)
		}
		checked := httptest.NewServer(vi.Require("orders:read")(http.NotFoundHandler()))
		t.Cleanup(checked.Close)
		r := call(checked.URL, "Bearer "+good)
		wantJSONError(t, l, r, "resource_introspection_refused", "server_error", 500)
		if r.header.Get("WWW-Authenticate") != "" {
			t.Fatalf("the API's own misconfiguration blamed on the token: %s", r.header.Get("WWW-Authenticate"))
		}
		// The API's story names Lucid's trace id of the refusal, whose
		// story Lucid kept.
		rec := wantStory(t, log, r, "resource_introspection_refused")
		lucidTrace, _ := rec["lucid_trace_id"].(string)
		s := jsonCall(t, l, http.MethodGet, "/admin/failures/"+lucidTrace, l.cfg.AdminToken, "")
		var story struct {
			Failure struct{ Name, Endpoint string }
		}
		if s.status != 200 || json.Unmarshal(s.body, &story) != nil || story.Failure.Endpoint != "introspect" || !strings.HasPrefix(story.Failure.Name, "client_") {
			t.Fatalf("Lucid's story under %q: %d %.300s", lucidTrace, s.status, s.body)
		}
	})
}
