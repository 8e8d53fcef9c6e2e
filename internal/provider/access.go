package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/lucid-auth/lucid/internal/bearer"
	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/credential"
	"github.com/lucid-auth/lucid/internal/failure"
	"github.com/lucid-auth/lucid/internal/keys"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
)

// accessTokenAlg signs access tokens: ES256 is the fastest of the three
// algorithms Lucid holds keys for, and only Lucid and resource servers
// using its keys need to verify them.
const accessTokenAlg = "ES256"

// audience is the aud claim: one string when there is one audience (what
// most resource servers expect), an array otherwise (RFC 7519 §4.1.3).
type audience []string

func (a audience) MarshalJSON() ([]byte, error) {
	if len(a) == 1 {
		return json.Marshal(a[0])
	}
	return json.Marshal([]string(a))
}

func (a *audience) UnmarshalJSON(b []byte) error {
	if bytes.HasPrefix(bytes.TrimSpace(b), []byte(`"`)) {
		var one string
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*a = audience{one}
		return nil
	}
	return json.Unmarshal(b, (*[]string)(a))
}

// AccessClaims are the claims of an access token (RFC 9068 §2.2). Opaque
// tokens carry the same facts in the store.
type AccessClaims struct {
	Issuer   string   `json:"iss"`
	Subject  string   `json:"sub"`
	Audience audience `json:"aud"`
	Expiry   int64    `json:"exp"`
	IssuedAt int64    `json:"iat"`
	// NotBefore is never set by Lucid; a token carrying one is honoured.
	NotBefore int64  `json:"nbf,omitempty"`
	ID        string `json:"jti"`
	ClientID  string `json:"client_id"`
	Scope     string `json:"scope,omitempty"`
	AuthTime  int64  `json:"auth_time,omitempty"`
	SID       string `json:"sid,omitempty"`
	// Grant is the token family: revoking the family revokes the token.
	Grant string `json:"grant_id,omitempty"`
	// Act names the acting party of a delegated token (RFC 8693 §4.1).
	Act json.RawMessage `json:"act,omitempty"`
	// Cnf binds the token to a key (cnf.jkt, RFC 9449 §6) or a client
	// certificate (cnf.x5t#S256, RFC 8705 §3.1).
	Cnf *Confirmation `json:"cnf,omitempty"`
	// AuthorizationDetails are the RFC 9396 details the token carries
	// (§9.1), those of its audience.
	AuthorizationDetails json.RawMessage `json:"authorization_details,omitempty"`

	// opaque is set for reference tokens, which have no JWT form.
	opaque bool
}

// accessToken describes a token to mint.
type accessToken struct {
	client   *store.Client
	subject  string // user id, or the client id for client_credentials
	userID   string
	scopes   []string
	aud      []string
	format   string
	ttl      time.Duration
	authTime time.Time
	session  string
	family   string
	act      json.RawMessage // RFC 8693 act claim, for delegation
	x5t      string          // bound to this certificate (RFC 8705), or ""
	jkt      string          // DPoP key thumbprint, cnf.jkt
	details  json.RawMessage // RFC 9396 authorization details, encoded
}

// mintAccess signs a JWT access token, which costs no database write, or
// stores an opaque one.
func (p *Provider) mintAccess(ctx context.Context, t accessToken) (string, *AccessClaims, *catalog.Error) {
	if t.x5t == "" {
		t.x5t = certBinding(ctx)
	}
	if t.jkt == "" {
		t.jkt = boundKey(ctx)
	}
	token, c, record, e := p.newAccess(t)
	if e != nil {
		return "", nil, e
	}
	if record != nil {
		if err := p.store.CreateAccessToken(ctx, record); err != nil {
			return "", nil, failure.FromStore(err)
		}
	}
	return token, c, nil
}

// newAccess makes an access token without storing anything: a signed JWT,
// or an opaque token with the record the caller must store (in the same
// transaction as the grant it came from, when there is one).
func (p *Provider) newAccess(t accessToken) (string, *AccessClaims, *store.AccessToken, *catalog.Error) {
	now := p.now()
	if t.ttl <= 0 {
		t.ttl = p.life.AccessToken
	}
	c := &AccessClaims{
		Issuer:   p.issuer,
		Subject:  t.subject,
		Audience: t.aud,
		Expiry:   now.Add(t.ttl).Unix(),
		IssuedAt: now.Unix(),
		ID:       secret.Token(16),
		ClientID: t.client.ID,
		Scope:    strings.Join(t.scopes, " "),
		AuthTime: unixOrZero(t.authTime),
		SID:      t.session,
		Grant:    t.family,
		Act:      t.act,
		Cnf:      confirmation(t.jkt, t.x5t),

		AuthorizationDetails: t.details,
	}
	if t.format == store.FormatOpaque {
		token := credential.New(credential.Access)
		c.opaque = true
		return token, c, &store.AccessToken{
			Hash:      secret.Hash(token),
			JTI:       c.ID,
			ClientID:  t.client.ID,
			UserID:    t.userID,
			FamilyID:  t.family,
			Scopes:    t.scopes,
			Audience:  t.aud,
			AuthTime:  t.authTime,
			CreatedAt: now,
			ExpiresAt: time.Unix(c.Expiry, 0),
			Act:       t.act,

			CertThumbprint: t.x5t,
			JKT:            t.jkt,

			AuthorizationDetails: t.details,
		}, nil
	}
	token, err := p.keys.Sign(accessTokenAlg, "at+jwt", c)
	if err != nil {
		return "", nil, nil, catalog.New(catalog.SigningKeyMissing, "alg", accessTokenAlg).Wrap(err)
	}
	return token, c, nil, nil
}

// isJWT tells a compact JWS from Lucid's opaque tokens, which are
// base64url without dots.
func isJWT(token string) bool { return strings.Count(token, ".") == 2 }

// checkAccessToken finds out whether an access token issued by Lucid is
// good now: signature or stored record, issuer, expiry, and that neither
// it nor its grant was revoked. The audience is the caller's to check.
func (p *Provider) checkAccessToken(ctx context.Context, token string) (*AccessClaims, *catalog.Error) {
	var c *AccessClaims
	if isJWT(token) {
		var e *catalog.Error
		if c, e = p.parseJWTAccess(token); e != nil {
			return nil, e
		}
	} else {
		// A value of another kind, or damaged, is told apart before any read.
		if e := p.misplacedAccess(token); e != nil {
			return nil, e
		}
		t, err := p.store.GetAccessToken(ctx, secret.Hash(token))
		if errors.Is(err, store.ErrNotFound) {
			return nil, catalog.New(catalog.AccessTokenUnknown).Internal(p.recognise(token).internal()...)
		}
		if err != nil {
			return nil, failure.FromStore(err)
		}
		if t.RevokedAt != nil {
			return nil, catalog.New(catalog.AccessTokenDenied, "expires_at", t.ExpiresAt).Internal("revoked_at", t.RevokedAt.String())
		}
		sub := t.UserID
		if sub == "" {
			sub = t.ClientID
		}
		c = &AccessClaims{Issuer: p.issuer, Subject: sub, Audience: t.Audience, Expiry: t.ExpiresAt.Unix(), IssuedAt: t.CreatedAt.Unix(),
			ID: t.JTI, ClientID: t.ClientID, Scope: strings.Join(t.Scopes, " "), AuthTime: unixOrZero(t.AuthTime), Grant: t.FamilyID, Act: t.Act, Cnf: confirmation(t.JKT, t.CertThumbprint), opaque: true,
			AuthorizationDetails: t.AuthorizationDetails}
	}
	now := p.now()
	switch {
	case c.Issuer != p.issuer:
		return nil, catalog.New(catalog.AccessTokenIssuer, "iss", c.Issuer, "expected", p.issuer)
	case c.Expiry == 0:
		return nil, catalog.New(catalog.AccessTokenMalformed, "reason", "it has no exp claim")
	case now.Unix() >= c.Expiry:
		exp := time.Unix(c.Expiry, 0)
		return nil, catalog.New(catalog.AccessTokenExpired, "expired_at", exp, "ago", now.Sub(exp))
	}
	// A token from the future means a clock is wrong somewhere; a minute
	// of skew is tolerated.
	if start := max(c.NotBefore, c.IssuedAt); start > now.Add(clockSkew).Unix() {
		return nil, catalog.New(catalog.AccessTokenNotYet, "nbf", time.Unix(start, 0)).Internal("now", now.String())
	}
	if !c.opaque && c.ID != "" {
		// The revocation view answers from memory while it is live (the
		// change feed connected, loaded since); otherwise the store.
		denied, known := p.revoked.Denied(c.ID)
		if !known {
			var err error
			if denied, err = p.store.JTIDenied(ctx, c.ID); err != nil {
				return nil, failure.FromStore(err)
			}
		}
		if denied {
			return nil, catalog.New(catalog.AccessTokenDenied, "expires_at", time.Unix(c.Expiry, 0))
		}
	}
	if c.Grant != "" {
		if r, known := p.revoked.Family(ctx, c.Grant, time.Unix(c.IssuedAt, 0)); known {
			if r != nil {
				return nil, catalog.New(catalog.AccessTokenRevoked, "revoked_at", r.At, "reason", r.Reason)
			}
			return c, nil
		}
		f, err := p.tokenFamily(ctx, c.Grant)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, failure.FromStore(err)
		}
		if err == nil && f.RevokedAt != nil {
			return nil, catalog.New(catalog.AccessTokenRevoked, "revoked_at", *f.RevokedAt, "reason", f.RevokeReason)
		}
	}
	return c, nil
}

// parseJWTAccess verifies the signature and type of a JWT access token.
func (p *Provider) parseJWTAccess(token string) (*AccessClaims, *catalog.Error) {
	payload, err := p.keys.Verify(token, "at+jwt")
	if err != nil {
		var ke *keys.KeyError
		var se *keys.SignatureError
		switch {
		case (errors.As(err, &ke) || errors.As(err, &se)) && p.foreignIssuer(token):
			// Not signed by a key of this Lucid and naming another issuer:
			// the issuer is the mistake, not the signature.
			return nil, catalog.New(catalog.AccessTokenForeignIssuer, "iss", bearer.UnverifiedIssuer(token), "expected", p.issuer)
		case errors.As(err, &ke):
			return nil, catalog.New(catalog.AccessTokenSignature, "kid", ke.Kid)
		case errors.As(err, &se):
			return nil, catalog.New(catalog.AccessTokenSignature, "kid", se.Kid).Wrap(err)
		case errors.Is(err, keys.ErrType) && p.recognise(token).jwt == "an ID token":
			return nil, catalog.New(catalog.AccessTokenIsIDToken).Internal("presented", "an ID token of this server")
		case errors.Is(err, keys.ErrType):
			return nil, catalog.New(catalog.AccessTokenMalformed, "reason", "its typ header is not at+jwt (an ID token is not an access token)")
		default:
			return nil, catalog.New(catalog.AccessTokenMalformed, "reason", "it is not a signed JWT").Wrap(err)
		}
	}
	var c AccessClaims
	if err := json.Unmarshal(payload, &c); err != nil {
		return nil, catalog.New(catalog.AccessTokenMalformed, "reason", "its claims cannot be read").Wrap(err)
	}
	return &c, nil
}

// foreignIssuer reports whether token names an issuer other than this
// Lucid. The claim is unverified: it only chooses the entry of a token
// whose signature already failed.
func (p *Provider) foreignIssuer(token string) bool {
	iss := bearer.UnverifiedIssuer(token)
	return iss != "" && iss != p.issuer
}

// clockSkew is how far ahead of Lucid's clock a token's iat or nbf may be.
const clockSkew = time.Minute

// verifyAccessToken checks an access token presented to Lucid itself
// (userinfo): good, and meant for Lucid.
func (p *Provider) verifyAccessToken(ctx context.Context, token string) (*AccessClaims, *catalog.Error) {
	c, e := p.checkAccessToken(ctx, token)
	if e != nil {
		return nil, e
	}
	if !slices.Contains(c.Audience, p.issuer) {
		return nil, catalog.New(catalog.AccessTokenAudience, "aud", strings.Join(c.Audience, " "), "expected", p.issuer)
	}
	return c, nil
}
