package console

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/metrics"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/sqlite"
)

// signedIn stands in for the provider: the browser's session is whatever
// the test says.
type signedIn struct {
	sess *store.Session
	user *store.User
}

func (s *signedIn) SignedIn(context.Context, *http.Request) (*store.Session, *store.User, error) {
	return s.sess, s.user, nil
}

// TestGate: who gets through the console's gate and where the others go.
func TestGate(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "lucid.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	sk, err := secret.Derive(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	svc := &manage.Service{Store: st, Secrets: sk, Now: clock, HashPassword: func(string) (string, error) { return "x", nil }}
	mk := func(name string, admin bool) *store.User {
		u, err := svc.CreateUser(ctx, manage.UserSpec{Username: name, Password: "a long enough password"})
		if err != nil {
			t.Fatal(err)
		}
		if u, err = svc.SetAdmin(ctx, u.ID, admin); err != nil {
			t.Fatal(err)
		}
		return u
	}
	root, plain, withTOTP := mk("root", true), mk("plain", false), mk("guarded", true)
	if err := st.CreateTOTP(ctx, &store.TOTP{UserID: withTOTP.ID, Sealed: []byte("sealed"), CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	sessions := &signedIn{}
	c, err := New(Options{Issuer: "https://id.example", Service: svc, Sessions: sessions, Secrets: sk, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	sess := func(u *store.User, amr ...string) *store.Session {
		return &store.Session{ID: "sid-" + u.Username, UserID: u.ID, AMR: amr, AuthTime: now}
	}
	// stamp is the idle cookie the console set for sid at `at`.
	stamp := func(sid string, at time.Time) *http.Cookie {
		w := httptest.NewRecorder()
		c.o.Now = func() time.Time { return at }
		c.stamp(w, sid)
		c.o.Now = clock
		return w.Result().Cookies()[0]
	}
	for _, tc := range []struct {
		name     string
		sess     *store.Session
		user     *store.User
		cookie   *http.Cookie
		method   string
		form     url.Values
		status   int
		entry    catalog.Name
		redirect string // a query parameter the sign-in redirect must carry
	}{
		{name: "no session", status: http.StatusSeeOther, redirect: "prompt=login"},
		{name: "session without the console's stamp", sess: sess(root, "pwd"), user: root, status: http.StatusSeeOther, redirect: "prompt=login"},
		{name: "stamp of another session", sess: sess(root, "pwd"), user: root, cookie: stamp("sid-other", now), status: http.StatusSeeOther, redirect: "prompt=login"},
		{name: "idle too long", sess: sess(root, "pwd"), user: root, cookie: stamp("sid-root", now.Add(-DefaultIdle)), status: http.StatusSeeOther, redirect: "prompt=login"},
		{name: "admin", sess: sess(root, "pwd"), user: root, cookie: stamp("sid-root", now.Add(-time.Minute)), status: http.StatusOK},
		{name: "not an admin", sess: sess(plain, "pwd"), user: plain, cookie: stamp("sid-plain", now), status: http.StatusForbidden, entry: catalog.ConsoleNotAdmin},
		{name: "second factor not used", sess: sess(withTOTP, "pwd"), user: withTOTP, cookie: stamp("sid-guarded", now), status: http.StatusSeeOther, redirect: "acr_values=urn%3Alucid%3Aacr%3Amfa"},
		{name: "second factor used", sess: sess(withTOTP, "pwd", "otp", "mfa"), user: withTOTP, cookie: stamp("sid-guarded", now), status: http.StatusOK},
		{name: "post without csrf", sess: sess(root, "pwd"), user: root, cookie: stamp("sid-root", now), method: "POST", form: url.Values{"username": {"x"}}, status: http.StatusForbidden, entry: catalog.ConsoleFormExpired},
		{name: "post with another session's csrf", sess: sess(root, "pwd"), user: root, cookie: stamp("sid-root", now), method: "POST",
			form: url.Values{"csrf": {sk.Tag("console-csrf", "sid-other")}}, status: http.StatusForbidden, entry: catalog.ConsoleFormExpired},
		{name: "post when idle", sess: sess(root, "pwd"), user: root, method: "POST", form: url.Values{"csrf": {sk.Tag("console-csrf", "sid-root")}}, status: http.StatusForbidden, entry: catalog.ConsoleFormExpired},
		{name: "post with csrf", sess: sess(root, "pwd"), user: root, cookie: stamp("sid-root", now), method: "POST",
			form: url.Values{"csrf": {sk.Tag("console-csrf", "sid-root")}, "id": {"https://api.example"}, "scopes": {"read"}}, status: http.StatusSeeOther, redirect: "done=created"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sessions.sess, sessions.user = tc.sess, tc.user
			method, path := tc.method, "/console/"
			if method == "" {
				method = "GET"
			} else {
				path = "/console/apis"
			}
			r := httptest.NewRequest(method, path, strings.NewReader(tc.form.Encode()))
			if tc.form != nil {
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			if tc.cookie != nil {
				r.AddCookie(tc.cookie)
			}
			w := httptest.NewRecorder()
			c.ServeHTTP(w, r)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			if tc.entry != "" && !strings.Contains(w.Body.String(), `data-error-name="`+string(tc.entry)+`"`) {
				t.Errorf("page does not show %s: %s", tc.entry, w.Body)
			}
			if tc.redirect != "" && !strings.Contains(w.Header().Get("Location"), tc.redirect) {
				t.Errorf("redirect %q lacks %q", w.Header().Get("Location"), tc.redirect)
			}
			if csp := w.Header().Get("Content-Security-Policy"); w.Code != http.StatusSeeOther && !strings.Contains(csp, "default-src 'none'") {
				t.Errorf("CSP %q", csp)
			}
		})
	}
	if as, _ := st.ListAPIs(ctx); len(as) != 1 {
		t.Errorf("only the post with its csrf token may create an API: %d APIs", len(as))
	}

	// The console's client was registered by the first sign-in redirect,
	// and follows the issuer when it changes.
	for _, issuer := range []string{"https://id.example", "https://login.example"} {
		c, err := New(Options{Issuer: issuer, Service: svc, Sessions: &signedIn{}, Secrets: sk, Now: clock})
		if err != nil {
			t.Fatal(err)
		}
		w := httptest.NewRecorder()
		c.ServeHTTP(w, httptest.NewRequest("GET", "/console/", nil))
		cl, err := st.GetClient(ctx, ClientID)
		if err != nil || len(cl.RedirectURIs) != 1 || cl.RedirectURIs[0] != issuer+"/console/callback" || cl.TokenEndpointAuthMethod != "none" {
			t.Fatalf("console client under %s: %+v %v", issuer, cl, err)
		}
		if loc := w.Header().Get("Location"); !strings.HasPrefix(loc, issuer+"/authorize?") {
			t.Errorf("sign-in redirect %q", loc)
		}
	}
}

// TestCallback: the end of a console sign-in is judged by this browser's
// state cookie, and an error never sends the browser round again.
func TestCallback(t *testing.T) {
	sk, _ := secret.Derive(make([]byte, 32))
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	root := &store.User{ID: "u1", Username: "root", Admin: true}
	sessions := &signedIn{}
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "lucid.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	svc := &manage.Service{Store: st, Secrets: sk}
	c, err := New(Options{Issuer: "https://id.example", Service: svc, Sessions: sessions, Secrets: sk, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	state := &http.Cookie{Name: stateCookie, Value: "st." + strconv.FormatInt(now.Unix(), 10)}
	for _, tc := range []struct {
		name     string
		query    string
		cookie   *http.Cookie
		sess     *store.Session
		status   int
		entry    catalog.Name
		location string
	}{
		{name: "no state cookie", query: "state=st&code=c", status: http.StatusForbidden, entry: catalog.ConsoleFormExpired},
		{name: "another state", query: "state=other&code=c", cookie: state, status: http.StatusForbidden, entry: catalog.ConsoleFormExpired},
		{name: "unmet requirements", query: "state=st&error=unmet_authentication_requirements", cookie: state, status: http.StatusUnauthorized, entry: catalog.ConsoleSignInFailed},
		{name: "an unreadable error", query: "state=st&error=%22%3Cb%3E", cookie: state, status: http.StatusUnauthorized, entry: catalog.ConsoleSignInFailed},
		{name: "a session older than the sign-in", query: "state=st&code=c", cookie: state, sess: &store.Session{ID: "s", AuthTime: now.Add(-time.Hour)}, status: http.StatusSeeOther, location: "/authorize?"},
		{name: "signed in", query: "state=st&code=c", cookie: state, sess: &store.Session{ID: "s", AuthTime: now}, status: http.StatusSeeOther, location: "/console/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sessions.sess, sessions.user = tc.sess, root
			r := httptest.NewRequest("GET", "/console/callback?"+tc.query, nil)
			if tc.cookie != nil {
				r.AddCookie(tc.cookie)
			}
			w := httptest.NewRecorder()
			c.ServeHTTP(w, r)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			if tc.entry != "" && !strings.Contains(w.Body.String(), `data-error-name="`+string(tc.entry)+`"`) {
				t.Errorf("page does not show %s", tc.entry)
			}
			if strings.Contains(w.Body.String(), "<b>") {
				t.Error("the error code was echoed unescaped")
			}
			if loc := w.Header().Get("Location"); !strings.Contains(loc, tc.location) || (tc.location == "" && loc != "") {
				t.Errorf("location %q, want %q", loc, tc.location)
			}
		})
	}
}

// TestCharts: the figures keep the largest values, scale bars to the
// plot, and split the latency histogram into its buckets.
func TestCharts(t *testing.T) {
	lbl := func(kv ...string) []*dto.LabelPair {
		var out []*dto.LabelPair
		for i := 0; i < len(kv); i += 2 {
			out = append(out, &dto.LabelPair{Name: ptr(kv[i]), Value: ptr(kv[i+1])})
		}
		return out
	}
	counter := func(v float64, kv ...string) *dto.Metric {
		return &dto.Metric{Label: lbl(kv...), Counter: &dto.Counter{Value: ptr(v)}}
	}
	hist := func(route string, cum ...uint64) *dto.Metric {
		h := &dto.Histogram{}
		for i, n := range cum {
			h.Bucket = append(h.Bucket, &dto.Bucket{UpperBound: ptr([]float64{.001, .01, .1}[i]), CumulativeCount: ptr(n)})
		}
		return &dto.Metric{Label: lbl("route", route), Histogram: h}
	}
	mfs := []*dto.MetricFamily{
		{Name: ptr("lucid_http_requests_total"), Metric: []*dto.Metric{
			counter(30, "route", "POST /token", "method", "POST", "code", "200"),
			counter(10, "route", "POST /token", "method", "POST", "code", "400"),
			counter(20, "route", "/authorize", "method", "GET", "code", "302"),
		}},
		{Name: ptr("lucid_failures_total"), Metric: []*dto.Metric{
			counter(3, "name", "client_secret_wrong"), counter(0, "name", "code_unknown"),
		}},
		{Name: ptr("lucid_http_request_duration_seconds"), Metric: []*dto.Metric{hist("POST /token", 5, 8, 9), hist("/authorize", 1, 1, 3)}},
	}
	cs := charts(mfs)
	got := map[string]string{}
	for _, c := range cs {
		var parts []string
		for _, b := range c.Bars {
			parts = append(parts, b.Label+"="+b.Text+"@"+strconv.Itoa(b.W))
		}
		got[c.ID] = strings.Join(parts, " ")
	}
	for id, want := range map[string]string{
		"requests": "POST /token=40@400 GET /authorize=20@200",
		"failures": "client_secret_wrong=3@400",
		"latency":  "≤ 1 ms=6@400 ≤ 10 ms=3@200 ≤ 100 ms=3@200",
	} {
		if got[id] != want {
			t.Errorf("%s: got %q, want %q", id, got[id], want)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// TestTimelines: one column a minute, scaled to the busiest minute; an
// idle minute has no column.
func TestTimelines(t *testing.T) {
	start := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	ms := make([]metrics.Minute, 3)
	for i := range ms {
		ms[i].Start = start.Add(time.Duration(i) * time.Minute)
	}
	ms[0].Requests, ms[0].Mean = 4, 2*time.Millisecond
	ms[2].Requests, ms[2].Failures, ms[2].Mean = 8, 1, 500*time.Millisecond
	tls := timelines(ms)
	for _, tc := range []struct {
		tl      timeline
		peak    string
		heights []int
	}{
		{tls[0], "8", []int{50, 0, 100}},
		{tls[1], "1", []int{0, 0, 100}},
		{tls[2], "500 ms", []int{1, 0, 100}},
	} {
		var hs []int
		for i, c := range tc.tl.Cols {
			hs = append(hs, c.H)
			if c.X != i*colWidth || c.Y != timelineTall-c.H || c.Zero != (c.H == 0) {
				t.Errorf("%s column %d: %+v", tc.tl.ID, i, c)
			}
		}
		if tc.tl.Peak != tc.peak || fmt.Sprint(hs) != fmt.Sprint(tc.heights) {
			t.Errorf("%s: peak %q heights %v, want %q %v", tc.tl.ID, tc.tl.Peak, hs, tc.peak, tc.heights)
		}
	}
	if got := tls[0].Cols[2].Label; got != "12:02 UTC: 8" {
		t.Errorf("label %q", got)
	}
}
