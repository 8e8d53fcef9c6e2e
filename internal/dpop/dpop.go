// Package dpop checks DPoP proofs (RFC 9449): the JWT a client signs with
// its own key for each request, which binds the tokens it gets to that key.
// The token endpoint and userinfo use it; the JOSE layer of a proof (typ,
// alg, embedded jwk, signature) is behind ProofVerifier, implemented by
// Shared on the one verifier of client-made JWTs (internal/clientjwt).
package dpop

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/clientjwt"
	"github.com/lucid-auth/lucid/internal/store"
)

// Header carries a proof; NonceHeader a server nonce (RFC 9449 §4.1, §8).
const (
	Header      = "DPoP"
	NonceHeader = "DPoP-Nonce"
	// Scheme is the authorization scheme of a DPoP-bound token (§7.1).
	Scheme = "DPoP"
)

// Algs are the asymmetric algorithms a proof may be signed with, in the
// order discovery lists them. Symmetric algorithms and none are never
// allowed: the key is the client's own public key (§4.2).
var Algs = []string{"ES256", "ES384", "ES512", "PS256", "PS384", "PS512", "RS256", "RS384", "RS512", "EdDSA"}

// Defaults of Checker.
const (
	// DefaultMaxAge is how old a proof's iat may be; its jti is remembered
	// that long (plus the skew), so a replay is always caught.
	DefaultMaxAge = 5 * time.Minute
	// DefaultSkew is how far ahead of this clock a proof's iat may be.
	DefaultSkew = time.Minute
	// maxProof bounds the proof's size; an honest one is well under 2 KB.
	maxProof = 8 << 10
	maxJTI   = 256
)

// Claims are the claims of a proof (§4.2).
type Claims struct {
	JTI   string `json:"jti"`
	HTM   string `json:"htm"`
	HTU   string `json:"htu"`
	IAT   *int64 `json:"iat"`
	Nonce string `json:"nonce,omitempty"`
	ATH   string `json:"ath,omitempty"`
}

// Proof is a proof that passed every check.
type Proof struct {
	// JKT is the RFC 7638 SHA-256 thumbprint of the proof's key, the
	// value of cnf.jkt in the tokens it binds.
	JKT    string
	Claims Claims
}

// ProofVerifier checks the JOSE layer of a proof: a compact JWS whose typ
// is dpop+jwt, whose alg is asymmetric and allowed, whose header embeds a
// public jwk (no private members), and whose signature that key verifies.
// It returns the payload and the key's thumbprint.
type ProofVerifier interface {
	Verify(ctx context.Context, proof string) (claims map[string]json.RawMessage, jkt string, e *catalog.Error)
}

// Replay remembers proof ids: store.Store, across replicas.
type Replay interface {
	UseJTI(ctx context.Context, issuer, jti string, expiresAt time.Time) error
}

// Checker checks the proofs of one endpoint's requests.
type Checker struct {
	Verifier ProofVerifier
	Replay   Replay
	// Nonces, when set, are the server nonces a proof's nonce is checked
	// against; RequireNonce refuses a proof without one.
	Nonces       *Nonces
	RequireNonce bool
	MaxAge, Skew time.Duration
	Now          func() time.Time
}

// Request is what a proof must match.
type Request struct {
	// Proofs are the values of the DPoP header of the request.
	Proofs []string
	// Method and URL are the request's; URL is the endpoint's public URL.
	Method, URL string
	// AccessToken is the token presented with the proof (userinfo), whose
	// hash the proof must carry in ath; empty at the token endpoint.
	AccessToken string
	// Required: a request without a proof is refused (why, for the entry).
	Required string
}

// Check checks the proof of a request. It returns nil, nil when there is
// none and none is required.
func (c *Checker) Check(ctx context.Context, req Request) (*Proof, *catalog.Error) {
	switch {
	case len(req.Proofs) == 0 && req.Required != "":
		return nil, catalog.New(catalog.DPoPProofMissing, "reason", req.Required)
	case len(req.Proofs) == 0:
		return nil, nil
	case len(req.Proofs) > 1:
		return nil, catalog.New(catalog.DPoPProofRepeated, "count", len(req.Proofs))
	}
	claims, jkt, e := c.Verifier.Verify(ctx, req.Proofs[0])
	if e != nil {
		return nil, e
	}
	cl, e := readClaims(claims)
	if e != nil {
		return nil, e
	}
	switch {
	case cl.JTI == "":
		return nil, catalog.New(catalog.DPoPProofClaims, "claim", "jti", "reason", "it is missing")
	case len(cl.JTI) > maxJTI:
		return nil, catalog.New(catalog.DPoPProofClaims, "claim", "jti", "reason", "it is longer than 256 characters")
	case cl.HTM == "":
		return nil, catalog.New(catalog.DPoPProofClaims, "claim", "htm", "reason", "it is missing")
	case cl.HTU == "":
		return nil, catalog.New(catalog.DPoPProofClaims, "claim", "htu", "reason", "it is missing")
	case cl.IAT == nil:
		return nil, catalog.New(catalog.DPoPProofClaims, "claim", "iat", "reason", "it is missing")
	}
	if cl.HTM != req.Method {
		return nil, catalog.New(catalog.DPoPProofMethod, "htm", cl.HTM, "method", req.Method)
	}
	if e := matchURL(cl.HTU, req.URL); e != nil {
		return nil, e
	}
	now := c.now()
	iat := time.Unix(*cl.IAT, 0)
	maxAge, skew := c.limits()
	if iat.After(now.Add(skew)) {
		return nil, catalog.New(catalog.DPoPProofFuture, "ahead", iat.Sub(now).Round(time.Second), "skew", skew)
	}
	if now.Sub(iat) > maxAge {
		return nil, catalog.New(catalog.DPoPProofTooOld, "age", now.Sub(iat).Round(time.Second), "max_age", maxAge)
	}
	if c.Nonces != nil {
		switch {
		case cl.Nonce == "" && c.RequireNonce:
			return nil, catalog.New(catalog.DPoPNonceRequired)
		case cl.Nonce != "" && !c.Nonces.Valid(cl.Nonce, now):
			return nil, catalog.New(catalog.DPoPNonceStale, "lifetime", c.Nonces.window)
		}
	}
	if req.AccessToken != "" {
		if cl.ATH == "" {
			return nil, catalog.New(catalog.DPoPProofATHMissing)
		}
		if subtle.ConstantTimeCompare([]byte(cl.ATH), []byte(TokenHash(req.AccessToken))) != 1 {
			return nil, catalog.New(catalog.DPoPProofATHMismatch)
		}
	}
	// Last, so that a proof refused for another reason can be fixed and
	// sent again: the key scopes the id, so clients cannot collide.
	err := c.Replay.UseJTI(ctx, "dpop:"+jkt, cl.JTI, iat.Add(maxAge+skew))
	switch {
	case errors.Is(err, store.ErrAlreadyUsed):
		return nil, catalog.New(catalog.DPoPProofReused, "issued_at", iat)
	case err != nil:
		return nil, catalog.New(catalog.StorageUnavailable).Wrap(err)
	}
	return &Proof{JKT: jkt, Claims: cl}, nil
}

// matchURL checks a proof's htu against the request's URL, compared as
// NormalizeURL makes them.
func matchURL(htu, reqURL string) *catalog.Error {
	want := NormalizeURL(reqURL)
	got := want // a client usually sends the URL as it is: one parse
	if htu != reqURL {
		got = NormalizeURL(htu)
	}
	if got == "" || got != want {
		return catalog.New(catalog.DPoPProofURL, "htu", htu, "url", want)
	}
	return nil
}

// readClaims reads a proof's claims, naming the one that has the wrong type.
func readClaims(raw map[string]json.RawMessage) (Claims, *catalog.Error) {
	if raw == nil {
		return Claims{}, catalog.New(catalog.DPoPProofClaims, "claim", "claim set", "reason", "the payload is not a JSON object")
	}
	var cl Claims
	for _, f := range []struct {
		name string
		dst  *string
	}{{"jti", &cl.JTI}, {"htm", &cl.HTM}, {"htu", &cl.HTU}, {"nonce", &cl.Nonce}, {"ath", &cl.ATH}} {
		if v, ok := raw[f.name]; ok && clientjwt.UnmarshalString(v, f.dst) != nil {
			return Claims{}, catalog.New(catalog.DPoPProofClaims, "claim", f.name, "reason", "it is not a string")
		}
	}
	if v, ok := raw["iat"]; ok && !clientjwt.IsNull(v) {
		var iat int64
		if clientjwt.UnmarshalInt64(v, &iat) != nil {
			return Claims{}, catalog.New(catalog.DPoPProofClaims, "claim", "iat", "reason", "it is not a whole number of seconds since the epoch")
		}
		cl.IAT = &iat
	}
	return cl, nil
}

func (c *Checker) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Checker) limits() (time.Duration, time.Duration) {
	maxAge, skew := c.MaxAge, c.Skew
	if maxAge <= 0 {
		maxAge = DefaultMaxAge
	}
	if skew <= 0 {
		skew = DefaultSkew
	}
	return maxAge, skew
}

// TokenHash is the ath of a proof sent with token: base64url SHA-256 (§4.2).
func TokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// NormalizeURL is an htu as RFC 9449 §4.3 compares it: without query and
// fragment, scheme and host lower-cased, the default port dropped, an
// empty path made "/" (RFC 3986 §6.2.2, §6.2.3). "" when it is no absolute
// http(s) URL.
func NormalizeURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return ""
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return ""
	}
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	return scheme + "://" + host + path
}
