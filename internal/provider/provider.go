// Package provider is Lucid's OAuth 2.x and OpenID Connect protocol: the
// authorization endpoint and its sign-in and consent steps, the token
// endpoint (one file per grant), userinfo, discovery, JWKS and logout.
//
// Every failure leaves through fail, failPage or failRedirect, which take a
// *catalog.Error: the catalog decides the wire form, this package decides
// only which entry applies and with what request-specific values.
package provider

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/clientauth"
	"github.com/lucid-auth/lucid/internal/clientjwt"
	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/cors"
	"github.com/lucid-auth/lucid/internal/failure"
	"github.com/lucid-auth/lucid/internal/granttype"
	"github.com/lucid-auth/lucid/internal/keys"
	"github.com/lucid-auth/lucid/internal/ldap"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/outbox"
	"github.com/lucid-auth/lucid/internal/password"
	"github.com/lucid-auth/lucid/internal/revocation"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/throttle"
	"github.com/lucid-auth/lucid/internal/trace"
	"github.com/lucid-auth/lucid/internal/ui"
	"github.com/lucid-auth/lucid/internal/upstream"
)

// Options are what a Provider needs; all are required but Now and Log.
type Options struct {
	Issuer        string
	Store         store.Store
	Keys          *keys.Manager
	Secrets       *secret.Keys
	ClientAuth    *clientauth.Authenticator
	UI            *ui.Renderer
	Log           *slog.Logger
	Lifetimes     config.Lifetimes
	Lockout       config.Lockout
	SecureCookies bool
	Now           func() time.Time
	// Failures reports failed requests; nil logs them through Log and
	// keeps their stories in Store.
	Failures *failure.Recorder

	// RegistrationEndpoint is advertised in discovery as
	// registration_endpoint; empty while dynamic registration is off.
	RegistrationEndpoint string

	// TrustedIssuers are the issuers of JWT bearer grant assertions.
	TrustedIssuers []config.TrustedIssuer

	// DPoP are the settings of DPoP proofs (RFC 9449).
	DPoP config.DPoP
	// RequirePAR makes every client push its authorization requests
	// (require_pushed_authorization_requests, RFC 9126 §5).
	RequirePAR bool

	// Hashing bounds concurrent password hashes (password.hash_slots);
	// nil means one slot per CPU and password.DefaultWait.
	Hashing *password.Pool

	// MTLS accepts mutual-TLS client authentication and binds tokens to
	// client certificates (RFC 8705); MTLSEndpointAlias is the base URL of
	// mtls_endpoint_aliases, empty for the ordinary endpoints.
	MTLS              bool
	MTLSEndpointAlias string

	// FAPI2 puts every client under the FAPI 2.0 Security Profile
	// (fapi.go); otherwise only those registered for it.
	FAPI2 bool
	// WakeOutbox, when set, is called after back-channel logouts are
	// enqueued, so that this replica delivers them without waiting for
	// its next poll.
	WakeOutbox func()
	// Device are the settings of the device authorization grant (RFC 8628).
	Device config.Device
	// CIBA are the settings of backchannel authentication; Outbox and
	// Outbound deliver its pings (DeliverPing): the durable outbox and an
	// SSRF-guarded HTTP client. Without Outbox no ping is sent.
	CIBA     config.CIBA
	Outbox   *outbox.Outbox
	Outbound *http.Client
	// Revocations, when set, answers the access token checks' revocation
	// questions from memory while it is live (internal/revocation);
	// otherwise every check reads the store.
	Revocations *revocation.View
	// SharedThrottles, when set (throttle.shared), keeps the sign-in
	// limits (failed sign-ins per network, unknown usernames) in the
	// database, so that they hold across replicas.
	SharedThrottles store.ThrottleStore
	// ForgotPassword and Signup put their links (internal/recovery's
	// /forgot and /signup) on the sign-in page.
	ForgotPassword bool
	Signup         bool
	// Upstreams are the identity providers people may sign in with
	// (upstream.go); nil for none.
	Upstreams *upstream.Set
	// Directories are the LDAP directories whose people sign in on the
	// sign-in form (directory.go); nil for none.
	Directories *ldap.Set
	// Authn are the settings of second factors and passkeys (factors.go).
	Authn config.Authn
	// Manage is the management service the account page changes the
	// person's account through (the same operations as the CLI and the
	// admin API); nil leaves /account unserved.
	Manage *manage.Service
	// Mail says a changed address gets a verification link
	// (manage.Service.EmailChanged is set).
	Mail bool
}

// Provider serves the protocol endpoints.
type Provider struct {
	// revoked is the in-memory revocation view; nil or not live: read the store.
	revoked *revocation.View
	issuer  string
	store   store.Store
	keys    *keys.Manager
	secrets *secret.Keys
	clients *clientauth.Authenticator
	ui      *ui.Renderer
	log     *slog.Logger
	life    config.Lifetimes
	lockout config.Lockout
	// signIns counts failed sign-ins per client network
	// (lockout.network_per_hour); nil when that is 0, off.
	signIns   *throttle.Limiter
	secure    bool
	now       func() time.Time
	discovery []byte
	// discoveryTypes is discovery with the registered authorization
	// details types, for the types last seen (rar.go).
	discoveryTypes atomic.Pointer[discoveryDoc]
	grants         map[granttype.Type]grantHandler
	failures       *failure.Recorder
	apis           *apiCache
	trusted        map[string]*trustedIssuer // JWT bearer issuers, by issuer
	// jwts verifies JWTs made by clients and workloads (internal/clientjwt).
	jwts *clientjwt.Verifier
	// hashing bounds how many password hashes run at once.
	hashing *password.Pool
	// unknownNames counts failed sign-ins for usernames without an
	// account, so that they lock as accounts do.
	unknownNames *throttle.Names
	// dummyHash is verified against when a username is unknown, so that a
	// failed sign-in costs one default hash whether or not the user exists.
	dummyHash string

	registrationEndpoint string
	// mtls: RFC 8705 is on (mtls.go); mtlsAlias is its endpoint base.
	mtls      bool
	mtlsAlias string
	// requirePAR: every client must push its authorization requests.
	requirePAR bool
	// fapi2: every client is under the FAPI 2.0 Security Profile.
	fapi2 bool
	// origin is the issuer's own web origin; its pages need no CORS.
	origin string
	dpop   dpopSettings
	// wakeOutbox: see Options.WakeOutbox; never nil.
	wakeOutbox func()

	// The device flow (device.go): its settings, the last poll of each
	// device code (per replica), and the limits on wrong user codes per
	// network and for the whole replica (nil when off).
	device        config.Device
	userCodeNets  *throttle.Limiter
	userCodeTotal *throttle.Limiter
	// ciba: backchannel authentication (ciba.go); polls keeps the pace of
	// pending polls in memory.
	ciba config.CIBA
	// polls paces the pending polls of device codes and backchannel
	// requests (polls.go).
	polls    *pollPacer
	outbox   *outbox.Outbox
	outbound *http.Client
	// forgotLink, signupLink: the sign-in page links to /forgot, /signup.
	forgotLink, signupLink bool
	// upstreams: sign-in through other identity providers (upstream.go).
	upstreams *upstream.Set
	// directories: sign-in with a directory password (directory.go).
	directories *ldap.Set

	// authn: second factors and passkeys (factors.go); webauthn is nil
	// while passkeys are off.
	authn    config.Authn
	webauthn *webauthn.WebAuthn

	manage *manage.Service
	mail   bool
}

// Endpoint paths, relative to the issuer.
const (
	PathAuthorize  = "/authorize"
	PathToken      = "/token"
	PathUserInfo   = "/userinfo"
	PathJWKS       = "/jwks"
	PathLogout     = "/logout"
	PathLogin      = "/login"
	PathConsent    = "/consent"
	PathIntrospect = "/introspect"
	PathRevoke     = "/revoke"
)

// New builds a Provider.
func New(opts Options) (*Provider, error) {
	if opts.Issuer == "" || opts.Store == nil || opts.Keys == nil || opts.Secrets == nil || opts.ClientAuth == nil || opts.UI == nil {
		return nil, errors.New("provider: missing required option")
	}
	p := &Provider{
		issuer:     strings.TrimSuffix(opts.Issuer, "/"),
		store:      opts.Store,
		keys:       opts.Keys,
		secrets:    opts.Secrets,
		clients:    opts.ClientAuth,
		ui:         opts.UI,
		wakeOutbox: func() {},
		log:        opts.Log,
		life:       opts.Lifetimes,
		lockout:    opts.Lockout,
		secure:     opts.SecureCookies,
		now:        opts.Now,
		failures:   opts.Failures,
		revoked:    opts.Revocations,
	}
	var signIns, names []throttle.Option
	if opts.SharedThrottles != nil {
		signIns = append(signIns, throttle.Shared(opts.SharedThrottles, "signin"))
		names = append(names, throttle.Shared(opts.SharedThrottles, "name"))
	}
	if opts.Lockout.NetworkPerHour > 0 {
		p.signIns = throttle.New(opts.Lockout.NetworkPerHour, signIns...)
	}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	p.origin = cors.Of(p.issuer)
	if p.now == nil {
		p.now = time.Now
	}
	p.jwts = clientjwt.New(p.store, p.now)
	if p.failures == nil {
		p.failures = &failure.Recorder{Log: p.log, Store: p.store}
	}
	var err error
	if p.grants, err = p.grantHandlers(); err != nil {
		return nil, err
	}
	p.apis = &apiCache{store: p.store, log: p.log}
	p.fapi2 = opts.FAPI2
	p.setupDPoP(opts.DPoP)
	p.registrationEndpoint = opts.RegistrationEndpoint
	p.mtls, p.mtlsAlias = opts.MTLS, opts.MTLSEndpointAlias
	if opts.WakeOutbox != nil {
		p.wakeOutbox = opts.WakeOutbox
	}
	p.requirePAR = opts.RequirePAR || opts.FAPI2
	p.setupDevice(opts.Device)
	p.ciba, p.polls = opts.CIBA, newPollPacer(defaultMaxPolls)
	p.outbox, p.outbound = opts.Outbox, opts.Outbound
	p.forgotLink, p.signupLink = opts.ForgotPassword, opts.Signup
	p.upstreams, p.directories = opts.Upstreams, opts.Directories
	p.manage, p.mail = opts.Manage, opts.Mail
	if err := p.setupAuthn(opts.Authn); err != nil {
		return nil, err
	}
	if p.ciba.Interval <= 0 {
		p.ciba = config.DefaultCIBA
	}
	if p.discovery, err = p.buildDiscovery(); err != nil {
		return nil, err
	}
	p.hashing = opts.Hashing
	if p.hashing == nil {
		p.hashing = password.NewPool(0, password.DefaultWait)
	}
	p.unknownNames = throttle.NewNames(throttle.DefaultMaxNames, names...)
	p.dummyHash = password.Dummy()
	if p.trusted, err = loadTrustedIssuers(opts.TrustedIssuers); err != nil {
		return nil, err
	}
	return p, nil
}

// APIsChanged makes the next use of the API list reload it: the change
// feed reported an API created, changed or deleted by some process.
func (p *Provider) APIsChanged() { p.apis.Changed() }

// Register mounts the protocol endpoints on mux.
func (p *Provider) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /.well-known/openid-configuration", p.handleDiscovery)
	mux.HandleFunc("GET /.well-known/oauth-authorization-server", p.handleDiscovery)
	mux.HandleFunc("GET "+PathJWKS, p.handleJWKS)
	mux.HandleFunc(PathAuthorize, p.handleAuthorize)
	mux.HandleFunc("GET "+PathLogin, p.handleLoginPage)
	mux.HandleFunc("POST "+PathLogin, p.handleLoginSubmit)
	mux.HandleFunc("GET "+PathConsent, p.handleConsentPage)
	mux.HandleFunc("POST "+PathConsent, p.handleConsentSubmit)
	p.registerFactors(mux)
	p.registerAccount(mux)
	mux.HandleFunc(PathToken, p.crossOrigin("POST", p.handleToken))
	mux.HandleFunc(PathPAR, p.handlePAR)
	mux.HandleFunc(PathDeviceAuthorization, p.handleDeviceAuthorization)
	mux.HandleFunc("GET "+PathDevice, p.handleDevicePage)
	mux.HandleFunc("POST "+PathDevice, p.handleDeviceEnter)
	mux.HandleFunc("POST "+PathDeviceLogin, p.handleDeviceLogin)
	mux.HandleFunc("POST "+PathDeviceDecide, p.handleDeviceDecide)
	mux.HandleFunc(PathBackchannel, p.handleBackchannel)
	mux.HandleFunc("GET "+PathApprovals, p.handleApprovals)
	mux.HandleFunc("POST "+PathApprovals, p.handleApprovalsDecision)
	mux.HandleFunc("POST "+PathApprovalsLogin, p.handleApprovalsLogin)
	mux.HandleFunc(PathUserInfo, p.crossOrigin("GET, POST", p.handleUserInfo))
	mux.HandleFunc(PathLogout, p.handleLogout)
	mux.HandleFunc(PathIntrospect, p.handleIntrospect)
	mux.HandleFunc(PathRevoke, p.crossOrigin("POST", p.handleRevoke))
	mux.HandleFunc("POST "+PathUpstreamStart, p.handleUpstreamStart)
	mux.HandleFunc("GET "+PathUpstreamCallback, p.handleUpstreamCallback)
}

// record reports a failure once: log, metrics, and its story for
// `lucid explain`.
func (p *Provider) record(r *http.Request, endpoint catalog.Endpoint, clientID string, e *catalog.Error) {
	p.failures.Record(r, endpoint, clientID, e, p.now())
}

// fail answers a JSON endpoint (token, and others that speak RFC 6749 §5.2).
func (p *Provider) fail(w http.ResponseWriter, r *http.Request, endpoint catalog.Endpoint, clientID string, e *catalog.Error) {
	p.record(r, endpoint, clientID, e)
	e.WriteJSON(w, p.issuer, trace.ID(r.Context()), p.now())
}

// failPage shows a person the human error page; used where redirecting
// would be unsafe (untrusted client or redirect URI) or there is nowhere to go.
func (p *Provider) failPage(w http.ResponseWriter, r *http.Request, endpoint catalog.Endpoint, clientID string, e *catalog.Error) {
	p.record(r, endpoint, clientID, e)
	e.SetRetryAfter(w.Header())
	p.ui.Error(w, e.Status(), ui.ErrorPage{
		Status:      e.Status(),
		Title:       e.Entry.Title,
		Description: e.Text(),
		Values:      e.Values(),
		Name:        string(e.Name()),
		Code:        e.Code(),
		TraceID:     trace.ID(r.Context()),
		DocURL:      e.URI(p.issuer),
		Causes:      e.Entry.Causes,
		Fixes:       e.Entry.ClientFix,
	})
}

// failBearer answers a resource request (userinfo) per RFC 6750.
func (p *Provider) failBearer(w http.ResponseWriter, r *http.Request, clientID string, e *catalog.Error) {
	if e.Code() != "" {
		p.record(r, catalog.UserInfo, clientID, e)
	}
	e.WriteBearer(w, p.issuer, trace.ID(r.Context()), p.now())
}
