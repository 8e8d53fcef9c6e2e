package e2e

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/postgres"
	"github.com/lucid-auth/lucid/resource"
)

// Overload, database deadlines and what a failing database looks like to
// clients and resource servers (issue 9).

// wantRetryAfter asserts the Retry-After every 503 must carry.
func wantRetryAfter(t *testing.T, h http.Header, want string) {
	t.Helper()
	got := h.Get("Retry-After")
	if n, err := strconv.Atoi(got); err != nil || n <= 0 || (want != "" && got != want) {
		t.Fatalf("Retry-After = %q, want %s", got, cmpOr(want, "a positive number of seconds"))
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// inFlight reads lucid_in_flight_requests{class} from the metrics.
func inFlight(t *testing.T, l *lucid, class string) int {
	t.Helper()
	r := jsonCall(t, l, http.MethodGet, "/admin/metrics", l.cfg.AdminToken, "")
	m := regexp.MustCompile(`(?m)^lucid_in_flight_requests\{class="` + class + `"\} (\d+)$`).FindSubmatch(r.body)
	if r.status != 200 || m == nil {
		t.Fatalf("metrics: %d, no in-flight gauge for %s", r.status, class)
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// waitInFlight waits until class has n requests in flight.
func waitInFlight(t *testing.T, l *lucid, class string, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); inFlight(t, l, class) != n; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s never had %d requests in flight", class, n)
		}
	}
}

// lockDatabase takes the SQLite write lock from another connection, as
// the CLI or another process would; unlock releases it.
func lockDatabase(t *testing.T, l *lucid) (unlock func()) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+strings.TrimPrefix(l.cfg.Database, "sqlite:"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	done := false
	unlock = func() {
		if !done {
			done = true
			_, _ = conn.ExecContext(context.Background(), "ROLLBACK")
			_ = conn.Close()
		}
	}
	t.Cleanup(unlock)
	return unlock
}

// TestShedding: with in_flight.token at 2 and two token requests in flight
// (held by a database another process has locked), a third is answered
// 503 server_overloaded with Retry-After at once, in JSON; a page class
// answers with the HTML page. The held requests still succeed, and slow
// senders hold no place.
func TestShedding(t *testing.T) {
	ctx := context.Background()
	l := start(t, func(c *config.Config) {
		c.InFlight.Token, c.InFlight.Pages = 2, 1
		// Longer than the test holds the lock: the held requests must
		// succeed, not time out.
		c.Timeouts.Query, c.Timeouts.Request = 9*time.Second, 9*time.Second
	})
	l.user(t, demoUser)
	web, websec := l.client(t, manage.ClientSpec{Name: "Notes"})
	// Opaque tokens are stored, so minting one waits for the lock.
	c, sec := m2m(t, l, manage.ClientSpec{AccessTokenFormat: store.FormatOpaque})
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {"orders:read"}}
	if r := postToken(t, l, form, basicAuth(c.ID, sec)); r.status != 200 {
		t.Fatalf("before the lock: %d %s", r.status, r.body)
	}
	authURL := l.oauthConfig(web, websec).AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()))
	l.browser(t).get(authURL) // the client is cached: the page's only write is what waits

	unlock := lockDatabase(t, l)
	held := make(chan *reply, 3)
	for range 2 {
		go func() { held <- postToken(t, l, form, basicAuth(c.ID, sec)) }()
	}
	waitInFlight(t, l, "token", 2)
	r := postToken(t, l, form, basicAuth(c.ID, sec))
	wantJSONError(t, l, r, "server_overloaded", "temporarily_unavailable", 503)
	wantRetryAfter(t, r.header, "1")

	pageDone := make(chan *page, 1)
	go func() { pageDone <- l.browser(t).get(authURL) }()
	waitInFlight(t, l, "pages", 1)
	p := l.browser(t).get(authURL)
	wantErrorPage(t, l, p, "server_overloaded", 503)
	wantRetryAfter(t, p.header, "1")

	// Other classes are not affected.
	if r := send(t, http.MethodGet, l.URL+"/.well-known/openid-configuration", nil, nil); r.status != 200 {
		t.Fatalf("discovery while token sheds: %d", r.status)
	}

	unlock()
	for range 2 {
		if r := <-held; r.status != 200 {
			t.Errorf("held token request: %d %s", r.status, r.body)
		}
	}
	if p := <-pageDone; p.status != 200 || !p.isSignIn() {
		t.Errorf("held page: %d", p.status)
	}

	// Clients that send their bodies slowly take no place: with three of
	// them connected, token requests still go through.
	for range 3 {
		conn, err := net.Dial("tcp", strings.TrimPrefix(l.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "POST /token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 200\r\n\r\ngrant_type=")
	}
	for range 3 {
		cc := clientcredentials.Config{ClientID: c.ID, ClientSecret: sec, TokenURL: l.URL + "/token", Scopes: []string{"orders:read"}}
		if _, err := cc.Token(ctx); err != nil {
			t.Fatalf("token request next to slow senders: %v", err)
		}
	}
	if n := inFlight(t, l, "token"); n != 0 {
		t.Fatalf("slow senders hold %d places", n)
	}
}

// TestUserinfoLargeBody: a 10 MB body at userinfo is refused as too large
// (it was a 401 with an empty body), whatever its type.
func TestUserinfoLargeBody(t *testing.T) {
	l := start(t)
	l.user(t, demoUser)
	c, sec := l.client(t, manage.ClientSpec{Name: "Notes"})
	tok, _ := login(t, l, l.browser(t), l.oauthConfig(c, sec))
	big := strings.Repeat("a", 10<<20)
	for _, tc := range []struct {
		name string
		body string
		mod  func(*http.Request)
	}{
		{"form with the token", "access_token=" + tok.AccessToken + "&pad=" + big, func(r *http.Request) {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}},
		{"token in the header, other body", big, func(r *http.Request) {
			bearer(tok.AccessToken)(r)
			r.Header.Set("Content-Type", "application/octet-stream")
		}},
		{"form of unknown length", "access_token=" + tok.AccessToken + "&pad=" + big, func(r *http.Request) {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.ContentLength = -1
			r.Body = io.NopCloser(strings.NewReader("access_token=" + tok.AccessToken + "&pad=" + big))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := send(t, http.MethodPost, l.URL+"/userinfo", strings.NewReader(tc.body), tc.mod)
			body := wantJSONError(t, l, r, "body_too_large", "invalid_request", 413)
			if !strings.Contains(body.Description, "65536") {
				t.Errorf("description does not give the limit: %s", body.Description)
			}
		})
	}
	// A small form still works.
	r := send(t, http.MethodPost, l.URL+"/userinfo", strings.NewReader("access_token="+tok.AccessToken), func(r *http.Request) {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	})
	if r.status != 200 {
		t.Fatalf("small form: %d %s", r.status, r.body)
	}
}

// resourceAPI is a resource server that checks tokens through Lucid's
// introspection, as client c.
func resourceAPI(t *testing.T, l *lucid, id, sec string) *httptest.Server {
	t.Helper()
	v, err := resource.New(context.Background(), l.URL, ordersAPI, resource.WithIntrospection(id, sec),
		resource.WithHTTPClient(&http.Client{Timeout: 20 * time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	s := httptest.NewServer(v.Require("orders:read")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "orders")
	})))
	t.Cleanup(s.Close)
	return s
}

// wantIntrospectionUnavailable asserts that the resource server answers
// a retryable 503, not an invalid token.
func wantIntrospectionUnavailable(t *testing.T, l *lucid, api *httptest.Server, token, retryAfter string) {
	t.Helper()
	r := send(t, http.MethodGet, api.URL, nil, bearer(token))
	wantJSONError(t, l, r, "introspection_unavailable", "temporarily_unavailable", 503)
	wantRetryAfter(t, r.header, retryAfter)
	if r.header.Get("WWW-Authenticate") != "" {
		t.Fatalf("a 503 with a challenge reads as an authentication failure: %s", r.header.Get("WWW-Authenticate"))
	}
}

// TestIntrospectionStorageFailure: with the database gone, introspection
// of a valid token answers 503 storage_unavailable (it answered
// {"active": false}), and a resource server using package resource passes
// that on as a retryable 503, never as an invalid token.
func TestIntrospectionStorageFailure(t *testing.T) {
	l := start(t)
	c, sec := m2m(t, l, manage.ClientSpec{AccessTokenFormat: store.FormatOpaque})
	cc := clientcredentials.Config{ClientID: c.ID, ClientSecret: sec, TokenURL: l.URL + "/token", Scopes: []string{"orders:read"}}
	tok, err := cc.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	api := resourceAPI(t, l, c.ID, sec)
	if r := send(t, http.MethodGet, api.URL, nil, bearer(tok.AccessToken)); r.status != 200 {
		t.Fatalf("before: %d %s", r.status, r.body)
	}
	if err := l.Store.Close(); err != nil {
		t.Fatal(err)
	}
	r := send(t, http.MethodPost, l.URL+"/introspect", strings.NewReader(url.Values{"token": {tok.AccessToken}}.Encode()), func(r *http.Request) {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.SetBasicAuth(c.ID, sec)
	})
	wantJSONError(t, l, r, "storage_unavailable", "temporarily_unavailable", 503)
	wantRetryAfter(t, r.header, "")
	wantIntrospectionUnavailable(t, l, api, tok.AccessToken, r.header.Get("Retry-After"))
}

// pgCluster is a PostgreSQL server of the test's own, so that the test
// may freeze and stop it.
type pgCluster struct {
	t       *testing.T
	dir     string
	data    string
	port    int
	cmd     *exec.Cmd
	exited  chan struct{}
	cred    *syscall.Credential
	stopped bool
	frozen  []int
	pgCtl   string
}

// startPostgres runs initdb and postgres from /usr/local/bin (or PATH) in
// a temporary directory, as the postgres user when the test runs as root
// (postgres refuses root), on a free loopback port. It skips when the
// binaries are missing, unless CI is set.
func startPostgres(t *testing.T) *pgCluster {
	t.Helper()
	var bins [3]string
	for i, name := range []string{"initdb", "postgres", "pg_ctl"} {
		p := filepath.Join("/usr/local/bin", name)
		if _, err := os.Stat(p); err != nil {
			if p, err = exec.LookPath(name); err != nil {
				if os.Getenv("CI") != "" {
					t.Fatalf("CI is set but %s is not installed", name)
				}
				t.Skipf("PostgreSQL's %s is not installed; this test runs its own server", name)
			}
		}
		bins[i] = p
	}
	c := &pgCluster{t: t, exited: make(chan struct{}), pgCtl: bins[2]}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Skipf("running as root and there is no postgres user to run PostgreSQL as: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		c.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	dir, err := os.MkdirTemp("", "lucid-pg-")
	if err != nil {
		t.Fatal(err)
	}
	c.dir, c.data = dir, filepath.Join(dir, "data")
	t.Cleanup(c.cleanup)
	if c.cred != nil {
		if err := os.Chown(dir, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := c.command(bins[0], "-D", c.data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync", "--locale=C").CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c.port = ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	c.cmd = c.command(bins[1], "-D", c.data, "-p", strconv.Itoa(c.port), "-c", "listen_addresses=127.0.0.1",
		"-c", "unix_socket_directories="+dir, "-c", "fsync=off", "-c", "max_connections=50", "-c", "shared_buffers=16MB")
	// If the test binary dies (a -timeout panic skips cleanups), the kernel
	// kills the postmaster; its stopped backends, left in an orphaned
	// process group, get SIGHUP and SIGCONT and exit on the postmaster's death.
	c.cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	logf, err := os.Create(filepath.Join(dir, "postgres.log"))
	if err != nil {
		t.Fatal(err)
	}
	c.cmd.Stdout, c.cmd.Stderr = logf, logf
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = c.cmd.Wait(); _ = logf.Close(); close(c.exited) }()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		conn, err := net.DialTimeout("tcp", c.addr(), time.Second)
		if err == nil {
			_ = conn.Close()
			// Accepting connections is not yet accepting sessions.
			st, err := postgres.Open(context.Background(), c.DSN())
			if err == nil {
				_ = st.Close()
				return c
			}
		}
		select {
		case <-c.exited:
			log, _ := os.ReadFile(filepath.Join(dir, "postgres.log"))
			t.Fatalf("postgres exited: %s", log)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("postgres did not start within 20s")
		}
	}
}

func (c *pgCluster) addr() string { return "127.0.0.1:" + strconv.Itoa(c.port) }

// DSN is the cluster's default database.
func (c *pgCluster) DSN() string {
	return "postgres://postgres@" + c.addr() + "/postgres?sslmode=disable&pool_max_conns=8"
}

func (c *pgCluster) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Dir = c.dir
	cmd.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin", "LC_ALL=C"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred, Setpgid: true}
	return cmd
}

// children are the postmaster's child processes: the backends that serve
// Lucid's open connections, and the auxiliary processes.
func (c *pgCluster) children() []int {
	var out []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid …; comm may hold spaces, so read after ')'.
		s := string(stat)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(fields) > 1 && fields[1] == strconv.Itoa(c.cmd.Process.Pid) {
			out = append(out, pid)
		}
	}
	return out
}

// freeze stops the postmaster and every child (not refusing: not
// answering), as a hung database host looks from Lucid.
func (c *pgCluster) freeze() {
	c.t.Helper()
	if err := syscall.Kill(c.cmd.Process.Pid, syscall.SIGSTOP); err != nil {
		c.t.Fatal(err)
	}
	c.frozen = append(c.frozen, c.cmd.Process.Pid)
	for _, pid := range c.children() {
		if syscall.Kill(pid, syscall.SIGSTOP) == nil {
			c.frozen = append(c.frozen, pid)
		}
	}
}

// thaw continues what freeze stopped, children first.
func (c *pgCluster) thaw() {
	for i := len(c.frozen) - 1; i >= 0; i-- {
		_ = syscall.Kill(c.frozen[i], syscall.SIGCONT)
	}
	c.frozen = nil
}

// stop shuts the server down at once, as a crash or a kill would.
func (c *pgCluster) stop() {
	c.t.Helper()
	c.thaw()
	out, err := c.command(c.pgCtl, "stop", "-D", c.data, "-m", "immediate", "-w").CombinedOutput()
	if err != nil {
		c.t.Logf("pg_ctl stop: %v %s; sending SIGQUIT", err, out)
		_ = syscall.Kill(c.cmd.Process.Pid, syscall.SIGQUIT)
	}
	select {
	case <-c.exited:
	case <-time.After(20 * time.Second):
		c.t.Fatal("postgres did not stop")
	}
	c.stopped = true
}

// cleanup stops what is still running (it may be frozen) and removes the
// directory, whatever the test did.
func (c *pgCluster) cleanup() {
	c.thaw()
	if c.cmd != nil && c.cmd.Process != nil && !c.stopped {
		_ = syscall.Kill(c.cmd.Process.Pid, syscall.SIGQUIT)
		select {
		case <-c.exited:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(c.cmd.Process.Pid, syscall.SIGKILL)
			<-c.exited
		}
	}
	_ = os.RemoveAll(c.dir)
}

// TestFrozenPostgres: a PostgreSQL that stops answering (SIGSTOP on its
// postmaster and backends) made /token hang for more than 100 s. Now the
// token endpoint (a refresh, which needs the database) and introspection
// answer the catalogued 503 with Retry-After within the deadlines plus a
// margin, the resource library passes that on as retryable, and Lucid
// recovers when the database continues. Then the same with the server
// stopped, and with Lucid itself unreachable for the resource server.
func TestFrozenPostgres(t *testing.T) {
	ctx := context.Background()
	pg := startPostgres(t)
	st, err := postgres.Open(ctx, pg.DSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		pg.thaw()
		_ = st.Close()
	})
	const query, request = time.Second, 3 * time.Second
	l := startWith(t, startOpts{Store: st}, func(c *config.Config) {
		c.Database = pg.DSN()
		c.Timeouts.Query, c.Timeouts.Request = query, request
	})
	l.user(t, demoUser)
	web, websec := l.client(t, manage.ClientSpec{Name: "Notes"})
	cfg := l.oauthConfig(web, websec)
	tok, _ := login(t, l, l.browser(t), cfg)
	m2mc, m2msec := m2m(t, l, manage.ClientSpec{AccessTokenFormat: store.FormatOpaque})
	cc := clientcredentials.Config{ClientID: m2mc.ID, ClientSecret: m2msec, TokenURL: l.URL + "/token", Scopes: []string{"orders:read"}}
	opaque, err := cc.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	api := resourceAPI(t, l, m2mc.ID, m2msec)

	refresh := func(rt string) *reply {
		return postToken(t, l, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}, basicAuth(web.ID, websec))
	}
	introspectReply := func() *reply {
		return send(t, http.MethodPost, l.URL+"/introspect", strings.NewReader(url.Values{"token": {opaque.AccessToken}}.Encode()), func(r *http.Request) {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.SetBasicAuth(m2mc.ID, m2msec)
		})
	}
	// The deadline, pgx's fallback when a cancel request goes unanswered
	// (2 s), and a margin for a loaded machine.
	bound := request + 2*time.Second + 5*time.Second
	within := func(what string, f func()) {
		t.Helper()
		start := time.Now()
		f()
		if took := time.Since(start); took > bound {
			t.Fatalf("%s took %s, more than %s", what, took.Round(time.Millisecond), bound)
		}
	}
	outage := func(name string) {
		t.Run(name, func(t *testing.T) {
			within("/token", func() {
				r := refresh(tok.RefreshToken)
				wantJSONError(t, l, r, "storage_unavailable", "temporarily_unavailable", 503)
				wantRetryAfter(t, r.header, "")
			})
			within("/introspect", func() {
				r := introspectReply()
				wantJSONError(t, l, r, "storage_unavailable", "temporarily_unavailable", 503)
				wantRetryAfter(t, r.header, "")
			})
			within("the resource server", func() {
				wantIntrospectionUnavailable(t, l, api, opaque.AccessToken, "")
			})
		})
	}

	pg.freeze()
	outage("frozen")
	pg.thaw()
	// Recovery: the pool drops the connections it gave up on and opens
	// new ones.
	var r *reply
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if r = refresh(tok.RefreshToken); r.status == 200 || time.Now().After(deadline) {
			break
		}
	}
	if r.status != 200 {
		t.Fatalf("no recovery after SIGCONT: %d %s", r.status, r.body)
	}
	var next struct {
		RefreshToken string `json:"refresh_token"`
	}
	if err := json.Unmarshal(r.body, &next); err != nil || next.RefreshToken == "" {
		t.Fatalf("refresh after recovery: %v %s", err, r.body)
	}
	tok.RefreshToken = next.RefreshToken
	if got := introspect(t, l, m2mc.ID, m2msec, opaque.AccessToken, nil); got["active"] != true {
		t.Fatalf("introspection after recovery: %v", got)
	}

	pg.stop()
	outage("stopped")

	// Lucid itself gone: the resource server cannot reach introspection.
	l.stop()
	wantIntrospectionUnavailable(t, l, api, opaque.AccessToken, "")
}
