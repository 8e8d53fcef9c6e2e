package provider

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/failure"
	"github.com/lucid-auth/lucid/internal/keys"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
)

// Token type identifiers (RFC 8693 §3).
const (
	tokenTypeAccess  = "urn:ietf:params:oauth:token-type:access_token"
	tokenTypeJWT     = "urn:ietf:params:oauth:token-type:jwt"
	tokenTypeID      = "urn:ietf:params:oauth:token-type:id_token"
	tokenTypeRefresh = "urn:ietf:params:oauth:token-type:refresh_token"
)

// Types a client may present, and types Lucid issues by exchange. The jwt
// type is accepted for what Lucid itself issues under it: JWT access tokens.
var (
	exchangeInputs  = []string{tokenTypeAccess, tokenTypeJWT, tokenTypeID}
	exchangeOutputs = []string{tokenTypeAccess, tokenTypeJWT, tokenTypeID, tokenTypeRefresh}
)

// maxActors bounds the nesting of act claims: each delegation adds one,
// and a token that names more actors than this is a loop or a design error.
const maxActors = 5

// actor is the RFC 8693 §4.1 act claim: the current actor, with the prior
// actors nested inside.
type actor struct {
	Sub      string `json:"sub"`
	ClientID string `json:"client_id,omitempty"`
	Act      *actor `json:"act,omitempty"`
}

func (a *actor) depth() int {
	n := 0
	for ; a != nil; a = a.Act {
		n++
	}
	return n
}

// presentedToken is a verified subject or actor token.
type presentedToken struct {
	sub    string
	client string // the client it was issued to
	scopes []string
	act    *actor
	// user is set when the subject is one of Lucid's users: for ID tokens,
	// and for access tokens that belong to a user's grant.
	user     *store.User
	grant    string
	session  string
	authTime time.Time
	expiry   time.Time
	// details are the RFC 9396 details an access token carries.
	details json.RawMessage
}

// grantTokenExchange is RFC 8693. Without an actor_token the client
// impersonates the subject: the new token's sub is the subject token's
// and nothing in it shows the client acted. With one it acts as a
// delegate: the new token names the actor in act, nesting any act the
// subject token already had. Which of the two a client may do, whose
// tokens it may present and for which audiences, is its ExchangePolicy.
//
// The new token never gains anything: its scope is at most the subject
// token's, it expires no later than the subject (and actor) token, and an
// access token keeps the subject's grant, so revoking that grant ends it.
func (p *Provider) grantTokenExchange(ctx context.Context, req *tokenRequest) (*tokenResponse, *catalog.Error) {
	c, prm := req.client, req.params
	pol := c.TokenExchange
	if pol == nil {
		pol = &store.ExchangePolicy{}
	}
	subjectToken, subjectType := prm["subject_token"], prm["subject_token_type"]
	actorToken, actorType := prm["actor_token"], prm["actor_token_type"]
	requested := prm["requested_token_type"]
	if requested == "" {
		requested = tokenTypeAccess
	}
	switch {
	case subjectToken == "":
		return nil, catalog.New(catalog.ParameterMissing, "parameter", "subject_token")
	case subjectType == "":
		return nil, catalog.New(catalog.ParameterMissing, "parameter", "subject_token_type")
	case !slices.Contains(exchangeInputs, subjectType):
		return nil, catalog.New(catalog.ExchangeTokenTypeUnsupported, "parameter", "subject_token_type", "value", subjectType, "supported", strings.Join(exchangeInputs, ", "))
	case actorToken != "" && actorType == "":
		return nil, catalog.New(catalog.ParameterMissing, "parameter", "actor_token_type")
	case actorToken == "" && actorType != "":
		return nil, catalog.New(catalog.ExchangeActorTypeAlone)
	case actorType != "" && !slices.Contains(exchangeInputs, actorType):
		return nil, catalog.New(catalog.ExchangeTokenTypeUnsupported, "parameter", "actor_token_type", "value", actorType, "supported", strings.Join(exchangeInputs, ", "))
	case !slices.Contains(exchangeOutputs, requested):
		return nil, catalog.New(catalog.ExchangeRequestedTypeUnsupported, "value", requested, "supported", strings.Join(exchangeOutputs, ", "))
	}
	delegation := actorToken != ""
	switch {
	case delegation && !pol.Delegation:
		return nil, catalog.New(catalog.ExchangeDelegationNotAllowed, "client_id", c.ID)
	case !delegation && !pol.Impersonation:
		return nil, catalog.New(catalog.ExchangeImpersonationNotAllowed, "client_id", c.ID)
	}

	subj, e := p.presented(ctx, c, pol, "subject_token", subjectToken, subjectType)
	if e != nil {
		return nil, e
	}
	act, until := subj.act, subj.expiry
	if delegation {
		a, e := p.presented(ctx, c, pol, "actor_token", actorToken, actorType)
		if e != nil {
			return nil, e
		}
		act = &actor{Sub: a.sub, ClientID: a.client, Act: subj.act}
		if n := act.depth(); n > maxActors {
			return nil, catalog.New(catalog.ExchangeDelegationTooDeep, "depth", n, "max", maxActors)
		}
		if a.expiry.Before(until) {
			until = a.expiry
		}
	}
	granted, e := exchangeScopes(c, subj, prm["scope"])
	if e != nil {
		return nil, e
	}

	switch requested {
	case tokenTypeID, tokenTypeRefresh:
		if _, ok := prm[detailsParam]; ok {
			return nil, catalog.New(catalog.RARExchangeNoDetails, "requested", requested)
		}
		if len(req.audiences) > 0 || len(req.resources) > 0 {
			param := "resource"
			if len(req.audiences) > 0 {
				param = "audience"
			}
			return nil, catalog.New(catalog.ExchangeTargetNotApplicable, "parameter", param, "requested", requested)
		}
		if subj.user == nil {
			return nil, catalog.New(catalog.ExchangeNeedsUser, "requested", requested).Internal("subject", subj.sub)
		}
		if requested == tokenTypeID {
			return p.exchangeIDToken(ctx, c, subj, granted, act, until)
		}
		return p.exchangeRefreshToken(ctx, c, subj, granted, delegation)
	}

	aud, e := exchangeAudience(c, pol, req.audiences, req.resources)
	if e != nil {
		return nil, e
	}
	if granted, e = p.audienceScopes(ctx, aud, granted, prm["scope"] != ""); e != nil {
		return nil, e
	}
	details, e := p.exchangeDetails(ctx, c, prm, subj.details)
	if e != nil {
		return nil, e
	}
	format, ttl := p.tokenPolicy(ctx, c, aud)
	issued := tokenTypeAccess
	if requested == tokenTypeJWT {
		format, issued = store.FormatJWT, tokenTypeJWT
	}
	ttl = capTTL(ttl, p.life.AccessToken, p.now(), until)
	token, at, e := p.mintExchanged(ctx, accessToken{
		client: c, subject: subj.sub,
		// The store keeps an opaque token's subject in UserID, where
		// checkAccessToken reads it back; for a client or workload subject
		// too, or the token would describe the requesting client instead.
		userID: subj.sub,
		scopes: granted, aud: aud, format: format, ttl: ttl,
		authTime: subj.authTime, session: subj.session, family: subj.grant,
		details: p.tokenDetails(ctx, aud, details),
	}, act)
	if e != nil {
		return nil, e
	}
	return &tokenResponse{
		AccessToken:     token,
		TokenType:       "Bearer",
		ExpiresIn:       at.Expiry - at.IssuedAt,
		Scope:           at.Scope,
		IssuedTokenType: issued,
		// RFC 9396 §7: the details the new token carries.
		AuthorizationDetails: at.AuthorizationDetails,
	}, nil
}

// capTTL is the lifetime of an exchanged token: the configured one, but
// never past until, the expiry of the tokens it was exchanged for.
func capTTL(ttl, def time.Duration, now, until time.Time) time.Duration {
	if ttl <= 0 {
		ttl = def
	}
	if left := until.Sub(now); left < ttl {
		ttl = max(left, time.Second)
	}
	return ttl
}

// presented verifies a subject or actor token and checks that the client
// may exchange it: its own, or one of a client its policy names.
func (p *Provider) presented(ctx context.Context, c *store.Client, pol *store.ExchangePolicy, param, token, typ string) (*presentedToken, *catalog.Error) {
	var t *presentedToken
	var e *catalog.Error
	if typ == tokenTypeID {
		t, e = p.presentedIDToken(ctx, param, token)
	} else {
		t, e = p.presentedAccessToken(ctx, param, token, typ)
	}
	if e != nil {
		return nil, e
	}
	if t.client != c.ID && !slices.Contains(pol.SubjectClients, t.client) {
		return nil, catalog.New(catalog.ExchangeTokenOtherClient, "parameter", param, "client_id", c.ID).Internal("token_client_id", t.client)
	}
	return t, nil
}

// presentedAccessToken verifies an access token Lucid issued, JWT or
// opaque, with the checks a resource server would make but the audience.
func (p *Provider) presentedAccessToken(ctx context.Context, param, token, typ string) (*presentedToken, *catalog.Error) {
	mismatch := func(reason string) *catalog.Error {
		return catalog.New(catalog.ExchangeTokenTypeMismatch, "parameter", param, "type", typ, "reason", reason)
	}
	jwtForm := isJWT(token)
	if typ == tokenTypeJWT && !jwtForm {
		return nil, mismatch("it is an opaque token, not a JWT; send it with the type " + tokenTypeAccess)
	}
	if jwtForm {
		// The header is read unverified only to name the mistake; the
		// token is verified below whatever it says.
		if h := jwtHeaderType(token); h != "" && !strings.EqualFold(h, "at+jwt") && !strings.EqualFold(h, "application/at+jwt") {
			return nil, mismatch(fmt.Sprintf("its typ header is %.40s, as on ID tokens; send an ID token with the type %s", h, tokenTypeID))
		}
	}
	cl, e := p.checkAccessToken(ctx, token)
	if e != nil {
		return nil, exchangeTokenError(param, e)
	}
	t := &presentedToken{
		sub: cl.Subject, client: cl.ClientID, scopes: scopes(cl.Scope), grant: cl.Grant, session: cl.SID,
		expiry: time.Unix(cl.Expiry, 0), details: cl.AuthorizationDetails,
	}
	if cl.AuthTime > 0 {
		t.authTime = time.Unix(cl.AuthTime, 0)
	}
	// checkAccessToken read the act claim already, from the JWT or the row.
	if len(cl.Act) > 0 && string(cl.Act) != "null" {
		t.act = new(actor)
		if err := json.Unmarshal(cl.Act, t.act); err != nil {
			return nil, catalog.New(catalog.ExchangeTokenInvalid, "parameter", param, "reason", "its act claim cannot be read").Wrap(err)
		}
	}
	// Only a user's grant makes a token a user's: a client or a workload
	// subject is never looked up as a user, whatever its sub.
	if cl.Grant != "" {
		u, e := p.activeUser(ctx, cl.Subject)
		if e != nil {
			return nil, e
		}
		t.user = u
	}
	return t, nil
}

// exchangeTokenError restates a failed access token check for the
// parameter the token came in.
func exchangeTokenError(param string, e *catalog.Error) *catalog.Error {
	var out *catalog.Error
	switch e.Name() {
	case catalog.AccessTokenExpired:
		out = catalog.New(catalog.ExchangeTokenExpired, "parameter", param, "expired_at", e.Value("expired_at"), "ago", e.Value("ago"))
	case catalog.AccessTokenRevoked:
		out = catalog.New(catalog.ExchangeTokenRevoked, "parameter", param, "reason", e.Value("reason"))
	case catalog.AccessTokenDenied:
		out = catalog.New(catalog.ExchangeTokenRevoked, "parameter", param, "reason", "by its client, at the revocation endpoint")
	case catalog.AccessTokenUnknown:
		out = catalog.New(catalog.ExchangeTokenInvalid, "parameter", param, "reason", "it is not a JWT, and Lucid holds no opaque token with this value")
	case catalog.AccessTokenMalformed:
		out = catalog.New(catalog.ExchangeTokenInvalid, "parameter", param, "reason", e.Value("reason"))
	case catalog.AccessTokenSignature:
		out = catalog.New(catalog.ExchangeTokenInvalid, "parameter", param, "reason", "its signature does not verify with any key Lucid publishes")
	case catalog.AccessTokenIssuer:
		out = catalog.New(catalog.ExchangeTokenInvalid, "parameter", param, "reason", "it was issued by "+e.Value("iss"))
	case catalog.AccessTokenDamaged, catalog.AccessTokenWrongKind, catalog.AccessTokenIsIDToken:
		out = catalog.New(catalog.ExchangeTokenInvalid, "parameter", param, "reason", strings.TrimSuffix(e.Text(), "."))
	default:
		return e
	}
	return out.Internal("check", string(e.Name())).Wrap(e)
}

// presentedIDToken verifies an ID token Lucid issued. Its audience may be
// any client; that client counts as the one it was issued to. An ID token
// grants nothing, so its scope for an exchange is openid alone.
func (p *Provider) presentedIDToken(ctx context.Context, param, token string) (*presentedToken, *catalog.Error) {
	invalid := func(reason string) *catalog.Error {
		return catalog.New(catalog.ExchangeTokenInvalid, "parameter", param, "reason", reason)
	}
	payload, err := p.keys.Verify(token, "JWT")
	if err != nil {
		var ke *keys.KeyError
		switch {
		case errors.Is(err, keys.ErrType):
			return nil, catalog.New(catalog.ExchangeTokenTypeMismatch, "parameter", param, "type", tokenTypeID,
				"reason", "its typ header is not JWT; send an access token with the type "+tokenTypeAccess)
		case errors.As(err, &ke), errors.Is(err, keys.ErrSignature), errors.Is(err, keys.ErrAlg):
			return nil, invalid("its signature does not verify with any key Lucid publishes").Wrap(err)
		default:
			return nil, invalid("it is not a signed JWT").Wrap(err)
		}
	}
	var cl struct {
		Issuer   string          `json:"iss"`
		Subject  string          `json:"sub"`
		Audience audience        `json:"aud"`
		AZP      string          `json:"azp"`
		Expiry   int64           `json:"exp"`
		AuthTime int64           `json:"auth_time"`
		SID      string          `json:"sid"`
		Grant    string          `json:"grant_id"`
		Act      json.RawMessage `json:"act"`
	}
	if err := json.Unmarshal(payload, &cl); err != nil {
		return nil, invalid("its claims cannot be read").Wrap(err)
	}
	now := p.now()
	switch {
	case cl.Issuer != p.issuer:
		return nil, invalid(fmt.Sprintf("it was issued by %.100s", cl.Issuer))
	case cl.Subject == "":
		return nil, invalid("it has no sub claim")
	case cl.Expiry == 0:
		return nil, invalid("it has no exp claim")
	case now.Unix() >= cl.Expiry:
		exp := time.Unix(cl.Expiry, 0)
		return nil, catalog.New(catalog.ExchangeTokenExpired, "parameter", param, "expired_at", exp, "ago", now.Sub(exp))
	}
	owner := cl.AZP
	if owner == "" && len(cl.Audience) == 1 {
		owner = cl.Audience[0]
	}
	if owner == "" {
		return nil, invalid("its aud names several clients and it has no azp")
	}
	u, e := p.activeUser(ctx, cl.Subject)
	if e != nil {
		return nil, e
	}
	// An ID token outlives nothing it stands for: a replayed code, a
	// revoked refresh token or a withdrawn consent ends its grant, and with
	// it the ID token's worth as a subject.
	if e := p.liveGrant(ctx, param, cl.Grant, cl.Subject); e != nil {
		return nil, e
	}
	if cl.SID != "" {
		if e := p.liveSession(ctx, param, cl.SID, cl.Subject); e != nil {
			return nil, e
		}
	}
	t := &presentedToken{sub: cl.Subject, client: owner, scopes: []string{"openid"}, user: u, grant: cl.Grant, session: cl.SID, expiry: time.Unix(cl.Expiry, 0)}
	if cl.AuthTime > 0 {
		t.authTime = time.Unix(cl.AuthTime, 0)
	}
	if len(cl.Act) > 0 && string(cl.Act) != "null" {
		t.act = new(actor)
		if err := json.Unmarshal(cl.Act, t.act); err != nil {
			return nil, invalid("its act claim cannot be read").Wrap(err)
		}
	}
	return t, nil
}

// liveGrant checks that the grant an ID token names exists, belongs to its
// subject and is not revoked, itself or through an ancestor.
func (p *Provider) liveGrant(ctx context.Context, param, grant, sub string) *catalog.Error {
	if grant == "" {
		return catalog.New(catalog.ExchangeTokenInvalid, "parameter", param,
			"reason", "it names no grant (grant_id), so Lucid cannot tell whether the sign-in behind it was revoked; use an ID token issued now, or the access token")
	}
	f, err := p.tokenFamily(ctx, grant)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return catalog.New(catalog.ExchangeTokenRevoked, "parameter", param, "reason", "its grant no longer exists").Internal("grant_id", grant)
	case err != nil:
		return failure.FromStore(err)
	case f.UserID != sub:
		return catalog.New(catalog.ExchangeTokenInvalid, "parameter", param, "reason", "its grant belongs to another user").Internal("grant_id", grant)
	case f.RevokedAt != nil:
		return catalog.New(catalog.ExchangeTokenRevoked, "parameter", param, "reason", f.RevokeReason).Internal("grant_id", grant, "revoked_at", f.RevokedAt.String())
	}
	return nil
}

// liveSession checks that the sign-in session an ID token names (sid) is
// still there: after the user signed out, or the session expired, the ID
// token no longer stands for anyone at the keyboard.
func (p *Provider) liveSession(ctx context.Context, param, sid, sub string) *catalog.Error {
	sess, err := p.store.GetSessionByID(ctx, sid)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return catalog.New(catalog.ExchangeTokenRevoked, "parameter", param, "reason", "the sign-in session it came from has ended").Internal("sid", sid)
	case err != nil:
		return failure.FromStore(err)
	case sess.UserID != sub:
		return catalog.New(catalog.ExchangeTokenInvalid, "parameter", param, "reason", "its session belongs to another user").Internal("sid", sid)
	case !p.now().Before(sess.ExpiresAt):
		return catalog.New(catalog.ExchangeTokenRevoked, "parameter", param, "reason", "the sign-in session it came from has ended").Internal("sid", sid, "session_expired_at", sess.ExpiresAt.String())
	}
	return nil
}

// activeUser is the subject of a user's token, which must still be allowed in.
func (p *Provider) activeUser(ctx context.Context, id string) (*store.User, *catalog.Error) {
	u, err := p.store.GetUser(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, catalog.New(catalog.GrantUserInactive, "state", "deleted").Internal("user_id", id)
	}
	if err == nil && u.Disabled {
		return nil, catalog.New(catalog.GrantUserInactive, "state", "disabled").Internal("user_id", id)
	}
	if err != nil {
		return nil, failure.FromStore(err)
	}
	return u, nil
}

// jwtHeaderType is the typ header of a compact JWS, "" if unreadable.
func jwtHeaderType(token string) string {
	var h struct {
		Typ string `json:"typ"`
	}
	raw, err := base64.RawURLEncoding.DecodeString(token[:strings.IndexByte(token, '.')])
	if err != nil || json.Unmarshal(raw, &h) != nil {
		return ""
	}
	return h.Typ
}

// exchangeScopes narrows the subject token's scope. Without a scope
// parameter the new token keeps what the subject token and the client
// share; with one, each scope must be in both.
func exchangeScopes(c *store.Client, subj *presentedToken, requested string) ([]string, *catalog.Error) {
	if requested == "" {
		out := []string{}
		for _, s := range subj.scopes {
			if slices.Contains(c.Scopes, s) {
				out = append(out, s)
			}
		}
		return out, nil
	}
	out := scopes(requested)
	for _, s := range out {
		switch {
		case !slices.Contains(subj.scopes, s):
			return nil, catalog.New(catalog.ExchangeScopeWidened, "scope", s, "granted", orNone(strings.Join(subj.scopes, " ")))
		case !slices.Contains(c.Scopes, s):
			return nil, catalog.New(catalog.ScopeNotAllowed, "client_id", c.ID, "scope", s, "allowed", orNone(strings.Join(c.Scopes, " ")))
		}
	}
	return out, nil
}

// exchangeAudience picks the new token's audience from the audience
// (RFC 8693) and resource (RFC 8707) parameters, each of which must be
// one of the policy's audiences. Without either, a policy with a single
// audience supplies it; a token for every API a client may reach is
// broader than any one call needs.
func exchangeAudience(c *store.Client, pol *store.ExchangePolicy, audiences, resources []string) ([]string, *catalog.Error) {
	allowed := strings.Join(pol.Audiences, " ")
	if allowed == "" {
		allowed = "none"
	}
	var out []string
	add := func(param, v string) *catalog.Error {
		if !slices.Contains(pol.Audiences, v) {
			return catalog.New(catalog.ExchangeAudienceNotAllowed, "client_id", c.ID, "parameter", param, "value", v, "allowed", allowed)
		}
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
		return nil
	}
	for _, a := range audiences {
		if e := add("audience", a); e != nil {
			return nil, e
		}
	}
	for _, r := range resources {
		if u, err := url.Parse(r); err != nil || !u.IsAbs() || strings.Contains(r, "#") {
			return nil, catalog.New(catalog.ResourceInvalid, "resource", r)
		}
		if e := add("resource", r); e != nil {
			return nil, e
		}
	}
	if len(out) == 0 {
		if len(pol.Audiences) != 1 {
			return nil, catalog.New(catalog.ExchangeAudienceMissing, "client_id", c.ID, "allowed", allowed)
		}
		out = pol.Audiences
	}
	return out, nil
}

// mintExchanged mints an access token that may carry an act claim.
func (p *Provider) mintExchanged(ctx context.Context, t accessToken, act *actor) (string, *AccessClaims, *catalog.Error) {
	if act != nil {
		raw, err := json.Marshal(act)
		if err != nil {
			return "", nil, catalog.New(catalog.ServerError).Wrap(err)
		}
		t.act = raw
	}
	return p.mintAccess(ctx, t)
}

// exchangeIDToken issues an ID token about the subject user for the
// requesting client, with the claims the granted scopes release,
// encrypted to the client's key when it registered
// id_token_encrypted_response_alg (as every ID token it gets).
func (p *Provider) exchangeIDToken(ctx context.Context, c *store.Client, subj *presentedToken, granted []string, act *actor, until time.Time) (*tokenResponse, *catalog.Error) {
	if !slices.Contains(granted, "openid") {
		return nil, catalog.New(catalog.ExchangeIDTokenNeedsOpenID, "granted", orNone(strings.Join(granted, " ")))
	}
	now := p.now()
	ttl := capTTL(p.life.IDToken, p.life.IDToken, now, until)
	token, e := p.signIDToken(c, subj.user, granted, subj.authTime, now, ttl, func(_ string, claims map[string]any) {
		if act != nil {
			claims["act"] = act
		}
		// It stands for the subject's grant, and ends with it.
		if subj.grant != "" {
			claims["grant_id"] = subj.grant
		}
		if subj.session != "" {
			claims["sid"] = subj.session
		}
	})
	if e == nil && c.IDTokenEncAlg != "" {
		token, e = p.encryptIDToken(ctx, c, token)
	}
	if e != nil {
		return nil, e
	}
	return &tokenResponse{
		AccessToken:     token,
		TokenType:       "N_A",
		ExpiresIn:       int64(ttl / time.Second),
		Scope:           strings.Join(granted, " "),
		IssuedTokenType: tokenTypeID,
	}, nil
}

// exchangeRefreshToken starts a grant for the requesting client on the
// subject user's behalf: a new token family and its first refresh token,
// which the client redeems with the refresh_token grant like any other.
// RFC 8693 §2.2.1 carries the issued token, whatever its type, in
// access_token.
func (p *Provider) exchangeRefreshToken(ctx context.Context, c *store.Client, subj *presentedToken, granted []string, delegation bool) (*tokenResponse, *catalog.Error) {
	switch {
	case !slices.Contains(c.GrantTypes, "refresh_token"):
		return nil, catalog.New(catalog.ExchangeRefreshNotAllowed, "client_id", c.ID)
	case delegation:
		return nil, catalog.New(catalog.ExchangeRefreshWithActor)
	}
	now := p.now()
	if subj.grant == "" {
		// Only a grant can be revoked; a family without one would outlive
		// every revocation of the sign-in it came from.
		return nil, catalog.New(catalog.ExchangeNeedsUser, "requested", tokenTypeRefresh).Internal("reason", "the subject token belongs to no grant")
	}
	parent, err := p.store.GetTokenFamily(ctx, subj.grant)
	if err != nil {
		return nil, failure.FromStore(err).Internal("while", "reading the subject's grant")
	}
	// The new grant hangs off the subject's: ending that one, for a
	// replayed code, a revoked refresh token or a withdrawn consent, ends
	// this one. It also starts when its parent did, so that its refresh
	// tokens expire no later than the parent's.
	start := parent.CreatedAt
	if start.IsZero() || start.After(now) {
		start = now
	}
	family := &store.TokenFamily{
		ID: secret.Token(16), ClientID: c.ID, UserID: subj.user.ID, Scopes: granted,
		SessionID: subj.session, AuthTime: subj.authTime, CreatedAt: start, ParentID: subj.grant,
		// Its refreshes' ID tokens tell of the same authentication.
		AMR: parent.AMR, ACR: parent.ACR,
	}
	token, rt := p.newRefreshToken(family, start, now)
	if !rt.ExpiresAt.After(now) {
		return nil, catalog.New(catalog.ExchangeTokenExpired, "parameter", "subject_token", "expired_at", rt.ExpiresAt, "ago", now.Sub(rt.ExpiresAt)).Internal("reason", "the subject's grant reached its absolute lifetime")
	}
	if err := p.store.CreateTokenFamily(ctx, family, store.Issued{Refresh: rt}); err != nil {
		return nil, failure.FromStore(err).Internal("while", "creating the token family of an exchange")
	}
	return &tokenResponse{
		AccessToken:     token,
		TokenType:       "N_A",
		ExpiresIn:       int64(rt.IdleExpiresAt.Sub(now) / time.Second),
		Scope:           strings.Join(granted, " "),
		IssuedTokenType: tokenTypeRefresh,
	}, nil
}
