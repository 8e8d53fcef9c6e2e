package config

import (
	"fmt"
	"net"
	"net/mail"
	"strings"
	"time"
)

// Mail settings: the SMTP relay Lucid hands its messages to (password
// reset links, address verification). Messages wait in the outbox and
// are retried with its backoff until the relay takes them.
type Mail struct {
	// Host of the relay; empty turns outgoing mail, and with it password
	// reset and sign-up, off.
	Host string `yaml:"host"` // LUCID_MAIL_HOST
	// Port of the relay: 587 (submission, STARTTLS), 465 (implicit TLS),
	// 25 or a local relay's.
	Port int `yaml:"port"` // LUCID_MAIL_PORT, default 587
	// Security is starttls (the default: TLS required after the greeting),
	// tls (implicit TLS from the first byte, port 465) or none (plain
	// text, only to a relay on a loopback address).
	Security string `yaml:"security"` // LUCID_MAIL_SECURITY
	// Username and Password authenticate to the relay (SASL PLAIN, only
	// over TLS or to loopback); both empty: no authentication.
	Username string `yaml:"username"` // LUCID_MAIL_USERNAME
	Password string `yaml:"password"` // LUCID_MAIL_PASSWORD
	// From is the sender, an address with an optional display name:
	// "Example Accounts <accounts@example.com>".
	From string `yaml:"from"` // LUCID_MAIL_FROM
	// CAFile is a PEM file of the CAs that issue the relay's certificate,
	// for a relay with a private CA; empty trusts the system's roots.
	CAFile string `yaml:"ca_file"` // LUCID_MAIL_CA_FILE
	// ProductName names the service in messages; an alias of
	// branding.product_name, which wins when both are set.
	ProductName string `yaml:"product_name"` // LUCID_MAIL_PRODUCT_NAME
}

// Mail security modes.
const (
	MailStartTLS = "starttls"
	MailTLS      = "tls"
	MailNone     = "none"
)

// DefaultMail are the mail defaults: off, submission port, STARTTLS.
var DefaultMail = Mail{Port: 587, Security: MailStartTLS}

// Enabled reports whether Lucid sends mail.
func (m Mail) Enabled() bool { return m.Host != "" }

// Recovery settings: how often password resets may be asked for.
type Recovery struct {
	// NetworkPerHour bounds reset requests from one client network (an
	// IPv4 address or an IPv6 /64) an hour; past it the form says so.
	NetworkPerHour int `yaml:"network_per_hour"` // default 20; 0 is no limit
	// AccountPerHour bounds reset mails to one account an hour; past it
	// the form answers as always but sends nothing, so that nobody can
	// flood a mailbox, nor learn that the account exists.
	AccountPerHour int `yaml:"account_per_hour"` // default 3; 0 is no limit
}

// DefaultRecovery are the recovery defaults.
var DefaultRecovery = Recovery{NetworkPerHour: 20, AccountPerHour: 3}

// Signup settings: self-registration at /signup. (registration.* is
// dynamic client registration, for applications.)
type Signup struct {
	// Enabled lets anyone create an account; it needs mail, to verify
	// the address.
	Enabled bool `yaml:"enabled"` // LUCID_SIGNUP_ENABLED, default false
	// NetworkPerHour bounds sign-up attempts from one client network an
	// hour.
	NetworkPerHour int `yaml:"network_per_hour"` // default 10; 0 is no limit
}

// DefaultSignup are the sign-up defaults: off.
var DefaultSignup = Signup{NetworkPerHour: 10}

// Bounds of the recovery lifetimes.
const (
	MaxPasswordReset     = 24 * time.Hour
	MaxEmailVerification = 30 * 24 * time.Hour
)

func (c *Config) checkRecovery() []error {
	var errs []error
	bad := func(key, format string, a ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{key}, a...)...))
	}
	m := c.Mail
	if m.Enabled() {
		if m.Port < 1 || m.Port > 65535 {
			bad("mail.port", "is %d; use the relay's port (587 for STARTTLS, 465 for TLS)", m.Port)
		}
		switch m.Security {
		case MailStartTLS, MailTLS:
		case MailNone:
			if !loopbackHost(m.Host) {
				bad("mail.security", "is none, but %s is not a loopback address; plain text is for a relay on this machine only (use starttls or tls)", m.Host)
			}
		default:
			bad("mail.security", "is %q; use starttls, tls or none", m.Security)
		}
		if (m.Username == "") != (m.Password == "") {
			bad("mail.username", "set both username and password, or neither")
		}
		if a, err := mail.ParseAddress(m.From); m.From == "" || err != nil {
			bad("mail.from", "%q is not an address such as \"Accounts <accounts@example.com>\"", m.From)
		} else if strings.ContainsAny(a.Address, "\r\n") {
			bad("mail.from", "contains a line break")
		}
		if strings.ContainsAny(m.ProductName, "\r\n") || (m.ProductName != "" && strings.TrimSpace(m.ProductName) == "") {
			bad("mail.product_name", "must be one line of text")
		}
	}
	if c.Signup.Enabled && !m.Enabled() {
		bad("signup.enabled", "is true, but sign-up verifies addresses by e-mail: configure mail.host (and mail.from)")
	}
	if c.Signup.NetworkPerHour < 0 {
		bad("signup.network_per_hour", "is %d; use 0 (off) or more", c.Signup.NetworkPerHour)
	}
	if c.Recovery.NetworkPerHour < 0 {
		bad("recovery.network_per_hour", "is %d; use 0 (off) or more", c.Recovery.NetworkPerHour)
	}
	if c.Recovery.AccountPerHour < 0 {
		bad("recovery.account_per_hour", "is %d; use 0 (off) or more", c.Recovery.AccountPerHour)
	}
	if d := c.Lifetimes.PasswordReset; d < time.Minute || d > MaxPasswordReset {
		bad("lifetimes.password_reset", "is %s; use between 1m and %s", d, MaxPasswordReset)
	}
	if d := c.Lifetimes.EmailVerification; d < time.Minute || d > MaxEmailVerification {
		bad("lifetimes.email_verification", "is %s; use between 1m and %s", d, MaxEmailVerification)
	}
	if n := c.Password.MinLength; n < 8 || n > 64 {
		bad("password.min_length", "is %d; use between 8 and 64 (NIST SP 800-63B-4: 15 where the password is the only factor)", n)
	}
	return errs
}

// loopbackHost reports whether host is a loopback address or localhost.
func loopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}
