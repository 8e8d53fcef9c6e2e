package provider

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/dpop"
	"github.com/lucid-auth/lucid/internal/failure"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/trace"
)

// PathPAR is the pushed authorization request endpoint (RFC 9126).
const PathPAR = "/par"

// requestURIPrefix starts every request_uri the PAR endpoint issues
// (RFC 9126 §2.2); a random reference follows, whose SHA-256 keys the
// stored request.
const requestURIPrefix = "urn:ietf:params:oauth:request_uri:"

// maxRef bounds the reference looked up: a longer one was never issued.
const maxRef = 64

// clientCredentials are the parameters that authenticate the client at the
// push; they are never stored with the pushed request.
var clientCredentials = []string{"client_secret", "client_assertion", "client_assertion_type"}

// parResponse is RFC 9126 §2.2.
type parResponse struct {
	RequestURI string `json:"request_uri"`
	ExpiresIn  int64  `json:"expires_in"`
}

// handlePAR is the pushed authorization request endpoint (RFC 9126 §2):
// the client authenticates as at the token endpoint, the request is
// checked as the authorization endpoint checks it (checkAuthorization),
// failures are JSON, and the answer is a short-lived, single-use
// request_uri for this client only.
func (p *Provider) handlePAR(w http.ResponseWriter, r *http.Request) {
	if _, ok := p.postForm(w, r, catalog.PAR); !ok {
		return
	}
	ctx := r.Context()
	client, _, e := p.clients.Authenticate(ctx, r, r.PostForm)
	if e != nil {
		p.fail(w, r, catalog.PAR, claimedClient(r), e)
		return
	}
	if r.PostForm.Has("request_uri") {
		p.fail(w, r, catalog.PAR, client.ID, catalog.New(catalog.PARRequestURIPushed))
		return
	}
	var raw url.Values
	if r.PostForm.Has("request") {
		// A request object (RFC 9126 §3, RFC 9101): verified as at the
		// authorization endpoint, and only its parameters count.
		if raw, e = p.requestObjectParams(ctx, client, r.PostForm); e != nil {
			p.fail(w, r, catalog.PAR, client.ID, e)
			return
		}
	} else {
		raw = make(url.Values, len(r.PostForm))
		for k, v := range r.PostForm {
			raw[k] = v
		}
		for _, k := range clientCredentials {
			delete(raw, k)
		}
	}
	// A DPoP proof with the push binds the code to its key, as dpop_jkt
	// does; with both, they must name the same key (RFC 9449 §10.1).
	if e := p.fapiProofAlg(r, client); e != nil {
		p.fail(w, r, catalog.PAR, client.ID, e)
		return
	}
	proof, e := p.checkProof(w, r, dpop.Request{Method: r.Method, URL: p.issuer + PathPAR})
	if e != nil {
		p.fail(w, r, catalog.PAR, client.ID, e)
		return
	}
	if proof != nil {
		if jkt := raw.Get("dpop_jkt"); jkt != "" && jkt != proof.JKT {
			p.fail(w, r, catalog.PAR, client.ID, catalog.New(catalog.DPoPJKTProofMismatch, "jkt", jkt, "proof_jkt", proof.JKT))
			return
		}
		raw.Set("dpop_jkt", proof.JKT)
	}
	// The authenticated client is the request's client, whether or not
	// the form named it (clientauth checked that a named one matches).
	raw.Set("client_id", client.ID)
	if _, e, _ := p.checkAuthorization(r, raw, true); e != nil {
		p.fail(w, r, catalog.PAR, client.ID, e)
		return
	}
	ref := secret.Token(32)
	now := p.now()
	pr := &store.PushedRequest{Hash: secret.Hash(ref), ClientID: client.ID, Params: raw, CreatedAt: now, ExpiresAt: now.Add(p.life.PushedRequest)}
	if err := p.store.CreatePushedRequest(ctx, pr); err != nil {
		p.fail(w, r, catalog.PAR, client.ID, failure.FromStore(err))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusCreated)
	resp := parResponse{RequestURI: requestURIPrefix + ref, ExpiresIn: int64(p.life.PushedRequest / time.Second)}
	if err := json.NewEncoder(w).Encode(resp); err != nil {
		p.log.WarnContext(ctx, "writing pushed authorization response", "trace_id", trace.ID(ctx), "err", err)
	}
}

// pushedRef returns the reference of a request_uri issued by the PAR
// endpoint; ours is false when the request has none of that form (a
// request_uri from elsewhere is refused later, by parseAuthRequest).
func pushedRef(raw url.Values) (ref string, ours bool) {
	return strings.CutPrefix(raw.Get("request_uri"), requestURIPrefix)
}

// pushedParams spends the pushed request behind ref for the client_id of
// the authorization request and returns its parameters. Nothing of it is
// trusted yet: every failure is a page.
func (p *Provider) pushedParams(r *http.Request, raw url.Values, ref string) (url.Values, *catalog.Error) {
	for _, k := range []string{"client_id", "request_uri"} {
		if len(raw[k]) > 1 {
			return nil, catalog.New(catalog.ParameterDuplicated, "parameter", k)
		}
	}
	clientID := raw.Get("client_id")
	if clientID == "" {
		return nil, catalog.New(catalog.AuthorizeClientIDMissing)
	}
	uri := raw.Get("request_uri")
	if ref == "" || len(ref) > maxRef {
		return nil, catalog.New(catalog.PARRequestURIUnknown, "request_uri", uri)
	}
	now := p.now()
	pr, err := p.store.ConsumePushedRequest(r.Context(), secret.Hash(ref), clientID, now)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, catalog.New(catalog.PARRequestURIUnknown, "request_uri", uri)
	case errors.Is(err, store.ErrAlreadyUsed):
		// Another client's is refused before anything is said about it.
		if pr.ClientID != clientID {
			return nil, catalog.New(catalog.PARRequestURIOtherClient, "client_id", clientID).Internal("pushed_by", pr.ClientID)
		}
		if !now.Before(pr.ExpiresAt) {
			return nil, catalog.New(catalog.PARRequestURIExpired, "ago", now.Sub(pr.ExpiresAt).Round(time.Second), "lifetime", pr.ExpiresAt.Sub(pr.CreatedAt).Round(time.Second))
		}
		var ago time.Duration
		if pr.UsedAt != nil {
			ago = now.Sub(*pr.UsedAt).Round(time.Second)
		}
		return nil, catalog.New(catalog.PARRequestURIUsed, "ago", ago)
	case err != nil:
		return nil, failure.FromStore(err)
	}
	return url.Values(pr.Params), nil
}

// parRequired refuses an authorization request that was not pushed when
// the server or the client requires pushing (RFC 9126 §5, §6).
func (p *Provider) parRequired(client *store.Client, pushed bool) *catalog.Error {
	switch {
	case pushed:
		return nil
	case p.fapi(client):
		// FAPI 2.0 §5.3.2.2 item 3, named as the profile's rule.
		return catalog.New(catalog.FAPIPARRequired, "client_id", client.ID)
	case p.requirePAR:
		return catalog.New(catalog.PARRequiredByServer)
	case client.RequirePAR:
		return catalog.New(catalog.PARRequiredByClient, "client_id", client.ID)
	}
	return nil
}
