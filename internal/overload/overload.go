// Package overload sheds load: it bounds how many requests of each class
// of endpoint one process serves at once, and answers the rest at once
// with the catalog's server_overloaded (503, Retry-After) in the
// endpoint's own wire form. Without it, thousands of connections queue
// inside the server and every request waits (p99 1.1 s at 3,000
// connections); with it, the requests accepted keep their latency and the
// others learn at once to come back later.
//
// A request's body is read before the request takes its place, so a
// client that sends its body slowly holds a goroutine and a buffer, as it
// always did, but never a place another request could use.
package overload

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/trace"
	"github.com/lucid-auth/lucid/internal/ui"
)

// Class is a group of endpoints that share one limit.
type Class int

// The classes, one per setting of config.InFlight, and Exempt.
const (
	Token Class = iota
	Pages
	Introspection
	UserInfo
	Discovery
	Registration
	Admin
	Other
	// Exempt is never limited: the health check, which load balancers
	// must be able to reach while the rest sheds.
	Exempt
)

var classLabels = [...]string{
	Token: "token", Pages: "authorization page", Introspection: "introspection and revocation", UserInfo: "userinfo",
	Discovery: "discovery and key set", Registration: "registration", Admin: "admin API", Other: "page",
}

var classKeys = [...]string{
	Token: "token", Pages: "pages", Introspection: "introspection", UserInfo: "userinfo",
	Discovery: "discovery", Registration: "registration", Admin: "admin", Other: "other",
}

// Classes are the limited classes.
func Classes() []Class {
	return []Class{Token, Pages, Introspection, UserInfo, Discovery, Registration, Admin, Other}
}

// Key is the class's name in the in_flight settings and in metrics.
func (c Class) Key() string {
	if c >= 0 && int(c) < len(classKeys) {
		return classKeys[c]
	}
	return "exempt"
}

// String is the class as the catalog's description names it.
func (c Class) String() string {
	if c >= 0 && int(c) < len(classLabels) {
		return classLabels[c]
	}
	return "exempt"
}

// Classify names the class of a request path.
func Classify(path string) Class {
	switch {
	case path == "/token", path == "/par", path == "/device_authorization", path == "/bc-authorize":
		return Token
	case path == "/authorize", path == "/login", path == "/consent", path == "/logout",
		path == "/device", path == "/device/login", path == "/device/decide", path == "/approvals", path == "/approvals/login":
		return Pages
	case path == "/introspect", path == "/revoke":
		return Introspection
	case path == "/userinfo":
		return UserInfo
	case path == "/jwks", strings.HasPrefix(path, "/.well-known/"):
		return Discovery
	case path == "/register", strings.HasPrefix(path, "/register/"):
		return Registration
	case strings.HasPrefix(path, "/admin/"):
		return Admin
	case path == "/healthz", path == "/livez", path == "/readyz":
		return Exempt
	}
	return Other
}

// endpoint is the catalog endpoint a shed request is counted under.
func endpoint(c Class, path string) catalog.Endpoint {
	switch c {
	case Token:
		switch path {
		case "/par":
			return catalog.PAR
		case "/device_authorization":
			return catalog.DeviceAuthorization
		case "/bc-authorize":
			return catalog.Backchannel
		}
		return catalog.Token
	case Pages:
		switch path {
		case "/login", "/consent", "/device", "/device/login", "/device/decide", "/approvals", "/approvals/login":
			return catalog.SignIn
		case "/logout":
			return catalog.EndSession
		}
		return catalog.Authorize
	case Introspection:
		if path == "/revoke" {
			return catalog.Revoke
		}
		return catalog.Introspect
	case UserInfo:
		return catalog.UserInfo
	case Registration:
		return catalog.Register
	case Admin:
		return catalog.Admin
	case Discovery:
		return "discovery"
	}
	return "other"
}

// html reports whether the class answers people, with pages, rather than
// programs, with JSON.
func (c Class) html() bool { return c == Pages || c == Other }

// Body limits: a request's body is read up to its endpoint's own limit
// (plus one byte, so the endpoint still sees that it is too large) before
// it takes a place. They match the limits of the handlers: 64 KiB for the
// protocol endpoints and registration, 256 KiB for the admin API.
const (
	maxBody      = 64 << 10
	maxAdminBody = 256 << 10
)

// RetryAfter is the wait a shed request is told: a burst is over in
// about that time, and clients that wait it spread their retries out.
const RetryAfter = time.Second

// logEvery bounds the log lines shedding writes: one per class per
// period, with the count since the last.
const logEvery = 10 * time.Second

// Options configure a Limiter.
type Options struct {
	Limits config.InFlight
	Issuer string
	// Pages renders the HTML error page for page classes.
	Pages *ui.Renderer
	Log   *slog.Logger
	// Count counts each shed request (metrics.Failure); may be nil.
	Count func(name, rfcError, endpoint string)
	Now   func() time.Time
}

// Limiter counts the requests in flight per class.
type Limiter struct {
	opts    Options
	classes [Exempt]class
}

type class struct {
	limit    int64 // 0: no limit
	inFlight atomic.Int64
	shed     atomic.Int64 // since the last log line
	lastLog  atomic.Int64 // unix nanoseconds
}

// New makes a Limiter with the limits of opts.
func New(opts Options) *Limiter {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	l := &Limiter{opts: opts}
	in := opts.Limits
	for c, n := range [Exempt]int{
		Token: in.Token, Pages: in.Pages, Introspection: in.Introspection, UserInfo: in.UserInfo,
		Discovery: in.Discovery, Registration: in.Registration, Admin: in.Admin, Other: in.Other,
	} {
		l.classes[c].limit = int64(max(n, 0))
	}
	return l
}

// InFlight is the number of requests of class c being served now.
func (l *Limiter) InFlight(c Class) int {
	if c < 0 || c >= Exempt {
		return 0
	}
	return int(l.classes[c].inFlight.Load())
}

// Limit is the most requests of class c served at once; 0 is no limit.
func (l *Limiter) Limit(c Class) int {
	if c < 0 || c >= Exempt {
		return 0
	}
	return int(l.classes[c].limit)
}

// Middleware serves a request only while its class has room, and sheds
// it otherwise.
func (l *Limiter) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := Classify(r.URL.Path)
		if c == Exempt || l.classes[c].limit == 0 {
			next.ServeHTTP(w, r)
			return
		}
		cl := &l.classes[c]
		// Full already: refuse before reading the body.
		if cl.inFlight.Load() >= cl.limit {
			l.shed(w, r, c)
			return
		}
		limit := int64(maxBody)
		if c == Admin {
			limit = maxAdminBody
		}
		readBody(r, limit)
		if cl.inFlight.Add(1) > cl.limit {
			cl.inFlight.Add(-1)
			l.shed(w, r, c)
			return
		}
		defer cl.inFlight.Add(-1)
		next.ServeHTTP(w, r)
	})
}

// readBody reads up to limit+1 bytes of the body into memory and gives the
// handler a body that replays them, then whatever is left (a body over
// the limit) or the error that ended the reading.
func readBody(r *http.Request, limit int64) {
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return
	}
	var buf []byte
	var err error
	if n := r.ContentLength; n > 0 && n <= limit {
		buf = make([]byte, n)
		var got int
		got, err = io.ReadFull(r.Body, buf)
		buf = buf[:got]
		if err == nil {
			// The declared length is all there is; net/http enforces it.
			rb := &replayBytes{Closer: r.Body}
			rb.Reset(buf)
			r.Body = rb
			return
		}
	} else {
		buf, err = io.ReadAll(io.LimitReader(r.Body, limit+1))
	}
	rest := io.Reader(r.Body)
	if err != nil {
		rest = errReader{err}
	}
	r.Body = replay{Reader: io.MultiReader(bytes.NewReader(buf), rest), Closer: r.Body}
}

// replayBytes is a body read whole: one allocation with its reader.
type replayBytes struct {
	bytes.Reader
	io.Closer
}

type replay struct {
	io.Reader
	io.Closer
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// shed answers a request its class has no room for, in the class's wire
// form, and counts it. Stories are not stored per request (that would
// add database writes to the load being shed); the log gets one line per
// class per logEvery with the count.
func (l *Limiter) shed(w http.ResponseWriter, r *http.Request, c Class) {
	cl := &l.classes[c]
	e := catalog.New(catalog.ServerOverloaded, "class", c.String(), "retry_after", RetryAfter).
		Internal("limit", cl.limit).WithRetryAfter(RetryAfter)
	if l.opts.Count != nil {
		l.opts.Count(string(e.Name()), e.Code(), string(endpoint(c, r.URL.Path)))
	}
	now := l.opts.Now()
	n := cl.shed.Add(1)
	if last := cl.lastLog.Load(); now.UnixNano()-last >= int64(logEvery) && cl.lastLog.CompareAndSwap(last, now.UnixNano()) {
		cl.shed.Add(-n)
		l.opts.Log.WarnContext(r.Context(), "shedding load", "class", c.String(), "limit", cl.limit, "shed", n,
			"trace_id", trace.ID(r.Context()))
	}
	tid := trace.ID(r.Context())
	if !c.html() || l.opts.Pages == nil {
		e.WriteJSON(w, l.opts.Issuer, tid, now)
		return
	}
	e.SetRetryAfter(w.Header())
	l.opts.Pages.Error(w, e.Status(), ui.ErrorPage{
		Status:      e.Status(),
		Title:       e.Entry.Title,
		Description: e.Text(),
		Name:        string(e.Name()),
		Code:        e.Code(),
		TraceID:     tid,
		DocURL:      e.URI(l.opts.Issuer),
		Causes:      e.Entry.Causes,
		Fixes:       e.Entry.ClientFix,
	})
}
