package provider

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/granttype"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/trace"
)

// tokenRequest is an authenticated token request, handed to one grant.
type tokenRequest struct {
	client *store.Client
	params map[string]string
	// resources are the RFC 8707 resource parameters, which may repeat.
	resources []string
	// audiences are the RFC 8693 audience parameters, which may repeat.
	audiences []string
}

// tokenResponse is RFC 6749 §5.1 plus the OIDC id_token.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	Scope        string `json:"scope,omitempty"`
	RefreshToken string `json:"refresh_token,omitempty"`
	IDToken      string `json:"id_token,omitempty"`
	// IssuedTokenType is set by token exchange (RFC 8693 §2.2.1).
	IssuedTokenType string `json:"issued_token_type,omitempty"`
	// RefreshTokenWithheld names the catalog entry that says why a code
	// exchange's answer holds no refresh token (Lucid's extension).
	RefreshTokenWithheld catalog.Name `json:"refresh_token_withheld,omitempty"`
	// AuthorizationDetails are those the access token carries (RFC 9396 §7).
	AuthorizationDetails json.RawMessage `json:"authorization_details,omitempty"`
}

// queryForbidden are parameters that must never travel in a URL, where
// proxies and access logs keep them.
var queryForbidden = []string{"client_secret", "code", "code_verifier", "refresh_token", "password", "client_assertion", "subject_token", "actor_token", "assertion"}

// postForm reads the form POST of a back-channel endpoint (token,
// introspection, revocation): the method, no secret in the query (nor any
// of also), the form itself, every parameter once. On a failure it has
// answered and returns false.
func (p *Provider) postForm(w http.ResponseWriter, r *http.Request, endpoint catalog.Endpoint, also ...string) (map[string]string, bool) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		p.fail(w, r, endpoint, "", catalog.New(catalog.MethodNotAllowed, "allowed", "POST", "method", r.Method))
		return nil, false
	}
	q := r.URL.Query()
	for _, k := range append(queryForbidden, also...) {
		if q.Has(k) {
			p.fail(w, r, endpoint, "", catalog.New(catalog.SecretInQuery, "parameter", k))
			return nil, false
		}
	}
	if e := readForm(w, r); e != nil {
		p.fail(w, r, endpoint, "", e)
		return nil, false
	}
	params, e := single(r.PostForm)
	if e != nil {
		p.fail(w, r, endpoint, "", e)
		return nil, false
	}
	return params, true
}

// handleToken is the token endpoint (RFC 6749 §3.2).
func (p *Provider) handleToken(w http.ResponseWriter, r *http.Request) {
	params, ok := p.postForm(w, r, catalog.Token)
	if !ok {
		return
	}
	gt := params["grant_type"]
	if gt == "" {
		p.fail(w, r, catalog.Token, "", catalog.New(catalog.GrantTypeMissing, "supported", strings.Join(granttype.Strings(), ", ")))
		return
	}
	handler, ok := p.grants[granttype.Type(gt)]
	if !ok {
		p.fail(w, r, catalog.Token, "", catalog.New(catalog.GrantTypeUnsupported, "grant_type", gt, "supported", strings.Join(granttype.Strings(), ", ")))
		return
	}
	ctx := r.Context()
	client, method, e := p.clients.Authenticate(ctx, r, r.PostForm)
	if e != nil {
		p.fail(w, r, catalog.Token, claimedClient(r), e)
		return
	}
	if e := p.originCheck(r, client); e != nil {
		p.fail(w, r, catalog.Token, client.ID, e)
		return
	}
	if !contains(client.GrantTypes, gt) {
		allowed := append([]string(nil), client.GrantTypes...)
		sort.Strings(allowed)
		p.fail(w, r, catalog.Token, client.ID, catalog.New(catalog.GrantTypeNotAllowed, "client_id", client.ID, "grant_type", gt, "allowed", strings.Join(allowed, ", ")))
		return
	}
	if e := p.fapiProofAlg(r, client); e != nil {
		p.fail(w, r, catalog.Token, client.ID, e)
		return
	}
	ctx, e = p.tokenProof(w, r, client)
	if e != nil {
		p.fail(w, r, catalog.Token, client.ID, e)
		return
	}
	thumb, e := p.bindingFor(ctx, client, method)
	if e != nil {
		p.fail(w, r, catalog.Token, client.ID, e)
		return
	}
	if thumb != "" {
		ctx = withCertBinding(ctx, thumb)
	}
	if e := p.fapiBound(ctx, client); e != nil {
		p.fail(w, r, catalog.Token, client.ID, e)
		return
	}
	if e := detailsGrantUnsupported(gt, params); e != nil {
		p.fail(w, r, catalog.Token, client.ID, e)
		return
	}
	resp, e := handler(ctx, &tokenRequest{client: client, params: params, resources: r.PostForm["resource"], audiences: r.PostForm["audience"]})
	if e != nil {
		p.failGrant(w, r, client.ID, e)
		return
	}
	dpopTokenType(ctx, resp)
	p.noteWithheld(r, client, resp)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	if err := json.NewEncoder(w).Encode(resp); err != nil {
		p.log.WarnContext(ctx, "writing token response", "trace_id", trace.ID(ctx), "err", err)
	}
}
