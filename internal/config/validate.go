package config

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// MinAdminToken is the shortest admin token accepted, in bytes: the token
// is a bearer credential for the whole server.
const MinAdminToken = 32

// MinInitialAccessToken is the shortest initial access token accepted, in
// bytes: anyone holding one may register clients.
const MinInitialAccessToken = 32

// Validate checks the settings and reports every problem at once, each
// naming its setting as written in the YAML file.
func (c *Config) Validate() error {
	var errs []error
	bad := func(key, format string, a ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{key}, a...)...))
	}

	if err := checkIssuer(c.Issuer); err != nil {
		bad("issuer", "%v", err)
	}
	if strings.TrimSpace(c.Addr) == "" {
		bad("addr", "is empty; set a listen address such as :8080 or localhost:8080")
	} else if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		bad("addr", "%q is not host:port (for example :8080 or 127.0.0.1:8080)", c.Addr)
	}
	if err := checkDatabase(c.Database); err != nil {
		bad("database", "%v", err)
	}
	if c.MasterKey != "" && c.MasterKeyFile != "" {
		bad("master_key", "both master_key and master_key_file are set; set only one")
	}
	if c.AdminToken != "" && len(c.AdminToken) < MinAdminToken {
		bad("admin_token", "is %d characters; use at least %d random bytes, for example: head -c 32 /dev/urandom | base64", len(c.AdminToken), MinAdminToken)
	}
	errs = append(errs, c.Registration.check()...)
	if (c.TLS.CertFile == "") != (c.TLS.KeyFile == "") {
		bad("tls", "set both cert_file and key_file, or neither")
	}
	for _, p := range c.TrustedProxies {
		if _, _, err := net.ParseCIDR(p); err != nil {
			bad("trusted_proxies", "%q is not a CIDR such as 10.0.0.0/8 or 192.0.2.1/32", p)
		}
	}

	errs = append(errs, c.checkMTLS()...)
	errs = append(errs, c.checkDevice()...)
	errs = append(errs, c.checkTrustedIssuers()...)
	errs = append(errs, c.checkCIBA()...)
	errs = append(errs, c.checkRecovery()...)
	errs = append(errs, c.checkBranding()...)
	errs = append(errs, c.checkConsole()...)
	errs = append(errs, c.checkUpstreams()...)
	errs = append(errs, c.checkDirectories()...)
	errs = append(errs, c.checkAuthn()...)
	if d := c.DPoP.NonceLifetime; d < 10*time.Second || d > time.Hour {
		bad("dpop.nonce_lifetime", "is %s; use between 10s and 1h (a nonce is accepted for twice that at most)", d)
	}
	if d := c.DPoP.ProofMaxAge; d < 10*time.Second || d > time.Hour {
		bad("dpop.proof_max_age", "is %s; use between 10s and 1h (proof ids are remembered that long)", d)
	}

	errs = append(errs, c.Outbox.check()...)

	l := c.Lifetimes
	for _, d := range []struct {
		key string
		v   time.Duration
	}{
		{"lifetimes.code", l.Code},
		{"lifetimes.access_token", l.AccessToken},
		{"lifetimes.id_token", l.IDToken},
		{"lifetimes.refresh_absolute", l.RefreshAbsolute},
		{"lifetimes.refresh_idle", l.RefreshIdle},
		{"lifetimes.session", l.Session},
		{"lifetimes.auth_request", l.AuthRequest},
		{"lifetimes.key_publish", l.KeyPublish},
		{"lockout.base", c.Lockout.Base},
		{"lockout.max", c.Lockout.Max},
		{"failure_retention", c.FailureRetention},
		{"timeouts.query", c.Timeouts.Query},
		{"timeouts.request", c.Timeouts.Request},
	} {
		if d.v <= 0 {
			bad(d.key, "must be positive, got %s", d.v)
		}
	}
	// A retired key must outlive every token it signed, or valid tokens
	// stop verifying right after a rotation.
	if longest := max(l.AccessToken, l.IDToken); l.KeyPublish > 0 && l.KeyPublish < longest {
		bad("lifetimes.key_publish", "is %s, shorter than the longest token lifetime %s; tokens signed before a rotation would stop verifying", l.KeyPublish, longest)
	}
	if l.PushedRequest <= 0 || l.PushedRequest > MaxPushedRequest {
		bad("lifetimes.pushed_request", "must be between 1s and %s, got %s; a request_uri is for the redirect right after the push", MaxPushedRequest, l.PushedRequest)
	}
	if c.FAPI2SecurityProfile {
		errs = append(errs, c.checkFAPI2()...)
	}
	if l.RetiredSecret < 0 {
		bad("lifetimes.retired_secret", "must be 0 (keep no retired secret) or more, got %s", l.RetiredSecret)
	}
	if g := l.RefreshReuseGrace; g < 0 || g > MaxRefreshReuseGrace {
		bad("lifetimes.refresh_reuse_grace", "must be between 0 (off) and %s, got %s; it is meant for refreshes in flight together, and it delays reuse detection by as much", MaxRefreshReuseGrace, g)
	}
	for _, n := range []struct {
		key string
		v   int
	}{
		{"token", c.InFlight.Token}, {"pages", c.InFlight.Pages}, {"introspection", c.InFlight.Introspection},
		{"userinfo", c.InFlight.UserInfo}, {"discovery", c.InFlight.Discovery}, {"registration", c.InFlight.Registration},
		{"admin", c.InFlight.Admin}, {"other", c.InFlight.Other},
	} {
		if n.v < 0 {
			bad("in_flight."+n.key, "must be 0 (no limit) or more, got %d", n.v)
		}
	}
	if c.Timeouts.Query > 0 && c.Timeouts.Request > 0 && c.Timeouts.Request < c.Timeouts.Query {
		bad("timeouts.request", "is %s, shorter than timeouts.query %s; one request may need several queries", c.Timeouts.Request, c.Timeouts.Query)
	}
	if c.Timeouts.Drain < 0 || c.Timeouts.Drain > MaxDrain {
		bad("timeouts.drain", "must be between 0 and %s, got %s", MaxDrain, c.Timeouts.Drain)
	}
	if c.Lockout.Threshold < 0 {
		bad("lockout.threshold", "must be 0 (no lockout) or more, got %d", c.Lockout.Threshold)
	}
	if c.Lockout.NetworkPerHour < 0 {
		bad("lockout.network_per_hour", "must be 0 (no limit per network) or more, got %d", c.Lockout.NetworkPerHour)
	}
	for _, n := range []struct {
		key string
		v   int
	}{
		{"failure_max_stories", c.FailureMaxStories},
		{"failure_max_unattributed", c.FailureMaxUnattributed},
		{"failure_queue", c.FailureQueue},
	} {
		if n.v < 1 {
			bad(n.key, "must be at least 1, got %d", n.v)
		}
	}
	if c.Lockout.Base > 0 && c.Lockout.Max > 0 && c.Lockout.Max < c.Lockout.Base {
		bad("lockout.max", "is %s, less than lockout.base %s", c.Lockout.Max, c.Lockout.Base)
	}
	if c.Password.HashSlots < 0 {
		bad("password.hash_slots", "must be 0 (one per CPU) or more, got %d", c.Password.HashSlots)
	}
	if c.Password.HashWait < 0 || c.Password.HashWait > MaxHashWait {
		bad("password.hash_wait", "is %s; must be between 0 and %s (a short wait for a free slot, not a queue)", c.Password.HashWait, MaxHashWait)
	}
	switch strings.ToLower(c.LogLevel) {
	case "debug", "info", "warn", "error":
	default:
		bad("log_level", "%q is not one of debug, info, warn, error", c.LogLevel)
	}
	switch strings.ToLower(c.LogFormat) {
	case "text", "json":
	default:
		bad("log_format", "%q is not text or json", c.LogFormat)
	}
	return errors.Join(errs...)
}

// checkIssuer applies OIDC Discovery §3 and RFC 8414 §2: an https URL with
// no query or fragment. Plain http is allowed for loopback development.
func checkIssuer(s string) error {
	if s == "" {
		return errors.New("is not set; set --issuer, LUCID_ISSUER or issuer in the configuration file to the URL clients reach this server at, such as https://id.example.com (it is in every token, and clients compare it with what they expect, so Lucid does not guess it)")
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || u.Host == "" || u.Opaque != "" {
		return fmt.Errorf("%q is not an absolute URL such as https://id.example.com", s)
	}
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return fmt.Errorf("%q must use https", s)
	case u.User != nil:
		return fmt.Errorf("%q must not contain user information", s)
	case u.RawQuery != "" || u.ForceQuery:
		return fmt.Errorf("%q must not have a query", s)
	case u.Fragment != "" || strings.Contains(s, "#"):
		return fmt.Errorf("%q must not have a fragment", s)
	case strings.HasSuffix(s, "/"):
		return fmt.Errorf("%q must not end with a slash; use %q", s, strings.TrimRight(s, "/"))
	case u.Scheme == "http" && !IsLoopbackHost(u.Hostname()):
		return fmt.Errorf("%q must use https; plain http is allowed only for localhost and loopback addresses", s)
	}
	return nil
}

// IsLoopbackHost reports whether host (without port or brackets) is
// localhost or a loopback IP address.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func checkDatabase(dsn string) error {
	switch {
	case dsn == "":
		return errors.New("is empty; use sqlite:PATH or postgres://…")
	case strings.HasPrefix(dsn, "sqlite:"):
		if p, _ := strings.CutPrefix(dsn, "sqlite:"); p == "" {
			return errors.New("sqlite: needs a file path, such as sqlite:/var/lib/lucid/lucid.db")
		}
		return nil
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return nil
	default:
		// The DSN may hold a password: name only its scheme.
		scheme, _, _ := strings.Cut(dsn, ":")
		if len(scheme) > 20 || strings.ContainsAny(scheme, "/@") {
			scheme = "?"
		}
		return fmt.Errorf("scheme %q is not supported; use sqlite:PATH or postgres://…", scheme)
	}
}

// checkTrustedIssuers checks the trusted_issuers list; each problem names
// its entry by index, as written in the YAML file.
func (c *Config) checkTrustedIssuers() []error {
	var errs []error
	seen := map[string]bool{}
	for i, ti := range c.TrustedIssuers {
		bad := func(key, format string, a ...any) {
			errs = append(errs, fmt.Errorf("trusted_issuers[%d].%s: "+format, append([]any{i, key}, a...)...))
		}
		if err := checkFetchURL(ti.Issuer); err != nil {
			bad("issuer", "%v", err)
		} else if strings.TrimSuffix(ti.Issuer, "/") == strings.TrimSuffix(c.Issuer, "/") {
			bad("issuer", "is Lucid's own issuer; Lucid's own tokens are exchanged with the token exchange grant, not trusted as assertions")
		}
		if seen[ti.Issuer] {
			bad("issuer", "%q is listed twice", ti.Issuer)
		}
		seen[ti.Issuer] = true
		switch {
		case ti.JWKSURI == "" && ti.JWKSFile == "":
			bad("jwks_uri", "set jwks_uri or jwks_file: Lucid needs the issuer's public keys")
		case ti.JWKSURI != "" && ti.JWKSFile != "":
			bad("jwks_uri", "set jwks_uri or jwks_file, not both")
		case ti.JWKSURI != "":
			if err := checkFetchURL(ti.JWKSURI); err != nil {
				bad("jwks_uri", "%v", err)
			} else if !c.KeyFetch.AllowLocal && localFetchURL(ti.JWKSURI) {
				bad("jwks_uri", "%q is plain http or names a local address, from which Lucid does not fetch key sets; for development set key_fetch.allow_local", ti.JWKSURI)
			}
		}
		if ti.Audience != "" && strings.TrimSpace(ti.Audience) != ti.Audience {
			bad("audience", "%q has leading or trailing spaces", ti.Audience)
		}
		if ti.MaxLifetime < 0 || ti.MaxLifetime > MaxAssertionLifetime {
			bad("max_lifetime", "is %s; use 0 (the default, %s) up to %s", ti.MaxLifetime, DefaultAssertionLifetime, MaxAssertionLifetime)
		}
	}
	return errs
}

// localFetchURL reports whether a valid fetch URL is one the key set
// fetcher refuses unless key_fetch.allow_local is set: http, or a host
// that is localhost or a literal loopback, private or link-local address.
// (Names that resolve to such addresses are refused when fetched.)
func localFetchURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil {
		return false
	}
	if u.Scheme == "http" || IsLoopbackHost(u.Hostname()) {
		return true
	}
	ip, err := netip.ParseAddr(u.Hostname())
	return err == nil && (ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsUnspecified() || ip.Unmap().IsLoopback())
}

// checkFetchURL accepts an absolute https URL without a fragment; plain
// http only on loopback, for development and tests.
func checkFetchURL(s string) error {
	if s == "" {
		return errors.New("is empty")
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return fmt.Errorf("%q is not an absolute URL such as https://issuer.example.com", s)
	}
	switch {
	case u.Fragment != "" || strings.Contains(s, "#"):
		return fmt.Errorf("%q must not have a fragment", s)
	case u.Scheme == "https":
	case u.Scheme == "http" && IsLoopbackHost(u.Hostname()):
	default:
		return fmt.Errorf("%q must use https; plain http is allowed only for localhost and loopback addresses", s)
	}
	return nil
}

// check validates the registration section. Messages never repeat a
// token: they name it by its position in the list.
func (r Registration) check() []error {
	var errs []error
	bad := func(key, format string, a ...any) {
		errs = append(errs, fmt.Errorf("registration.%s: "+format, append([]any{key}, a...)...))
	}
	switch r.Mode {
	case RegistrationOff, RegistrationInitialToken, RegistrationOpen:
	default:
		bad("mode", "%q is not one of off, initial_token, open", r.Mode)
	}
	switch {
	case r.Mode == RegistrationInitialToken && len(r.InitialAccessTokens) == 0:
		bad("initial_access_tokens", "is empty, but mode initial_token needs at least one token; create one with head -c 32 /dev/urandom | base64")
	case r.Mode == RegistrationOpen && len(r.InitialAccessTokens) > 0:
		// An operator who lists tokens expects them to be required.
		bad("initial_access_tokens", "are set, but mode open lets anyone register without one; use mode initial_token, or remove the tokens")
	}
	if r.OpenPerHour < 0 {
		bad("open_per_hour", "is %d; it must be 0 (no limit) or more (the default is %d)", r.OpenPerHour, DefaultOpenPerHour)
	}
	seen := map[string]bool{}
	for i, t := range r.InitialAccessTokens {
		if len(t) < MinInitialAccessToken {
			bad("initial_access_tokens", "token #%d is %d characters; use at least %d random bytes, for example: head -c 32 /dev/urandom | base64", i+1, len(t), MinInitialAccessToken)
		}
		if seen[t] {
			bad("initial_access_tokens", "token #%d repeats an earlier token", i+1)
		}
		seen[t] = true
	}
	return errs
}

// checkMTLS checks the mtls section: a way for certificates to arrive,
// and a header only with proxies to believe it from.
func (c *Config) checkMTLS() []error {
	var errs []error
	bad := func(key, format string, a ...any) {
		errs = append(errs, fmt.Errorf("mtls.%s: "+format, append([]any{key}, a...)...))
	}
	m := c.MTLS
	if !m.Enabled {
		if m.CAFile != "" || m.ClientCertHeader != "" || m.EndpointAlias != "" {
			bad("enabled", "is false while other mtls settings are set; set mtls.enabled: true to use them")
		}
		return errs
	}
	if c.TLS.CertFile == "" && m.ClientCertHeader == "" {
		bad("enabled", "needs a way for client certificates to arrive: Lucid's own TLS (tls.cert_file, tls.key_file) or a proxy's header (mtls.client_cert_header)")
	}
	if m.ClientCertHeader != "" {
		if strings.ContainsFunc(m.ClientCertHeader, func(r rune) bool { return r <= ' ' || r >= 0x7f || strings.ContainsRune("()<>@,;:\\\"/[]?={}", r) }) {
			bad("client_cert_header", "%q is not a header name", m.ClientCertHeader)
		}
		if len(c.TrustedProxies) == 0 {
			bad("client_cert_header", "is set but trusted_proxies is empty; the header is believed only from the proxies listed there")
		}
	}
	if m.EndpointAlias != "" {
		u, err := url.Parse(m.EndpointAlias)
		if err != nil || u.Scheme != "https" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			bad("endpoint_alias", "%q is not an https base URL such as https://mtls.example.com", m.EndpointAlias)
		}
	}
	return errs
}

// FAPI 2.0 Security Profile limits on lifetimes (final, 2025).
const (
	// FAPI2MaxCode: §5.3.2.1 item 11, codes live at most 60 seconds.
	FAPI2MaxCode = 60 * time.Second
	// FAPI2MaxPushedRequest: §5.3.2.2 item 12, a request_uri's expires_in
	// is less than 600 seconds.
	FAPI2MaxPushedRequest = 600 * time.Second
)

// checkFAPI2 refuses settings the FAPI 2.0 Security Profile forbids while
// fapi2_security_profile is on, so that the server never starts saying it
// follows the profile and then breaks it.
func (c *Config) checkFAPI2() []error {
	var errs []error
	if d := c.Lifetimes.Code; d > FAPI2MaxCode {
		errs = append(errs, fmt.Errorf("lifetimes.code: is %s, but fapi2_security_profile is on and FAPI 2.0 Security Profile §5.3.2.1 allows authorization codes of at most %s", d, FAPI2MaxCode))
	}
	if d := c.Lifetimes.PushedRequest; d >= FAPI2MaxPushedRequest {
		errs = append(errs, fmt.Errorf("lifetimes.pushed_request: is %s, but fapi2_security_profile is on and FAPI 2.0 Security Profile §5.3.2.2 needs a request_uri to expire in less than %s", d, FAPI2MaxPushedRequest))
	}
	return errs
}

// check judges the outbox settings.
func (o Outbox) check() []error {
	var errs []error
	bad := func(key, format string, a ...any) {
		errs = append(errs, fmt.Errorf("outbox.%s: "+format, append([]any{key}, a...)...))
	}
	if d := o.PollInterval; d < 10*time.Millisecond || d > time.Minute {
		bad("poll_interval", "is %s; use between 10ms and 1m", d)
	}
	if n := o.MaxAttempts; n < 1 || n > 100 {
		bad("max_attempts", "is %d; use between 1 and 100", n)
	}
	if d := o.BackoffBase; d < 10*time.Millisecond || d > time.Hour {
		bad("backoff_base", "is %s; use between 10ms and 1h", d)
	}
	if d := o.BackoffCap; d < o.BackoffBase || d > 24*time.Hour {
		bad("backoff_cap", "is %s; use between backoff_base (%s) and 24h", d, o.BackoffBase)
	}
	if d := o.Timeout; d < 100*time.Millisecond || d > time.Minute {
		bad("timeout", "is %s; use between 100ms and 1m", d)
	}
	return errs
}
