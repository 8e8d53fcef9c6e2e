package resource

import (
	"context"
	"net/http"
	"strings"

	"github.com/lucid-auth/lucid/internal/bearer"
	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/clientjwt"
	"github.com/lucid-auth/lucid/internal/dpop"
	"github.com/lucid-auth/lucid/internal/fapi"
)

// DPoP (RFC 9449). A token bound to a key (cnf.jkt) is accepted only with
// Authorization: DPoP and a DPoP header holding a proof signed by that
// key, made for this request (htm, htu) and this token (ath), and used
// once. Proof ids are remembered in this process's memory (at most
// dpop.DefaultMemory of them, each for the proof lifetime): a proof
// replayed to another process of the same API is not caught there. An
// unbound token is accepted only as Bearer.

// Confirmation is the cnf claim of a sender-constrained token (RFC 7800).
type Confirmation struct {
	// JKT is the RFC 7638 thumbprint of the token's DPoP key.
	JKT string `json:"jkt,omitempty"`
	// X5tS256 is the base64url SHA-256 of the DER of the certificate the
	// token is bound to (RFC 8705 §3.1).
	X5tS256 string `json:"x5t#S256,omitempty"`
}

// Bound reports whether the token is bound to a DPoP key.
func (c *Claims) Bound() bool { return c.Cnf != nil && c.Cnf.JKT != "" }

// WithPublicURL sets the API's external origin (scheme://host[:port]),
// against which a DPoP proof's htu is compared; without it the request's
// own scheme (TLS or not) and Host are used, which is wrong behind a proxy
// that rewrites either.
func WithPublicURL(origin string) Option {
	return func(v *Verifier) { v.publicURL = strings.TrimSuffix(origin, "/") }
}

// WithFAPI2 holds DPoP proofs to the FAPI 2.0 Security Profile (§5.4.1):
// only PS256, ES256 and EdDSA, with keys of at least 2048 bits (RSA) or
// 224 bits (elliptic curves). A proof that breaks it is refused as
// NameFAPIDPoPProofAlg or NameFAPIDPoPKeySize, before it is verified (its
// jti is not remembered), and the DPoP challenge names only those
// algorithms. Without it every algorithm of dpop.Algs is accepted.
func WithFAPI2() Option { return func(v *Verifier) { v.fapi2 = true } }

// proofAlgs are the algorithms DPoP proofs may be signed with.
func (v *Verifier) proofAlgs() []string {
	if v.fapi2 {
		return fapi.Algs
	}
	return dpop.Algs
}

func (v *Verifier) setupDPoP() {
	v.dpop = &dpop.Checker{
		Verifier: dpop.NewShared(clientjwt.New(nil, v.now), v.proofAlgs()),
		Replay:   dpop.NewMemory(0, v.now),
		Now:      v.now,
	}
}

// requestToken reads the access token of r: Authorization: DPoP, or a
// Bearer token (RFC 6750 §2).
func (v *Verifier) requestToken(w http.ResponseWriter, r *http.Request) (string, bool, *catalog.Error) {
	scheme, value, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if strings.EqualFold(scheme, dpop.Scheme) {
		token := strings.TrimSpace(value)
		if token == "" {
			return "", true, catalog.New(catalog.BearerMissing)
		}
		return token, true, nil
	}
	token, e := bearer.Token(w, r, maxBody)
	return token, false, e
}

// binding checks the token's binding against the request: a bound token
// needs the DPoP scheme and a proof by its key, an unbound one the Bearer
// scheme.
func (v *Verifier) binding(ctx context.Context, r *http.Request, token string, dpopScheme bool, c *Claims) *catalog.Error {
	switch {
	case !dpopScheme && c.Bound():
		return catalog.New(catalog.DPoPTokenAsBearer)
	case !dpopScheme:
		return nil
	case !c.Bound():
		return catalog.New(catalog.DPoPTokenNotBound)
	}
	if v.fapi2 {
		if e := fapi.CheckProof(c.ClientID, r.Header.Values(dpop.Header)); e != nil {
			return e
		}
	}
	proof, e := v.dpop.Check(ctx, dpop.Request{
		Proofs: r.Header.Values(dpop.Header), Method: r.Method, URL: v.requestURL(r),
		AccessToken: token, Required: "a DPoP-bound token needs a proof",
	})
	if e != nil {
		return e
	}
	if proof.JKT != c.Cnf.JKT {
		return catalog.New(catalog.DPoPTokenKeyMismatch).Internal("jkt", proof.JKT, "bound", c.Cnf.JKT)
	}
	return nil
}

// requestURL is the URL of r as the client addressed it, for htu.
func (v *Verifier) requestURL(r *http.Request) string {
	origin := v.publicURL
	if origin == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		origin = scheme + "://" + r.Host
	}
	return origin + r.URL.EscapedPath()
}

// dpopChallenge makes e's challenge DPoP, with the algorithms accepted
// (RFC 9449 §7.1).
func (v *Verifier) dpopChallenge(e *catalog.Error) *catalog.Error {
	e.Algs = strings.Join(v.proofAlgs(), " ")
	return e.WithChallenge(dpop.Scheme)
}

// VerifyRequest checks the access token of r as Require does, DPoP
// included: use it instead of Verify when a token may be DPoP-bound.
func (v *Verifier) VerifyRequest(w http.ResponseWriter, r *http.Request) (*Claims, error) {
	if c, e := v.verifyRequest(w, r); e == nil {
		return c, nil
	} else {
		return nil, newError(e)
	}
}

func (v *Verifier) verifyRequest(w http.ResponseWriter, r *http.Request) (*Claims, *catalog.Error) {
	token, dpopScheme, e := v.requestToken(w, r)
	if e != nil {
		if dpopScheme {
			v.dpopChallenge(e)
		}
		return nil, e
	}
	c, e := v.verify(r.Context(), token)
	if e != nil {
		if dpopScheme && e.Status() < 500 {
			v.dpopChallenge(e)
		}
		return nil, e
	}
	if e := v.binding(r.Context(), r, token, dpopScheme, c); e != nil {
		return c, v.dpopChallenge(e)
	}
	return c, nil
}
