package clientauth

import "github.com/lucid-auth/lucid/internal/clientjwt"

// The audience rule of assertions Lucid accepts lives in
// clientjwt.CheckAudience: one value, naming this server.

// AudienceVerdict is CheckAudience's answer.
type AudienceVerdict = clientjwt.AudienceVerdict

// The verdicts of CheckAudience.
const (
	AudienceOK          = clientjwt.AudienceOK
	AudienceNotAccepted = clientjwt.AudienceNotAccepted
	AudienceMultiple    = clientjwt.AudienceMultiple
)

// CheckAudience is clientjwt.CheckAudience.
func CheckAudience(aud, accepted []string) AudienceVerdict {
	return clientjwt.CheckAudience(aud, accepted)
}

// Strict reports the strict setting (strict_assertion_audience, for FAPI
// 2.0), which other client JWT rules follow too: no unsigned request
// objects, for one.
func (a *Authenticator) Strict() bool { return a.strictAud }

// AcceptedAudiences are the values an assertion's aud may take: the
// issuer and, unless the strict setting is on, the token endpoint URL (for
// clients that follow the older OpenID Connect advice) and the pushed
// authorization request endpoint URL (RFC 9126 §2). The text says so
// for error descriptions.
func (a *Authenticator) AcceptedAudiences() (values []string, text string) {
	if a.strictAud {
		return []string{a.issuer}, a.issuer + " (the issuer)"
	}
	if a.parEndpoint == "" {
		return []string{a.issuer, a.tokenEndpoint}, a.issuer + " (the issuer) or " + a.tokenEndpoint + " (the token endpoint)"
	}
	return []string{a.issuer, a.tokenEndpoint, a.parEndpoint},
		a.issuer + " (the issuer), " + a.tokenEndpoint + " (the token endpoint) or " + a.parEndpoint + " (the pushed authorization request endpoint)"
}
