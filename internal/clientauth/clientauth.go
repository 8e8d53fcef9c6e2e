// Package clientauth identifies and authenticates the client of a request to
// the token, introspection and revocation endpoints (RFC 6749 §2.3, RFC 7523
// §2.2, OIDC Core §9).
//
// Policy decisions:
//   - The registered token_endpoint_auth_method is enforced exactly:
//     client_secret_basic and client_secret_post are distinct methods, as
//     OIDC Core §9 and RFC 7591 §2 describe them. An empty registered method
//     means client_secret_basic, the RFC 7591 default.
//   - A body parameter sent without a value counts as absent (RFC 6749 §3.1).
//   - A public client may send Authorization: Basic with an empty secret (some
//     libraries do); that only identifies it, as client_id would.
//   - A client assertion is checked by the client JWT verifier
//     (internal/clientjwt): iat/nbf at most ClockSkew ahead of the server
//     clock (checked first, so a fast clock is named as such), a lifetime
//     of at most MaxAssertionLifetime counted from iat, exp honoured with
//     the same skew, its jti remembered until exp+ClockSkew.
//   - A presented secret is told apart from a live one as: whitespace
//     around a live one, an expired or retired one, or a secret's id
//     (secretcheck.go); a client that signs with keys has no secret, so
//     any secret it sends is answered as such without a comparison.
//   - Inline jwks wins over jwks_uri when a client somehow has both.
package clientauth

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lucid-auth/lucid/internal/access"
	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/clientcert"
	"github.com/lucid-auth/lucid/internal/clientjwt"
	"github.com/lucid-auth/lucid/internal/failure"
	"github.com/lucid-auth/lucid/internal/fapi"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
)

// Defaults; see the package comment.
const (
	MaxAssertionLifetime = 10 * time.Minute
	ClockSkew            = clientjwt.ClockSkew

	DefaultJWKSTTL        = 10 * time.Minute
	DefaultJWKSMinRefresh = 30 * time.Second
	DefaultFetchTimeout   = 5 * time.Second
)

// credentialParams are the body parameters that carry client credentials.
var credentialParams = []string{"client_id", "client_secret", "client_assertion_type", "client_assertion"}

// Authenticator authenticates clients. It is safe for concurrent use.
type Authenticator struct {
	store         store.Store
	keys          *secret.Keys
	issuer        string
	tokenEndpoint string
	parEndpoint   string

	now  func() time.Time
	http *http.Client
	// wrapTransport, if set, wraps http's transport (tracing).
	wrapTransport func(http.RoundTripper) http.RoundTripper
	// localKeys allows key set fetches over http and to local addresses
	// (development); strictAud accepts only the issuer as an assertion's
	// audience, not the token endpoint URL.
	localKeys bool
	strictAud bool
	// fapi2 puts every client under the FAPI 2.0 Security Profile
	// (internal/fapi); otherwise only those registered for it.
	fapi2          bool
	jwksTTL        time.Duration
	jwksMinRefresh time.Duration
	fetchTimeout   time.Duration
	jwks           jwksCache
	verifier       *clientjwt.Verifier
	// inline caches parsed registered JWK sets by their JSON: parsing
	// keys is a large share of a private_key_jwt request, and a client's
	// set changes only with its registration (a new text, a new entry).
	inline      sync.Map // string -> *keySet
	inlineCount atomic.Int64
	// clientCAs are the roots of tls_client_auth certificates (mtls.go);
	// verified remembers chains that verified against them.
	clientCAs *x509.CertPool
	verified  verifiedChains
}

// Option configures an Authenticator.
type Option func(*Authenticator)

// WithClock sets the clock (tests, or a server-wide clock).
func WithClock(now func() time.Time) Option { return func(a *Authenticator) { a.now = now } }

// WithTransport wraps the transport of the key set fetcher (tracing).
func WithTransport(wrap func(http.RoundTripper) http.RoundTripper) Option {
	return func(a *Authenticator) { a.wrapTransport = wrap }
}

// WithHTTPClient sets the client used to fetch jwks_uri, in place of the
// one that refuses local addresses (tests).
func WithHTTPClient(c *http.Client) Option { return func(a *Authenticator) { a.http = c } }

// WithLocalKeySets allows key sets to be fetched over plain http and from
// loopback, private, link-local and unique-local addresses: for
// development and tests only, since anyone who may register a client
// could then make Lucid reach its own network.
func WithLocalKeySets(allow bool) Option { return func(a *Authenticator) { a.localKeys = allow } }

// WithStrictAudience accepts only the issuer as the audience of a client
// assertion or a JWT bearer assertion, not the token endpoint URL (FAPI 2.0).
func WithStrictAudience(strict bool) Option { return func(a *Authenticator) { a.strictAud = strict } }

// WithFAPI2 puts every client under the FAPI 2.0 Security Profile: only
// its methods and algorithms, and the issuer alone as audience.
func WithFAPI2(on bool) Option { return func(a *Authenticator) { a.fapi2 = on } }

// FAPI2 reports whether the FAPI 2.0 Security Profile applies to c.
func (a *Authenticator) FAPI2(c *store.Client) bool { return fapi.Covers(a.fapi2, c) }

// WithPAREndpoint adds the pushed authorization request endpoint's URL to
// the audiences an assertion may name (outside the strict setting), as
// RFC 9126 §2 asks: a client authenticating at /par may name it.
func WithPAREndpoint(url string) Option { return func(a *Authenticator) { a.parEndpoint = url } }

// New returns an Authenticator. issuer and tokenEndpoint are the audiences
// a client assertion may name.
func New(st store.Store, sk *secret.Keys, issuer, tokenEndpoint string, opts ...Option) *Authenticator {
	a := &Authenticator{
		store:          st,
		keys:           sk,
		issuer:         issuer,
		tokenEndpoint:  tokenEndpoint,
		now:            time.Now,
		jwksTTL:        DefaultJWKSTTL,
		jwksMinRefresh: DefaultJWKSMinRefresh,
		fetchTimeout:   DefaultFetchTimeout,
		jwks:           jwksCache{entries: make(map[string]*jwksEntry)},
	}
	for _, o := range opts {
		o(a)
	}
	a.verifier = clientjwt.New(st, a.now)
	if a.http == nil {
		var refuse func(netip.Addr) bool
		if !a.localKeys {
			refuse = LocalAddress
		}
		a.http = newFetchClient(a.fetchTimeout, refuse, a.localKeys)
	}
	if a.wrapTransport != nil {
		c := *a.http
		c.Transport = a.wrapTransport(c.Transport)
		a.http = &c
	}
	return a
}

// presented is what the request offers to identify its client.
type presented struct {
	basicUsed   bool
	basic       basicCredentials
	otherScheme string // a non-Basic Authorization scheme, ignored here

	formID        string
	formSecret    string
	assertionType string
	assertion     string

	cert *clientcert.Presented // the TLS client certificate, if any
}

// Authenticate identifies and authenticates the client of a form request
// whose body has already been parsed into form (r.PostForm). It returns the
// client and the method used (a store.Auth* constant), or a *catalog.Error;
// when the client used Basic, the error carries the Basic challenge.
func (a *Authenticator) Authenticate(ctx context.Context, r *http.Request, form url.Values) (*store.Client, string, *catalog.Error) {
	p, e := readPresented(r, form)
	if e == nil {
		var c *store.Client
		var method string
		c, method, e = a.authenticate(ctx, p)
		if e == nil && a.FAPI2(c) {
			// A client under the profile that authenticated otherwise
			// (registered before the server went under it, say).
			e = fapi.CheckAuthMethod(c.ID, method)
		}
		if e == nil {
			access.SetClient(ctx, c.ID)
			return c, method, nil
		}
	}
	if p.basicUsed {
		e = e.WithChallenge("Basic")
	}
	return nil, "", e
}

// readPresented collects the credentials of a request without judging them
// beyond their syntax.
func readPresented(r *http.Request, form url.Values) (presented, *catalog.Error) {
	var p presented
	auth := r.Header.Values("Authorization")
	for _, v := range auth {
		if s, _ := splitAuthorization(v); strings.EqualFold(s, "Basic") {
			p.basicUsed = true
		}
	}
	if len(auth) > 1 {
		return p, catalog.New(catalog.ClientBasicMalformed, "reason", fmt.Sprintf("the request has %d Authorization headers; send one", len(auth)))
	}
	if len(auth) == 1 {
		scheme, rest := splitAuthorization(auth[0])
		if p.basicUsed {
			creds, reason := parseBasic(rest)
			if reason != "" {
				return p, catalog.New(catalog.ClientBasicMalformed, "reason", reason)
			}
			p.basic = creds
		} else {
			p.otherScheme = scheme
		}
	}
	for _, k := range credentialParams {
		if len(form[k]) > 1 {
			return p, catalog.New(catalog.ParameterDuplicated, "parameter", k)
		}
	}
	p.formID = form.Get("client_id")
	p.formSecret = form.Get("client_secret")
	p.assertionType = form.Get("client_assertion_type")
	p.assertion = form.Get("client_assertion")
	p.cert = clientcert.From(r.Context())
	if p.cert != nil && p.cert.Err != nil {
		return p, p.cert.Err
	}
	return p, nil
}

func (a *Authenticator) authenticate(ctx context.Context, p presented) (*store.Client, string, *catalog.Error) {
	var used []string
	if p.basicUsed {
		used = append(used, store.AuthSecretBasic)
	}
	if p.formSecret != "" {
		used = append(used, store.AuthSecretPost)
	}
	if p.assertionType != "" || p.assertion != "" {
		used = append(used, "a client assertion")
	}
	if len(used) > 1 {
		return nil, "", catalog.New(catalog.ClientCredentialsTwice, "methods", strings.Join(used, " and "))
	}
	switch {
	case p.basicUsed:
		return a.secretClient(ctx, p.basic.ID, p.formID, p.basic.Secret, store.AuthSecretBasic)
	case p.formSecret != "":
		if p.formID == "" {
			return nil, "", catalog.New(catalog.ParameterMissing, "parameter", "client_id")
		}
		return a.secretClient(ctx, p.formID, "", p.formSecret, store.AuthSecretPost)
	case p.assertionType != "" || p.assertion != "":
		return a.assertionClient(ctx, p)
	}
	if p.formID == "" {
		e := catalog.New(catalog.ClientNotIdentified)
		if p.otherScheme != "" {
			e = e.Internal("authorization_scheme", p.otherScheme)
		}
		return nil, "", e
	}
	c, e := a.client(ctx, p.formID)
	if e != nil {
		return nil, "", e
	}
	if MTLSMethod(c.TokenEndpointAuthMethod) {
		return a.mtlsClient(ctx, c, p.cert)
	}
	if !c.Public() {
		e := catalog.New(catalog.ClientCredentialsMissing, "client_id", c.ID, "method", registered(c))
		if p.otherScheme != "" {
			e = e.Internal("authorization_scheme", p.otherScheme)
		}
		return nil, "", e
	}
	return c, store.AuthNone, nil
}

// registered is the client's token endpoint auth method, defaulted.
func registered(c *store.Client) string {
	if c.TokenEndpointAuthMethod == "" {
		return store.AuthSecretBasic
	}
	return c.TokenEndpointAuthMethod
}

func (a *Authenticator) client(ctx context.Context, id string) (*store.Client, *catalog.Error) {
	c, err := a.store.GetClient(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, catalog.New(catalog.ClientUnknown, "client_id", id)
	}
	if err != nil {
		return nil, failure.FromStore(err)
	}
	if c.Disabled {
		return nil, catalog.New(catalog.ClientDisabled, "client_id", c.ID)
	}
	return c, nil
}

// secretClient authenticates with a client secret sent by method. bodyID is
// a client_id also sent in the body, which must agree.
func (a *Authenticator) secretClient(ctx context.Context, id, bodyID, sec, method string) (*store.Client, string, *catalog.Error) {
	if bodyID != "" && bodyID != id {
		return nil, "", catalog.New(catalog.ClientIDMismatch, "given", bodyID, "client_id", id)
	}
	c, e := a.client(ctx, id)
	if e != nil {
		return nil, "", e
	}
	if c.Public() {
		if sec == "" && method == store.AuthSecretBasic {
			return c, store.AuthNone, nil
		}
		return nil, "", catalog.New(catalog.ClientPublicSecret, "client_id", c.ID)
	}
	reg := registered(c)
	if reg == store.AuthPrivateKeyJWT {
		// It has no secret to compare with: the answer does not depend on
		// what was sent.
		return nil, "", catalog.New(catalog.ClientSecretForKeyClient, "client_id", c.ID, "used", "a client secret ("+method+")")
	}
	if reg != method {
		return nil, "", catalog.New(catalog.ClientAuthMethodMismatch, "client_id", c.ID, "registered", reg, "used", method)
	}
	if e := a.checkSecret(c, sec); e != nil {
		return nil, "", e
	}
	return c, method, nil
}

// checkSecret compares sec with every secret of c, expired or not, and
// with the hashes of its retired secrets; see secretcheck.go.
func (a *Authenticator) checkSecret(c *store.Client, sec string) *catalog.Error {
	return judgeSecret(a.keys, c, sec, a.now())
}

// assertionClient authenticates with private_key_jwt or client_secret_jwt
// (RFC 7523 §2.2, §3; OIDC Core §9), told apart by the assertion's alg.
// Claims beyond iss and sub are judged only after the signature verifies,
// so a forger learns nothing but that the signature is wrong.
func (a *Authenticator) assertionClient(ctx context.Context, p presented) (*store.Client, string, *catalog.Error) {
	method := store.AuthPrivateKeyJWT
	switch {
	case p.assertionType == "":
		return nil, "", catalog.New(catalog.ParameterMissing, "parameter", "client_assertion_type")
	case p.assertionType != AssertionType:
		return nil, "", catalog.New(catalog.AssertionTypeInvalid, "value", p.assertionType)
	case p.assertion == "":
		return nil, "", catalog.New(catalog.ParameterMissing, "parameter", "client_assertion")
	}
	as, e := parseAssertion(p.assertion)
	if e != nil {
		return nil, "", e
	}

	id := p.formID
	if id == "" {
		id = as.Sub
	}
	if id == "" || as.Iss != id || as.Sub != id {
		if p.formID != "" && as.Sub != "" && as.Iss == as.Sub {
			return nil, "", catalog.New(catalog.ClientIDMismatch, "given", p.formID, "client_id", as.Sub)
		}
		// Without a client_id parameter nothing says which client is
		// meant: neither claim may be presented as "the client_id".
		rule := "both must be the client's client_id, and here they are not the same"
		if p.formID != "" {
			rule = "both must equal the client_id parameter, " + p.formID
		} else if as.Iss == "" || as.Sub == "" {
			rule = "both must be the client's client_id"
		}
		return nil, "", catalog.New(catalog.AssertionIssuerMismatch, "iss", orMissing(as.Iss), "sub", orMissing(as.Sub), "rule", rule)
	}

	c, e := a.client(ctx, id)
	if e != nil {
		return nil, "", e
	}
	_, hmac := clientjwt.HMACKeySize(as.Alg)
	if hmac {
		method = store.AuthSecretJWT
	}
	reg := registered(c)
	if hmac && reg == store.AuthPrivateKeyJWT {
		return nil, "", catalog.New(catalog.ClientSecretForKeyClient, "client_id", c.ID, "used", "an assertion signed with a shared secret ("+as.Alg+", client_secret_jwt)")
	}
	if reg != method {
		return nil, "", catalog.New(catalog.ClientAuthMethodMismatch, "client_id", c.ID, "registered", reg, "used", method)
	}
	if a.FAPI2(c) {
		// Before the signature is checked and the jti spent: the assertion
		// is refused whatever it says.
		if e := fapi.CheckAuthMethod(c.ID, method); e != nil {
			return nil, "", e
		}
		if e := fapi.CheckAssertionAlg(c.ID, as.Alg); e != nil {
			return nil, "", e
		}
	}
	if e := a.verifyAssertion(ctx, c, as, hmac); e != nil {
		return nil, "", e
	}
	return c, method, nil
}

// maxInline bounds the parsed-JWKS cache; past it the cache starts over.
const maxInline = 4096

// inlineKeys parses a registered JWK set, once per distinct text.
func (a *Authenticator) inlineKeys(jwks string) (*keySet, error) {
	if s, ok := a.inline.Load(jwks); ok {
		return s.(*keySet), nil
	}
	s, err := parseJWKS([]byte(jwks))
	if err != nil {
		return nil, err
	}
	if a.inlineCount.Add(1) > maxInline {
		a.inline.Clear()
		a.inlineCount.Store(0)
	}
	a.inline.Store(jwks, s)
	return s, nil
}

func orMissing(s string) string {
	if s == "" {
		return "(missing)"
	}
	return s
}
