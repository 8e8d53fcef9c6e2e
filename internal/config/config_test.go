package config

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// withIssuer is the defaults with the one setting they lack.
func withIssuer() Config {
	c := Default()
	c.Issuer = "https://id.example.com"
	return c
}

func TestLoad(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		check   func(t *testing.T, c Config)
		wantErr string
	}{
		{name: "empty file keeps defaults", yaml: "", check: func(t *testing.T, c Config) {
			if !reflect.DeepEqual(c, Default()) {
				t.Errorf("got %+v, want defaults", c)
			}
		}},
		{name: "comment only", yaml: "# nothing\n", check: func(t *testing.T, c Config) {
			if !reflect.DeepEqual(c, Default()) {
				t.Errorf("got %+v, want defaults", c)
			}
		}},
		{name: "full file", yaml: `
issuer: https://id.example.com
addr: ":9443"
database: postgres://lucid@db/lucid
master_key_file: /etc/lucid/key
admin_token: abc
tls:
  cert_file: /etc/tls/cert.pem
  key_file: /etc/tls/key.pem
trusted_proxies: [10.0.0.0/8, "192.0.2.1/32"]
lifetimes:
  code: 30s
  access_token: 5m
  key_publish: 72h
  refresh_reuse_grace: 10s
cookies:
  secure: false
  domain: example.com
lockout:
  threshold: 3
  base: 2m
failure_retention: 24h
failure_max_stories: 5000
failure_max_unattributed: 500
failure_queue: 64
log_level: debug
log_format: json
`, check: func(t *testing.T, c Config) {
			want := Default()
			want.Issuer = "https://id.example.com"
			want.Addr = ":9443"
			want.Database = "postgres://lucid@db/lucid"
			want.MasterKeyFile = "/etc/lucid/key"
			want.AdminToken = "abc"
			want.TLS.CertFile, want.TLS.KeyFile = "/etc/tls/cert.pem", "/etc/tls/key.pem"
			want.TrustedProxies = []string{"10.0.0.0/8", "192.0.2.1/32"}
			want.Lifetimes.Code = 30 * time.Second
			want.Lifetimes.AccessToken = 5 * time.Minute
			want.Lifetimes.KeyPublish = 72 * time.Hour
			want.Lifetimes.RefreshReuseGrace = 10 * time.Second
			f := false
			want.Cookies = Cookies{Secure: &f, Domain: "example.com"}
			want.Lockout.Threshold, want.Lockout.Base = 3, 2*time.Minute
			want.FailureRetention = 24 * time.Hour
			want.FailureMaxStories, want.FailureMaxUnattributed, want.FailureQueue = 5000, 500, 64
			want.LogLevel, want.LogFormat = "debug", "json"
			if !reflect.DeepEqual(c, want) {
				t.Errorf("got\n%+v\nwant\n%+v", c, want)
			}
		}},
		{name: "unknown top-level key", yaml: "issuer: https://a.example\nisuer: x\n", wantErr: `line 2: unknown key "isuer"`},
		{name: "unknown nested key", yaml: "lifetimes:\n  code: 30s\n  acess_token: 5m\n", wantErr: `line 3: unknown key "lifetimes.acess_token"`},
		{name: "demo is not a file setting", yaml: "demo: true\n", wantErr: `unknown key "demo"`},
		{name: "bad duration", yaml: "lifetimes:\n  code: soon\n", wantErr: "soon"},
		{name: "bare number is not a duration", yaml: "lifetimes:\n  code: 60\n", wantErr: "line 2: cannot unmarshal !!int `60` into time.Duration (write durations like 60s"},
		{name: "section must be a mapping", yaml: "lifetimes: 5m\n", wantErr: "lifetimes must be a mapping"},
		{name: "not yaml", yaml: "issuer: [unclosed\n", wantErr: "yaml"},
		{name: "trusted issuers", yaml: `
trusted_issuers:
  - issuer: https://k8s.example.com
    jwks_uri: https://k8s.example.com/openid/v1/jwks
    max_lifetime: 2h
    allow_reuse: true
  - issuer: https://ci.example.com
    jwks_file: /etc/lucid/ci.jwks
    audience: https://id.example.com
`, check: func(t *testing.T, c Config) {
			want := []TrustedIssuer{
				{Issuer: "https://k8s.example.com", JWKSURI: "https://k8s.example.com/openid/v1/jwks", MaxLifetime: 2 * time.Hour, AllowReuse: true},
				{Issuer: "https://ci.example.com", JWKSFile: "/etc/lucid/ci.jwks", Audience: "https://id.example.com"},
			}
			if !reflect.DeepEqual(c.TrustedIssuers, want) {
				t.Errorf("got %+v, want %+v", c.TrustedIssuers, want)
			}
		}},
		{name: "unknown key in a trusted issuer", yaml: "trusted_issuers:\n  - issuer: https://a.example\n    jwks: x\n", wantErr: `line 3: unknown key "trusted_issuers[0].jwks"`},
		{name: "trusted issuer must be a mapping", yaml: "trusted_issuers:\n  - https://a.example\n", wantErr: "trusted_issuers[0] must be a mapping"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "lucid.yaml", tt.yaml)
			c, err := Load(path)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), path) {
					t.Errorf("err = %v, want it to name the file", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.yaml")); err == nil {
		t.Error("Load of a missing file succeeded")
	}
}

func TestApplyEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		check   func(t *testing.T, c Config)
		wantErr string
	}{
		{name: "nothing set keeps defaults", env: nil, check: func(t *testing.T, c Config) {
			if !reflect.DeepEqual(c, Default()) {
				t.Errorf("got %+v", c)
			}
		}},
		{name: "top-level strings", env: map[string]string{
			"LUCID_ISSUER": "https://id.example.com", "LUCID_ADDR": ":9000", "LUCID_DATABASE": "sqlite:/x.db",
			"LUCID_MASTER_KEY": "k", "LUCID_MASTER_KEY_FILE": "/k", "LUCID_ADMIN_TOKEN": "t",
			"LUCID_TLS_CERT_FILE": "/c", "LUCID_TLS_KEY_FILE": "/p", "LUCID_LOG_LEVEL": "warn", "LUCID_LOG_FORMAT": "json",
		}, check: func(t *testing.T, c Config) {
			got := []string{c.Issuer, c.Addr, c.Database, c.MasterKey, c.MasterKeyFile, c.AdminToken, c.TLS.CertFile, c.TLS.KeyFile, c.LogLevel, c.LogFormat}
			want := []string{"https://id.example.com", ":9000", "sqlite:/x.db", "k", "/k", "t", "/c", "/p", "warn", "json"}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %q, want %q", got, want)
			}
		}},
		{name: "trusted proxies are comma-separated", env: map[string]string{"LUCID_TRUSTED_PROXIES": " 10.0.0.0/8, ,::1/128 "}, check: func(t *testing.T, c Config) {
			if want := []string{"10.0.0.0/8", "::1/128"}; !reflect.DeepEqual(c.TrustedProxies, want) {
				t.Errorf("got %q, want %q", c.TrustedProxies, want)
			}
		}},
		{name: "lifetimes and sections", env: map[string]string{
			"LUCID_LIFETIMES_CODE": "30s", "LUCID_LIFETIMES_REFRESH_IDLE": "1h", "LUCID_LOCKOUT_THRESHOLD": "7",
			"LUCID_COOKIES_SECURE": "true", "LUCID_FAILURE_RETENTION": "12h", "LUCID_LIFETIMES_REFRESH_REUSE_GRACE": "5s",
			"LUCID_FAILURE_MAX_STORIES": "900", "LUCID_FAILURE_MAX_UNATTRIBUTED": "90", "LUCID_FAILURE_QUEUE": "9",
		}, check: func(t *testing.T, c Config) {
			if c.FailureMaxStories != 900 || c.FailureMaxUnattributed != 90 || c.FailureQueue != 9 {
				t.Errorf("failure bounds: %d %d %d", c.FailureMaxStories, c.FailureMaxUnattributed, c.FailureQueue)
			}
			if c.Lifetimes.Code != 30*time.Second || c.Lifetimes.RefreshIdle != time.Hour || c.Lockout.Threshold != 7 ||
				c.Lifetimes.RefreshReuseGrace != 5*time.Second ||
				c.Cookies.Secure == nil || !*c.Cookies.Secure || c.FailureRetention != 12*time.Hour {
				t.Errorf("got %+v", c)
			}
			if c.Lifetimes.AccessToken != Default().Lifetimes.AccessToken {
				t.Errorf("unset lifetime changed: %s", c.Lifetimes.AccessToken)
			}
		}},
		{name: "key fetch and assertion audience", env: map[string]string{
			"LUCID_KEY_FETCH_ALLOW_LOCAL": "true", "LUCID_STRICT_ASSERTION_AUDIENCE": "1",
		}, check: func(t *testing.T, c Config) {
			if !c.KeyFetch.AllowLocal || !c.StrictAssertionAudience {
				t.Errorf("got key_fetch %+v strict %v", c.KeyFetch, c.StrictAssertionAudience)
			}
			if d := Default(); d.KeyFetch.AllowLocal || d.StrictAssertionAudience {
				t.Error("the defaults must refuse local key sets and accept the token endpoint audience")
			}
		}},
		{name: "bad duration names the variable", env: map[string]string{"LUCID_LIFETIMES_CODE": "30"}, wantErr: `LUCID_LIFETIMES_CODE: "30" is not a duration`},
		{name: "bad number", env: map[string]string{"LUCID_LOCKOUT_THRESHOLD": "many"}, wantErr: "LUCID_LOCKOUT_THRESHOLD"},
		{name: "password hashing and users", env: map[string]string{
			"LUCID_PASSWORD_HASH_SLOTS": "3", "LUCID_PASSWORD_HASH_WAIT": "250ms", "LUCID_USERS_KEEP_GRANTS_ON_CHANGE": "true",
		}, check: func(t *testing.T, c Config) {
			if c.Password.HashSlots != 3 || c.Password.HashWait != 250*time.Millisecond || !c.Users.KeepGrantsOnChange {
				t.Errorf("got %+v %+v", c.Password, c.Users)
			}
		}},
		{name: "bad bool", env: map[string]string{"LUCID_COOKIES_SECURE": "yes please"}, wantErr: "LUCID_COOKIES_SECURE"},
		{name: "demo cannot be set", env: map[string]string{"LUCID_DEMO": "true"}, check: func(t *testing.T, c Config) {
			if c.Demo {
				t.Error("LUCID_DEMO set demo mode")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			err := c.ApplyEnv(func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		adjust  func(c *Config)
		wantErr []string // each must appear; none means valid
	}{
		{name: "defaults and an issuer", adjust: func(c *Config) { c.Issuer = "https://id.example.com" }},
		{name: "defaults have no issuer", adjust: func(c *Config) { *c = Default() }, wantErr: []string{"issuer: is not set", "--issuer", "LUCID_ISSUER"}},
		{name: "https issuer with path", adjust: func(c *Config) { c.Issuer = "https://example.com/auth" }},
		{name: "http on 127.0.0.1", adjust: func(c *Config) { c.Issuer = "http://127.0.0.1:9000" }},
		{name: "http on ::1", adjust: func(c *Config) { c.Issuer = "http://[::1]:9000" }},
		{name: "http elsewhere", adjust: func(c *Config) { c.Issuer = "http://id.example.com" }, wantErr: []string{"issuer:", "must use https"}},
		{name: "trailing slash", adjust: func(c *Config) { c.Issuer = "https://id.example.com/" }, wantErr: []string{"must not end with a slash", `"https://id.example.com"`}},
		{name: "query", adjust: func(c *Config) { c.Issuer = "https://id.example.com?x=1" }, wantErr: []string{"must not have a query"}},
		{name: "fragment", adjust: func(c *Config) { c.Issuer = "https://id.example.com#f" }, wantErr: []string{"must not have a fragment"}},
		{name: "relative issuer", adjust: func(c *Config) { c.Issuer = "id.example.com" }, wantErr: []string{"not an absolute URL"}},
		{name: "other scheme", adjust: func(c *Config) { c.Issuer = "ftp://id.example.com" }, wantErr: []string{"must use https"}},
		{name: "empty issuer", adjust: func(c *Config) { c.Issuer = "" }, wantErr: []string{"issuer: is not set"}},
		{name: "tls cert only", adjust: func(c *Config) { c.TLS.CertFile = "/c.pem" }, wantErr: []string{"tls: set both"}},
		{name: "tls both", adjust: func(c *Config) { c.TLS.CertFile, c.TLS.KeyFile = "/c.pem", "/k.pem" }},
		{name: "zero lifetime", adjust: func(c *Config) { c.Lifetimes.Code = 0 }, wantErr: []string{"lifetimes.code: must be positive"}},
		{name: "negative lifetime", adjust: func(c *Config) { c.Lifetimes.Session = -time.Second }, wantErr: []string{"lifetimes.session: must be positive"}},
		{name: "key publish shorter than id token", adjust: func(c *Config) { c.Lifetimes.KeyPublish = 30 * time.Minute },
			wantErr: []string{"lifetimes.key_publish", "1h0m0s"}},
		{name: "key publish shorter than access token", adjust: func(c *Config) {
			c.Lifetimes.AccessToken, c.Lifetimes.IDToken, c.Lifetimes.KeyPublish = 2*time.Hour, time.Minute, time.Hour
		}, wantErr: []string{"lifetimes.key_publish", "2h0m0s"}},
		{name: "key publish equal to longest", adjust: func(c *Config) { c.Lifetimes.KeyPublish = time.Hour }},
		{name: "refresh reuse grace at its cap", adjust: func(c *Config) { c.Lifetimes.RefreshReuseGrace = MaxRefreshReuseGrace }},
		{name: "refresh reuse grace above its cap", adjust: func(c *Config) { c.Lifetimes.RefreshReuseGrace = MaxRefreshReuseGrace + time.Second },
			wantErr: []string{"lifetimes.refresh_reuse_grace: must be between 0 (off) and 1m0s, got 1m1s"}},
		{name: "negative refresh reuse grace", adjust: func(c *Config) { c.Lifetimes.RefreshReuseGrace = -time.Second },
			wantErr: []string{"lifetimes.refresh_reuse_grace: must be between 0"}},
		{name: "no failure stories", adjust: func(c *Config) { c.FailureMaxStories, c.FailureMaxUnattributed, c.FailureQueue = 0, -1, 0 },
			wantErr: []string{"failure_max_stories: must be at least 1, got 0", "failure_max_unattributed: must be at least 1, got -1", "failure_queue: must be at least 1"}},
		{name: "no limit per network", adjust: func(c *Config) { c.Lockout.NetworkPerHour = 0 }},
		{name: "negative limit per network", adjust: func(c *Config) { c.Lockout.NetworkPerHour = -1 }, wantErr: []string{"lockout.network_per_hour: must be 0"}},
		{name: "hash slots per CPU", adjust: func(c *Config) { c.Password.HashSlots = 0 }},
		{name: "negative hash slots", adjust: func(c *Config) { c.Password.HashSlots = -1 }, wantErr: []string{"password.hash_slots: must be 0"}},
		{name: "no wait for a hash slot", adjust: func(c *Config) { c.Password.HashWait = 0 }},
		{name: "hash wait is a queue", adjust: func(c *Config) { c.Password.HashWait = time.Minute }, wantErr: []string{"password.hash_wait: is 1m0s"}},
		{name: "trusted proxies", adjust: func(c *Config) { c.TrustedProxies = []string{"10.0.0.0/8", "::1/128"} }},
		{name: "mtls on own TLS", adjust: func(c *Config) {
			c.TLS.CertFile, c.TLS.KeyFile = "/c.pem", "/k.pem"
			c.MTLS = MTLS{Enabled: true, CAFile: "/ca.pem", EndpointAlias: "https://mtls.example.com"}
		}},
		{name: "mtls behind a proxy", adjust: func(c *Config) {
			c.TrustedProxies = []string{"10.0.0.0/8"}
			c.MTLS = MTLS{Enabled: true, ClientCertHeader: "X-SSL-Client-Cert"}
		}},
		{name: "mtls with no way in", adjust: func(c *Config) { c.MTLS.Enabled = true }, wantErr: []string{"mtls.enabled: needs a way"}},
		{name: "mtls header without proxies", adjust: func(c *Config) { c.MTLS = MTLS{Enabled: true, ClientCertHeader: "X-Client-Cert"} },
			wantErr: []string{"mtls.client_cert_header: is set but trusted_proxies is empty"}},
		{name: "mtls header not a name", adjust: func(c *Config) {
			c.TrustedProxies = []string{"10.0.0.0/8"}
			c.MTLS = MTLS{Enabled: true, ClientCertHeader: "X Client: Cert"}
		}, wantErr: []string{"mtls.client_cert_header:", "not a header name"}},
		{name: "mtls alias not https", adjust: func(c *Config) {
			c.TLS.CertFile, c.TLS.KeyFile = "/c.pem", "/k.pem"
			c.MTLS = MTLS{Enabled: true, EndpointAlias: "http://mtls.example.com"}
		}, wantErr: []string{"mtls.endpoint_alias:"}},
		{name: "mtls settings while off", adjust: func(c *Config) { c.MTLS.CAFile = "/ca.pem" }, wantErr: []string{"mtls.enabled: is false"}},
		{name: "trusted proxy not a CIDR", adjust: func(c *Config) { c.TrustedProxies = []string{"10.0.0.1"} }, wantErr: []string{`trusted_proxies: "10.0.0.1"`}},
		{name: "short admin token", adjust: func(c *Config) { c.AdminToken = "short" }, wantErr: []string{"admin_token: is 5 characters"}},
		{name: "both master keys", adjust: func(c *Config) { c.MasterKey, c.MasterKeyFile = "x", "/y" }, wantErr: []string{"set only one"}},
		{name: "unknown database", adjust: func(c *Config) { c.Database = "mysql://root:hunter2@db/x" }, wantErr: []string{`scheme "mysql"`}},
		{name: "postgres database", adjust: func(c *Config) { c.Database = "postgres://root@127.0.0.1/test" }},
		{name: "bad log level", adjust: func(c *Config) { c.LogLevel = "loud" }, wantErr: []string{"log_level"}},
		{name: "bad addr", adjust: func(c *Config) { c.Addr = "8080" }, wantErr: []string{"addr:"}},
		{name: "trusted issuer", adjust: func(c *Config) {
			c.TrustedIssuers = []TrustedIssuer{{Issuer: "https://k8s.example.com", JWKSURI: "https://k8s.example.com/jwks", MaxLifetime: 24 * time.Hour}}
		}},
		{name: "trusted issuer on loopback for development", adjust: func(c *Config) {
			c.KeyFetch.AllowLocal = true
			c.TrustedIssuers = []TrustedIssuer{{Issuer: "https://k8s.example.com", JWKSURI: "http://127.0.0.1:8001/jwks"}}
		}},
		{name: "trusted issuer on loopback", adjust: func(c *Config) {
			c.TrustedIssuers = []TrustedIssuer{{Issuer: "https://k8s.example.com", JWKSURI: "http://127.0.0.1:8001/jwks"}}
		}, wantErr: []string{"trusted_issuers[0].jwks_uri:", "key_fetch.allow_local"}},
		{name: "trusted issuer on a private address", adjust: func(c *Config) {
			c.TrustedIssuers = []TrustedIssuer{{Issuer: "https://k8s.example.com", JWKSURI: "https://10.0.0.1/jwks"}}
		}, wantErr: []string{"trusted_issuers[0].jwks_uri:", "local address"}},
		{name: "trusted issuer without keys", adjust: func(c *Config) { c.TrustedIssuers = []TrustedIssuer{{Issuer: "https://k8s.example.com"}} },
			wantErr: []string{"trusted_issuers[0].jwks_uri: set jwks_uri or jwks_file"}},
		{name: "trusted issuer with both key sources", adjust: func(c *Config) {
			c.TrustedIssuers = []TrustedIssuer{{Issuer: "https://k8s.example.com", JWKSURI: "https://k8s.example.com/jwks", JWKSFile: "/k.jwks"}}
		}, wantErr: []string{"trusted_issuers[0].jwks_uri: set jwks_uri or jwks_file, not both"}},
		{name: "trusted issuer over http", adjust: func(c *Config) {
			c.TrustedIssuers = []TrustedIssuer{{Issuer: "http://k8s.example.com", JWKSFile: "/k.jwks"}}
		}, wantErr: []string{"trusted_issuers[0].issuer:", "must use https"}},
		{name: "trusted issuer jwks_uri over http", adjust: func(c *Config) {
			c.TrustedIssuers = []TrustedIssuer{{Issuer: "https://k8s.example.com", JWKSURI: "http://k8s.example.com/jwks"}}
		}, wantErr: []string{"trusted_issuers[0].jwks_uri:", "must use https"}},
		{name: "trusted issuer is Lucid", adjust: func(c *Config) {
			c.TrustedIssuers = []TrustedIssuer{{Issuer: c.Issuer, JWKSFile: "/k.jwks"}}
		}, wantErr: []string{"trusted_issuers[0].issuer: is Lucid's own issuer"}},
		{name: "trusted issuer twice", adjust: func(c *Config) {
			ti := TrustedIssuer{Issuer: "https://k8s.example.com", JWKSFile: "/k.jwks"}
			c.TrustedIssuers = []TrustedIssuer{ti, ti}
		}, wantErr: []string{"trusted_issuers[1].issuer:", "listed twice"}},
		{name: "trusted issuer lifetime too long", adjust: func(c *Config) {
			c.TrustedIssuers = []TrustedIssuer{{Issuer: "https://k8s.example.com", JWKSFile: "/k.jwks", MaxLifetime: 48 * time.Hour}}
		}, wantErr: []string{"trusted_issuers[0].max_lifetime: is 48h0m0s"}},
		{name: "every problem reported", adjust: func(c *Config) {
			c.Issuer = "http://id.example.com"
			c.Lifetimes.Code = 0
			c.TLS.KeyFile = "/k"
		}, wantErr: []string{"issuer:", "lifetimes.code", "tls:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := withIssuer()
			tt.adjust(&c)
			err := c.Validate()
			if len(tt.wantErr) == 0 {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Validate() = nil, want an error")
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate() = %v, want it to contain %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error leaks a database password: %v", err)
			}
		})
	}
}

func TestMasterKeyBytes(t *testing.T) {
	key := bytes.Repeat([]byte{0xa7, 0x3f, 0xfe}, 11) // 33 bytes with + / in base64
	short := key[:31]
	tests := []struct {
		name    string
		key     string
		file    string // content of master_key_file
		wantErr string
	}{
		{name: "base64 std", key: base64.StdEncoding.EncodeToString(key)},
		{name: "base64 raw std", key: base64.RawStdEncoding.EncodeToString(key)},
		{name: "base64 url", key: base64.URLEncoding.EncodeToString(key)},
		{name: "base64 raw url", key: base64.RawURLEncoding.EncodeToString(key)},
		{name: "hex", key: hex.EncodeToString(key)},
		{name: "surrounding whitespace", key: " " + base64.StdEncoding.EncodeToString(key) + "\n"},
		{name: "file", file: base64.StdEncoding.EncodeToString(key) + "\n"},
		{name: "too short", key: base64.StdEncoding.EncodeToString(short), wantErr: "decodes to 31 bytes, need at least 32"},
		{name: "too short hex", key: hex.EncodeToString(short), wantErr: "decodes to 31 bytes"},
		{name: "garbage", key: "this is not a key!!", wantErr: "neither base64 nor hex"},
		{name: "short file", file: base64.StdEncoding.EncodeToString(short), wantErr: "master key file"},
		{name: "none", wantErr: "head -c 32 /dev/urandom | base64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			c.MasterKey = tt.key
			if tt.file != "" {
				c.MasterKeyFile = writeFile(t, "key", tt.file)
			}
			got, err := c.MasterKeyBytes()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if tt.key != "" && strings.Contains(err.Error(), strings.TrimSpace(tt.key)) {
					t.Errorf("error repeats the key: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, key) {
				t.Errorf("got %x, want %x", got, key)
			}
		})
	}
	c := Default()
	if _, err := c.MasterKeyBytes(); !errors.Is(err, ErrNoMasterKey) {
		t.Errorf("no key: err = %v, want ErrNoMasterKey", err)
	}
}

func TestDemoMasterKey(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "demo.db")
	c := Default()
	c.Database = "sqlite:" + db

	// A management command before the demo ever ran: nothing to adopt.
	if got := c.UseDemoKeyFile(); got != "" || c.HasMasterKey() {
		t.Fatalf("UseDemoKeyFile() = %q before the file exists", got)
	}
	if err := c.EnsureDemoMasterKey(); err != nil {
		t.Fatal(err)
	}
	if c.MasterKeyFile != db+".key" {
		t.Fatalf("MasterKeyFile = %q, want %q", c.MasterKeyFile, db+".key")
	}
	st, err := os.Stat(db + ".key")
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", st.Mode().Perm())
	}
	first, err := c.MasterKeyBytes()
	if err != nil || len(first) != 32 {
		t.Fatalf("MasterKeyBytes() = %d bytes, %v", len(first), err)
	}

	// A second demo run reuses the key rather than replacing it.
	again := Default()
	again.Database = "sqlite:" + db + "?_pragma=busy_timeout(5000)"
	if err := again.EnsureDemoMasterKey(); err != nil {
		t.Fatal(err)
	}
	second, err := again.MasterKeyBytes()
	if err != nil || !bytes.Equal(first, second) {
		t.Fatalf("second run got a different key (%v)", err)
	}

	// Management commands adopt it; a configured key wins.
	cli := Default()
	cli.Database = "sqlite:" + db
	if got := cli.UseDemoKeyFile(); got != db+".key" {
		t.Errorf("UseDemoKeyFile() = %q", got)
	}
	set := Default()
	set.Database = "sqlite:" + db
	set.MasterKey = "configured"
	if got := set.UseDemoKeyFile(); got != "" || set.MasterKeyFile != "" {
		t.Errorf("UseDemoKeyFile() overrode a configured key: %q", got)
	}
	if err := set.EnsureDemoMasterKey(); err != nil || set.MasterKeyFile != "" {
		t.Errorf("EnsureDemoMasterKey() overrode a configured key: %v", err)
	}

	pg := Default()
	pg.Database = "postgres://root@127.0.0.1/test"
	if err := pg.EnsureDemoMasterKey(); err == nil || !strings.Contains(err.Error(), "LUCID_MASTER_KEY") {
		t.Errorf("demo on postgres without a key: err = %v", err)
	}
	if got := pg.UseDemoKeyFile(); got != "" {
		t.Errorf("UseDemoKeyFile() on postgres = %q", got)
	}
}
