package clientauth

import "slices"

// The audience of an assertion Lucid accepts (a client assertion, RFC 7523
// §2.2, or a JWT bearer grant, RFC 7523 §2.1), after the 2025
// audience-injection findings (OpenID Connect Core errata,
// draft-ietf-oauth-rfc7523bis): one value, naming this server. An array
// that also names someone else means the same signed JWT is accepted
// there too, so whoever receives it there can replay it here; such an
// array is refused even when one of its values is Lucid's.

// AudienceVerdict is CheckAudience's answer.
type AudienceVerdict int

// The verdicts of CheckAudience.
const (
	AudienceOK          AudienceVerdict = iota
	AudienceNotAccepted                 // missing, or its one value is not accepted
	AudienceMultiple                    // an array of more than one value
)

// CheckAudience applies the rule above to aud (a string claim is a
// one-element list) with the accepted values.
func CheckAudience(aud, accepted []string) AudienceVerdict {
	switch {
	case len(aud) > 1:
		return AudienceMultiple
	case len(aud) == 1 && slices.Contains(accepted, aud[0]):
		return AudienceOK
	}
	return AudienceNotAccepted
}

// AcceptedAudiences are the values an assertion's aud may take: the
// issuer and, for clients that follow the older OpenID Connect advice, the
// token endpoint URL, unless the strict setting is on. The text says so
// for error descriptions.
func (a *Authenticator) AcceptedAudiences() (values []string, text string) {
	if a.strictAud {
		return []string{a.issuer}, a.issuer + " (the issuer)"
	}
	return []string{a.issuer, a.tokenEndpoint}, a.issuer + " (the issuer) or " + a.tokenEndpoint + " (the token endpoint)"
}
