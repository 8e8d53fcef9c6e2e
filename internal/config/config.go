// Package config holds Lucid's settings: defaults, a YAML file, LUCID_*
// environment variables and command-line flags, in increasing precedence.
package config

import "time"

// Config is the whole configuration of one Lucid process.
type Config struct {
	// Issuer is the public URL of this server (https://id.example.com):
	// the iss of every token and the base of every endpoint in discovery.
	// Required by serve; the demo derives it from its address.
	Issuer string `yaml:"issuer"` // LUCID_ISSUER, --issuer
	// Addr is the address the server listens on (host:port; :8080 for
	// every interface).
	Addr string `yaml:"addr"` // LUCID_ADDR, --addr
	// Database is where all state lives.
	Database string `yaml:"database"` // LUCID_DATABASE, --database: sqlite:PATH or postgres://…
	// MasterKey seals the signing keys, peppers client secrets and keys
	// form tags; the database is bound to it, and without it a backup
	// cannot be used. Prefer MasterKeyFile or a secret store's variable.
	MasterKey string `yaml:"master_key"` // LUCID_MASTER_KEY: base64 or hex, at least 32 bytes
	// MasterKeyFile is a file holding the master key (as master_key), for
	// secrets mounted as files.
	MasterKeyFile string `yaml:"master_key_file"` // LUCID_MASTER_KEY_FILE
	// AdminToken is the bearer token of the admin API under /admin/.
	AdminToken string `yaml:"admin_token"` // LUCID_ADMIN_TOKEN: admin API disabled when empty
	// MigrateOnStart lets `lucid serve` create a missing database and
	// bring an outdated schema up to date as it starts. Turn it off where
	// several replicas share a database and a migration job (`lucid
	// migrate up`) upgrades the schema before the new version rolls out;
	// serve then refuses a missing or outdated schema.
	MigrateOnStart bool `yaml:"migrate_on_start"` // LUCID_MIGRATE_ON_START, default true

	TLS struct {
		// CertFile and KeyFile are the PEM certificate chain and private
		// key Lucid serves HTTPS with; empty serves plain HTTP (behind a
		// TLS-terminating proxy).
		CertFile string `yaml:"cert_file"` // LUCID_TLS_CERT_FILE
		KeyFile  string `yaml:"key_file"`  // LUCID_TLS_KEY_FILE
	} `yaml:"tls"`
	// TrustedProxies are the CIDRs of the reverse proxies in front of
	// Lucid: from them alone X-Forwarded-For is believed (the nearest hop
	// that is no trusted proxy is the client's address, which lockout and
	// throttling count by) and so is mtls.client_cert_header.
	TrustedProxies []string `yaml:"trusted_proxies"` // LUCID_TRUSTED_PROXIES (comma-separated)
	// MTLS is mutual-TLS client authentication and certificate-bound
	// tokens (RFC 8705).
	MTLS MTLS `yaml:"mtls"`

	Lifetimes Lifetimes `yaml:"lifetimes"`
	Cookies   Cookies   `yaml:"cookies"`
	Lockout   Lockout   `yaml:"lockout"`
	Throttle  Throttle  `yaml:"throttle"`
	Password  Password  `yaml:"password"`
	Users     Users     `yaml:"users"`

	// Registration is dynamic client registration (RFC 7591, RFC 7592).
	Registration Registration `yaml:"registration"`

	// TrustedIssuers are the external issuers (workload identity: a
	// Kubernetes cluster, a CI system, a cloud) whose signed JWTs clients
	// may trade for Lucid access tokens with the JWT bearer grant
	// (RFC 7523 §2.1). Set only in the YAML file.
	TrustedIssuers []TrustedIssuer `yaml:"trusted_issuers"`

	// Upstreams are the identity providers people may sign in with
	// (upstream.go). Set only in the YAML file.
	Upstreams []Upstream `yaml:"upstreams"`

	// Directories are the LDAP directories (OpenLDAP, Active Directory)
	// whose people sign in on the sign-in form with their directory
	// password (directory.go). Set only in the YAML file.
	Directories []Directory `yaml:"directories"`

	// KeyFetch is how Lucid fetches JWK sets it did not make: clients'
	// jwks_uri and trusted issuers'.
	KeyFetch KeyFetch `yaml:"key_fetch"`

	// StrictAssertionAudience accepts only the issuer as the aud of a
	// client assertion or a JWT bearer assertion; otherwise the token
	// endpoint URL is accepted too, as older OpenID Connect advice has
	// clients send it. FAPI 2.0 deployments turn it on.
	StrictAssertionAudience bool `yaml:"strict_assertion_audience"` // LUCID_STRICT_ASSERTION_AUDIENCE

	// DPoP is proof of possession for tokens (RFC 9449).
	DPoP DPoP `yaml:"dpop"`
	// CIBA is client-initiated backchannel authentication.
	CIBA CIBA `yaml:"ciba"`
	// RequirePushedAuthorizationRequests makes every client push its
	// authorization requests (RFC 9126 §5): the authorization endpoint then
	// takes only a request_uri from the pushed authorization request
	// endpoint. A client's own require_pushed_authorization_requests makes
	// it required for that client alone.
	RequirePushedAuthorizationRequests bool `yaml:"require_pushed_authorization_requests"` // LUCID_REQUIRE_PUSHED_AUTHORIZATION_REQUESTS
	// FAPI2SecurityProfile puts every client under the FAPI 2.0 Security
	// Profile (internal/fapi): pushed requests with redirect_uri, PKCE S256,
	// private_key_jwt or mTLS client authentication, DPoP- or
	// certificate-bound tokens, PS256/ES256/EdDSA, codes of at most 60 s.
	// A client's own fapi2_security_profile puts that client alone under it.
	FAPI2SecurityProfile bool `yaml:"fapi2_security_profile"` // LUCID_FAPI2_SECURITY_PROFILE

	// Device is the device authorization grant (RFC 8628).
	Device Device `yaml:"device"`
	// Authn is second factors and passkeys (internal/authn).
	Authn Authn `yaml:"authn"`

	// Branding is the product name, logo, colours and support contacts
	// the end-user pages and e-mails show.
	Branding Branding `yaml:"branding"`

	// Mail is outgoing e-mail through an SMTP relay (password reset,
	// address verification); off while mail.host is empty.
	Mail Mail `yaml:"mail"`
	// Recovery bounds password reset requests.
	Recovery Recovery `yaml:"recovery"`
	// Signup is self-registration at /signup; off by default.
	Signup Signup `yaml:"signup"`
	// Console is the web admin console at /console/.
	Console Console `yaml:"console"`

	// InFlight bounds the requests one process serves at once, per class
	// of endpoint; beyond it a request is answered 503 with Retry-After at
	// once, so that the requests accepted keep their latency.
	InFlight InFlight `yaml:"in_flight"`
	// Timeouts bound how long anything waits for the database.
	Timeouts Timeouts `yaml:"timeouts"`
	// Outbox is the durable delivery of notifications to other servers
	// (back-channel logout tokens): retried with backoff until delivered
	// or given up on.
	Outbox Outbox `yaml:"outbox"`

	// FailureRetention is how long failed-request stories are kept for `lucid explain`.
	FailureRetention time.Duration `yaml:"failure_retention"`
	// FailureMaxStories bounds the stories kept of failures attributed to a
	// registered client; FailureMaxUnattributed those no registered client
	// is behind (404s, unknown clients, calls without credentials), which
	// anyone can cause and so must not push out the others.
	FailureMaxStories      int `yaml:"failure_max_stories"`      // default 100000
	FailureMaxUnattributed int `yaml:"failure_max_unattributed"` // default 10000
	// FailureQueue is how many stories may wait to be written in the
	// background; past it they are dropped and counted.
	FailureQueue int `yaml:"failure_queue"` // default 1024

	LogLevel  string `yaml:"log_level"`  // debug, info, warn, error
	LogFormat string `yaml:"log_format"` // text or json
	// AccessLog writes one line per request (method, route pattern,
	// status, duration, bytes, client, trace id, client network; never a
	// query, body, cookie or header); unset means on when LogFormat is json.
	AccessLog *bool `yaml:"access_log"` // LUCID_ACCESS_LOG
	// Tracing exports OpenTelemetry spans over OTLP/HTTP, configured by the
	// standard OTEL_* environment variables.
	Tracing Tracing `yaml:"tracing"`

	// Demo seeds a demo user and client and creates a master key file when
	// none is configured. Set by `lucid demo`, never by a file.
	Demo bool `yaml:"-"`
}

// Lifetimes of everything Lucid issues.
type Lifetimes struct {
	// Code is how long an authorization code can be redeemed.
	Code time.Duration `yaml:"code"` // default 60s
	// AccessToken is the lifetime of access tokens, unless an API or a
	// client sets its own.
	AccessToken time.Duration `yaml:"access_token"` // default 10m
	// IDToken is the lifetime of ID tokens.
	IDToken time.Duration `yaml:"id_token"` // default 1h
	// RefreshAbsolute is how long a chain of refresh tokens lasts from the
	// sign-in, however often it is used.
	RefreshAbsolute time.Duration `yaml:"refresh_absolute"` // default 720h
	// RefreshIdle is how long a refresh token lasts unused.
	RefreshIdle time.Duration `yaml:"refresh_idle"` // default 168h
	// Session is how long a browser stays signed in.
	Session time.Duration `yaml:"session"` // default 24h
	// AuthRequest is how long a person has to finish signing in and
	// consenting once an authorization request arrived.
	AuthRequest time.Duration `yaml:"auth_request"` // default 15m
	// KeyPublish is how long a retired signing key stays in the JWKS; at
	// least the longest token lifetime.
	KeyPublish time.Duration `yaml:"key_publish"` // default 48h
	// RefreshReuseGrace is how long after a refresh token was rotated a
	// repeated identical refresh with it (same client, scope and resource
	// parameters: two tabs refreshing at once) gets the same new tokens
	// instead of counting as reuse, which revokes the family. It delays
	// reuse detection by as much, and an attacker racing the user with a
	// stolen token within it gets the user's tokens. 0 (the default) is off;
	// at most MaxRefreshReuseGrace.
	RefreshReuseGrace time.Duration `yaml:"refresh_reuse_grace"` // default 0
	// RetiredSecret is how long the keyed hash of a client secret taken out
	// of use (rotated out, removed or expired) is kept in the client's
	// record, so that a client still sending it is told when and how it
	// was retired instead of "wrong"; 0 keeps none.
	RetiredSecret time.Duration `yaml:"retired_secret"` // default 720h
	// PushedRequest is how long a request_uri from the pushed
	// authorization request endpoint (RFC 9126) can be used; at most
	// MaxPushedRequest.
	PushedRequest time.Duration `yaml:"pushed_request"` // default 60s
	// PasswordReset is how long a password reset link works.
	PasswordReset time.Duration `yaml:"password_reset"` // default 30m, at most 24h
	// EmailVerification is how long an address verification link works.
	EmailVerification time.Duration `yaml:"email_verification"` // default 72h, at most 30 days
}

// MaxPushedRequest bounds Lifetimes.PushedRequest: a request_uri is meant
// for the redirect that follows the push, not for later.
const MaxPushedRequest = 10 * time.Minute

// MaxRefreshReuseGrace bounds Lifetimes.RefreshReuseGrace: the grace is
// for requests in flight together, not for replays.
const MaxRefreshReuseGrace = time.Minute

// Cookies settings for the browser session.
type Cookies struct {
	// Secure marks cookies Secure; nil means "when the issuer is https".
	Secure *bool `yaml:"secure"`
	// Domain is the cookies' Domain attribute; empty (the default) keeps
	// them on the issuer's host alone.
	Domain string `yaml:"domain"`
}

// Lockout: after Threshold consecutive failures an account is locked for
// Base, doubling with each further failure up to Max. Independently, one
// client network (an IPv4 address or an IPv6 /64) may fail to sign in
// NetworkPerHour times an hour, whichever accounts it tries; past that the
// sign-in form refuses it without checking a password, which stops
// password spraying across accounts and keeps the password hash's CPU cost
// from being used against the server; 0 turns that limit off (behind a
// proxy that cannot pass on client addresses, say).
type Lockout struct {
	// Threshold is how many consecutive failed sign-ins lock an account.
	Threshold int `yaml:"threshold"` // default 5
	// Base is how long the first lock lasts; each further failure
	// doubles it, up to Max.
	Base time.Duration `yaml:"base"` // default 1m
	// Max bounds one lock of an account.
	Max time.Duration `yaml:"max"` // default 1h
	// NetworkPerHour is how many failed sign-ins one client network may
	// make an hour, across accounts; 0 turns the limit off.
	NetworkPerHour int `yaml:"network_per_hour"` // default 100
}

// Password hashing. Every argon2id hash holds 19 MiB (the default
// parameters) for tens of milliseconds of one core, and anyone can ask for
// one by posting the sign-in form, so hashes run in a pool of HashSlots at
// once; a sign-in that finds none free within HashWait is refused with
// sign_in_busy (503, Retry-After) before it hashes. Memory for hashing is
// then at most HashSlots × 19 MiB (more only while hashes stored with
// older, larger parameters are checked, until their upgrade).
type Password struct {
	HashSlots int           `yaml:"hash_slots"` // LUCID_PASSWORD_HASH_SLOTS; default 0: one per CPU
	HashWait  time.Duration `yaml:"hash_wait"`  // LUCID_PASSWORD_HASH_WAIT; default 100ms, at most MaxHashWait
	// MinLength is the shortest new password accepted, in characters
	// (internal/password's policy: no composition rules, common passwords
	// and the account's own name refused).
	MinLength int `yaml:"min_length"` // LUCID_PASSWORD_MIN_LENGTH; default 12, 8 to 64
}

// MaxHashWait bounds Password.HashWait: a wait for a slot is a short
// smoothing of bursts, never a queue.
const MaxHashWait = 2 * time.Second

// Users: what changes to an account do to what it already holds.
type Users struct {
	// KeepGrantsOnChange keeps a user's refresh-token families and browser
	// sessions when an operator sets a new password or disables the
	// account. By default (false) both end at once, as expected after a
	// compromise; set it only if sessions must survive such changes.
	KeepGrantsOnChange bool `yaml:"keep_grants_on_change"` // LUCID_USERS_KEEP_GRANTS_ON_CHANGE
}

// DefaultNetworkPerHour is the default of Lockout.NetworkPerHour: an office
// behind one address can mistype a lot before it gets there.
const DefaultNetworkPerHour = 100

// TrustedIssuer is one issuer of JWT bearer assertions.
type TrustedIssuer struct {
	// Issuer is the iss claim of its assertions, compared exactly.
	Issuer string `yaml:"issuer"`
	// JWKSURI is where its public keys are fetched (https; http only on
	// loopback); JWKSFile is a local JWK set instead. Exactly one is set.
	JWKSURI  string `yaml:"jwks_uri"`
	JWKSFile string `yaml:"jwks_file"`
	// Audience is the aud Lucid requires; empty accepts Lucid's issuer or
	// its token endpoint.
	Audience string `yaml:"audience"`
	// MaxLifetime bounds exp minus iat (or minus now, without iat);
	// 0 means DefaultAssertionLifetime.
	MaxLifetime time.Duration `yaml:"max_lifetime"`
	// AllowReuse accepts one assertion many times until it expires, for
	// issuers whose tokens are long-lived credentials a workload presents
	// repeatedly (Kubernetes service account tokens). Otherwise every
	// assertion needs a jti and is accepted once.
	AllowReuse bool `yaml:"allow_reuse"`
}

// DPoP settings (RFC 9449). A client that sends a DPoP proof always gets
// DPoP-bound tokens; these settings make proofs mandatory.
type DPoP struct {
	// Required refuses every token request without a DPoP proof; a client
	// registered with dpop_bound_access_tokens needs one either way.
	Required bool `yaml:"required"` // LUCID_DPOP_REQUIRED
	// RequireNonce asks every proof for a nonce Lucid handed out in a
	// DPoP-Nonce header (RFC 9449 §8): a proof cannot be made ahead of time.
	RequireNonce bool `yaml:"require_nonce"` // LUCID_DPOP_REQUIRE_NONCE
	// NonceLifetime is how long one nonce is handed out; each is accepted
	// for that long and the next period, on every replica.
	NonceLifetime time.Duration `yaml:"nonce_lifetime"` // LUCID_DPOP_NONCE_LIFETIME, default 5m
	// ProofMaxAge is how old a proof's iat may be.
	ProofMaxAge time.Duration `yaml:"proof_max_age"` // LUCID_DPOP_PROOF_MAX_AGE, default 5m
}

// KeyFetch settings. Key sets are fetched over https only, from public
// addresses only (checked when each connection is made, redirects
// included), within a few seconds and 256 KiB: a jwks_uri is chosen by
// whoever registers a client, and must not let them reach Lucid's network.
type KeyFetch struct {
	// AllowLocal also fetches over plain http and from loopback, private,
	// link-local and unique-local addresses: for development and tests
	// only, never on a server open to registration.
	AllowLocal bool `yaml:"allow_local"` // LUCID_KEY_FETCH_ALLOW_LOCAL
}

// MTLS settings (RFC 8705). Client certificates reach Lucid through its
// own TLS listener (which then asks for one, without requiring it) or in a
// header set by a TLS-terminating proxy in trusted_proxies.
type MTLS struct {
	// Enabled asks for client certificates, accepts the tls_client_auth
	// and self_signed_tls_client_auth methods and binds tokens to
	// certificates; it needs tls.cert_file or ClientCertHeader.
	Enabled bool `yaml:"enabled"` // LUCID_MTLS_ENABLED
	// CAFile is a PEM file of the CAs that issue tls_client_auth
	// certificates; without it only self_signed_tls_client_auth works.
	CAFile string `yaml:"ca_file"` // LUCID_MTLS_CA_FILE
	// ClientCertHeader is the header a trusted proxy forwards the client
	// certificate in (PEM or URL-encoded PEM, as nginx's
	// $ssl_client_escaped_cert, or Envoy's x-forwarded-client-cert).
	ClientCertHeader string `yaml:"client_cert_header"` // LUCID_MTLS_CLIENT_CERT_HEADER
	// EndpointAlias is the base URL (https://mtls.example.com) where the
	// token, revocation, introspection and userinfo endpoints are reached
	// with mutual TLS, advertised as mtls_endpoint_aliases; empty means
	// the ordinary endpoints (Lucid's own listener asks for certificates).
	EndpointAlias string `yaml:"endpoint_alias"` // LUCID_MTLS_ENDPOINT_ALIAS
}

// Limits of TrustedIssuer.MaxLifetime.
const (
	DefaultAssertionLifetime = time.Hour
	MaxAssertionLifetime     = 24 * time.Hour
)

// Registration settings: who may register clients at /register.
type Registration struct {
	// Mode is off (the default: no registration endpoint), initial_token
	// (POST /register needs Authorization: Bearer with one of
	// InitialAccessTokens) or open (anyone may register).
	Mode string `yaml:"mode"` // LUCID_REGISTRATION_MODE
	// InitialAccessTokens are the RFC 7591 §3 initial access tokens the
	// operator hands to developers; at least MinInitialAccessToken bytes.
	InitialAccessTokens []string `yaml:"initial_access_tokens"` // LUCID_REGISTRATION_INITIAL_ACCESS_TOKENS (comma-separated)
	// OpenPerHour bounds registrations in mode open per client network (an
	// IPv4 address or an IPv6 /64) and hour, so that an open endpoint
	// cannot be used to fill the database; 0 is no limit. Registrations
	// with an initial access token are not counted.
	OpenPerHour int `yaml:"open_per_hour"` // LUCID_REGISTRATION_OPEN_PER_HOUR
}

// DefaultOpenPerHour is the default of Registration.OpenPerHour: plenty for
// a developer, a nuisance for a script.
const DefaultOpenPerHour = 20

// Registration modes.
const (
	RegistrationOff          = "off"
	RegistrationInitialToken = "initial_token"
	RegistrationOpen         = "open"
)

// Enabled reports whether the registration endpoint accepts requests.
func (r Registration) Enabled() bool {
	return r.Mode == RegistrationInitialToken || r.Mode == RegistrationOpen
}

// InFlight is the most requests of each class of endpoint one process
// serves at once; 0 means no limit. The defaults suit two cores: well
// above the 64 concurrent requests the load tests use (so they never
// shed), well below the thousands of connections that made Lucid queue
// for a second. A request's body is read before it takes its place, so a
// slow sender holds no place.
type InFlight struct {
	Token         int `yaml:"token"`         // POST /token; default 128
	Pages         int `yaml:"pages"`         // /authorize, /login, /consent, /logout; default 64
	Introspection int `yaml:"introspection"` // /introspect and /revoke; default 128
	UserInfo      int `yaml:"userinfo"`      // /userinfo; default 64
	Discovery     int `yaml:"discovery"`     // metadata and JWKS; default 128
	Registration  int `yaml:"registration"`  // /register; default 16
	Admin         int `yaml:"admin"`         // /admin/; default 16
	Other         int `yaml:"other"`         // error pages, assets, the demo, unknown paths; default 64
}

// DefaultInFlight are the defaults of InFlight.
var DefaultInFlight = InFlight{Token: 128, Pages: 64, Introspection: 128, UserInfo: 64, Discovery: 128, Registration: 16, Admin: 16, Other: 64}

// MaxDrain bounds timeouts.drain: orchestrators kill a process that
// takes longer than their grace period (30 s in Kubernetes) to stop.
const MaxDrain = time.Minute

// Timeouts bound waits for the database, so that a database that stops
// answering (frozen, not refusing) costs a client a catalogued 503 with
// Retry-After instead of a hung request.
type Timeouts struct {
	// Query bounds one store call (a statement, or one transaction with
	// its statements), background work included.
	Query time.Duration `yaml:"query"` // default 3s
	// Request bounds all the database work of one request together.
	Request time.Duration `yaml:"request"` // default 10s
	// Drain is how long Lucid keeps serving after SIGTERM while /readyz
	// already answers 503, so that a load balancer stops sending before
	// the listener closes. 0 (the default) closes at once; behind a load
	// balancer set it to a little more than its probe period.
	Drain time.Duration `yaml:"drain"` // default 0
}

// Outbox settings. Deliveries are rows in the database, claimed by one
// replica at a time, so a crash loses none; a failed attempt is retried
// after BackoffBase, doubled at each attempt up to BackoffCap, until
// MaxAttempts, after which the item is kept as dead for the operator.
type Outbox struct {
	// PollInterval is how often each replica looks for due deliveries.
	PollInterval time.Duration `yaml:"poll_interval"` // LUCID_OUTBOX_POLL_INTERVAL, default 1s
	// MaxAttempts is how many attempts a delivery gets before it is dead.
	MaxAttempts int `yaml:"max_attempts"` // LUCID_OUTBOX_MAX_ATTEMPTS, default 12
	// BackoffBase is the wait after the first failed attempt.
	BackoffBase time.Duration `yaml:"backoff_base"` // LUCID_OUTBOX_BACKOFF_BASE, default 5s
	// BackoffCap bounds the wait between two attempts.
	BackoffCap time.Duration `yaml:"backoff_cap"` // LUCID_OUTBOX_BACKOFF_CAP, default 1h
	// Timeout bounds one attempt: connecting, sending, and the answer.
	Timeout time.Duration `yaml:"timeout"` // LUCID_OUTBOX_TIMEOUT, default 10s
	// AllowLocal also delivers over plain http and to loopback, private,
	// link-local and unique-local addresses: for development and tests
	// only. Otherwise such a receiver is refused when the connection is
	// made, as key set fetches are.
	AllowLocal bool `yaml:"allow_local"` // LUCID_OUTBOX_ALLOW_LOCAL
}

// Default returns the built-in defaults. The issuer has none: tokens name
// it and clients check it, so a guess (http://localhost:8080) would only
// move the failure to every client; `lucid demo` derives one from its
// address.
func Default() Config {
	return Config{
		Addr:           "localhost:8080",
		Database:       "sqlite:lucid.db",
		MigrateOnStart: true,
		Lifetimes: Lifetimes{
			Code:            60 * time.Second,
			AccessToken:     10 * time.Minute,
			IDToken:         time.Hour,
			RefreshAbsolute: 30 * 24 * time.Hour,
			RefreshIdle:     7 * 24 * time.Hour,
			Session:         24 * time.Hour,
			AuthRequest:     15 * time.Minute,
			PushedRequest:   time.Minute,
			KeyPublish:      48 * time.Hour,
			RetiredSecret:   30 * 24 * time.Hour,

			PasswordReset:     30 * time.Minute,
			EmailVerification: 72 * time.Hour,
		},
		Lockout:          Lockout{Threshold: 5, Base: time.Minute, Max: time.Hour, NetworkPerHour: DefaultNetworkPerHour},
		Password:         Password{HashWait: 100 * time.Millisecond, MinLength: 12},
		Mail:             DefaultMail,
		Recovery:         DefaultRecovery,
		Signup:           DefaultSignup,
		Console:          DefaultConsole,
		Registration:     Registration{Mode: RegistrationOff, OpenPerHour: DefaultOpenPerHour},
		DPoP:             DPoP{NonceLifetime: 5 * time.Minute, ProofMaxAge: 5 * time.Minute},
		Device:           DefaultDevice,
		Authn:            DefaultAuthn,
		CIBA:             DefaultCIBA,
		InFlight:         DefaultInFlight,
		Timeouts:         Timeouts{Query: 3 * time.Second, Request: 10 * time.Second},
		Outbox:           Outbox{PollInterval: time.Second, MaxAttempts: 12, BackoffBase: 5 * time.Second, BackoffCap: time.Hour, Timeout: 10 * time.Second},
		FailureRetention: 7 * 24 * time.Hour,
		LogLevel:         "info",
		LogFormat:        "text",

		FailureMaxStories:      DefaultFailureMaxStories,
		FailureMaxUnattributed: DefaultFailureMaxUnattributed,
		FailureQueue:           DefaultFailureQueue,
	}
}

// Defaults of the failure story bounds: a story is at most a few KiB, so
// the table stays within a few hundred MiB in the worst case and is
// usually far smaller.
const (
	DefaultFailureMaxStories      = 100_000
	DefaultFailureMaxUnattributed = 10_000
	DefaultFailureQueue           = 1024
)

// Tracing switches OpenTelemetry tracing on. Where the spans go and how
// many are kept is the OTEL_* variables' business (OTEL_EXPORTER_OTLP_ENDPOINT,
// OTEL_SERVICE_NAME, OTEL_TRACES_SAMPLER…), so that Lucid is configured
// like every other traced service.
type Tracing struct {
	// Enabled exports a span for every request, store call and outbound
	// call, configured by the OTEL_* variables.
	Enabled bool `yaml:"enabled"` // LUCID_TRACING_ENABLED; default false
}

// AccessLogOn reports whether the access log is written.
func (c *Config) AccessLogOn() bool {
	if c.AccessLog != nil {
		return *c.AccessLog
	}
	return c.LogFormat == "json"
}

// SecureCookies reports whether cookies get the Secure attribute.
func (c *Config) SecureCookies() bool {
	if c.Cookies.Secure != nil {
		return *c.Cookies.Secure
	}
	return len(c.Issuer) >= 8 && c.Issuer[:8] == "https://"
}
