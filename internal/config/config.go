// Package config holds Lucid's settings: defaults, a YAML file, LUCID_*
// environment variables and command-line flags, in increasing precedence.
package config

import "time"

// Config is the whole configuration of one Lucid process.
type Config struct {
	Issuer        string `yaml:"issuer"`          // LUCID_ISSUER, --issuer
	Addr          string `yaml:"addr"`            // LUCID_ADDR, --addr
	Database      string `yaml:"database"`        // LUCID_DATABASE, --database: sqlite:PATH or postgres://…
	MasterKey     string `yaml:"master_key"`      // LUCID_MASTER_KEY: base64 or hex, at least 32 bytes
	MasterKeyFile string `yaml:"master_key_file"` // LUCID_MASTER_KEY_FILE
	AdminToken    string `yaml:"admin_token"`     // LUCID_ADMIN_TOKEN: admin API disabled when empty

	TLS struct {
		CertFile string `yaml:"cert_file"` // LUCID_TLS_CERT_FILE
		KeyFile  string `yaml:"key_file"`  // LUCID_TLS_KEY_FILE
	} `yaml:"tls"`
	// TrustedProxies are CIDRs whose X-Forwarded-For/Proto/Host are believed.
	TrustedProxies []string `yaml:"trusted_proxies"` // LUCID_TRUSTED_PROXIES (comma-separated)

	Lifetimes Lifetimes `yaml:"lifetimes"`
	Cookies   Cookies   `yaml:"cookies"`
	Lockout   Lockout   `yaml:"lockout"`

	// FailureRetention is how long failed-request stories are kept for `lucid explain`.
	FailureRetention time.Duration `yaml:"failure_retention"`

	LogLevel  string `yaml:"log_level"`  // debug, info, warn, error
	LogFormat string `yaml:"log_format"` // text or json

	// Demo seeds a demo user and client and creates a master key file when
	// none is configured. Set by `lucid demo`, never by a file.
	Demo bool `yaml:"-"`
}

// Lifetimes of everything Lucid issues.
type Lifetimes struct {
	Code            time.Duration `yaml:"code"`             // default 60s
	AccessToken     time.Duration `yaml:"access_token"`     // default 10m
	IDToken         time.Duration `yaml:"id_token"`         // default 1h
	RefreshAbsolute time.Duration `yaml:"refresh_absolute"` // default 720h
	RefreshIdle     time.Duration `yaml:"refresh_idle"`     // default 168h
	Session         time.Duration `yaml:"session"`          // default 24h
	AuthRequest     time.Duration `yaml:"auth_request"`     // default 15m
	// KeyPublish is how long a retired signing key stays in the JWKS; at
	// least the longest token lifetime.
	KeyPublish time.Duration `yaml:"key_publish"` // default 48h
}

// Cookies settings for the browser session.
type Cookies struct {
	// Secure marks cookies Secure; nil means "when the issuer is https".
	Secure *bool  `yaml:"secure"`
	Domain string `yaml:"domain"`
}

// Lockout: after Threshold consecutive failures an account is locked for
// Base, doubling with each further failure up to Max.
type Lockout struct {
	Threshold int           `yaml:"threshold"` // default 5
	Base      time.Duration `yaml:"base"`      // default 1m
	Max       time.Duration `yaml:"max"`       // default 1h
}

// Default returns the built-in defaults.
func Default() Config {
	return Config{
		Issuer:   "http://localhost:8080",
		Addr:     "localhost:8080",
		Database: "sqlite:lucid.db",
		Lifetimes: Lifetimes{
			Code:            60 * time.Second,
			AccessToken:     10 * time.Minute,
			IDToken:         time.Hour,
			RefreshAbsolute: 30 * 24 * time.Hour,
			RefreshIdle:     7 * 24 * time.Hour,
			Session:         24 * time.Hour,
			AuthRequest:     15 * time.Minute,
			KeyPublish:      48 * time.Hour,
		},
		Lockout:          Lockout{Threshold: 5, Base: time.Minute, Max: time.Hour},
		FailureRetention: 7 * 24 * time.Hour,
		LogLevel:         "info",
		LogFormat:        "text",
	}
}

// SecureCookies reports whether cookies get the Secure attribute.
func (c *Config) SecureCookies() bool {
	if c.Cookies.Secure != nil {
		return *c.Cookies.Secure
	}
	return len(c.Issuer) >= 8 && c.Issuer[:8] == "https://"
}
