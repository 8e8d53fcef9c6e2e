package clientauth

import (
	"context"

	jose "github.com/go-jose/go-jose/v4"
)

// The JWK set rules and the jwks_uri cache also serve verifiers of other
// issuers' JWTs (the JWT bearer grant's trusted issuers), so that a key set
// means the same thing, and is fetched as politely, wherever Lucid reads one.

// MinRSABits is the smallest RSA modulus accepted for any signature Lucid
// verifies with a key it did not make.
const MinRSABits = minRSABits

// VerificationKeys are the members of a JWK set that can verify signatures.
type VerificationKeys struct{ set *keySet }

// ParseVerificationKeys reads a JWK set by the rules of client key sets:
// members that cannot verify (unknown kty, use other than sig, private or
// symmetric material) are skipped; two usable members with one kid are an
// error.
func ParseVerificationKeys(b []byte) (*VerificationKeys, error) {
	s, err := parseJWKS(b)
	if err != nil {
		return nil, err
	}
	return &VerificationKeys{set: s}, nil
}

// ByKid returns the key with this kid.
func (k *VerificationKeys) ByKid(kid string) (jose.JSONWebKey, bool) { return k.set.byKid(kid) }

// Fitting returns the keys that can verify alg.
func (k *VerificationKeys) Fitting(alg string) []jose.JSONWebKey {
	var out []jose.JSONWebKey
	for _, key := range k.set.keys {
		if ok, _ := fits(key, alg); ok {
			out = append(out, key)
		}
	}
	return out
}

// Kids lists the kids of the usable keys, "(missing)" for a key without one.
func (k *VerificationKeys) Kids() []string {
	out := make([]string, 0, len(k.set.keys))
	for _, key := range k.set.keys {
		out = append(out, orMissing(key.KeyID))
	}
	return out
}

// Skipped says why members of the set were ignored, for the operator.
func (k *VerificationKeys) Skipped() []string { return k.set.skipped }

// KeyFits reports whether key can verify alg, and if not, why.
func KeyFits(key jose.JSONWebKey, alg string) (bool, string) { return fits(key, alg) }

// FetchError is a failed JWK set fetch. Reason may be shown to a client;
// Cause is for the operator's log.
type FetchError struct {
	Reason string
	Cause  error
}

func (e *FetchError) Error() string {
	if e.Cause != nil {
		return e.Reason + ": " + e.Cause.Error()
	}
	return e.Reason
}

func (e *FetchError) Unwrap() error { return e.Cause }

// IssuerKeys returns the keys behind a trusted issuer's jwks_uri through
// the same cache as client key sets, with the same refresh rules: a stale
// set or an unknown needKid allows a fetch, at most one per issuer per
// minimum refresh interval. refreshErr is a failed refresh while cached
// keys are still good.
func (a *Authenticator) IssuerKeys(ctx context.Context, issuer, uri, needKid string) (keys *VerificationKeys, refreshErr, err *FetchError) {
	// A client id never contains a space, so issuers cannot share a client's entry.
	set, rerr, ferr := a.remoteKeys(ctx, "trusted issuer "+issuer, uri, needKid)
	if ferr != nil {
		return nil, nil, &FetchError{Reason: ferr.reason, Cause: ferr.cause}
	}
	if rerr != nil {
		refreshErr = &FetchError{Reason: rerr.reason, Cause: rerr.cause}
	}
	return &VerificationKeys{set: set}, refreshErr, nil
}
