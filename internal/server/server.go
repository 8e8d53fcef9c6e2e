// Package server assembles Lucid: it wires the store, keys, protocol
// handlers, pages, admin API and demo client into one http.Handler and runs
// it with the background chores (expiry clean-up, key reload).
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"runtime/debug"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	oteltrace "go.opentelemetry.io/otel/trace"

	"github.com/lucid-auth/lucid/internal/access"
	"github.com/lucid-auth/lucid/internal/admin"
	"github.com/lucid-auth/lucid/internal/buildinfo"
	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/clientauth"
	"github.com/lucid-auth/lucid/internal/clientcert"
	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/console"
	"github.com/lucid-auth/lucid/internal/demo"
	"github.com/lucid-auth/lucid/internal/errorpages"
	"github.com/lucid-auth/lucid/internal/failure"
	"github.com/lucid-auth/lucid/internal/keycheck"
	"github.com/lucid-auth/lucid/internal/keys"
	"github.com/lucid-auth/lucid/internal/ldap"
	"github.com/lucid-auth/lucid/internal/logout"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/metrics"
	"github.com/lucid-auth/lucid/internal/outbox"
	"github.com/lucid-auth/lucid/internal/overload"
	"github.com/lucid-auth/lucid/internal/password"
	"github.com/lucid-auth/lucid/internal/provider"
	"github.com/lucid-auth/lucid/internal/recovery"
	"github.com/lucid-auth/lucid/internal/registration"
	"github.com/lucid-auth/lucid/internal/revocation"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/clientcache"
	"github.com/lucid-auth/lucid/internal/store/deadline"
	"github.com/lucid-auth/lucid/internal/store/traced"
	"github.com/lucid-auth/lucid/internal/telemetry"
	"github.com/lucid-auth/lucid/internal/trace"
	"github.com/lucid-auth/lucid/internal/ui"
	"github.com/lucid-auth/lucid/internal/upstream"
)

// Server is a configured Lucid instance.
type Server struct {
	cfg     *config.Config
	store   store.Store
	keys    *keys.Manager
	log     *slog.Logger
	handler http.Handler
	proxies []netip.Prefix
	certs   *clientcert.Reader // nil unless mtls.enabled
	now     func() time.Time
	stories *failure.Writer
	// stopping is when shutdown began (Unix nanoseconds), 0 while serving:
	// /readyz fails from then on.
	stopping atomic.Int64
	outbox   *outbox.Outbox
	// accessLog writes a line per request; tracing (nil when off) makes
	// spans. With neither, requests are not observed at all.
	accessLog bool
	tracing   *telemetry.Tracing
	follower  *follower // the change feed's consumer
}

// Option adjusts how a server is built.
type Option func(*options)

type options struct {
	now     func() time.Time
	sampler *failure.Sampler
	tracing *telemetry.Tracing
}

// WithTracing makes OpenTelemetry spans of requests, store calls and
// outbound fetches with t; without it (or with nil) there are none.
func WithTracing(t *telemetry.Tracing) Option {
	return func(o *options) { o.tracing = t }
}

// WithClock replaces the wall clock, for tests that need time to pass.
func WithClock(now func() time.Time) Option {
	return func(o *options) { o.now = now }
}

// WithFailureSampler replaces the default sampling of repeated failures;
// nil reports every failure in full, for tests that count stories.
func WithFailureSampler(s *failure.Sampler) Option {
	return func(o *options) { o.sampler = s }
}

// New builds a server from a validated configuration and an open store.
// Its failure stories are written in the background from now on; Run
// stops that writer when it returns, and a server that is never Run may
// call Close.
func New(ctx context.Context, cfg *config.Config, st store.Store, log *slog.Logger, opts ...Option) (*Server, error) {
	o := options{now: time.Now, sampler: failure.NewSampler()}
	for _, opt := range opts {
		opt(&o)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	// Every part of this server reads clients through one cache, so a
	// change made here (admin API, registration) is seen by all at once.
	// Every store call is bounded (timeouts.query), background work
	// included, so a database that stops answering cannot hang anything.
	// The revocation view sees this process's revocations as they are
	// written (Watch) and other processes' through the change feed.
	backend := st
	bounded := store.Store(deadline.New(st, cfg.Timeouts.Query))
	if o.tracing != nil {
		bounded = traced.New(bounded, o.tracing.Tracer(), dbSystem(cfg.Database))
	}
	view := revocation.New(revocation.Options{Store: bounded, Log: log, Now: o.now, Horizon: max(2*cfg.Lifetimes.AccessToken, time.Hour)})
	clients := clientcache.New(view.Watch(bounded), clientTTL)
	st = clients
	master, err := cfg.MasterKeyBytes()
	if err != nil {
		return nil, err
	}
	sk, err := secret.Derive(master)
	if err != nil {
		return nil, err
	}
	// Before anything is sealed or peppered with the key.
	if err := keycheck.Check(ctx, st, sk, keycheck.Record); err != nil {
		return nil, err
	}
	km, err := keys.NewManager(ctx, st, sk, log)
	if err != nil {
		return nil, fmt.Errorf("signing keys: %w", err)
	}
	brand, err := uiBrand(cfg)
	if err != nil {
		return nil, err
	}
	pages, err := ui.New(ui.WithLogger(log), ui.WithBrand(brand))
	if err != nil {
		return nil, fmt.Errorf("pages: %w", err)
	}
	issuer := strings.TrimSuffix(cfg.Issuer, "/")
	met := metrics.New()
	build := buildinfo.Read()
	met.BuildInfo(build.Version, build.ShortRevision(), build.GoVersion)
	// Every part reports its failures the same way: logged once, counted,
	// and kept for `lucid explain`; repeated ones are summarised, and the
	// stories are written in the background, never on a request's time.
	known := func(ctx context.Context, id string) bool {
		_, err := st.GetClient(ctx, id)
		return err == nil
	}
	stories := failure.NewWriter(failure.WriterOptions{
		Store:           st,
		Log:             log,
		QueueSize:       cfg.FailureQueue,
		MaxStories:      cfg.FailureMaxStories,
		MaxUnattributed: cfg.FailureMaxUnattributed,
		Known:           known,
		Dropped:         met.StoryDropped,
		Sampler:         o.sampler,
		Now:             o.now,
	})
	failures := &failure.Recorder{Log: log, Store: st, Count: met.Failure, Writer: stories, Sampler: o.sampler, Known: known}
	// One pool for every password hash this process makes, sign-in and
	// administration alike, so that the bound on their memory holds.
	hashing := password.NewPool(cfg.Password.HashSlots, cfg.Password.HashWait)
	clientCAs, err := loadClientCAs(cfg.MTLS.CAFile)
	if err != nil {
		return nil, err
	}
	// Deliveries to other servers (back-channel logout tokens, CIBA pings) are rows in
	// the database, delivered by this worker and every other replica's.
	// throttle.shared: the limits per network and on unknown usernames are
	// counted in the database, so that they hold across replicas.
	var shared store.ThrottleStore
	if cfg.Throttle.Shared {
		shared = st
	}
	ob := newOutbox(cfg.Outbox, st, met, failures, o)
	backchannel := logout.NewDeliverer(issuer, km, st, cfg.Outbox.Timeout, cfg.Outbox.AllowLocal, o.now)
	backchannel.HTTP.Transport = o.tracing.Transport(backchannel.HTTP.Transport)
	ob.Register(logout.Kind, backchannel.Deliver)
	// Mail (reset and verification links) goes out through the outbox too;
	// without mail.host there is none, and reset and sign-up are off.
	links, err := newMail(cfg, st, sk, ob, issuer, o.now)
	if err != nil {
		return nil, err
	}
	clientAuth := clientauth.New(st, sk, issuer, issuer+provider.PathToken, clientauth.WithPAREndpoint(issuer+provider.PathPAR), clientauth.WithClock(o.now),
		clientauth.WithLocalKeySets(cfg.KeyFetch.AllowLocal), clientauth.WithStrictAudience(cfg.StrictAssertionAudience),
		clientauth.WithClientCAs(clientCAs), clientauth.WithFAPI2(cfg.FAPI2SecurityProfile),
		clientauth.WithTransport(o.tracing.Transport))
	// Upstream identity providers read their keys through the same cache
	// of remote key sets as client jwks_uri and trusted issuers.
	ups, err := upstream.NewSet(cfg.Upstreams, upstream.Options{Issuer: issuer, Keys: clientAuth, Now: o.now})
	if err != nil {
		return nil, err
	}
	dirs, err := ldap.NewSet(cfg.Directories)
	if err != nil {
		return nil, err
	}
	// The management service: the CLI's operations, for the admin API,
	// recovery and the account page.
	svc := &manage.Service{Store: st, Secrets: sk, Now: o.now, KeyPublish: cfg.Lifetimes.KeyPublish, FAPI2: cfg.FAPI2SecurityProfile,
		KeepGrantsOnChange:  cfg.Users.KeepGrantsOnChange,
		RetiredSecretMemory: manage.RetiredSecretMemory(cfg.Lifetimes.RetiredSecret),
		WakeOutbox:          ob.Wake,
		HashPassword: func(pw string) (string, error) {
			// An administrator (or the demo's seeding) may wait longer
			// than an anonymous sign-in, but still takes a slot.
			release, err := hashing.AcquireWithin(context.Background(), adminHashWait)
			if err != nil {
				return "", err
			}
			defer release()
			return password.Hash(pw)
		},
		PasswordPolicy: password.Policy{MinLength: cfg.Password.MinLength},
	}
	if links != nil {
		svc.EmailChanged = links.SendVerification
	}
	prov, err := provider.New(provider.Options{
		Directories:   dirs,
		Issuer:        issuer,
		Store:         st,
		Keys:          km,
		Secrets:       sk,
		ClientAuth:    clientAuth,
		Upstreams:     ups,
		UI:            pages,
		Log:           log,
		Lifetimes:     cfg.Lifetimes,
		Lockout:       cfg.Lockout,
		SecureCookies: cfg.SecureCookies(),
		Now:           o.now,
		Failures:      failures,

		RegistrationEndpoint: registration.EndpointURL(issuer, cfg.Registration),
		TrustedIssuers:       cfg.TrustedIssuers,
		Hashing:              hashing,
		MTLS:                 cfg.MTLS.Enabled,
		MTLSEndpointAlias:    strings.TrimSuffix(cfg.MTLS.EndpointAlias, "/"),
		DPoP:                 cfg.DPoP,
		RequirePAR:           cfg.RequirePushedAuthorizationRequests,
		FAPI2:                cfg.FAPI2SecurityProfile,
		WakeOutbox:           ob.Wake,
		Device:               cfg.Device,
		CIBA:                 cfg.CIBA,
		Authn:                cfg.Authn,
		Outbox:               ob,
		Outbound:             outboundClient(cfg, o.tracing),
		Revocations:          view,
		SharedThrottles:      shared,
		ForgotPassword:       links != nil,
		Signup:               links != nil && cfg.Signup.Enabled,
		Manage:               svc,
		Mail:                 links != nil,
	})
	if err != nil {
		return nil, err
	}
	ob.Register(provider.PingKind, prov.DeliverPing)
	ob.Register(provider.PushKind, prov.DeliverPush)
	ob.Register(provider.NoticeKind, prov.DeliverNotice)
	s := &Server{cfg: cfg, store: st, keys: km, log: log, now: o.now, stories: stories, outbox: ob,
		accessLog: cfg.AccessLogOn(), tracing: o.tracing}
	for _, c := range cfg.TrustedProxies {
		n, err := netip.ParsePrefix(c)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: %w", c, err)
		}
		s.proxies = append(s.proxies, n.Masked())
	}
	if cfg.MTLS.Enabled {
		s.certs = &clientcert.Reader{Header: cfg.MTLS.ClientCertHeader, Trusted: s.trustedPeer}
	}

	mux := http.NewServeMux()
	// What observes requests (access log, spans) needs the route
	// pattern, which only the request the mux was given carries.
	var routes http.Handler = mux
	if s.observed() {
		routes = access.Route(mux)
	}
	prov.Register(mux)
	mux.Handle("GET /assets/", pages.Assets())
	errPages := errorpages.New(pages, errorpages.Options{Issuer: issuer, Log: log, Failures: failures, Now: o.now})
	errPages.Register(mux)
	mux.HandleFunc("/", errPages.NotFound)
	recovery.New(recovery.Options{
		Issuer: issuer, Store: st, Service: svc, Links: links, UI: pages, Secrets: sk, Failures: failures, Log: log, Now: o.now,
		SecureCookies: cfg.SecureCookies(), Recovery: cfg.Recovery, Signup: cfg.Signup, Lifetimes: cfg.Lifetimes,
	}).Register(mux)
	mux.Handle("/admin/", admin.Handler(svc, km, cfg.AdminToken, issuer, log, admin.WithMetrics(met.Handler()), admin.WithFailures(failures), admin.WithBackchannel(prov)))
	// The web console: a first-party page on the provider's sessions,
	// every action through svc (internal/console).
	if cfg.Console.Enabled {
		con, err := console.New(console.Options{Issuer: issuer, Service: svc, Keys: km, Sessions: prov, Secrets: sk, Failures: failures,
			Metrics: met.Gatherer(), Recent: met.Recent(), StyleURL: pages.StyleURL(), IconURL: pages.IconURL(), SecureCookies: cfg.SecureCookies(),
			Idle: cfg.Console.Idle, Now: o.now, Log: log})
		if err != nil {
			return nil, fmt.Errorf("console: %w", err)
		}
		mux.Handle(console.Prefix, con)
	}
	registration.New(svc, registration.Options{Issuer: issuer, Config: cfg.Registration, Log: log, Now: o.now, Failures: failures, LocalKeySets: cfg.KeyFetch.AllowLocal, MTLS: cfg.MTLS.Enabled, SharedThrottles: shared}).Register(mux)
	mux.HandleFunc("GET /healthz", s.handleHealth)
	mux.HandleFunc("GET /livez", s.handleLive)
	mux.HandleFunc("GET /readyz", s.handleReady)
	if cfg.Demo {
		if _, err := svc.SeedDemo(ctx, issuer); err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
		d := demo.New(demo.Options{
			Issuer:        issuer,
			ClientID:      "demo",
			RedirectURL:   issuer + "/demo/callback",
			Renderer:      pages,
			Log:           log,
			SecureCookies: cfg.SecureCookies(),
		})
		mux.Handle("/demo", d)
		mux.Handle("/demo/", d)
	}
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		if cfg.Demo {
			http.Redirect(w, r, "/demo", http.StatusFound)
			return
		}
		http.Redirect(w, r, "/.well-known/openid-configuration", http.StatusFound)
	})
	limiter := overload.New(overload.Options{Limits: cfg.InFlight, Issuer: issuer, Pages: pages, Log: log, Count: met.Failure, Now: o.now})
	for _, c := range overload.Classes() {
		met.InFlight(c.Key(), limiter.Limit(c), func() float64 { return float64(limiter.InFlight(c)) })
	}
	// Languages outermost, so that the overload page has them too; the
	// wrappers inside unwrap to its writer, and the metrics read the route
	// pattern on the very request the mux was given.
	s.handler = s.middleware(ui.Languages(limiter.Middleware(s.deadline(met.Middleware(routes)))), pages, issuer)
	stories.Start()
	ob.Start()
	s.follower = startFollower(ctx, backend, &follower{log: log, clients: clients, prov: prov, keys: km, view: view})
	return s, nil
}

// adminHashWait bounds how long setting a password through the admin API
// waits for a hashing slot.
const adminHashWait = 10 * time.Second

// FlushFailures waits until the failure stories of requests answered so
// far are written (or dropped).
func (s *Server) FlushFailures(ctx context.Context) error { return s.stories.Flush(ctx) }

// Close stops the outbox worker (letting attempts under way finish),
// writes the failure stories still queued and stops the writer; Run does
// this itself. Call it once no request is being served.
func (s *Server) Close(ctx context.Context) error {
	s.follower.stop()
	return errors.Join(s.outbox.Close(ctx), s.stories.Close(ctx))
}

// Outbox is this replica's outbox: its worker delivers the items of every
// replica; handlers of new kinds of delivery are registered on it.
func (s *Server) Outbox() *outbox.Outbox { return s.outbox }

// clientTTL bounds how long a client changed by another process (the CLI,
// another replica) may be served as it was when the change feed is down;
// while it is up, the change applies at its notification.
const clientTTL = 5 * time.Second

// Store is the store as this server uses it (with its client cache);
// writes that must be seen at once by the server go through it.
func (s *Server) Store() store.Store { return s.store }

// Handler is the whole HTTP surface.
func (s *Server) Handler() http.Handler { return s.handler }

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Cache-Control", "no-store")
	if err := s.store.Ping(ctx); err != nil {
		// Whatever the cause (a timeout too), the storage cannot serve. Not
		// recorded: the story would go to the store that is down.
		catalog.New(catalog.StorageUnavailable).Wrap(err).WriteJSON(w, strings.TrimSuffix(s.cfg.Issuer, "/"), trace.ID(r.Context()), s.now())
		return
	}
	_, _ = w.Write([]byte("ok\n"))
}

// handleLive is the liveness probe: the process serves HTTP. It does not
// look at the database, so an orchestrator does not restart every replica
// because the database is down.
func (s *Server) handleLive(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte("ok\n"))
}

// handleReady is the readiness probe: this replica should get traffic. It
// fails while draining, while the database does not answer, and while a
// signing key is missing.
func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	issuer := strings.TrimSuffix(s.cfg.Issuer, "/")
	fail := func(e *catalog.Error) {
		e.WriteJSON(w, issuer, trace.ID(r.Context()), s.now())
	}
	if since := s.stopping.Load(); since != 0 {
		fail(catalog.New(catalog.ServerDraining, "drain", s.cfg.Timeouts.Drain).Internal("stopping_since", time.Unix(0, since).UTC()))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		fail(catalog.New(catalog.StorageUnavailable).Wrap(err))
		return
	}
	for _, alg := range s.keys.Algs() {
		if _, ok := s.keys.KidFor(alg); !ok {
			fail(catalog.New(catalog.SigningKeyMissing, "alg", alg))
			return
		}
	}
	_, _ = w.Write([]byte("ok\n"))
}

// deadline bounds all the database work of one request
// (timeouts.request): its context ends then, and a handler still waiting
// for the store answers storage_unavailable.
func (s *Server) deadline(next http.Handler) http.Handler {
	d := s.cfg.Timeouts.Request
	if d <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// middleware wraps every request: trace id, client address behind trusted
// proxies, baseline security headers, and a recover that turns a panic into
// a catalogued server_error instead of a dropped connection.
func (s *Server) middleware(next http.Handler, pages *ui.Renderer, issuer string) http.Handler {
	secure := strings.HasPrefix(issuer, "https://")
	observed := s.observed()
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		if secure {
			h.Set("Strict-Transport-Security", "max-age=63072000")
		}
		if s.certs != nil {
			// From the peer itself, before RemoteAddr names the client.
			if p := s.certs.Read(r); p != nil {
				r = r.WithContext(clientcert.With(r.Context(), p))
			}
		}
		r.RemoteAddr = s.clientAddr(r)
		if observed {
			// Registered before the recover below, so it runs after it and
			// sees a panic's 500.
			var done func()
			w, r, done = s.observe(w, r)
			defer done()
		}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				ctx := r.Context()
				s.log.ErrorContext(ctx, "panic", "trace_id", trace.ID(ctx), "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				catalog.New(catalog.ServerError).WriteJSON(w, issuer, trace.ID(ctx), time.Now())
			}
		}()
		next.ServeHTTP(w, r)
	})
	return trace.Middleware(inner)
}

// observed reports whether requests are observed (access log, spans).
func (s *Server) observed() bool { return s.accessLog || s.tracing != nil }

// observe starts watching one request whose client address is settled:
// its record (route, client, status, bytes) and its span. done writes the
// access line and ends the span.
func (s *Server) observe(w http.ResponseWriter, r *http.Request) (http.ResponseWriter, *http.Request, func()) {
	start := time.Now()
	rec := &access.Record{}
	ctx := access.With(r.Context(), rec)
	var span oteltrace.Span
	if s.tracing != nil {
		ctx, span = s.tracing.StartRequest(ctx, r)
	}
	r = r.WithContext(ctx)
	return &access.Writer{ResponseWriter: w, Rec: rec}, r, func() {
		if span != nil {
			s.tracing.EndRequest(span, r, rec)
		}
		if s.accessLog {
			access.Log(ctx, s.log, r, rec, trace.ID(ctx), start)
		}
	}
}

// dbSystem names the database of a DSN for spans (db.system.name).
func dbSystem(dsn string) string {
	if strings.HasPrefix(dsn, "postgres") {
		return "postgresql"
	}
	return "sqlite"
}

// clientAddr is the peer address, or the nearest untrusted hop of
// X-Forwarded-For when the peer is a trusted proxy.
func (s *Server) clientAddr(r *http.Request) string {
	if len(s.proxies) == 0 {
		return r.RemoteAddr
	}
	trusted := s.trustedPeer
	if !trusted(r.RemoteAddr) {
		return r.RemoteAddr
	}
	hops := strings.Split(r.Header.Get("X-Forwarded-For"), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop := strings.TrimSpace(hops[i])
		if hop == "" || trusted(hop) {
			continue
		}
		ip, ok := parseIP(hop)
		if !ok {
			// A proxy that forwards garbage is answered for by the proxy.
			return r.RemoteAddr
		}
		return net.JoinHostPort(ip.String(), "0")
	}
	return r.RemoteAddr
}

// trustedPeer reports whether addr is one of the trusted proxies.
func (s *Server) trustedPeer(addr string) bool {
	ip, ok := parseIP(addr)
	return ok && slices.ContainsFunc(s.proxies, func(n netip.Prefix) bool { return n.Contains(ip) })
}

// parseIP reads an address with or without a port: a peer address, or an
// X-Forwarded-For entry (some proxies send "192.0.2.1:5678" or
// "[2001:db8::1]:443").
func parseIP(s string) (netip.Addr, bool) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	ip, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]"))
	return ip.Unmap(), err == nil
}

// Run listens (Listen) and serves until ctx is cancelled, then shuts down
// gracefully. ready, if not nil, is called with the bound address once
// the listener is open.
func (s *Server) Run(ctx context.Context, ready func(addr string)) error {
	l, err := Listen(s.cfg)
	if err != nil {
		return err
	}
	return s.Serve(ctx, l, ready)
}

// Serve serves on l until ctx is cancelled, then shuts down gracefully.
// ready, if not nil, is called with the bound address first.
func (s *Server) Serve(ctx context.Context, l *Listener, ready func(addr string)) error {
	ln := l.ln
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		TLSConfig:         l.tls,
	}
	go s.chores(ctx)
	errc := make(chan error, 1)
	go func() {
		if l.tls != nil {
			errc <- srv.ServeTLS(ln, "", "") // the certificate is in TLSConfig
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	if ready != nil {
		ready(ln.Addr().String())
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.stopping.Store(time.Now().UnixNano())
	if d := s.cfg.Timeouts.Drain; d > 0 {
		// Still serving, but no longer ready: the load balancer's next
		// probe takes this replica out before its listener closes.
		s.log.Info("draining: /readyz now fails", "drain", d)
		select {
		case err := <-errc:
			return err
		case <-time.After(d):
		}
	}
	s.log.Info("shutting down: finishing requests in flight")
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	s.follower.stop()
	// Attempts under way finish and are recorded; what is left waits in
	// the database for the next start or another replica.
	if err := s.outbox.Close(shutdown); err != nil {
		s.log.WarnContext(ctx, "outbox deliveries still under way at shutdown", "err", err)
	}
	// The requests are answered; their stories are written before Lucid
	// exits.
	if err := s.stories.Close(shutdown); err != nil {
		s.log.WarnContext(ctx, "failure stories not all written at shutdown", "err", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	s.log.Info("stopped")
	return nil
}

// trimFailures bounds the failure stories by count as well as age, each
// class on its own: stories nobody registered is behind (404s, unknown
// clients) cannot push out those of registered clients. The writer trims
// as it writes; this catches stories written by other replicas.
func (s *Server) trimFailures(ctx context.Context) {
	for _, c := range []struct {
		unattributed bool
		keep         int
	}{{false, s.cfg.FailureMaxStories}, {true, s.cfg.FailureMaxUnattributed}} {
		if _, err := s.store.TrimFailures(ctx, c.unattributed, c.keep); err != nil {
			s.log.WarnContext(ctx, "trimming failure stories", "unattributed", c.unattributed, "err", err)
		}
	}
}

// chores runs the periodic work: picking up keys rotated elsewhere (the CLI,
// another replica; the change feed does this at once, this is the safety
// net) and deleting what has expired.
func (s *Server) chores(ctx context.Context) {
	reload := time.NewTicker(time.Minute)
	clean := time.NewTicker(10 * time.Minute)
	defer reload.Stop()
	defer clean.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-reload.C:
			if err := s.keys.Reload(ctx); err != nil {
				s.log.WarnContext(ctx, "reloading signing keys", "err", err)
			}
		case <-clean.C:
			if err := s.store.DeleteExpired(ctx, time.Now(), s.cfg.FailureRetention); err != nil {
				s.log.WarnContext(ctx, "deleting expired state", "err", err)
			}
			s.trimFailures(ctx)
		}
	}
}
