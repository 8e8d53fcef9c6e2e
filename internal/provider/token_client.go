package provider

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/store"
)

// userScopes describe a person; a client acting for itself cannot have them.
var userScopes = []string{"openid", "profile", "email", "address", "phone", "groups", "offline_access"}

// grantClientCredentials is RFC 6749 §4.4: the client acts on its own
// authority, for the APIs it is allowed. A JWT access token needs no
// database write, so this path reads the client and nothing else.
func (p *Provider) grantClientCredentials(ctx context.Context, req *tokenRequest) (*tokenResponse, *catalog.Error) {
	// Public clients never get here: registration refuses them this grant.
	c := req.client
	granted, e := clientScopes(c, req.params["scope"])
	if e != nil {
		return nil, e
	}
	return p.accessFor(ctx, req, subject{id: c.ID}, granted, req.params["scope"] != "")
}

// subject is whom a machine-to-machine token is about: the client itself,
// or a workload a trusted issuer vouched for.
type subject struct {
	id     string
	userID string // kept in an opaque token's record; "" for the client itself
}

// accessFor is the common end of the grants without a user session
// (client_credentials, JWT bearer): the audience from the resource
// parameters or the client's audiences, format and lifetime from the APIs,
// one access token, no refresh or ID token. The scopes are those of the
// APIs in the audience: explicit says the client asked for them, and is
// told about one outside it; a default set is narrowed silently.
func (p *Provider) accessFor(ctx context.Context, req *tokenRequest, sub subject, granted []string, explicit bool) (*tokenResponse, *catalog.Error) {
	c := req.client
	aud, e := p.resourceAudience(ctx, c, req.resources, true)
	if e != nil {
		return nil, e
	}
	if granted, e = p.audienceScopes(ctx, aud, granted, explicit); e != nil {
		return nil, e
	}
	format, ttl := p.tokenPolicy(ctx, c, aud)
	access, at, e := p.mintAccess(ctx, accessToken{client: c, subject: sub.id, userID: sub.userID, scopes: granted, aud: aud, format: format, ttl: ttl})
	if e != nil {
		return nil, e
	}
	return &tokenResponse{
		AccessToken: access,
		TokenType:   "Bearer",
		ExpiresIn:   at.Expiry - at.IssuedAt,
		Scope:       at.Scope,
	}, nil
}

// clientScopes checks the scope a client asks for itself. Without a scope
// parameter it gets every non-user scope it is allowed (RFC 6749 §3.3
// lets the server pick a default).
func clientScopes(c *store.Client, requested string) ([]string, *catalog.Error) {
	if requested == "" {
		var out []string
		for _, s := range c.Scopes {
			if !slices.Contains(userScopes, s) {
				out = append(out, s)
			}
		}
		return out, nil
	}
	var out []string
	for _, s := range scopes(requested) {
		switch {
		case slices.Contains(userScopes, s):
			return nil, catalog.New(catalog.ScopeNeedsUser, "scope", s, "grant_type", "client_credentials", "client_id", c.ID)
		case !slices.Contains(c.Scopes, s):
			return nil, catalog.New(catalog.ScopeNotAllowed, "client_id", c.ID, "scope", s, "allowed", orNone(strings.Join(c.Scopes, " ")))
		case !slices.Contains(out, s):
			out = append(out, s)
		}
	}
	return out, nil
}

// audienceScopes keeps the scopes a token for aud may carry: those an API
// in aud defines, those no API defines (scopes the operator tied to no
// API), and the OpenID scopes about the user. A scope only other APIs define would let
// the token's holder, or any API in aud that passes it on, act at an API
// the token is not for. With strict, such a scope is refused instead of
// dropped.
func (p *Provider) audienceScopes(ctx context.Context, aud, scopes []string, strict bool) ([]string, *catalog.Error) {
	if !slices.ContainsFunc(scopes, func(s string) bool { return !slices.Contains(userScopes, s) }) {
		return scopes, nil // OpenID scopes only, the usual user token
	}
	apis := make([]string, 0, len(aud))
	for _, a := range aud {
		if a != p.issuer {
			apis = append(apis, a)
		}
	}
	index := p.apis.scopeIndex(ctx, apis)
	out := make([]string, 0, len(scopes))
	for _, s := range scopes {
		if slices.Contains(userScopes, s) {
			// About the person, released by userinfo and ID tokens: never
			// an API's, whatever an API lists.
			out = append(out, s)
			continue
		}
		owners := index[s]
		if len(owners) == 0 || slices.ContainsFunc(owners, func(o string) bool { return slices.Contains(aud, o) }) {
			out = append(out, s)
			continue
		}
		if strict {
			return nil, catalog.New(catalog.ScopeNotInAudience, "scope", s, "owner", strings.Join(owners, " "), "audience", strings.Join(aud, " "))
		}
	}
	return out, nil
}

// resourceAudience turns RFC 8707 resource parameters into the token's
// audience. Without one, a client acting for itself gets all its
// audiences (needAud); a user's token is for Lucid itself. A resource the
// client may not have is told apart by whether any API has that identifier
// (resource_unknown: probably a typo) or one does (resource_not_allowed).
func (p *Provider) resourceAudience(ctx context.Context, c *store.Client, resources []string, needAud bool) ([]string, *catalog.Error) {
	if len(resources) == 0 {
		if !needAud {
			return []string{p.issuer}, nil
		}
		if len(c.Audiences) == 0 {
			return nil, catalog.New(catalog.ResourceNoneAllowed, "client_id", c.ID)
		}
		return c.Audiences, nil
	}
	var out []string
	for _, r := range resources {
		u, err := url.Parse(r)
		if err != nil || !u.IsAbs() || strings.Contains(r, "#") {
			return nil, catalog.New(catalog.ResourceInvalid, "resource", r)
		}
		if !slices.Contains(c.Audiences, r) {
			name := catalog.ResourceNotAllowed
			if r != p.issuer && !p.apis.known(ctx, r) {
				name = catalog.ResourceUnknown
			}
			return nil, catalog.New(name, "client_id", c.ID, "resource", r, "allowed", orNone(strings.Join(c.Audiences, " ")))
		}
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out, nil
}

// tokenPolicy picks the access token format and lifetime: the client's
// format if it names one, else the APIs' (opaque if any API asks for it),
// and the shortest lifetime any API sets.
func (p *Provider) tokenPolicy(ctx context.Context, c *store.Client, aud []string) (string, time.Duration) {
	format, ttl := c.AccessTokenFormat, time.Duration(0)
	for _, id := range aud {
		api, ok := p.apis.get(ctx, id)
		if !ok {
			continue
		}
		if format == "" && api.TokenFormat == store.FormatOpaque {
			format = store.FormatOpaque
		}
		if api.TokenTTL > 0 && (ttl == 0 || api.TokenTTL < ttl) {
			ttl = api.TokenTTL
		}
	}
	if format == "" {
		format = store.FormatJWT
	}
	return format, ttl
}

// narrowResources picks the audiences of a user's access token: the
// resources of this token request, which must be among those the user
// authorized (RFC 8707 §2.2), or all of those.
func narrowResources(requested, granted []string) ([]string, *catalog.Error) {
	if len(requested) == 0 {
		return granted, nil
	}
	var out []string
	for _, r := range requested {
		if !slices.Contains(granted, r) {
			return nil, catalog.New(catalog.ResourceNotGranted, "resource", r, "granted", orNone(strings.Join(granted, " ")))
		}
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out, nil
}
