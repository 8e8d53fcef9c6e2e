// Package resource is the library a Go resource server (an API) uses to
// check access tokens issued by Lucid: RFC 9068 JWT access tokens, verified
// with the issuer's published keys, and answered per RFC 6750 when they
// fail, with the same catalog entries Lucid itself uses.
//
// A JWT is checked locally: no call to Lucid per request. A revoked JWT
// stays valid until it expires unless the Verifier is given introspection
// credentials (WithIntrospection), which trades one call per request for
// honouring revocation at once; opaque tokens always need it. When
// introspection cannot judge a token (Lucid unreachable, or answering 503),
// Verify returns an error wrapping ErrUnavailable and Require answers 503
// with Retry-After: a retryable failure, never an invalid token.
//
//	v, err := resource.New(ctx, "https://id.example.com", "https://orders.example.com")
//	mux.Handle("/orders", v.Require("orders:read")(ordersHandler))
package resource

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lucid-auth/lucid/internal/bearer"
	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/trace"
)

// Claims are the claims of a verified access token.
type Claims struct {
	Issuer    string   `json:"iss"`
	Subject   string   `json:"sub"`
	Audience  []string `json:"-"`
	Expiry    int64    `json:"exp"`
	IssuedAt  int64    `json:"iat"`
	NotBefore int64    `json:"nbf,omitempty"`
	ID        string   `json:"jti"`
	ClientID  string   `json:"client_id"`
	Scope     string   `json:"scope"`
	AuthTime  int64    `json:"auth_time,omitempty"`
}

// Scopes returns the granted scopes.
func (c *Claims) Scopes() []string { return strings.Fields(c.Scope) }

// HasScope reports whether the token grants scope s.
func (c *Claims) HasScope(s string) bool { return slices.Contains(c.Scopes(), s) }

// Verifier checks access tokens for one API (audience).
type Verifier struct {
	issuer, audience string
	http             *http.Client
	now              func() time.Time
	jwksURI          string
	introspectURI    string
	clientID, secret string

	mu      sync.Mutex
	keys    jose.JSONWebKeySet
	fetched time.Time
}

// Option configures a Verifier.
type Option func(*Verifier)

// WithHTTPClient sets the client used to reach Lucid.
func WithHTTPClient(c *http.Client) Option { return func(v *Verifier) { v.http = c } }

// WithClock replaces time.Now, for tests.
func WithClock(now func() time.Time) Option { return func(v *Verifier) { v.now = now } }

// WithIntrospection makes every check ask Lucid's introspection endpoint
// (RFC 7662) as this client: revoked tokens are refused at once and opaque
// tokens are accepted. The client must list the API among its audiences.
func WithIntrospection(clientID, secret string) Option {
	return func(v *Verifier) { v.clientID, v.secret = clientID, secret }
}

// keysMaxAge bounds how long a key set is trusted before it is fetched
// again; an unknown kid refetches sooner, at most once per keysMinRefresh.
const (
	keysMaxAge     = 5 * time.Minute
	keysMinRefresh = 10 * time.Second
)

// New reads the issuer's discovery document and returns a Verifier for
// tokens meant for audience.
func New(ctx context.Context, issuer, audience string, opts ...Option) (*Verifier, error) {
	v := &Verifier{issuer: strings.TrimSuffix(issuer, "/"), audience: audience, http: &http.Client{Timeout: 10 * time.Second}, now: time.Now}
	for _, o := range opts {
		o(v)
	}
	var meta struct {
		Issuer        string `json:"issuer"`
		JWKSURI       string `json:"jwks_uri"`
		Introspection string `json:"introspection_endpoint"`
	}
	if err := v.getJSON(ctx, v.issuer+"/.well-known/oauth-authorization-server", &meta); err != nil {
		return nil, fmt.Errorf("resource: discovery: %w", err)
	}
	if meta.Issuer != v.issuer {
		return nil, fmt.Errorf("resource: discovery names issuer %q, want %q", meta.Issuer, v.issuer)
	}
	v.jwksURI, v.introspectURI = meta.JWKSURI, meta.Introspection
	if _, err := v.keySet(ctx, ""); err != nil {
		return nil, err
	}
	return v, nil
}

func (v *Verifier) getJSON(ctx context.Context, u string, dst any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := v.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(dst)
}

// keySet returns the issuer's keys, refetching when they are old or kid is
// not among them (a rotation).
func (v *Verifier) keySet(ctx context.Context, kid string) (jose.JSONWebKeySet, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	now := v.now()
	stale := now.Sub(v.fetched) > keysMaxAge
	missing := kid != "" && len(v.keys.Key(kid)) == 0 && now.Sub(v.fetched) > keysMinRefresh
	if v.fetched.IsZero() || stale || missing {
		var set jose.JSONWebKeySet
		if err := v.getJSON(ctx, v.jwksURI, &set); err != nil {
			if v.fetched.IsZero() {
				return set, fmt.Errorf("resource: keys: %w", err)
			}
			// Keep serving with the keys we have; the next miss retries.
		} else {
			v.keys = set
		}
		v.fetched = now
	}
	return v.keys, nil
}

// Verify checks token and returns its claims, or a *catalog.Error that
// says precisely what is wrong.
func (v *Verifier) Verify(ctx context.Context, token string) (*Claims, error) {
	if v.clientID != "" {
		return v.introspect(ctx, token)
	}
	sig, err := jose.ParseSigned(token, []jose.SignatureAlgorithm{jose.ES256, jose.RS256, jose.EdDSA})
	if err != nil || len(sig.Signatures) != 1 {
		return nil, catalog.New(catalog.AccessTokenMalformed, "reason", "it is not a signed JWT")
	}
	h := sig.Signatures[0].Header
	if typ, _ := h.ExtraHeaders["typ"].(string); !strings.EqualFold(typ, "at+jwt") && !strings.EqualFold(typ, "application/at+jwt") {
		return nil, catalog.New(catalog.AccessTokenMalformed, "reason", "its typ header is not at+jwt (an ID token is not an access token)")
	}
	set, err := v.keySet(ctx, h.KeyID)
	if err != nil {
		return nil, catalog.New(catalog.SigningKeyMissing, "alg", h.Algorithm).Wrap(err)
	}
	keys := set.Key(h.KeyID)
	if len(keys) != 1 {
		return nil, catalog.New(catalog.AccessTokenSignature, "kid", h.KeyID)
	}
	payload, err := sig.Verify(keys[0].Public())
	if err != nil {
		return nil, catalog.New(catalog.AccessTokenSignature, "kid", h.KeyID)
	}
	var c Claims
	var aud struct {
		Aud json.RawMessage `json:"aud"`
	}
	if json.Unmarshal(payload, &c) != nil || json.Unmarshal(payload, &aud) != nil {
		return nil, catalog.New(catalog.AccessTokenMalformed, "reason", "its claims cannot be read")
	}
	c.Audience = audiences(aud.Aud)
	return &c, v.check(&c)
}

func audiences(raw json.RawMessage) []string {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}
	}
	var many []string
	_ = json.Unmarshal(raw, &many)
	return many
}

// clockSkew is how far ahead of this server's clock a token's iat or nbf
// may be before the token is refused as not yet valid.
const clockSkew = time.Minute

// check applies the RFC 9068 §4 rules to verified claims.
func (v *Verifier) check(c *Claims) error {
	now := v.now()
	switch {
	case c.Issuer != v.issuer:
		return catalog.New(catalog.AccessTokenIssuer, "iss", c.Issuer, "expected", v.issuer)
	case !slices.Contains(c.Audience, v.audience):
		return catalog.New(catalog.AccessTokenAudience, "aud", strings.Join(c.Audience, " "), "expected", v.audience)
	case c.Expiry == 0:
		return catalog.New(catalog.AccessTokenMalformed, "reason", "it has no exp claim")
	case now.Unix() >= c.Expiry:
		exp := time.Unix(c.Expiry, 0)
		return catalog.New(catalog.AccessTokenExpired, "expired_at", exp, "ago", now.Sub(exp))
	case max(c.NotBefore, c.IssuedAt) > now.Add(clockSkew).Unix():
		return catalog.New(catalog.AccessTokenNotYet, "nbf", time.Unix(max(c.NotBefore, c.IssuedAt), 0))
	}
	return nil
}

// ErrUnavailable is wrapped by the error Verify returns when it could not
// judge the token because Lucid's introspection endpoint did not answer
// usefully (unreachable, timed out, 5xx, 429): the token may well be
// valid, so the request should be retried, never treated as
// unauthenticated. Require answers it with introspection_unavailable (503,
// Retry-After).
var ErrUnavailable = errors.New("resource: authorization server unavailable")

// maxRetryAfter caps the wait passed on from Lucid's Retry-After.
const maxRetryAfter = 5 * time.Minute

// unavailable is the error for an introspection that could not judge the
// token: reason is for the caller, cause for the operator.
func unavailable(reason string, wait time.Duration, cause error) *catalog.Error {
	if wait <= 0 {
		wait = catalog.DefaultRetryAfter
	}
	return catalog.New(catalog.IntrospectionUnavailable, "reason", reason, "retry_after", wait).
		WithRetryAfter(wait).Wrap(fmt.Errorf("%w: %w", ErrUnavailable, cause))
}

// retryAfter reads a Retry-After header given in seconds (RFC 9110
// §10.2.3); a date or nonsense gives 0, the default.
func retryAfter(h http.Header) time.Duration {
	n, err := strconv.Atoi(strings.TrimSpace(h.Get("Retry-After")))
	if err != nil || n < 0 {
		return 0
	}
	return min(time.Duration(n)*time.Second, maxRetryAfter)
}

// introspect asks Lucid; an inactive token is reported as revoked or
// unknown, since Lucid does not tell a third party why. An answer that is
// not a judgement (no answer, 5xx, 429) is ErrUnavailable, never inactive.
func (v *Verifier) introspect(ctx context.Context, token string) (*Claims, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, v.introspectURI, strings.NewReader(url.Values{"token": {token}}.Encode()))
	if err != nil {
		return nil, catalog.New(catalog.ServerError).Wrap(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(v.clientID), url.QueryEscape(v.secret))
	resp, err := v.http.Do(req)
	if err != nil {
		return nil, unavailable("it could not be reached", 0, err)
	}
	defer resp.Body.Close()
	var body struct {
		Active bool            `json:"active"`
		Aud    json.RawMessage `json:"aud"`
		Claims
	}
	switch {
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests:
		return nil, unavailable("it answered "+strconv.Itoa(resp.StatusCode), retryAfter(resp.Header), errors.New("introspection: "+resp.Status))
	case resp.StatusCode != http.StatusOK:
		// Refused credentials and the like: this API's configuration.
		return nil, catalog.New(catalog.ServerError).Wrap(errors.New("introspection: " + resp.Status))
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&body); err != nil {
		if ctx.Err() != nil || isTimeout(err) {
			return nil, unavailable("it did not finish answering", 0, err)
		}
		return nil, catalog.New(catalog.ServerError).Wrap(err)
	}
	if !body.Active {
		return nil, catalog.New(catalog.AccessTokenInactive)
	}
	c := body.Claims
	c.Audience = audiences(body.Aud)
	return &c, v.check(&c)
}

func isTimeout(err error) bool {
	var te interface{ Timeout() bool }
	return errors.As(err, &te) && te.Timeout()
}

type claimsKey struct{}

// ClaimsFrom returns the claims Require put in the request context.
func ClaimsFrom(ctx context.Context) (*Claims, bool) {
	c, ok := ctx.Value(claimsKey{}).(*Claims)
	return c, ok
}

// maxBody bounds a form body read for an access_token parameter.
const maxBody = 64 << 10

// Require returns middleware that lets a request through only with a valid
// token granting every scope listed, and answers the others with RFC 6750
// §3 errors: WWW-Authenticate with error, error_description, error_uri and
// scope, and the catalog body.
func (v *Verifier) Require(scopes ...string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// A trace id ties the answer to the resource server's logs.
			tid := w.Header().Get("X-Trace-Id")
			if tid == "" {
				tid = trace.New()
				w.Header().Set("X-Trace-Id", tid)
			}
			fail := func(e *catalog.Error) { e.WriteBearer(w, v.issuer, tid, v.now()) }
			token, e := bearer.Token(w, r, maxBody)
			if e != nil {
				fail(e)
				return
			}
			c, err := v.Verify(r.Context(), token)
			if err != nil {
				var ce *catalog.Error
				if !errors.As(err, &ce) {
					ce = catalog.New(catalog.ServerError).Wrap(err)
				}
				if ce.Status() >= 500 {
					// Not a verdict on the token: no challenge, and a 503
					// carries Retry-After.
					ce.WriteJSON(w, v.issuer, tid, v.now())
					return
				}
				fail(ce)
				return
			}
			for _, s := range scopes {
				if !c.HasScope(s) {
					e := catalog.New(catalog.InsufficientScope, "required", strings.Join(scopes, " "), "granted", orNone(c.Scope))
					e.Scope = strings.Join(scopes, " ")
					fail(e)
					return
				}
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), claimsKey{}, c)))
		})
	}
}

func orNone(s string) string {
	if s == "" {
		return "no scope"
	}
	return s
}
