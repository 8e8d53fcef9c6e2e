package provider

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/credential"
	"github.com/lucid-auth/lucid/internal/dpop"
	"github.com/lucid-auth/lucid/internal/failure"
	"github.com/lucid-auth/lucid/internal/keys"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/trace"
)

// introspection is the RFC 7662 §2.2 response.
type introspection struct {
	Active    bool     `json:"active"`
	Scope     string   `json:"scope,omitempty"`
	ClientID  string   `json:"client_id,omitempty"`
	TokenType string   `json:"token_type,omitempty"`
	Expiry    int64    `json:"exp,omitempty"`
	IssuedAt  int64    `json:"iat,omitempty"`
	Subject   string   `json:"sub,omitempty"`
	Audience  audience `json:"aud,omitempty"`
	Issuer    string   `json:"iss,omitempty"`
	ID        string   `json:"jti,omitempty"`
	AuthTime  int64    `json:"auth_time,omitempty"`
	// Act is the acting party of a delegated token (RFC 8693 §4.1).
	Act json.RawMessage `json:"act,omitempty"`
	// Cnf is the key or certificate a bound token is confirmed by (RFC
	// 9449 §6.2, RFC 8705 §3.2).
	Cnf *Confirmation `json:"cnf,omitempty"`
	// AuthorizationDetails the token carries (RFC 9396 §9.2).
	AuthorizationDetails json.RawMessage `json:"authorization_details,omitempty"`
}

// introspectionJWT is the media type of a signed answer (RFC 9701).
const introspectionJWT = "application/token-introspection+jwt"

// authenticatedForm reads a form POST and authenticates its client: the
// shared first half of introspection and revocation.
func (p *Provider) authenticatedForm(w http.ResponseWriter, r *http.Request, endpoint catalog.Endpoint) (*store.Client, map[string]string, bool) {
	params, ok := p.postForm(w, r, endpoint, "token")
	if !ok {
		return nil, nil, false
	}
	client, _, e := p.clients.Authenticate(r.Context(), r, r.PostForm)
	if e != nil {
		p.fail(w, r, endpoint, claimedClient(r), e)
		return nil, nil, false
	}
	if params["token"] == "" {
		p.fail(w, r, endpoint, client.ID, catalog.New(catalog.TokenParamMissing, "endpoint", string(endpoint)))
		return nil, nil, false
	}
	return client, params, true
}

// handleIntrospect is RFC 7662. A caller learns about a token only if it
// was issued to the caller or names the caller as an audience; for any
// other token, and for every bad one, the answer is {"active": false},
// and the reason goes to the log, not to the caller. When Lucid cannot
// tell (the database did not answer), it says so with a catalogued 5xx:
// "inactive" would make a resource server refuse a valid token.
func (p *Provider) handleIntrospect(w http.ResponseWriter, r *http.Request) {
	caller, params, ok := p.authenticatedForm(w, r, catalog.Introspect)
	if !ok {
		return
	}
	if caller.Public() {
		p.fail(w, r, catalog.Introspect, caller.ID, catalog.New(catalog.ConfidentialClientRequired, "client_id", caller.ID, "endpoint", "introspection"))
		return
	}
	ctx := r.Context()
	info, why, e := p.introspect(ctx, params["token"], params["token_type_hint"])
	if e != nil {
		p.fail(w, r, catalog.Introspect, caller.ID, e)
		return
	}
	if info.Active && !mayIntrospect(caller, info) {
		info, why = introspection{}, "the token belongs to client "+info.ClientID
	}
	if why != "" {
		p.log.DebugContext(ctx, "introspection: inactive", "trace_id", trace.ID(ctx), "client_id", caller.ID, "reason", why)
	}
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	if strings.Contains(r.Header.Get("Accept"), introspectionJWT) {
		signed, err := p.keys.Sign(keys.RS256, "token-introspection+jwt", map[string]any{
			"iss": p.issuer, "aud": caller.ID, "iat": p.now().Unix(), "token_introspection": info,
		})
		if err != nil {
			p.fail(w, r, catalog.Introspect, caller.ID, catalog.New(catalog.SigningKeyMissing, "alg", keys.RS256).Wrap(err))
			return
		}
		h.Set("Content-Type", introspectionJWT)
		_, _ = w.Write([]byte(signed))
		return
	}
	h.Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(info)
}

// introspect describes a token; why says what made it inactive. e is set
// only when Lucid could not find out (storage), never for a bad token.
func (p *Provider) introspect(ctx context.Context, token, hint string) (introspection, string, *catalog.Error) {
	if isJWT(token) {
		info, why, _, e := p.introspectAccess(ctx, token)
		return info, why, e
	}
	// A recognised kind says where to look, whatever the hint says: RFC
	// 7662 §2.1 lets a server search past a wrong hint, and the prefix
	// makes that free.
	switch s := credential.Inspect(token); {
	case s.Damaged():
		return introspection{}, "a damaged " + s.Kind.String() + ": " + s.Damage, nil
	case s.Kind == credential.Refresh:
		info, why, found, e := p.introspectRefresh(ctx, token)
		if e != nil {
			return introspection{}, "", e
		}
		if !found {
			why = "no refresh token with this value"
		}
		return info, why + hintMismatch(hint, "refresh_token"), nil
	case s.Kind == credential.Access:
		info, why, _, e := p.introspectAccess(ctx, token)
		if e != nil {
			return introspection{}, "", e
		}
		return info, why + hintMismatch(hint, "access_token"), nil
	case s.Kind != credential.None:
		return introspection{}, presented{shape: s}.kindName() + " is not a token introspection describes", nil
	}
	if hint == "refresh_token" {
		if info, why, found, e := p.introspectRefresh(ctx, token); found || e != nil {
			return info, why, e
		}
		info, why, _, e := p.introspectAccess(ctx, token)
		return info, why, e
	}
	// Opaque access tokens first: they are what resource servers ask about.
	info, why, found, e := p.introspectAccess(ctx, token)
	if found || e != nil {
		return info, why, e
	}
	if info, why, found, e := p.introspectRefresh(ctx, token); found || e != nil {
		return info, why, e
	}
	return introspection{}, "no token with this value", nil
}

// hintMismatch notes, for the log, a token_type_hint the token's form
// contradicts.
func hintMismatch(hint, kind string) string {
	if hint == "" || hint == kind {
		return ""
	}
	return " (token_type_hint " + hint + " ignored: the value is a " + kind + ")"
}

// introspectAccess describes an access token; found is false when it is
// opaque and unknown, so it may still be a refresh token.
func (p *Provider) introspectAccess(ctx context.Context, token string) (introspection, string, bool, *catalog.Error) {
	c, e := p.checkAccessToken(ctx, token)
	if e != nil && e.Status() >= 500 {
		return introspection{}, "", true, e
	}
	if e != nil {
		return introspection{}, e.Description(), e.Name() != catalog.AccessTokenUnknown, nil
	}
	typ := "Bearer"
	if c.Cnf != nil && c.Cnf.JKT != "" {
		typ = dpop.Scheme // RFC 9449 §6.2
	}
	return introspection{
		Active: true, Scope: c.Scope, ClientID: c.ClientID, TokenType: typ, Expiry: c.Expiry, IssuedAt: c.IssuedAt,
		Subject: c.Subject, Audience: c.Audience, Issuer: c.Issuer, ID: c.ID, AuthTime: c.AuthTime, Act: c.Act, Cnf: c.Cnf,
		AuthorizationDetails: c.AuthorizationDetails,
	}, "", true, nil
}

// introspectRefresh looks the token up as a refresh token; found is false
// when there is none with this value.
func (p *Provider) introspectRefresh(ctx context.Context, token string) (introspection, string, bool, *catalog.Error) {
	rt, err := p.store.GetRefreshToken(ctx, secret.Hash(token))
	if errors.Is(err, store.ErrNotFound) {
		return introspection{}, "", false, nil
	}
	if err != nil {
		return introspection{}, "", true, failure.FromStore(err)
	}
	now := p.now()
	switch {
	case rt.RotatedAt != nil:
		return introspection{}, "refresh token already rotated", true, nil
	case !now.Before(rt.ExpiresAt) || !now.Before(rt.IdleExpiresAt):
		return introspection{}, "refresh token expired", true, nil
	}
	f, err := p.tokenFamily(ctx, rt.FamilyID)
	if errors.Is(err, store.ErrNotFound) {
		return introspection{}, "token family: " + err.Error(), true, nil
	}
	if err != nil {
		return introspection{}, "", true, failure.FromStore(err)
	}
	if f.RevokedAt != nil {
		return introspection{}, "token family revoked: " + f.RevokeReason, true, nil
	}
	exp := rt.ExpiresAt
	if rt.IdleExpiresAt.Before(exp) {
		exp = rt.IdleExpiresAt
	}
	return introspection{
		Active: true, Scope: strings.Join(rt.Scopes, " "), ClientID: rt.ClientID, TokenType: "refresh_token",
		Expiry: exp.Unix(), IssuedAt: rt.CreatedAt.Unix(), Subject: rt.UserID, Issuer: p.issuer, AuthTime: unixOrZero(f.AuthTime),
		AuthorizationDetails: f.AuthorizationDetails,
	}, "", true, nil
}

// mayIntrospect: a client sees the tokens issued to it, and a resource
// server (a client whose audiences list its API) sees tokens for its API.
func mayIntrospect(caller *store.Client, info introspection) bool {
	if info.ClientID == caller.ID {
		return true
	}
	for _, a := range info.Audience {
		if slices.Contains(caller.Audiences, a) {
			return true
		}
	}
	return false
}
