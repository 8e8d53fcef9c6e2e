package provider

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/clientauth"
	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/failure"
	"github.com/lucid-auth/lucid/internal/store"
)

// Policy of the JWT bearer grant (RFC 7523 §2.1), for workload identity:
// a workload trades a JWT from an issuer the operator trusts (a Kubernetes
// service account token, a CI job's OIDC token) for a Lucid access token.
//
//   - The access token's sub is the assertion's sub, unchanged; its
//     client_id is the requesting client. Resource servers tell a workload
//     from a user by client_id, and a client's policy limits the subjects
//     it may present, so one workload cannot speak for another.
//   - The assertion must be signed with an allowed algorithm by a key the
//     issuer publishes, name Lucid in aud, and carry exp; it may live at
//     most the issuer's max_lifetime; iat and nbf may be at most
//     bearerSkew ahead of the server clock, exp is honoured with the same
//     skew.
//   - Each assertion is accepted once, by its jti, unless the issuer is
//     configured with allow_reuse.
//   - The access token's lifetime is the client's or API's, independent of
//     the assertion's: the assertion proves who the workload is now.

// bearerSkew is the clock difference tolerated between an issuer and Lucid.
const bearerSkew = clientauth.ClockSkew

// maxBearerLen bounds what is decoded at all; workload tokens with a
// 4096-bit RSA signature and many claims stay well under it.
const maxBearerLen = 16 << 10

// bearerAlgs are the signature algorithms accepted for assertions: never
// none, never HMAC, which would mean sharing a secret with the issuer.
var bearerAlgs = []jose.SignatureAlgorithm{jose.RS256, jose.PS256, jose.ES256, jose.EdDSA}

const bearerAlgsText = "RS256, PS256, ES256, EdDSA"

// trustedIssuer is a configured issuer, with its keys when they come from
// a file.
type trustedIssuer struct {
	config.TrustedIssuer
	static *clientauth.VerificationKeys
}

// loadTrustedIssuers reads the configured issuers; a jwks_file is read
// once, here, so a broken file stops the server at start-up.
func loadTrustedIssuers(list []config.TrustedIssuer) (map[string]*trustedIssuer, error) {
	out := make(map[string]*trustedIssuer, len(list))
	for _, ti := range list {
		t := &trustedIssuer{TrustedIssuer: ti}
		if t.MaxLifetime <= 0 {
			t.MaxLifetime = config.DefaultAssertionLifetime
		}
		if ti.JWKSFile != "" {
			b, err := os.ReadFile(ti.JWKSFile)
			if err != nil {
				return nil, fmt.Errorf("trusted issuer %s: %w", ti.Issuer, err)
			}
			if t.static, err = clientauth.ParseVerificationKeys(b); err != nil {
				return nil, fmt.Errorf("trusted issuer %s: jwks_file %s: %w", ti.Issuer, ti.JWKSFile, err)
			}
		}
		out[ti.Issuer] = t
	}
	return out, nil
}

// bearerAssertion is a parsed, not yet verified, assertion.
type bearerAssertion struct {
	alg, kid string
	hasKid   bool

	iss, sub, jti string
	aud           []string
	exp, iat, nbf *time.Time

	tok *jwt.JSONWebToken
}

// parseBearerAssertion decodes an assertion and checks its shape: a
// compact JWS with an allowed alg and well-typed registered claims. It
// uses no keys and no clock. Its errors repeat nothing of the assertion
// but the alg.
func parseBearerAssertion(s string) (*bearerAssertion, *catalog.Error) {
	malformed := func(reason string) (*bearerAssertion, *catalog.Error) {
		return nil, catalog.New(catalog.JWTBearerMalformed, "reason", reason)
	}
	if len(s) > maxBearerLen {
		return malformed(fmt.Sprintf("it is longer than %d bytes", maxBearerLen))
	}
	parts := strings.Split(s, ".")
	switch len(parts) {
	case 3:
	case 5:
		return malformed("it has five parts, an encrypted JWT (JWE); Lucid needs a signed JWT")
	default:
		return malformed(fmt.Sprintf("a signed JWT has three dot-separated parts, this has %d", len(parts)))
	}
	var hdr map[string]json.RawMessage
	if !decodeObject(parts[0], &hdr) {
		return malformed("the header is not a base64url-encoded JSON object")
	}
	a := &bearerAssertion{}
	if json.Unmarshal(hdr["alg"], &a.alg) != nil {
		return malformed("the header has no alg string")
	}
	if raw, ok := hdr["kid"]; ok {
		if json.Unmarshal(raw, &a.kid) != nil {
			return malformed("the header's kid is not a string")
		}
		a.hasKid = true
	}
	if _, ok := hdr["crit"]; ok {
		// RFC 7515 §4.1.11: extensions we do not understand must be refused.
		return malformed("the header has crit, and Lucid understands no critical header extension")
	}
	if !slices.Contains(bearerAlgs, jose.SignatureAlgorithm(a.alg)) {
		alg := a.alg
		switch {
		case alg == "":
			alg = "an empty alg"
		case len(alg) > 32:
			alg = alg[:32] + "..."
		}
		return nil, catalog.New(catalog.JWTBearerAlgNotAllowed, "alg", alg, "allowed", bearerAlgsText)
	}
	var claims map[string]json.RawMessage
	if !decodeObject(parts[1], &claims) {
		return malformed("the payload is not a base64url-encoded JSON object")
	}
	for name, dst := range map[string]*string{"iss": &a.iss, "sub": &a.sub, "jti": &a.jti} {
		if raw, ok := claims[name]; ok && string(raw) != "null" && json.Unmarshal(raw, dst) != nil {
			return malformed("the " + name + " claim is not a string")
		}
	}
	if raw, ok := claims["aud"]; ok && string(raw) != "null" {
		var aud audience
		if json.Unmarshal(raw, &aud) != nil {
			return malformed("the aud claim is neither a string nor an array of strings")
		}
		a.aud = aud
	}
	for name, dst := range map[string]**time.Time{"exp": &a.exp, "iat": &a.iat, "nbf": &a.nbf} {
		raw, ok := claims[name]
		if !ok || string(raw) == "null" {
			continue
		}
		var f float64
		if json.Unmarshal(raw, &f) != nil || math.IsNaN(f) || f < 0 || f > 253402300799 {
			return malformed("the " + name + " claim is not a number of seconds between 1970 and 9999")
		}
		t := time.Unix(int64(f), 0).UTC()
		*dst = &t
	}
	tok, err := jwt.ParseSigned(s, bearerAlgs)
	if err != nil {
		return nil, catalog.New(catalog.JWTBearerMalformed, "reason", "the JWS structure or its signature encoding is invalid").Wrap(err)
	}
	if len(tok.Headers) != 1 || tok.Headers[0].Algorithm != a.alg || tok.Headers[0].KeyID != a.kid {
		// Only a repeated header member can make two JSON readers disagree.
		return malformed("the header repeats a member")
	}
	a.tok = tok
	return a, nil
}

// decodeObject decodes one base64url JSON object, refusing trailing data.
func decodeObject(part string, dst *map[string]json.RawMessage) bool {
	b, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil {
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	return dec.Decode(dst) == nil && *dst != nil && !dec.More()
}

// grantJWTBearer is RFC 7523 §2.1. Checks run in the order that tells a
// forger least: the issuer (needed to find keys), the client's right to
// present its assertions, the signature, and only then the claims.
func (p *Provider) grantJWTBearer(ctx context.Context, req *tokenRequest) (*tokenResponse, *catalog.Error) {
	c := req.client
	raw := req.params["assertion"]
	if raw == "" {
		return nil, catalog.New(catalog.ParameterMissing, "parameter", "assertion")
	}
	as, e := parseBearerAssertion(raw)
	if e != nil {
		return nil, e
	}
	ti, ok := p.trusted[as.iss]
	if !ok {
		iss := as.iss
		if iss == "" {
			iss = "(missing)"
		}
		return nil, catalog.New(catalog.JWTBearerIssuerUntrusted, "iss", fmt.Sprintf("%.200s", iss))
	}
	if c.JWTBearer == nil || !slices.Contains(c.JWTBearer.Issuers, as.iss) {
		allowed := "none"
		if c.JWTBearer != nil && len(c.JWTBearer.Issuers) > 0 {
			allowed = strings.Join(c.JWTBearer.Issuers, " ")
		}
		return nil, catalog.New(catalog.JWTBearerIssuerNotAllowed, "client_id", c.ID, "iss", as.iss, "allowed", allowed)
	}
	key, e := p.bearerKey(ctx, ti, as)
	if e != nil {
		return nil, e
	}
	kid := orMissingKid(key.KeyID)
	if rk, ok := key.Key.(*rsa.PublicKey); ok && rk.N.BitLen() < clientauth.MinRSABits {
		return nil, catalog.New(catalog.JWTBearerAlgNotAllowed,
			"alg", fmt.Sprintf("%s with a %d-bit RSA key (kid %s)", as.alg, rk.N.BitLen(), kid),
			"allowed", fmt.Sprintf("%s; RSA keys need at least %d bits", bearerAlgsText, clientauth.MinRSABits))
	}
	if err := as.tok.Claims(key.Key); err != nil {
		return nil, catalog.New(catalog.JWTBearerSignatureInvalid, "kid", kid, "iss", as.iss).Wrap(err)
	}
	if e := p.checkBearerClaims(ti, as); e != nil {
		return nil, e
	}
	if pol := c.JWTBearer; len(pol.Subjects) > 0 && !subjectAllowed(pol.Subjects, as.sub) {
		return nil, catalog.New(catalog.JWTBearerSubjectNotAllowed, "client_id", c.ID, "sub", as.sub, "allowed", strings.Join(pol.Subjects, " "))
	}
	if !ti.AllowReuse {
		if as.jti == "" {
			return nil, catalog.New(catalog.JWTBearerJTIMissing, "iss", as.iss)
		}
		// Remembered as long as the assertion would be accepted.
		err := p.store.UseJTI(ctx, as.iss, as.jti, as.exp.Add(bearerSkew))
		if errors.Is(err, store.ErrAlreadyUsed) {
			return nil, catalog.New(catalog.JWTBearerReplayed, "iss", as.iss, "jti", fmt.Sprintf("%.100s", as.jti))
		}
		if err != nil {
			return nil, failure.FromStore(err)
		}
	}

	granted, e := workloadScopes(c, req.params["scope"])
	if e != nil {
		return nil, e
	}
	// userID carries the subject into an opaque token's record, where
	// checkAccessToken reads it back.
	return p.accessFor(ctx, req, subject{id: as.sub, userID: as.sub}, granted, req.params["scope"] != "")
}

// bearerKey finds the issuer's key that must verify the assertion.
func (p *Provider) bearerKey(ctx context.Context, ti *trustedIssuer, as *bearerAssertion) (jose.JSONWebKey, *catalog.Error) {
	set := ti.static
	var refreshErr *clientauth.FetchError
	if set == nil {
		need := ""
		if as.hasKid {
			need = as.kid
		}
		var err *clientauth.FetchError
		set, refreshErr, err = p.clients.IssuerKeys(ctx, ti.Issuer, ti.JWKSURI, need)
		if err != nil {
			return jose.JSONWebKey{}, catalog.New(catalog.JWTBearerKeysUnavailable, "iss", ti.Issuer, "reason", err.Reason).
				Internal("jwks_uri", ti.JWKSURI).Wrap(err.Cause)
		}
	}
	withDetail := func(e *catalog.Error) *catalog.Error {
		e = e.Internal("published_kids", strings.Join(set.Kids(), " "))
		if s := set.Skipped(); len(s) > 0 {
			e = e.Internal("skipped_keys", strings.Join(s, "; "))
		}
		if refreshErr != nil {
			e = e.Internal("jwks_refresh_failed", refreshErr.Error())
		}
		return e
	}
	if as.hasKid {
		k, ok := set.ByKid(as.kid)
		if !ok {
			return jose.JSONWebKey{}, withDetail(catalog.New(catalog.JWTBearerKeyUnknown, "iss", ti.Issuer, "kid", fmt.Sprintf("%.100s", as.kid)))
		}
		if ok, why := clientauth.KeyFits(k, as.alg); !ok {
			return jose.JSONWebKey{}, catalog.New(catalog.JWTBearerSignatureInvalid, "kid", orMissingKid(as.kid), "iss", ti.Issuer).
				Internal("reason", fmt.Sprintf("the header says %s but %s", as.alg, why))
		}
		return k, nil
	}
	fit := set.Fitting(as.alg)
	if len(fit) != 1 {
		return jose.JSONWebKey{}, withDetail(catalog.New(catalog.JWTBearerKeyNotChosen, "fitting", len(fit), "iss", ti.Issuer, "alg", as.alg))
	}
	return fit[0], nil
}

// checkBearerClaims checks aud, exp, iat, nbf, the lifetime and sub.
func (p *Provider) checkBearerClaims(ti *trustedIssuer, as *bearerAssertion) *catalog.Error {
	accepted, acceptedText := p.clients.AcceptedAudiences()
	if ti.Audience != "" {
		accepted, acceptedText = []string{ti.Audience}, ti.Audience
	}
	switch clientauth.CheckAudience(as.aud, accepted) {
	case clientauth.AudienceMultiple:
		return catalog.New(catalog.JWTBearerAudienceMultiple, "count", len(as.aud), "aud", fmt.Sprintf("%.200s", strings.Join(as.aud, ", ")), "accepted", acceptedText)
	case clientauth.AudienceNotAccepted:
		aud := "(missing)"
		if len(as.aud) > 0 {
			aud = fmt.Sprintf("%.200s", strings.Join(as.aud, ", "))
		}
		return catalog.New(catalog.JWTBearerAudienceInvalid, "aud", aud, "accepted", acceptedText)
	}
	if as.exp == nil {
		return catalog.New(catalog.JWTBearerExpiryMissing)
	}
	now := p.now().UTC().Truncate(time.Second)
	if now.After(as.exp.Add(bearerSkew)) {
		return catalog.New(catalog.JWTBearerExpired, "exp", *as.exp, "ago", now.Sub(*as.exp), "now", now)
	}
	for _, c := range []struct {
		name string
		t    *time.Time
	}{{"iat", as.iat}, {"nbf", as.nbf}} {
		if c.t != nil && c.t.After(now.Add(bearerSkew)) {
			return catalog.New(catalog.JWTBearerNotYetValid, "claim", c.name, "time", *c.t, "now", now, "ahead", c.t.Sub(now))
		}
	}
	// The lifetime counts from iat, also when the issuer's clock is ahead
	// within the skew: counting from now would add that skew to it.
	start := now
	if as.iat != nil {
		start = *as.iat
	}
	if life := as.exp.Sub(start); life > ti.MaxLifetime {
		return catalog.New(catalog.JWTBearerLifetimeTooLong, "lifetime", life, "iss", ti.Issuer, "max", ti.MaxLifetime)
	}
	if as.sub == "" {
		return catalog.New(catalog.JWTBearerSubjectMissing)
	}
	return nil
}

// subjectAllowed matches sub against exact subjects and prefixes ending in *.
func subjectAllowed(allowed []string, sub string) bool {
	for _, a := range allowed {
		if prefix, ok := strings.CutSuffix(a, "*"); ok && strings.HasPrefix(sub, prefix) || a == sub {
			return true
		}
	}
	return false
}

// workloadScopes checks the scope a workload asks for: no scope about a
// person, else the client_credentials rules.
func workloadScopes(c *store.Client, requested string) ([]string, *catalog.Error) {
	for _, s := range scopes(requested) {
		if slices.Contains(userScopes, s) {
			return nil, catalog.New(catalog.ScopeNeedsUser, "scope", s, "grant_type", store.GrantJWTBearer, "client_id", c.ID)
		}
	}
	return clientScopes(c, requested)
}

func orMissingKid(kid string) string {
	if kid == "" {
		return "(no kid)"
	}
	return kid
}
