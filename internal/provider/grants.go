package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/granttype"
	"github.com/lucid-auth/lucid/internal/store"
)

// grantHandler handles one grant_type. Adding a grant means naming it in
// granttype, writing its handler (one token_<grant>.go file) and listing
// it in grantHandlers; the endpoint itself does not change.
type grantHandler func(ctx context.Context, req *tokenRequest) (*tokenResponse, *catalog.Error)

// grantHandlers is the registry: one handler per served grant type.
func (p *Provider) grantHandlers() (map[granttype.Type]grantHandler, error) {
	h := map[granttype.Type]grantHandler{
		granttype.AuthorizationCode: p.grantAuthorizationCode,
		granttype.RefreshToken:      p.grantRefreshToken,
		granttype.ClientCredentials: p.grantClientCredentials,
		granttype.TokenExchange:     p.grantTokenExchange,
		granttype.JWTBearer:         p.grantJWTBearer,
		granttype.DeviceCode:        p.grantDeviceCode,
		granttype.CIBA:              p.grantCIBA,
	}
	// A grant advertised without a handler, or handled without being
	// advertised, is a programming error: refuse to start.
	all := granttype.All()
	if len(h) != len(all) {
		return nil, fmt.Errorf("grant registry: %d handlers for %d served grant types", len(h), len(all))
	}
	for _, t := range all {
		if h[t] == nil {
			return nil, fmt.Errorf("grant registry: no handler for %s", t)
		}
	}
	return h, nil
}

// userGrant is what a grant that acts for a person (code, refresh, device
// code, CIBA) hands to the checks they all share.
type userGrant struct {
	userID string
	// scopes and resources are what the person granted; the request may
	// narrow, never widen, them.
	scopes    []string
	resources []string
	// narrowScope lets the request's scope parameter narrow the scopes
	// (refresh, RFC 6749 §6); a code exchange has no scope parameter.
	narrowScope bool
}

// userBound runs the steps every user-bound grant shares, after its own
// checks and before minting: the requested scopes within the grant, the
// person still allowed in, the RFC 8707 resources within the grant. A
// withdrawn consent or a revoked family needs no step here: both revoke
// the family in the store, which the grant's own read refuses.
func (p *Provider) userBound(ctx context.Context, req *tokenRequest, g userGrant) (*store.User, []string, []string, *catalog.Error) {
	granted := g.scopes
	if s, ok := req.params["scope"]; ok && g.narrowScope {
		asked := scopes(s)
		if extra := missing(asked, g.scopes); len(extra) > 0 {
			if req.params["grant_type"] == string(granttype.RefreshToken) {
				return nil, nil, nil, catalog.New(catalog.RefreshScopeWidened, "extra", strings.Join(extra, " "), "granted", strings.Join(g.scopes, " "))
			}
			return nil, nil, nil, catalog.New(catalog.GrantScopeWidened, "grant_type", req.params["grant_type"], "extra", strings.Join(extra, " "), "granted", strings.Join(g.scopes, " "))
		}
		if len(asked) > 0 {
			granted = asked
		}
	}
	user, e := p.activeUser(ctx, g.userID)
	if e != nil {
		return nil, nil, nil, e
	}
	aud, e := narrowResources(req.resources, g.resources)
	if e != nil {
		return nil, nil, nil, e
	}
	return user, granted, aud, nil
}
