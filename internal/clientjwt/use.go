package clientjwt

import (
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lucid-auth/lucid/internal/catalog"
)

// Names maps each kind of failure to the catalog entry a use reports it
// as. The verifier fills these keys; an entry's description uses those it
// needs, and the use's Context adds its own (client_id, iss):
//
//	Malformed        reason
//	AlgNotAllowed    alg, allowed
//	KeyUnknown       kid
//	KeyNotChosen     fitting, alg
//	SignatureInvalid kid
//	SecretTooShort   alg, bytes, need
//	TypInvalid       typ, want
//	AudienceInvalid  aud, accepted
//	AudienceMultiple count, aud, accepted
//	ExpiryMissing    -
//	Expired          exp, ago, now
//	NotYetValid      claim, time, now, ahead, skew
//	LifetimeTooLong  exp, lifetime, max
//	SubjectMissing   -
//	JTIMissing       -
//	Replayed         jti
//
// A Name left empty for a check the use does not make is never used.
type Names struct {
	Malformed        catalog.Name
	AlgNotAllowed    catalog.Name
	KeyUnknown       catalog.Name
	KeyNotChosen     catalog.Name
	SignatureInvalid catalog.Name
	SecretTooShort   catalog.Name
	TypInvalid       catalog.Name
	AudienceInvalid  catalog.Name
	AudienceMultiple catalog.Name
	ExpiryMissing    catalog.Name
	Expired          catalog.Name
	NotYetValid      catalog.Name
	LifetimeTooLong  catalog.Name
	SubjectMissing   catalog.Name
	JTIMissing       catalog.Name
	Replayed         catalog.Name
	// Unsigned, when set, names an unsigned token (alg none) refused
	// because AllowNone is off, with NoneRefusal as its reason; without
	// it such a token is AlgNotAllowed.
	Unsigned catalog.Name
}

// Use is what one kind of client-made JWT allows. A use keeps a base Use
// and copies it per request to fill in the per-request parts (Audiences,
// ReplayNamespace, Context).
type Use struct {
	Names Names
	// Algs are the accepted signature algorithms; AlgsText names them
	// for error descriptions.
	Algs     []jose.SignatureAlgorithm
	AlgsText string
	// Typ, when not empty, are the accepted typ header values, compared
	// without case and with an optional "application/" prefix (RFC 7515
	// §4.1.9). "" in the list accepts a token without typ.
	Typ []string
	// AllowNone accepts an unsigned token (alg none, RFC 7519 §6): only
	// for a request object of a client registered for it. NoneRefusal
	// says why it is off, for Names.Unsigned.
	AllowNone   bool
	NoneRefusal string

	// Audiences are the accepted aud values (one of them, as a single
	// value); AudienceText names them for descriptions. Without
	// Audiences, aud is not checked.
	Audiences    []string
	AudienceText string
	// AudienceString also refuses a one-value array (FAPI 2.0 §5.3.2.1
	// item 8 wants the issuer "as a string"), as AudienceInvalid.
	AudienceString bool

	// RequireExp refuses a token without exp; MaxLifetime, when set,
	// bounds exp minus iat (or now).
	RequireExp  bool
	MaxLifetime time.Duration
	// RequireSub refuses a token without sub.
	RequireSub bool

	// ReplayNamespace, when set, makes Spend remember the jti under it
	// (a client id, an issuer); the jti is then required.
	ReplayNamespace string

	// JWKs, when set, keeps the embedded keys read (JWKCache), shared by
	// every copy of the use.
	JWKs *JWKCache

	// KeyCheck, when set, judges the public key chosen to verify the
	// signature before it is used (the FAPI 2.0 key sizes, fapi.KeyRule);
	// its refusal is the answer. Shared secrets are not shown to it.
	KeyCheck func(jose.JSONWebKey) *catalog.Error

	// Context are key/value pairs added to every failure of this use,
	// such as "client_id", c.ID.
	Context []any
}

// fail builds the use's entry n with the verifier's values and the
// use's context.
func (u *Use) fail(n catalog.Name, keyvals ...any) *catalog.Error {
	return catalog.New(n, append(keyvals, u.Context...)...)
}

// typAccepted applies the Typ rule.
func (u *Use) typAccepted(typ string) bool {
	if len(u.Typ) == 0 {
		return true
	}
	norm := func(s string) string {
		s = strings.ToLower(s)
		if !strings.Contains(s, "/") {
			s = "application/" + s
		}
		return s
	}
	if typ == "" {
		return slices.Contains(u.Typ, "")
	}
	for _, want := range u.Typ {
		if want != "" && norm(want) == norm(typ) {
			return true
		}
	}
	return false
}

// AlgNames returns the names of algs, for discovery documents.
func AlgNames(algs []jose.SignatureAlgorithm) []string {
	out := make([]string, len(algs))
	for i, a := range algs {
		out[i] = string(a)
	}
	return out
}

// The audience rule, after the 2025 audience-injection findings (OpenID
// Connect Core errata, draft-ietf-oauth-rfc7523bis): one value, naming
// this server. An array that also names someone else means the same signed
// JWT is accepted there too, so whoever receives it there can replay it
// here; such an array is refused even when one of its values is Lucid's.

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
