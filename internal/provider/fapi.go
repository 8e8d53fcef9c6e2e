package provider

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/dpop"
	"github.com/lucid-auth/lucid/internal/failure"
	"github.com/lucid-auth/lucid/internal/fapi"
	"github.com/lucid-auth/lucid/internal/store"
)

// The FAPI 2.0 Security Profile mode (internal/fapi) at the protocol's
// endpoints. A client is under it by its own registration or because the
// whole server is (fapi2_security_profile); clientauth enforces the
// authentication rules, these functions the rest:
//
//   - authorization endpoint: the request was pushed (fapiParRequired), PKCE
//     (in parseAuthRequest), the code lives at most 60 s (codeLifetime);
//   - pushed authorization request endpoint: redirect_uri is given (in
//     checkAuthorization), request objects and DPoP proofs in the
//     profile's algorithms;
//   - token endpoint: DPoP proofs in the profile's algorithms, and every
//     access token bound to a DPoP key or a certificate (fapiBound);
//     refresh tokens kept, not rotated (token_refresh.go, keepRefresh);
//   - userinfo: DPoP proofs in the profile's algorithms and key sizes
//     (fapiResourceProof);
//   - what Lucid signs for the client (ID tokens, JARM) in an allowed alg.

// fapi reports whether the profile applies to c.
func (p *Provider) fapi(c *store.Client) bool { return fapi.Covers(p.fapi2, c) }

// fapiProofAlg refuses a DPoP proof of a client under the profile signed
// with an algorithm the profile does not allow. It runs before the proof
// is checked, so that a refused proof's jti is not spent.
func (p *Provider) fapiProofAlg(r *http.Request, c *store.Client) *catalog.Error {
	if !p.fapi(c) {
		return nil
	}
	return fapi.CheckProof(c.ID, r.Header.Values(dpop.Header))
}

// fapiResourceProof refuses the DPoP proof presented at userinfo with
// an access token of clientID, when the client is under the profile and
// the proof breaks §5.4.1 (its algorithm, its key's size): per client,
// not only on a server-wide FAPI 2.0 server, whose verifier allows only
// the profile's algorithms anyway. The challenge then names those.
func (p *Provider) fapiResourceProof(r *http.Request, clientID string) *catalog.Error {
	if !p.fapi2 {
		c, err := p.store.GetClient(r.Context(), clientID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			return nil // the token's own checks tell what is wrong
		case err != nil:
			return failure.FromStore(err)
		case !c.FAPI2:
			return nil
		}
	}
	e := fapi.CheckProof(clientID, r.Header.Values(dpop.Header))
	if e != nil {
		e.Algs = strings.Join(fapi.Algs, " ")
	}
	return e
}

// fapiBound refuses a token request of a client under the profile whose
// tokens would be bound to nothing (§5.3.2.1 item 4): it proved no DPoP
// key and has no certificate binding.
func (p *Provider) fapiBound(ctx context.Context, c *store.Client) *catalog.Error {
	if !p.fapi(c) || boundKey(ctx) != "" || certBinding(ctx) != "" {
		return nil
	}
	return catalog.New(catalog.FAPISenderConstraint, "client_id", c.ID)
}

// codeLifetime is how long a code for c lives: lifetimes.code, and at
// most 60 s under the profile (§5.3.2.1 item 11).
func (p *Provider) codeLifetime(c *store.Client) time.Duration {
	if p.fapi(c) {
		return min(p.life.Code, fapi.MaxCodeLifetime)
	}
	return p.life.Code
}

// signingAlg is the algorithm Lucid signs ID tokens and JARM responses
// with for c, which registered alg: under the profile an allowed one.
func (p *Provider) signingAlg(c *store.Client, alg string) string {
	if p.fapi(c) {
		return fapi.SigningAlg(alg)
	}
	return alg
}

// fapiDiscovery narrows the metadata to what the server-wide FAPI 2.0
// mode serves: the profile's authentication methods (mutual TLS ones only
// with mtls.enabled) and algorithms, pushed requests required. Every value
// left is served, every one removed is refused.
func (p *Provider) fapiDiscovery(doc map[string]any) {
	methods := []string{store.AuthPrivateKeyJWT}
	if p.mtls {
		methods = append(methods, store.AuthTLSClient, store.AuthSelfSignedTLS)
	}
	var signs []string
	for _, a := range p.keys.Algs() {
		if fapi.AlgAllowed(a) {
			signs = append(signs, a)
		}
	}
	for _, k := range []string{"token_endpoint", "introspection_endpoint", "revocation_endpoint"} {
		doc[k+"_auth_methods_supported"] = methods
		doc[k+"_auth_signing_alg_values_supported"] = fapi.Algs
	}
	doc["request_object_signing_alg_values_supported"] = fapi.Algs
	doc["dpop_signing_alg_values_supported"] = fapi.Algs
	doc["id_token_signing_alg_values_supported"] = signs
	doc["userinfo_signing_alg_values_supported"] = signs
	doc["authorization_signing_alg_values_supported"] = signs
	doc["require_pushed_authorization_requests"] = true
}
