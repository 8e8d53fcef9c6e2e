package provider

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/clientauth"
	"github.com/lucid-auth/lucid/internal/clientjwt"
	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/fapi"
	"github.com/lucid-auth/lucid/internal/granttype"
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
//     most the issuer's max_lifetime counted from iat; iat and nbf may be
//     at most clientjwt.ClockSkew ahead of the server clock, exp is
//     honoured with the same skew (the client JWT verifier's rules).
//   - Each assertion is accepted once, by its jti, unless the issuer is
//     configured with allow_reuse.
//   - The access token's lifetime is the client's or API's, independent of
//     the assertion's: the assertion proves who the workload is now.

// maxBearerLen bounds what is decoded at all.
const maxBearerLen = clientjwt.MaxLen

// bearerAlgs are the signature algorithms accepted for assertions: never
// none, never HMAC, which would mean sharing a secret with the issuer.
var bearerAlgs = []jose.SignatureAlgorithm{jose.RS256, jose.PS256, jose.ES256, jose.EdDSA}

const bearerAlgsText = "RS256, PS256, ES256, EdDSA"

// bearerUse is the JWT bearer grant's use of the client JWT verifier; each
// request copies it and fills in the issuer's audience, lifetime and
// replay rule.
var bearerUse = clientjwt.Use{
	Names: clientjwt.Names{
		Malformed:        catalog.JWTBearerMalformed,
		AlgNotAllowed:    catalog.JWTBearerAlgNotAllowed,
		KeyUnknown:       catalog.JWTBearerKeyUnknown,
		KeyNotChosen:     catalog.JWTBearerKeyNotChosen,
		SignatureInvalid: catalog.JWTBearerSignatureInvalid,
		AudienceInvalid:  catalog.JWTBearerAudienceInvalid,
		AudienceMultiple: catalog.JWTBearerAudienceMultiple,
		ExpiryMissing:    catalog.JWTBearerExpiryMissing,
		Expired:          catalog.JWTBearerExpired,
		NotYetValid:      catalog.JWTBearerNotYetValid,
		LifetimeTooLong:  catalog.JWTBearerLifetimeTooLong,
		SubjectMissing:   catalog.JWTBearerSubjectMissing,
		JTIMissing:       catalog.JWTBearerJTIMissing,
		Replayed:         catalog.JWTBearerReplayed,
	},
	Algs:       bearerAlgs,
	AlgsText:   bearerAlgsText,
	RequireExp: true,
	RequireSub: true,
}

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

// parseBearerAssertion decodes an assertion and checks its shape; see
// clientjwt.Parse.
func parseBearerAssertion(s string) (*clientjwt.Token, *catalog.Error) {
	return clientjwt.Parse(s, &bearerUse)
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
	ti, ok := p.trusted[as.Iss]
	if !ok {
		iss := as.Iss
		if iss == "" {
			iss = "(missing)"
		}
		return nil, catalog.New(catalog.JWTBearerIssuerUntrusted, "iss", fmt.Sprintf("%.200s", iss))
	}
	if c.JWTBearer == nil || !slices.Contains(c.JWTBearer.Issuers, as.Iss) {
		allowed := "none"
		if c.JWTBearer != nil && len(c.JWTBearer.Issuers) > 0 {
			allowed = strings.Join(c.JWTBearer.Issuers, " ")
		}
		return nil, catalog.New(catalog.JWTBearerIssuerNotAllowed, "client_id", c.ID, "iss", as.Iss, "allowed", allowed)
	}
	u := bearerUse
	u.Audiences, u.AudienceText = p.clients.AcceptedAudiences()
	if ti.Audience != "" {
		u.Audiences, u.AudienceText = []string{ti.Audience}, ti.Audience
	}
	u.MaxLifetime = ti.MaxLifetime
	if !ti.AllowReuse {
		u.ReplayNamespace = as.Iss
	}
	u.Context = []any{"iss", as.Iss}
	if p.fapi(c) {
		// FAPI 2.0 §5.4.1 holds for every JWT a client under the profile
		// brings, the issuer's too: refused before the jti is spent.
		if e := fapi.CheckJWTBearerAlg(c.ID, as.Alg); e != nil {
			return nil, e
		}
		u.KeyCheck = fapi.KeyRule(catalog.FAPIJWTBearerKeySize, c.ID)
	}
	if e := p.jwts.Verify(ctx, as, &u, p.issuerKeys(ti)); e != nil {
		return nil, e
	}
	if pol := c.JWTBearer; len(pol.Subjects) > 0 && !subjectAllowed(pol.Subjects, as.Sub) {
		return nil, catalog.New(catalog.JWTBearerSubjectNotAllowed, "client_id", c.ID, "sub", as.Sub, "allowed", strings.Join(pol.Subjects, " "))
	}
	if e := p.jwts.Spend(ctx, as, &u); e != nil {
		return nil, e
	}

	granted, e := workloadScopes(c, req.params["scope"])
	if e != nil {
		return nil, e
	}
	// userID carries the subject into an opaque token's record, where
	// checkAccessToken reads it back.
	return p.accessFor(ctx, req, subject{id: as.Sub, userID: as.Sub}, granted, req.params["scope"] != "")
}

// issuerKeys is the key source of a trusted issuer: its jwks_file, or
// its jwks_uri through the client key sets' SSRF-safe fetcher and cache.
func (p *Provider) issuerKeys(ti *trustedIssuer) clientjwt.KeySource {
	return clientjwt.KeySourceFunc(func(ctx context.Context, t *clientjwt.Token) (clientjwt.Keys, *catalog.Error) {
		set := ti.static
		var refreshErr *clientauth.FetchError
		if set == nil {
			need := ""
			if t.HasKid {
				need = t.Kid
			}
			var err *clientauth.FetchError
			set, refreshErr, err = p.clients.IssuerKeys(ctx, ti.Issuer, ti.JWKSURI, need)
			if err != nil {
				return clientjwt.Keys{}, catalog.New(catalog.JWTBearerKeysUnavailable, "iss", ti.Issuer, "reason", err.Reason).
					Internal("jwks_uri", ti.JWKSURI).Wrap(err.Cause)
			}
		}
		return clientjwt.Keys{Set: set, Detail: func() []any {
			d := []any{"published_kids", strings.Join(set.Kids(), " ")}
			if s := set.Skipped(); len(s) > 0 {
				d = append(d, "skipped_keys", strings.Join(s, "; "))
			}
			if refreshErr != nil {
				d = append(d, "jwks_refresh_failed", refreshErr.Error())
			}
			return d
		}}, nil
	})
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
			return nil, catalog.New(catalog.ScopeNeedsUser, "scope", s, "grant_type", string(granttype.JWTBearer), "client_id", c.ID)
		}
	}
	return clientScopes(c, requested)
}
