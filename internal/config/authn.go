package config

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// Authn settings: second factors, passkeys and what sign-in asks for
// (internal/authn).
type Authn struct {
	// SecondFactor: off (asked only when a client's acr_values ask),
	// optional (people who set one up are asked), required (everyone;
	// who has none sets one up during sign-in). A client's
	// require_second_factor makes it required for that client.
	SecondFactor string `yaml:"second_factor"` // LUCID_AUTHN_SECOND_FACTOR, default optional
	// TOTPIssuer names the account in authenticator apps.
	TOTPIssuer string `yaml:"totp_issuer"` // LUCID_AUTHN_TOTP_ISSUER, default Lucid
	// Passkeys turns WebAuthn on: passkeys as a second factor and for
	// signing in without a password.
	Passkeys bool `yaml:"passkeys"` // LUCID_AUTHN_PASSKEYS, default true
	// RPID is the WebAuthn relying party id: the issuer's host or a
	// registrable suffix of it. Passkeys are bound to it; changing it
	// orphans every registered passkey.
	RPID string `yaml:"rp_id"` // LUCID_AUTHN_RP_ID, default the issuer's host
	// UserVerification asks authenticators to verify the person (PIN,
	// biometric): required, preferred or discouraged. Required refuses
	// an assertion without the UV flag.
	UserVerification string `yaml:"user_verification"` // LUCID_AUTHN_USER_VERIFICATION, default preferred
}

// Second factor modes.
const (
	SecondFactorOff      = "off"
	SecondFactorOptional = "optional"
	SecondFactorRequired = "required"
)

// DefaultAuthn are the defaults of Authn.
var DefaultAuthn = Authn{SecondFactor: SecondFactorOptional, TOTPIssuer: "Lucid", Passkeys: true, UserVerification: "preferred"}

func (c *Config) checkAuthn() []error {
	var errs []error
	bad := func(key, format string, a ...any) {
		errs = append(errs, fmt.Errorf("authn.%s: "+format, append([]any{key}, a...)...))
	}
	a := c.Authn
	switch a.SecondFactor {
	case SecondFactorOff, SecondFactorOptional, SecondFactorRequired:
	default:
		bad("second_factor", "is %q; use off, optional or required", a.SecondFactor)
	}
	switch a.UserVerification {
	case "required", "preferred", "discouraged":
	default:
		bad("user_verification", "is %q; use required, preferred or discouraged", a.UserVerification)
	}
	if strings.TrimSpace(a.TOTPIssuer) == "" || strings.Contains(a.TOTPIssuer, ":") {
		bad("totp_issuer", "is %q; use a name without a colon (authenticator apps split on it)", a.TOTPIssuer)
	}
	if a.Passkeys && a.RPID != "" && net.ParseIP(a.RPID) != nil {
		bad("rp_id", "is the address %q; WebAuthn binds passkeys to a domain name", a.RPID)
	}
	if a.Passkeys && a.RPID != "" && c.Issuer != "" {
		if u, err := url.Parse(c.Issuer); err == nil {
			host := u.Hostname()
			if host != a.RPID && !strings.HasSuffix(host, "."+a.RPID) {
				bad("rp_id", "is %q, which is neither the issuer's host %q nor a suffix of it; browsers refuse such passkeys", a.RPID, host)
			}
		}
	}
	return errs
}
