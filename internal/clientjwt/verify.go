package clientjwt

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/failure"
	"github.com/lucid-auth/lucid/internal/store"
)

// JTIStore remembers spent JWT ids (store.Store does).
type JTIStore interface {
	UseJTI(ctx context.Context, namespace, jti string, expiresAt time.Time) error
}

// Verifier checks client-made JWTs. It is safe for concurrent use.
type Verifier struct {
	jtis JTIStore
	now  func() time.Time
}

// New returns a Verifier spending jtis in st, on the clock now.
func New(st JTIStore, now func() time.Time) *Verifier {
	if now == nil {
		now = time.Now
	}
	return &Verifier{jtis: st, now: now}
}

// Verify checks t's signature with a key from src, then its claims by u's
// rules: typ, aud, exp, iat, nbf, the lifetime and sub. Claims are judged
// only after the signature verifies, so a forger learns nothing but that
// the signature is wrong. The jti is not spent: call Spend once the
// caller's own checks pass.
func (v *Verifier) Verify(ctx context.Context, t *Token, u *Use, src KeySource) *catalog.Error {
	if e := v.verifySignature(ctx, t, u, src); e != nil {
		return e
	}
	return v.CheckClaims(t, u)
}

// Check is Verify followed by Spend.
func (v *Verifier) Check(ctx context.Context, t *Token, u *Use, src KeySource) *catalog.Error {
	if e := v.Verify(ctx, t, u, src); e != nil {
		return e
	}
	return v.Spend(ctx, t, u)
}

func (v *Verifier) verifySignature(ctx context.Context, t *Token, u *Use, src KeySource) *catalog.Error {
	if t.sig == nil {
		// An unsigned token, let through by Parse under AllowNone only.
		if t.Alg == "none" && u.AllowNone {
			return nil
		}
		return u.fail(u.Names.SignatureInvalid, "kid", "(none)")
	}
	keys, e := src.Keys(ctx, t)
	if e != nil {
		return e
	}
	if keys.Set == nil {
		return v.verifySecrets(t, u, keys)
	}
	withDetail := func(e *catalog.Error) *catalog.Error {
		if keys.Detail != nil {
			e = e.Internal(keys.Detail()...)
		}
		return e
	}
	var key jose.JSONWebKey
	if t.HasKid {
		k, ok := keys.Set.ByKid(t.Kid)
		if !ok {
			return withDetail(u.fail(u.Names.KeyUnknown, "kid", clip(t.Kid, 100)))
		}
		if ok, why := Fits(k, t.Alg); !ok {
			return u.fail(u.Names.SignatureInvalid, "kid", orNoKid(t.Kid)).
				Internal("reason", fmt.Sprintf("the header says %s but %s", t.Alg, why))
		}
		key = k
	} else {
		fit := keys.Set.Fitting(t.Alg)
		if len(fit) != 1 {
			return withDetail(u.fail(u.Names.KeyNotChosen, "fitting", len(fit), "alg", t.Alg))
		}
		key = fit[0]
	}
	if u.KeyCheck != nil {
		if e := u.KeyCheck(key); e != nil {
			return e
		}
	}
	kid := orNoKid(key.KeyID)
	if rk, ok := key.Key.(*rsa.PublicKey); ok && rk.N.BitLen() < MinRSABits {
		return u.fail(u.Names.AlgNotAllowed,
			"alg", fmt.Sprintf("%s with a %d-bit RSA key (kid %s)", t.Alg, rk.N.BitLen(), kid),
			"allowed", fmt.Sprintf("%s; RSA keys need at least %d bits", u.AlgsText, MinRSABits))
	}
	if err := verifyJWS(t.Alg, key.Key, t.signed, t.sig); err != nil {
		return u.fail(u.Names.SignatureInvalid, "kid", kid).Wrap(err)
	}
	return nil
}

// verifySecrets checks an HMAC signature against each secret. A secret
// shorter than the algorithm's key size is refused rather than tried
// (RFC 7518 §3.2).
func (v *Verifier) verifySecrets(t *Token, u *Use, keys Keys) *catalog.Error {
	need, ok := HMACKeySize(t.Alg)
	if !ok {
		return u.fail(u.Names.SignatureInvalid, "kid", keys.SecretName).
			Internal("reason", "shared secrets verify only HMAC algorithms, not "+t.Alg)
	}
	short := 0
	for _, s := range keys.Secrets {
		if len(s) < need {
			short = len(s)
			continue
		}
		if err := verifyJWS(t.Alg, s, t.signed, t.sig); err == nil {
			return nil
		}
	}
	if short > 0 {
		return u.fail(u.Names.SecretTooShort, "alg", t.Alg, "bytes", short, "need", need)
	}
	return u.fail(u.Names.SignatureInvalid, "kid", keys.SecretName)
}

// HMACKeySize reports whether alg is an HMAC algorithm, and the key size
// in bytes it needs (RFC 7518 §3.2: a key at least as long as the hash).
func HMACKeySize(alg string) (int, bool) {
	switch alg {
	case "HS256":
		return 32, true
	case "HS384":
		return 48, true
	case "HS512":
		return 64, true
	}
	return 0, false
}

// CheckClaims applies u's claim rules to a token whose signature has
// been verified.
func (v *Verifier) CheckClaims(t *Token, u *Use) *catalog.Error {
	if !u.typAccepted(t.Typ) {
		typ := "(missing)"
		if t.Typ != "" {
			typ = clip(t.Typ, 100)
		}
		return u.fail(u.Names.TypInvalid, "typ", typ, "want", strings.Join(u.Typ, " or "))
	}
	if len(u.Audiences) > 0 {
		switch CheckAudience(t.Aud, u.Audiences) {
		case AudienceMultiple:
			return u.fail(u.Names.AudienceMultiple, "count", len(t.Aud), "aud", clipList(t.Aud), "accepted", u.AudienceText)
		case AudienceNotAccepted:
			aud := "(missing)"
			if len(t.Aud) > 0 {
				aud = clipList(t.Aud)
			}
			return u.fail(u.Names.AudienceInvalid, "aud", aud, "accepted", u.AudienceText)
		}
		if u.AudienceString && !stringClaim(t.Claims["aud"]) {
			return u.fail(u.Names.AudienceInvalid, "aud", "an array ["+clipList(t.Aud)+"]", "accepted", u.AudienceText)
		}
	}
	if t.Exp == nil {
		if u.RequireExp {
			return u.fail(u.Names.ExpiryMissing)
		}
	}
	now := v.now().UTC().Truncate(time.Second)
	if t.Exp != nil && now.After(t.Exp.Add(ClockSkew)) {
		return u.fail(u.Names.Expired, "exp", *t.Exp, "ago", now.Sub(*t.Exp), "now", now)
	}
	// iat and nbf before the lifetime: a clock running ahead pushes exp
	// ahead too, and the answer must name the clock, not the lifetime.
	for _, c := range []struct {
		name string
		t    *time.Time
	}{{"iat", t.Iat}, {"nbf", t.Nbf}} {
		if c.t != nil && c.t.After(now.Add(ClockSkew)) {
			return u.fail(u.Names.NotYetValid, "claim", c.name, "time", *c.t, "now", now, "ahead", c.t.Sub(now), "skew", ClockSkew)
		}
	}
	if t.Exp != nil && u.MaxLifetime > 0 {
		// Counted from iat: a clock ahead within the skew does not count
		// against the lifetime, and an old iat is not made young by now.
		start := now
		if t.Iat != nil {
			start = *t.Iat
		}
		if life := t.Exp.Sub(start); life > u.MaxLifetime {
			return u.fail(u.Names.LifetimeTooLong, "exp", *t.Exp, "lifetime", life, "max", u.MaxLifetime)
		}
	}
	if u.RequireSub && t.Sub == "" {
		return u.fail(u.Names.SubjectMissing)
	}
	return nil
}

// Spend remembers t's jti under u's namespace until the token could no
// longer be accepted, refusing one seen before. Without a namespace it
// does nothing.
func (v *Verifier) Spend(ctx context.Context, t *Token, u *Use) *catalog.Error {
	if u.ReplayNamespace == "" {
		return nil
	}
	if t.JTI == "" {
		return u.fail(u.Names.JTIMissing)
	}
	until := v.now().Add(u.MaxLifetime + ClockSkew)
	if t.Exp != nil {
		until = t.Exp.Add(ClockSkew)
	}
	err := v.jtis.UseJTI(ctx, u.ReplayNamespace, t.JTI, until)
	if errors.Is(err, store.ErrAlreadyUsed) {
		return u.fail(u.Names.Replayed, "jti", clip(t.JTI, 100))
	}
	if err != nil {
		return failure.FromStore(err)
	}
	return nil
}

// clipList joins audience values for a description, bounded: they come
// from whoever signed the token.
func clipList(l []string) string { return clip(strings.Join(l, ", "), 300) }

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

func orNoKid(kid string) string {
	if kid == "" {
		return "(no kid)"
	}
	return kid
}

// stringClaim reports whether a claim's JSON value is a string.
func stringClaim(raw []byte) bool {
	for _, b := range raw {
		switch b {
		case ' ', '\t', '\n', '\r':
			continue
		}
		return b == '"'
	}
	return false
}
