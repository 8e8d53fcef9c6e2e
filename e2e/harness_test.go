// Package e2e starts a real Lucid on loopback and drives it the way
// clients do: golang.org/x/oauth2 for the flows, github.com/coreos/go-oidc
// for ID tokens, and plain HTTP with a cookie jar for the sign-in forms.
package e2e

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"html"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/server"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/backend"
)

// clock is a settable clock shared by the server and the test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// lucid is one running server.
type lucid struct {
	URL    string
	Store  store.Store
	Svc    *manage.Service
	Clock  *clock
	Server *server.Server
	cfg    config.Config
	http   *http.Server
}

// stop ends the server before the test does (it is ended then anyway).
func (l *lucid) stop() { _ = l.http.Close() }

// startOpts is how a Lucid starts beyond its configuration; the zero value
// is what start does.
type startOpts struct {
	// Store, when set, is the database instead of opening cfg.Database;
	// the test closes it.
	Store store.Store
	// Wrap, when set, stands in front of the store the server is given.
	Wrap func(store.Store) store.Store
	// Server options, after the test's settable clock: a WithClock here
	// replaces it.
	Server []server.Option
	// Log, when set, gets the server's log as `lucid serve` writes it by
	// default (text, level info); otherwise it is discarded, or with -v
	// goes to the test's log at debug level.
	Log io.Writer
	// MaxHeaderBytes of the HTTP server; 0 is net/http's default.
	MaxHeaderBytes int
}

// start runs Lucid on a fresh SQLite database on a loopback port.
func start(t *testing.T, adjust ...func(*config.Config)) *lucid {
	t.Helper()
	return startWith(t, startOpts{}, adjust...)
}

// startWith runs Lucid on a loopback port as o says, with its
// configuration adjusted in order; without o.Store, on a fresh SQLite
// database unless adjust names another.
func startWith(t *testing.T, o startOpts, adjust ...func(*config.Config)) *lucid {
	t.Helper()
	ctx := context.Background()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	master := make([]byte, 32)
	_, _ = rand.Read(master)
	cfg := config.Default()
	cfg.Issuer = "http://" + ln.Addr().String()
	cfg.Addr = ln.Addr().String()
	cfg.Database = "sqlite:" + filepath.Join(t.TempDir(), "lucid.db")
	cfg.MasterKey = base64.StdEncoding.EncodeToString(master)
	cfg.AdminToken = "admin-token-for-tests-0123456789abcdef"
	for _, f := range adjust {
		f(&cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	st := o.Store
	if st == nil {
		// Any backend: adjust may point the server at PostgreSQL.
		opened, err := backend.Open(ctx, cfg.Database)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = opened.Close() })
		st = opened
	}
	if o.Wrap != nil {
		st = o.Wrap(st)
	}
	clk := &clock{t: time.Now()}
	log := slog.New(slog.DiscardHandler)
	switch {
	case o.Log != nil:
		log = slog.New(slog.NewTextHandler(o.Log, nil))
	case testing.Verbose():
		log = slog.New(slog.NewTextHandler(&testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	s, err := server.New(ctx, &cfg, st, log, append([]server.Option{server.WithClock(clk.Now)}, o.Server...)...)
	if err != nil {
		t.Fatal(err)
	}
	// The outbox worker and the story writer stop before the store closes.
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		_ = s.Close(ctx)
	})
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 5 * time.Second, MaxHeaderBytes: o.MaxHeaderBytes}
	go func() { _ = srv.Serve(ln) }()
	// Registered after the store's: runs first, so the server is gone
	// before its store closes.
	t.Cleanup(func() { _ = srv.Close() })
	// From the configuration, not the local key: adjust may have given this
	// Lucid another's master key to share its database.
	mk, err := cfg.MasterKeyBytes()
	if err != nil {
		t.Fatal(err)
	}
	sk, err := secret.Derive(mk)
	if err != nil {
		t.Fatal(err)
	}
	// The server's own view of the store (with its client cache), so that
	// a test's changes reach the server as an admin API call's would.
	sst := s.Store()
	return &lucid{URL: cfg.Issuer, Store: sst, Svc: &manage.Service{Store: sst, Secrets: sk, Now: clk.Now}, Clock: clk, Server: s, cfg: cfg, http: srv}
}

type testWriter struct{ t *testing.T }

func (w *testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

const (
	demoUser     = "alice"
	demoPassword = "correct horse battery staple"
	clientCB     = "http://127.0.0.1:1/cb" // never contacted: the browser stops at the redirect
)

// user creates the test user.
func (l *lucid) user(t *testing.T, username string) *store.User {
	t.Helper()
	u, err := l.Svc.CreateUser(context.Background(), manage.UserSpec{
		Username: username, Email: username + "@example.com", EmailVerified: true,
		Name: "Alice Liddell", GivenName: "Alice", FamilyName: "Liddell", Password: demoPassword,
	})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// client registers a client; it returns the client and its secret ("" for public).
func (l *lucid) client(t *testing.T, spec manage.ClientSpec) (*store.Client, string) {
	t.Helper()
	if len(spec.RedirectURIs) == 0 {
		spec.RedirectURIs = []string{clientCB}
	}
	c, sec, err := l.Svc.CreateClient(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	return c, sec
}

// oauthConfig is an x/oauth2 configuration for a registered client.
func (l *lucid) oauthConfig(c *store.Client, secret string, scopes ...string) *oauth2.Config {
	style := oauth2.AuthStyleInHeader
	if c.TokenEndpointAuthMethod == store.AuthSecretPost || c.TokenEndpointAuthMethod == store.AuthNone {
		style = oauth2.AuthStyleInParams
	}
	if len(scopes) == 0 {
		scopes = []string{oidc.ScopeOpenID, "profile", "email", oidc.ScopeOfflineAccess}
	}
	return &oauth2.Config{
		ClientID:     c.ID,
		ClientSecret: secret,
		Endpoint:     oauth2.Endpoint{AuthURL: l.URL + "/authorize", TokenURL: l.URL + "/token", AuthStyle: style},
		RedirectURL:  c.RedirectURIs[0],
		Scopes:       scopes,
	}
}

// browser is a person's browser: a cookie jar that follows Lucid's own
// redirects and stops at the first redirect that leaves Lucid.
type browser struct {
	t      *testing.T
	l      *lucid
	client *http.Client
}

func (l *lucid) browser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	issuer, _ := url.Parse(l.URL)
	return &browser{t: t, l: l, client: &http.Client{
		Jar:     jar,
		Timeout: 10 * time.Second,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if req.URL.Host != issuer.Host {
				return http.ErrUseLastResponse
			}
			return nil
		},
	}}
}

// page is a fetched response with its body read.
type page struct {
	status   int
	header   http.Header
	body     string
	location *url.URL // set when the response redirects away from Lucid
}

func (b *browser) do(req *http.Request) *page {
	b.t.Helper()
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	p := &page{status: resp.StatusCode, header: resp.Header, body: string(body)}
	if loc := resp.Header.Get("Location"); loc != "" && resp.StatusCode/100 == 3 {
		p.location, _ = resp.Request.URL.Parse(loc)
	}
	return p
}

func (b *browser) get(u string) *page {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

func (b *browser) post(u string, form url.Values) *page {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

var hiddenInput = regexp.MustCompile(`<input[^>]*name="([a-z_]+)"[^>]*value="([^"]*)"`)

// fields returns the named input values of the page's forms.
func (p *page) fields() url.Values {
	v := url.Values{}
	for _, m := range hiddenInput.FindAllStringSubmatch(p.body, -1) {
		v.Set(m[1], html.UnescapeString(m[2]))
	}
	return v
}

// isSignIn / isConsent tell which of Lucid's pages this is.
func (p *page) isSignIn() bool  { return strings.Contains(p.body, `name="password"`) }
func (p *page) isConsent() bool { return strings.Contains(p.body, `name="decision"`) }

// signIn submits the sign-in form of a sign-in page.
func (b *browser) signIn(p *page, username, password string) *page {
	b.t.Helper()
	if !p.isSignIn() {
		b.t.Fatalf("expected the sign-in page, got %d: %.400s", p.status, p.body)
	}
	f := p.fields()
	form := url.Values{"csrf": {f.Get("csrf")}, "interaction": {f.Get("interaction")}, "username": {username}, "password": {password}}
	return b.post(b.l.URL+"/login", form)
}

// consent answers the consent page.
func (b *browser) consent(p *page, decision string) *page {
	b.t.Helper()
	if !p.isConsent() {
		b.t.Fatalf("expected the consent page, got %d: %.400s", p.status, p.body)
	}
	f := p.fields()
	return b.post(b.l.URL+"/consent", url.Values{"csrf": {f.Get("csrf")}, "interaction": {f.Get("interaction")}, "decision": {decision}})
}

// authorize runs the whole browser part: authorization request, sign-in if
// asked, consent if asked; it returns the redirect to the client.
func (b *browser) authorize(authURL string) *url.URL {
	b.t.Helper()
	p := b.get(authURL)
	if p.isSignIn() {
		p = b.signIn(p, demoUser, demoPassword)
	}
	if p.isConsent() {
		p = b.consent(p, "allow")
	}
	if p.location == nil {
		b.t.Fatalf("authorization did not redirect back to the client: %d %.600s", p.status, p.body)
	}
	return p.location
}

// codeFrom extracts the code of a redirect, failing on an error response.
func codeFrom(t *testing.T, u *url.URL, wantState string) string {
	t.Helper()
	q := u.Query()
	if e := q.Get("error"); e != "" {
		t.Fatalf("authorization error %s: %s", e, q.Get("error_description"))
	}
	if q.Get("state") != wantState {
		t.Fatalf("state = %q, want %q", q.Get("state"), wantState)
	}
	if q.Get("code") == "" {
		t.Fatalf("no code in %s", u)
	}
	return q.Get("code")
}

// oauthErr is the RFC 6749 §5.2 body Lucid sends.
type oauthErr struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
	URI         string `json:"error_uri"`
	Code        string `json:"error_code"`
	TraceID     string `json:"trace_id"`
	Timestamp   string `json:"timestamp"`
}

// asRetrieveError reads the catalog name out of an x/oauth2 error, as a
// client developer would see it.
func asRetrieveError(t *testing.T, err error) (*oauth2.RetrieveError, oauthErr) {
	t.Helper()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		t.Fatalf("want *oauth2.RetrieveError, got %T %v", err, err)
	}
	var body oauthErr
	if err := json.Unmarshal(re.Body, &body); err != nil {
		t.Fatalf("error body is not JSON: %s", re.Body)
	}
	return re, body
}

// wantOAuthError asserts a token-endpoint style failure.
func wantOAuthError(t *testing.T, err error, name, code string, status int) oauthErr {
	t.Helper()
	if err == nil {
		t.Fatalf("want error %s, got success", name)
	}
	re, body := asRetrieveError(t, err)
	if body.Code != name || re.ErrorCode != code || re.Response.StatusCode != status {
		t.Fatalf("got %s/%s/%d (%s), want %s/%s/%d", body.Code, re.ErrorCode, re.Response.StatusCode, re.ErrorDescription, name, code, status)
	}
	if !strings.HasPrefix(re.ErrorDescription, name+": ") || !strings.HasSuffix(re.ErrorURI, "/errors/"+name) {
		t.Fatalf("catalog name not visible to x/oauth2: description %q uri %q", re.ErrorDescription, re.ErrorURI)
	}
	if re.Response.Header.Get("Cache-Control") != "no-store" || re.Response.Header.Get("X-Trace-Id") == "" || body.TraceID != re.Response.Header.Get("X-Trace-Id") {
		t.Fatalf("missing no-store or trace id: %v / %q", re.Response.Header, body.TraceID)
	}
	if status == http.StatusUnauthorized && re.Response.Header.Get("WWW-Authenticate") == "" {
		t.Fatalf("401 without WWW-Authenticate (RFC 9110 §15.5.2)")
	}
	triggered.add(name)
	return body
}

// postForm sends a raw form to Lucid and decodes the JSON answer.
func postForm(t *testing.T, u string, form url.Values, mod func(*http.Request)) (*http.Response, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if mod != nil {
		mod(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	raw, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(raw, &out)
	// Nothing is counted as triggered here: only an assertion helper that
	// checked the whole answer (wantOAuthError, wantJSONError…) counts it.
	return resp, out
}

// triggeredSet records every catalog entry some test provoked over HTTP.
type triggeredSet struct {
	mu    sync.Mutex
	names map[string]bool
}

func (s *triggeredSet) add(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.names == nil {
		s.names = map[string]bool{}
	}
	s.names[name] = true
}

func (s *triggeredSet) has(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.names[name]
}

var triggered triggeredSet

func newProvider(t *testing.T, l *lucid) *oidc.Provider {
	t.Helper()
	p, err := oidc.NewProvider(context.Background(), l.URL)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
