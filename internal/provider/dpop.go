package provider

import (
	"context"
	"net/http"
	"strings"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/dpop"
	"github.com/lucid-auth/lucid/internal/fapi"
	"github.com/lucid-auth/lucid/internal/store"
)

// DPoP (RFC 9449): a client proves possession of a key with a proof on
// each request, and Lucid binds the tokens it issues to that key's
// thumbprint (cnf.jkt). A request that carries a proof is checked and
// bound whatever the settings; dpop.required and the client's
// dpop_bound_access_tokens make the proof mandatory.

// dpopSettings are the DPoP parts of a Provider.
type dpopSettings struct {
	checker  *dpop.Checker
	nonces   *dpop.Nonces
	required bool
	// requireNonce: every proof needs a server nonce (RFC 9449 §8).
	requireNonce bool
}

func (p *Provider) setupDPoP(c config.DPoP) {
	p.dpop.nonces = dpop.NewNonces(p.secrets, c.NonceLifetime)
	p.dpop.required, p.dpop.requireNonce = c.Required, c.RequireNonce
	p.dpop.checker = &dpop.Checker{
		Verifier:     dpop.NewShared(p.jwts, p.dpopAlgs()),
		Replay:       p.store,
		Nonces:       p.dpop.nonces,
		RequireNonce: c.RequireNonce,
		MaxAge:       c.ProofMaxAge,
		Now:          p.now,
	}
}

// dpopAlgs are the algorithms proofs may be signed with: all of dpop.Algs,
// or under the server-wide FAPI 2.0 mode only the profile's (§5.4.1), at
// every endpoint, as dpop_signing_alg_values_supported then says.
func (p *Provider) dpopAlgs() []string {
	if p.fapi2 {
		return fapi.Algs
	}
	return dpop.Algs
}

// proofKey is the context key of the thumbprint a token request proved.
type proofKey struct{}

// boundKey is the thumbprint of the DPoP key the token request proved
// possession of ("" without a proof): every access token minted for the
// request carries it as cnf.jkt.
func boundKey(ctx context.Context) string {
	k, _ := ctx.Value(proofKey{}).(string)
	return k
}

// tokenProof checks the DPoP proof of a token request, and returns the
// context that binds what the grant mints to its key.
func (p *Provider) tokenProof(w http.ResponseWriter, r *http.Request, client *store.Client) (context.Context, *catalog.Error) {
	var required string
	switch {
	case client.DPoPBoundAccessTokens:
		required = "client " + client.ID + " is registered with dpop_bound_access_tokens"
	case p.dpop.required:
		required = "this server requires DPoP for every token request"
	}
	proof, e := p.checkProof(w, r, dpop.Request{Method: r.Method, URL: p.issuer + PathToken, Required: required})
	if e != nil || proof == nil {
		return r.Context(), e
	}
	return context.WithValue(r.Context(), proofKey{}, proof.JKT), nil
}

// checkProof checks the proofs of a request and hands out a nonce where
// the client needs one: with a use_dpop_nonce error, and on every answer
// to a proof while nonces are required, so that clients keep up with the
// rotation (RFC 9449 §8.2).
func (p *Provider) checkProof(w http.ResponseWriter, r *http.Request, req dpop.Request) (*dpop.Proof, *catalog.Error) {
	req.Proofs = r.Header.Values(dpop.Header)
	proof, e := p.dpop.checker.Check(r.Context(), req)
	nonceError := e != nil && (e.Name() == catalog.DPoPNonceRequired || e.Name() == catalog.DPoPNonceStale)
	if nonceError || (p.dpop.requireNonce && len(req.Proofs) > 0) {
		w.Header().Set(dpop.NonceHeader, p.dpop.nonces.Current(p.now()))
	}
	return proof, e
}

// dpopTokenType is the token_type of a token response: DPoP when its
// access token is bound to a key (RFC 9449 §5).
func dpopTokenType(ctx context.Context, resp *tokenResponse) {
	if boundKey(ctx) != "" && resp.TokenType == "Bearer" {
		resp.TokenType = dpop.Scheme
	}
}

// dpopJKTParam reads dpop_jkt, the thumbprint of the key that must redeem
// the code (RFC 9449 §10). The authorization endpoint and PAR share it.
func dpopJKTParam(params map[string]string) (string, *catalog.Error) {
	v, ok := params["dpop_jkt"]
	if !ok {
		return "", nil
	}
	if !dpop.ValidJKT(v) {
		return "", catalog.New(catalog.DPoPJKTMalformed, "length", len(v))
	}
	return v, nil
}

// codeBinding checks a code bound with dpop_jkt against the proof of the
// token request.
func codeBinding(ctx context.Context, code *store.AuthCode) *catalog.Error {
	if code.DPoPJKT == "" {
		return nil
	}
	switch k := boundKey(ctx); {
	case k == "":
		return catalog.New(catalog.DPoPCodeKeyMismatch, "presented", "without a DPoP proof")
	case k != code.DPoPJKT:
		return catalog.New(catalog.DPoPCodeKeyMismatch, "presented", "with a proof signed by another key").Internal("jkt", k, "dpop_jkt", code.DPoPJKT)
	}
	return nil
}

// familyKey is the key a new family's refresh tokens are bound to: that of
// the proof, for a public client (RFC 9449 §5). A confidential client's
// refresh tokens are bound to its authentication instead, so it may move
// to a new key.
func familyKey(ctx context.Context, c *store.Client) string {
	if !c.Public() {
		return ""
	}
	return boundKey(ctx)
}

// refreshBinding checks a refresh of a bound family against the proof.
func refreshBinding(ctx context.Context, c *store.Client, f *store.TokenFamily) *catalog.Error {
	if f.DPoPJKT == "" {
		return nil
	}
	switch k := boundKey(ctx); {
	case k == "":
		return catalog.New(catalog.DPoPRefreshProofMissing, "client_id", c.ID)
	case k != f.DPoPJKT:
		return catalog.New(catalog.DPoPRefreshKeyMismatch, "client_id", c.ID).Internal("jkt", k, "bound", f.DPoPJKT)
	}
	return nil
}

// Confirmation is the cnf claim of a sender-constrained token (RFC 7800):
// bound to a DPoP key, a client certificate, or (both asked for) both.
type Confirmation struct {
	// JKT is the thumbprint of the DPoP key (RFC 9449 §6.1).
	JKT string `json:"jkt,omitempty"`
	// X5tS256 is the thumbprint of the client certificate (RFC 8705 §3.1).
	X5tS256 string `json:"x5t#S256,omitempty"`
}

// confirmation is the cnf of a token bound to jkt and/or x5t; nil when
// it is bound to neither.
func confirmation(jkt, x5t string) *Confirmation {
	if jkt == "" && x5t == "" {
		return nil
	}
	return &Confirmation{JKT: jkt, X5tS256: x5t}
}

// resourceToken reads the access token of a request to Lucid's own
// resource (userinfo) with either scheme: Authorization: DPoP with a proof
// (RFC 9449 §7), or Bearer (RFC 6750) through read. dpopScheme says which.
func resourceToken(r *http.Request) (token string, dpopScheme bool) {
	scheme, value, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if strings.EqualFold(scheme, dpop.Scheme) {
		return strings.TrimSpace(value), true
	}
	return "", false
}

// resourceBinding checks the binding of a token presented to userinfo: a
// bound token only with the DPoP scheme and a proof by its key (with ath),
// an unbound one only as Bearer.
func (p *Provider) resourceBinding(w http.ResponseWriter, r *http.Request, token string, dpopScheme bool, c *AccessClaims) *catalog.Error {
	jkt := ""
	if c.Cnf != nil {
		jkt = c.Cnf.JKT
	}
	switch {
	case !dpopScheme && jkt != "":
		return catalog.New(catalog.DPoPTokenAsBearer)
	case !dpopScheme:
		return nil
	case jkt == "":
		return catalog.New(catalog.DPoPTokenNotBound)
	}
	if e := p.fapiResourceProof(r, c.ClientID); e != nil {
		return e
	}
	proof, e := p.checkProof(w, r, dpop.Request{Method: r.Method, URL: p.issuer + PathUserInfo, AccessToken: token, Required: "a DPoP-bound token needs a proof"})
	if e != nil {
		return e
	}
	if proof.JKT != jkt {
		return catalog.New(catalog.DPoPTokenKeyMismatch).Internal("jkt", proof.JKT, "bound", jkt)
	}
	return nil
}

// dpopChallenge makes e's challenge the DPoP scheme with the algorithms
// Lucid accepts (RFC 9449 §7.1).
func (p *Provider) dpopChallenge(e *catalog.Error) *catalog.Error {
	if e.Algs == "" {
		e.Algs = strings.Join(p.dpopAlgs(), " ")
	}
	return e.WithChallenge(dpop.Scheme)
}
