package provider

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/credential"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
)

// presented is what a value sent as a credential turned out to be.
type presented struct {
	shape credential.Shape
	// jwt is what a compact JWS of this server is ("an ID token"); ""
	// for anything else.
	jwt string
	// foreignIssuer is the iss of a JWT from another issuer.
	foreignIssuer string
}

// recognise tells what v is. It reads no database and verifies nothing:
// it names a misplaced value, and never lets one through.
func (p *Provider) recognise(v string) presented {
	s := credential.Inspect(v)
	if s.Kind != credential.None || !isJWT(v) {
		return presented{shape: s}
	}
	typ, iss, ok := credential.PeekJWT(v)
	switch {
	case !ok:
		return presented{}
	case iss != p.issuer:
		return presented{foreignIssuer: iss}
	case typ == "at+jwt":
		return presented{jwt: "a JWT access token"}
	case typ == "JWT" || typ == "":
		return presented{jwt: "an ID token"}
	}
	return presented{jwt: "a JWT of type " + typ}
}

// kindName says what a recognised value is, for a description: "a
// refresh token".
func (w presented) kindName() string {
	if w.jwt != "" {
		return w.jwt
	}
	k := w.shape.Kind.String()
	if strings.ContainsRune("aeiou", rune(k[0])) {
		return "an " + k
	}
	return "a " + k
}

// internal is what the operator's record says about the value sent; never
// the value itself.
func (w presented) internal() []any {
	switch {
	case w.foreignIssuer != "":
		return []any{"presented", "a JWT issued by another issuer", "presented_iss", w.foreignIssuer}
	case w.jwt != "":
		return []any{"presented", w.jwt + " of this server"}
	case w.shape.Damaged():
		return []any{"presented", "a damaged " + w.shape.Kind.String(), "damage", w.shape.Damage}
	case w.shape.Kind != credential.None:
		return []any{"presented", "an intact " + w.shape.Kind.String() + " of this server's form"}
	}
	return []any{"presented", "a value of no form Lucid issues (or one minted before credentials had a prefix)"}
}

// misplacedCode answers a code parameter that is not an authorization
// code of this server's form; nil means look it up (an intact code, or
// a value without a prefix, which may be a code minted before prefixes).
func (p *Provider) misplacedCode(raw string) *catalog.Error {
	w := p.recognise(raw)
	k := w.shape.Kind
	switch {
	case k == credential.Code && w.shape.Damaged():
		return catalog.New(catalog.CodeDamaged, "damage", w.shape.Damage).Internal(w.internal()...)
	case k == credential.Refresh:
		return catalog.New(catalog.CodeIsRefreshToken).Internal(w.internal()...)
	case k == credential.Access || k == credential.Registration || w.jwt != "":
		return catalog.New(catalog.CodeIsToken, "kind", w.kindName()).Internal(w.internal()...)
	case w.foreignIssuer != "":
		return catalog.New(catalog.CodeUnknown).Internal(w.internal()...)
	}
	return nil
}

// refreshPlaceholders are what a missing refresh token becomes in the
// languages and templates clients are written in.
var refreshPlaceholders = []string{"", "undefined", "null", "None", "nil", "false"}

// misplacedRefresh answers a refresh_token parameter that is not a
// refresh token of this server's form; nil means look it up.
func (p *Provider) misplacedRefresh(ctx context.Context, req *tokenRequest, raw string) *catalog.Error {
	if slices.Contains(refreshPlaceholders, raw) {
		if reason := withheldReason(req.client, nil); reason != "" && reason != catalog.GrantTypeNotAllowed {
			return catalog.New(reason, "client_id", req.client.ID).Internal("refresh_token", "empty or a placeholder ("+clipPlaceholder(raw)+")")
		}
		return catalog.New(catalog.ParameterMissing, "parameter", "refresh_token")
	}
	w := p.recognise(raw)
	k := w.shape.Kind
	switch {
	case k == credential.Refresh && w.shape.Damaged():
		return catalog.New(catalog.RefreshDamaged, "damage", w.shape.Damage).Internal(w.internal()...)
	case k == credential.Code:
		return catalog.New(catalog.RefreshIsCode).Internal(w.internal()...)
	case k == credential.Access || k == credential.Registration || w.jwt != "":
		return catalog.New(catalog.RefreshIsToken, "kind", w.kindName(), "grant", p.grantOfToken(ctx, req.client, raw, w)).Internal(w.internal()...)
	case w.foreignIssuer != "":
		return catalog.New(catalog.RefreshUnknown).Internal(w.internal()...)
	}
	return nil
}

func clipPlaceholder(raw string) string {
	if raw == "" {
		return "empty"
	}
	return raw
}

// grantOfToken says, for an access token sent as a refresh token, why
// the client holds no refresh token for its grant, when that can be told:
// the access token's scopes are the grant's.
func (p *Provider) grantOfToken(ctx context.Context, client *store.Client, raw string, w presented) string {
	var granted []string
	switch {
	case w.shape.Kind == credential.Access && !w.shape.Damaged():
		t, err := p.store.GetAccessToken(ctx, secret.Hash(raw))
		if err != nil {
			return grantUnknown(err)
		}
		if t.ClientID != client.ID {
			return "It was not issued to this client."
		}
		granted = t.Scopes
	case w.jwt == "a JWT access token":
		c, e := p.parseJWTAccess(raw)
		if e != nil {
			return "It does not verify, so what it was issued for cannot be told."
		}
		if c.ClientID != client.ID {
			return "It was not issued to this client."
		}
		granted = scopes(c.Scope)
	default:
		return "Send the refresh_token member of the token response."
	}
	if reason := withheldReason(client, granted); reason != "" {
		return "Its grant has no refresh token (" + string(reason) + "): see refresh_token_withheld in the token response."
	}
	return "Its grant has a refresh token: send the refresh_token member of the token response."
}

func grantUnknown(err error) string {
	if errors.Is(err, store.ErrNotFound) {
		return "This server holds no record of it (expired and removed, or from another deployment)."
	}
	return "What it was issued for cannot be read now."
}

// withheldReason is the catalog entry that says why a grant of client
// with these scopes carries no refresh token, or "" when it carries one.
// granted nil means the grant is not known: the reason is then what the
// client's registration allows.
func withheldReason(client *store.Client, granted []string) catalog.Name {
	switch {
	case !contains(client.GrantTypes, "refresh_token"):
		return catalog.GrantTypeNotAllowed
	case client.AlwaysRefresh:
		return ""
	case !contains(client.Scopes, "offline_access"):
		return catalog.RefreshScopeNotAllowed
	case granted == nil || !contains(granted, "offline_access"):
		return catalog.RefreshNotRequested
	}
	return ""
}

// noteWithheld records, under the request's trace id, why a token
// response holds no refresh token, so that `lucid explain` finds the same
// reason the response names in refresh_token_withheld.
func (p *Provider) noteWithheld(r *http.Request, client *store.Client, resp *tokenResponse) {
	reason := resp.RefreshTokenWithheld
	if reason == "" {
		return
	}
	allowed := slices.Sorted(slices.Values(client.GrantTypes))
	e := catalog.New(reason, "client_id", client.ID, "grant_type", "refresh_token", "allowed", strings.Join(allowed, ", "))
	p.failures.Note(r, catalog.Token, client.ID, e.Internal("response", "tokens issued without a refresh token", "granted_scope", resp.Scope), p.now())
}

// misplacedAccess answers a bearer token without dots that is not an
// opaque access token of this server's form; nil means look it up.
func (p *Provider) misplacedAccess(token string) *catalog.Error {
	s := credential.Inspect(token)
	switch {
	case s.Kind == credential.Access && s.Damaged():
		return catalog.New(catalog.AccessTokenDamaged, "damage", s.Damage).Internal(presented{shape: s}.internal()...)
	case s.Kind == credential.Refresh || s.Kind == credential.Code || s.Kind == credential.Registration:
		return catalog.New(catalog.AccessTokenWrongKind, "kind", presented{shape: s}.kindName()).Internal(presented{shape: s}.internal()...)
	}
	return nil
}
