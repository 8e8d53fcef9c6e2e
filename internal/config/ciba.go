package config

import (
	"fmt"
	"net/url"
	"slices"
	"time"
)

// CIBA settings (OpenID Client-Initiated Backchannel Authentication Core
// 1.0): how long a request waits for the person, how often clients may
// poll, and whose login_hint_token values are accepted.
type CIBA struct {
	// Expiry is how long a request waits for the person's decision when
	// the client sends no requested_expiry (expires_in).
	Expiry time.Duration `yaml:"expiry"` // LUCID_CIBA_EXPIRY, default 5m
	// MaxExpiry bounds requested_expiry.
	MaxExpiry time.Duration `yaml:"max_expiry"` // LUCID_CIBA_MAX_EXPIRY, default 30m
	// Interval is the minimum wait between polls; a faster poll is told
	// slow_down. Whole seconds.
	Interval time.Duration `yaml:"interval"` // LUCID_CIBA_INTERVAL, default 5s
	// LoginHintTokenIssuers are trusted_issuers whose signed JWTs are
	// accepted as login_hint_token (their sub names the user); empty
	// refuses every login_hint_token. Set only in the YAML file.
	LoginHintTokenIssuers []string `yaml:"login_hint_token_issuers"`
	// NotifierURL, when set, receives a notice of every new request
	// (POSTed through the outbox, signed with NotifierSecret), so that an
	// external notifier (a push service, a call-centre tool) can put it to
	// the person and report the decision through the admin API.
	NotifierURL string `yaml:"notifier_url"` // LUCID_CIBA_NOTIFIER_URL
	// NotifierSecret is the shared secret of the notices' HMAC-SHA256
	// signature (the Lucid-Signature header); at least 32 characters.
	NotifierSecret string `yaml:"notifier_secret"` // LUCID_CIBA_NOTIFIER_SECRET
}

// MinNotifierSecret is the shortest ciba.notifier_secret accepted.
const MinNotifierSecret = 32

// DefaultCIBA are the defaults of the CIBA settings.
var DefaultCIBA = CIBA{Expiry: 5 * time.Minute, MaxExpiry: 30 * time.Minute, Interval: 5 * time.Second}

func (c *Config) checkCIBA() []error {
	var errs []error
	bad := func(key, format string, a ...any) {
		errs = append(errs, fmt.Errorf("ciba.%s: "+format, append([]any{key}, a...)...))
	}
	b := c.CIBA
	if b.Interval < time.Second || b.Interval > time.Minute || b.Interval%time.Second != 0 {
		bad("interval", "is %s; use whole seconds from 1s to 1m", b.Interval)
	}
	if b.MaxExpiry < 10*time.Second || b.MaxExpiry > 24*time.Hour {
		bad("max_expiry", "is %s; use between 10s and 24h", b.MaxExpiry)
	}
	if b.Expiry < 10*time.Second || b.Expiry > b.MaxExpiry {
		bad("expiry", "is %s; use from 10s up to max_expiry (%s)", b.Expiry, b.MaxExpiry)
	}
	switch u, err := url.Parse(b.NotifierURL); {
	case b.NotifierURL == "" && b.NotifierSecret != "":
		bad("notifier_secret", "is set without ciba.notifier_url")
	case b.NotifierURL == "":
	case err != nil || u.Host == "" || u.User != nil || u.Fragment != "" || (u.Scheme != "https" && u.Scheme != "http"):
		bad("notifier_url", "%q is not an absolute http(s) URL without credentials or a fragment", b.NotifierURL)
	case u.Scheme == "http" && !c.Outbox.AllowLocal:
		bad("notifier_url", "%q must use https (plain http only with outbox.allow_local, for development)", b.NotifierURL)
	case len(b.NotifierSecret) < MinNotifierSecret:
		bad("notifier_secret", "is %d characters; the notices are signed with it, use at least %d random ones", len(b.NotifierSecret), MinNotifierSecret)
	}
	for _, iss := range b.LoginHintTokenIssuers {
		if !slices.ContainsFunc(c.TrustedIssuers, func(t TrustedIssuer) bool { return t.Issuer == iss }) {
			bad("login_hint_token_issuers", "%q is not one of trusted_issuers", iss)
		}
	}
	return errs
}
