package clientauth

import (
	"context"
	"fmt"
	"strings"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/clientjwt"
	"github.com/lucid-auth/lucid/internal/fapi"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
)

// AssertionType is the only client_assertion_type Lucid accepts (RFC 7523 §2.2).
const AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// maxAssertionLen bounds what is decoded at all.
const maxAssertionLen = clientjwt.MaxLen

// allowedAlgs are the signature algorithms client assertions may use: the
// asymmetric ones for private_key_jwt, the HMAC family for
// client_secret_jwt (which method applies is the client's registration;
// see clientjwt.HMACKeySize). none is never accepted.
var allowedAlgs = []jose.SignatureAlgorithm{jose.RS256, jose.PS256, jose.ES256, jose.EdDSA, jose.HS256, jose.HS384, jose.HS512}

// AssertionAlgs names allowedAlgs, for the discovery document's
// token_endpoint_auth_signing_alg_values_supported.
func AssertionAlgs() []string { return clientjwt.AlgNames(allowedAlgs) }

const allowedAlgsText = "RS256, PS256, ES256, EdDSA (private_key_jwt); HS256, HS384, HS512 (client_secret_jwt)"

// assertionUse is the client assertion's use of the client JWT verifier;
// each request copies it and fills in the audience, the client and the
// replay namespace.
var assertionUse = clientjwt.Use{
	Names: clientjwt.Names{
		Malformed:        catalog.AssertionMalformed,
		AlgNotAllowed:    catalog.AssertionAlgNotAllowed,
		KeyUnknown:       catalog.AssertionKeyUnknown,
		KeyNotChosen:     catalog.AssertionKeyNotChosen,
		SignatureInvalid: catalog.AssertionSignatureInvalid,
		SecretTooShort:   catalog.AssertionSecretTooShort,
		AudienceInvalid:  catalog.AssertionAudienceInvalid,
		AudienceMultiple: catalog.AssertionAudienceMultiple,
		ExpiryMissing:    catalog.AssertionExpiryMissing,
		Expired:          catalog.AssertionExpired,
		NotYetValid:      catalog.AssertionIssuedInFuture,
		LifetimeTooLong:  catalog.AssertionLifetimeTooLong,
		JTIMissing:       catalog.AssertionJTIMissing,
		Replayed:         catalog.AssertionReplayed,
	},
	Algs:        allowedAlgs,
	AlgsText:    allowedAlgsText,
	RequireExp:  true,
	MaxLifetime: MaxAssertionLifetime,
}

// parseAssertion decodes a client assertion and checks its shape; see
// clientjwt.Parse.
func parseAssertion(s string) (*clientjwt.Token, *catalog.Error) {
	return clientjwt.Parse(s, &assertionUse)
}

// verifyAssertion checks a parsed assertion of client c: its signature
// with the client's keys or secrets, its claims, and spends its jti.
func (a *Authenticator) verifyAssertion(ctx context.Context, c *store.Client, as *clientjwt.Token, hmac bool) *catalog.Error {
	u := assertionUse
	u.Audiences, u.AudienceText = a.AcceptedAudiences()
	if a.FAPI2(c) {
		// FAPI 2.0 §5.3.2.1 item 8: the issuer alone, as the strict
		// setting has it, refused under the profile's own entry.
		u.Audiences, u.AudienceText = []string{a.issuer}, a.issuer+" (the issuer)"
		u.Names.AudienceInvalid = catalog.FAPIClientAssertionAudience
		u.AudienceString = true
		u.KeyCheck = fapi.KeyRule(catalog.FAPIClientAssertionKeySize, c.ID)
	}
	u.ReplayNamespace = c.ID
	u.Context = []any{"client_id", c.ID}
	var src clientjwt.KeySource = a.ClientKeys(c, assertionKeyNames)
	if hmac {
		src = clientjwt.KeySourceFunc(func(context.Context, *clientjwt.Token) (clientjwt.Keys, *catalog.Error) {
			return a.clientSecrets(c)
		})
	}
	return a.verifier.Check(ctx, as, &u, src)
}

// clientSecrets are c's live secrets, read back from their sealed copies,
// for client_secret_jwt.
func (a *Authenticator) clientSecrets(c *store.Client) (clientjwt.Keys, *catalog.Error) {
	now := a.now()
	keys := clientjwt.Keys{SecretName: "(the client secret)"}
	for _, s := range c.Secrets {
		if s.ExpiresAt != nil && !now.Before(*s.ExpiresAt) || s.Sealed == nil {
			continue
		}
		key, err := a.keys.Open(s.Sealed, secret.ClientSecretAAD(c.ID, s.ID))
		if err != nil {
			return keys, catalog.New(catalog.ServerError).Wrap(fmt.Errorf("open client secret %s of %s: %w", s.ID, c.ID, err))
		}
		keys.Secrets = append(keys.Secrets, key)
	}
	return keys, nil
}

// SecretKeys is the key source of JWTs client c signs with its secret
// (HS256, HS384, HS512) outside client authentication: request objects.
// Only a client_secret_jwt client's secret can be read back (sealed under
// the master key); every other keeps a keyed hash at most. When c has no
// such secret, the source is nil and reason completes "client X …".
func (a *Authenticator) SecretKeys(c *store.Client) (src clientjwt.KeySource, reason string) {
	switch m := registered(c); {
	case c.Public():
		return nil, "is a public client (token_endpoint_auth_method none) and has no secret"
	case m == store.AuthSecretBasic || m == store.AuthSecretPost:
		return nil, "authenticates with " + m + ", and Lucid keeps only a keyed hash of such a secret, which cannot check a signature; only client_secret_jwt clients' secrets are kept readable"
	case m != store.AuthSecretJWT:
		return nil, "authenticates with " + m + " and has no secret"
	}
	now := a.now()
	live := false
	for _, s := range c.Secrets {
		if s.Sealed != nil && (s.ExpiresAt == nil || now.Before(*s.ExpiresAt)) {
			live = true
		}
	}
	if !live {
		return nil, "has no live secret: every secret it had has expired or been removed"
	}
	return clientjwt.KeySourceFunc(func(context.Context, *clientjwt.Token) (clientjwt.Keys, *catalog.Error) {
		return a.clientSecrets(c)
	}), ""
}

// KeyNames are the entries a use of ClientKeys reports a key set's
// failures with; each gets client_id, and Invalid also reason.
type KeyNames struct{ Missing, Invalid, Unreachable catalog.Name }

// assertionKeyNames are client authentication's.
var assertionKeyNames = KeyNames{Missing: catalog.ClientJWKSMissing, Invalid: catalog.ClientJWKSInvalid, Unreachable: catalog.ClientJWKSUnreachable}

// ClientKeys is the key source of JWTs signed by client c with its
// registered keys (client assertions, request objects): inline jwks
// first, else jwks_uri through the SSRF-safe fetcher and cache.
func (a *Authenticator) ClientKeys(c *store.Client, n KeyNames) clientjwt.KeySource {
	return clientjwt.KeySourceFunc(func(ctx context.Context, t *clientjwt.Token) (clientjwt.Keys, *catalog.Error) {
		var set *keySet
		var refreshErr *fetchError
		switch {
		case c.JWKS != "":
			s, err := a.inlineKeys(c.JWKS)
			if err != nil {
				return clientjwt.Keys{}, catalog.New(n.Invalid, "client_id", c.ID, "reason", err.Error())
			}
			set = s
		case c.JWKSURI != "":
			need := ""
			if t.HasKid {
				need = t.Kid
			}
			s, rerr, ferr := a.remoteKeys(ctx, c.ID, c.JWKSURI, need)
			if ferr != nil {
				// What the target answered (a status, a closed port, a
				// time-out) would make Lucid a port scanner for whoever
				// registered the URL: the reason goes to the operator only.
				e := catalog.New(n.Unreachable, "client_id", c.ID).Internal("jwks_uri", c.JWKSURI, "reason", ferr.reason)
				if ferr.cause != nil {
					e = e.Wrap(ferr.cause)
				}
				return clientjwt.Keys{}, e
			}
			set, refreshErr = s, rerr
		default:
			return clientjwt.Keys{}, catalog.New(n.Missing, "client_id", c.ID)
		}
		vk := &VerificationKeys{set: set}
		return clientjwt.Keys{Set: vk, Detail: func() []any {
			d := []any{"registered_kids", strings.Join(vk.Kids(), " ")}
			if len(set.skipped) > 0 {
				d = append(d, "skipped_keys", strings.Join(set.skipped, "; "))
			}
			if refreshErr != nil {
				d = append(d, "jwks_refresh_failed", refreshErr.Error())
			}
			return d
		}}, nil
	})
}
