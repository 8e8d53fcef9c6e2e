package provider

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/cors"
	"github.com/lucid-auth/lucid/internal/failure"
	"github.com/lucid-auth/lucid/internal/store"
)

// crossOrigin opens an endpoint to pages in browsers (token, revocation,
// userinfo). It answers preflights for any origin: a preflight names no
// client, and what it allows, a request that carries its own credentials
// (no cookies), grants nothing a server-side caller does not have. Every
// answer to a page then carries the CORS headers for its origin, so that
// the page can read catalogued errors and their trace ids; the handler
// refuses a page whose origin its client has not registered (originCheck)
// before it issues or changes anything, so a success is readable only
// from an allowed origin.
func (p *Provider) crossOrigin(methods string, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if cors.Preflight(w, r, methods) {
			return
		}
		cors.Allow(w.Header(), cors.Origin(r, p.origin))
		next(w, r)
	}
}

// originCheck refuses a request from a page whose origin c has not
// registered. A request without Origin (a server-side client) or from
// Lucid's own origin passes. The check reads only c.
func (p *Provider) originCheck(r *http.Request, c *store.Client) *catalog.Error {
	origin := cors.Origin(r, p.origin)
	if origin == "" || cors.Allowed(origin, c.WebOrigins, c.RedirectURIs) {
		return nil
	}
	return originRefused(origin, c.ID, c.WebOrigins)
}

func originRefused(origin, clientID string, registered []string) *catalog.Error {
	text := "it has none"
	switch n := len(registered); {
	case n == 1 && registered[0] == cors.RedirectOrigins:
		text = "it allows only the origins of its redirect URIs"
	case n == 1:
		text = "it has one other"
	case n > 1:
		text = "it has " + strconv.Itoa(n) + " others"
	}
	return catalog.New(catalog.CORSOriginNotAllowed, "origin", catalog.Clip(origin, 200), "client_id", clientID, "registered", text).
		Internal("web_origins", registered)
}

// tokenClientOrigin is originCheck for userinfo, where the client is the
// access token's and must be read; only pages pay for that read.
func (p *Provider) tokenClientOrigin(r *http.Request, clientID string) *catalog.Error {
	origin := cors.Origin(r, p.origin)
	if origin == "" {
		return nil
	}
	c, err := p.store.GetClient(r.Context(), clientID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return originRefused(origin, clientID, nil)
	case err != nil:
		return failure.FromStore(err)
	}
	return p.originCheck(r, c)
}
