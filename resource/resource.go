// Package resource is the library a Go resource server (an API) uses to
// check access tokens issued by Lucid: RFC 9068 JWT access tokens in
// compact form, verified with the issuer's published keys, and answered
// per RFC 6750 when they fail, with the same catalog entries Lucid itself
// uses (docs/errors.md).
//
// A JWT is checked locally: no call to Lucid per request. The key set is
// cached and refreshed by one request at a time when it is old or a token
// names a key not yet seen (a rotation); the others keep using the cached
// keys meanwhile. A revoked JWT stays valid until it expires unless the
// Verifier is given introspection credentials (WithIntrospection), which
// trades one call per request for honouring revocation at once; opaque
// tokens always need it.
//
// Failures are *Error values naming their catalog entry (the Name
// constants); errors.Is matches them against the sentinels, such as
// ErrTokenExpired, ErrInvalidToken and ErrUnavailable: when the token
// could not be judged (Lucid unreachable, answering 503, keys not
// fetchable) Require answers 503 with Retry-After, never an invalid token.
//
// Require gives every answer a trace id (X-Trace-Id) and logs each refusal
// under it through log/slog ("request failed", with trace_id, endpoint,
// client_id, request, error_code, description and the operator-only
// details): such a trace id is the API's own, and its story is in the
// API's log, not in Lucid's records.
//
//	v, err := resource.New(ctx, "https://id.example.com", "https://orders.example.com")
//	mux.Handle("/orders", v.Require("orders:read")(ordersHandler))
package resource

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lucid-auth/lucid/internal/bearer"
	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/dpop"
	"github.com/lucid-auth/lucid/internal/failure"
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
	// Cnf is the key (RFC 9449 §6) or the client certificate (RFC 8705
	// §3.1) a sender-constrained token is bound to; Require checks it
	// (CheckCertificate for callers of Verify).
	Cnf *Confirmation `json:"cnf,omitempty"`
	// AuthorizationDetails are the rich authorization details (RFC 9396)
	// the token carries, a JSON array; Details reads them typed.
	AuthorizationDetails json.RawMessage `json:"authorization_details,omitempty"`
}

// Scopes returns the granted scopes.
func (c *Claims) Scopes() []string { return strings.Fields(c.Scope) }

// HasScope reports whether the token grants scope s.
func (c *Claims) HasScope(s string) bool { return slices.Contains(c.Scopes(), s) }

// Verifier checks access tokens for one API (audience). It is safe for
// concurrent use.
type Verifier struct {
	issuer, audience string
	http             *http.Client
	now              func() time.Time
	log              *slog.Logger
	jwksURI          string
	introspectURI    string
	clientID, secret string
	keys             keyCache
	// certOf finds a request's client certificate (mtls.go).
	certOf func(*http.Request) *x509.Certificate
	// dpop checks DPoP proofs; publicURL is the API's origin for htu.
	dpop      *dpop.Checker
	publicURL string
	// fapi2 holds DPoP proofs to the FAPI 2.0 Security Profile (WithFAPI2).
	fapi2 bool
}

// Option configures a Verifier.
type Option func(*Verifier)

// WithHTTPClient sets the client used to reach Lucid.
func WithHTTPClient(c *http.Client) Option { return func(v *Verifier) { v.http = c } }

// WithClock replaces time.Now, for tests.
func WithClock(now func() time.Time) Option { return func(v *Verifier) { v.now = now } }

// WithLogger sets where Require logs each refused request ("request
// failed", with its trace_id and the catalog entry); slog.Default() when
// not set.
func WithLogger(l *slog.Logger) Option { return func(v *Verifier) { v.log = l } }

// WithIntrospection makes every check ask Lucid's introspection endpoint
// (RFC 7662) as this client: revoked tokens are refused at once and opaque
// tokens are accepted. The client must list the API among its audiences.
func WithIntrospection(clientID, secret string) Option {
	return func(v *Verifier) { v.clientID, v.secret = clientID, secret }
}

// fetchTimeout bounds one fetch of the key set, whichever request started it.
const fetchTimeout = 10 * time.Second

// New reads the issuer's discovery document and key set and returns a
// Verifier for tokens meant for audience. A key set that cannot be
// fetched is an error matching ErrUnavailable.
func New(ctx context.Context, issuer, audience string, opts ...Option) (*Verifier, error) {
	v := &Verifier{issuer: strings.TrimSuffix(issuer, "/"), audience: audience, http: &http.Client{Timeout: 10 * time.Second}, now: time.Now}
	for _, o := range opts {
		o(v)
	}
	if v.log == nil {
		v.log = slog.Default()
	}
	if v.certOf == nil {
		v.certOf = handshakeCertificate
	}
	v.setupDPoP()
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
	v.keys = keyCache{fetch: v.fetchKeys, now: v.now}
	if _, err := v.keys.get(ctx, ""); err != nil {
		return nil, keysUnavailable(err)
	}
	return v, nil
}

func (v *Verifier) fetchKeys(ctx context.Context) (*jose.JSONWebKeySet, error) {
	// The fetch serves every request waiting for it: one caller leaving
	// must not fail it for the others.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), fetchTimeout)
	defer cancel()
	var set jose.JSONWebKeySet
	if err := v.getJSON(ctx, v.jwksURI, &set); err != nil {
		return nil, err
	}
	return &set, nil
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

// keysUnavailable is the failure to get a key set that could judge the token.
func keysUnavailable(err error) *Error {
	reason := "it could not be fetched"
	if isTimeout(err) {
		reason = "the fetch timed out"
	}
	wait := catalog.DefaultRetryAfter
	return newError(catalog.New(catalog.ResourceKeysUnavailable, "reason", reason, "retry_after", wait).WithRetryAfter(wait).Wrap(err))
}

// algorithms are those Lucid signs with.
var algorithms = []jose.SignatureAlgorithm{jose.ES256, jose.RS256, jose.EdDSA}

// Verify checks token and returns its claims, or an *Error that says
// precisely what is wrong. Verify logs nothing: log the error (it is a
// slog.LogValuer) or use Require, which does.
func (v *Verifier) Verify(ctx context.Context, token string) (*Claims, error) {
	c, e := v.verify(ctx, token)
	if e == nil && c.Bound() {
		// No proof comes with a bare token: VerifyRequest checks one.
		e = catalog.New(catalog.DPoPTokenAsBearer)
	}
	if e != nil {
		return nil, newError(e)
	}
	return c, nil
}

func (v *Verifier) verify(ctx context.Context, token string) (*Claims, *catalog.Error) {
	if v.clientID != "" {
		return v.introspect(ctx, token)
	}
	if strings.HasPrefix(strings.TrimSpace(token), "{") {
		return nil, catalog.New(catalog.AccessTokenMalformed, "reason", "it is a JWS in JSON serialization; only the compact form (three parts joined by dots) is accepted")
	}
	sig, err := jose.ParseSignedCompact(token, algorithms)
	if err != nil {
		return nil, catalog.New(catalog.AccessTokenMalformed, "reason", "it is not a signed JWT").Wrap(err)
	}
	h := sig.Signatures[0].Protected
	if typ, _ := h.ExtraHeaders[jose.HeaderType].(string); !strings.EqualFold(typ, "at+jwt") && !strings.EqualFold(typ, "application/at+jwt") {
		return nil, catalog.New(catalog.AccessTokenMalformed, "reason", "its typ header is not at+jwt (an ID token is not an access token)")
	}
	var payload []byte
	if iss := bearer.UnverifiedIssuer(token); iss != v.issuer {
		// Told apart before the signature, and never trusted: a token
		// naming another issuer is checked with the keys at hand, and
		// makes no fetch. Only one signed by this issuer's key (whose
		// issuer setting changed) gets past, to wrong_issuer.
		if payload = verifyWith(sig, v.keys.cached(), h.KeyID); payload == nil {
			return nil, catalog.New(catalog.AccessTokenForeignIssuer, "iss", orNone(iss, "no issuer"), "expected", v.issuer).Internal("kid", catalog.Clip(h.KeyID, 64))
		}
	} else {
		set, err := v.keys.get(ctx, h.KeyID)
		if err != nil && (set == nil || len(set.Key(h.KeyID)) == 0) {
			return nil, keysUnavailable(err).ce.Internal("kid", catalog.Clip(h.KeyID, 64))
		}
		if payload = verifyWith(sig, set, h.KeyID); payload == nil {
			return nil, catalog.New(catalog.AccessTokenSignature, "kid", h.KeyID)
		}
	}
	var c Claims
	var aud struct {
		Aud json.RawMessage `json:"aud"`
	}
	if json.Unmarshal(payload, &c) != nil || json.Unmarshal(payload, &aud) != nil {
		return nil, catalog.New(catalog.AccessTokenMalformed, "reason", "its claims cannot be read")
	}
	c.Audience = audiences(aud.Aud)
	if e := v.check(&c); e != nil {
		return nil, e
	}
	return &c, nil
}

// verifyWith returns the payload of sig when the key kid of set verifies
// it, and nil otherwise.
func verifyWith(sig *jose.JSONWebSignature, set *jose.JSONWebKeySet, kid string) []byte {
	if set == nil {
		return nil
	}
	keys := set.Key(kid)
	if len(keys) != 1 {
		return nil
	}
	payload, err := sig.Verify(keys[0].Public())
	if err != nil {
		return nil
	}
	return payload
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
func (v *Verifier) check(c *Claims) *catalog.Error {
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

// maxRetryAfter caps the wait passed on from Lucid's Retry-After.
const maxRetryAfter = 5 * time.Minute

// unavailable is the error for an introspection that could not judge the
// token: reason is for the caller, cause for the operator.
func unavailable(reason string, wait time.Duration, cause error) *catalog.Error {
	if wait <= 0 {
		wait = catalog.DefaultRetryAfter
	}
	return catalog.New(catalog.IntrospectionUnavailable, "reason", reason, "retry_after", wait).
		WithRetryAfter(wait).Wrap(cause)
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
// not a judgement (no answer, 5xx, 429) is ErrUnavailable, never inactive;
// a refusal of the API's own credentials is resource_introspection_refused.
// Lucid's trace id of each answer is kept for the operator (lucid_trace_id),
// so `lucid explain` finds Lucid's side of the story.
func (v *Verifier) introspect(ctx context.Context, token string) (*Claims, *catalog.Error) {
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
	lucidTrace := catalog.Clip(resp.Header.Get("X-Trace-Id"), 64)
	var body struct {
		Active bool            `json:"active"`
		Aud    json.RawMessage `json:"aud"`
		Claims
	}
	switch {
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests:
		return nil, unavailable("it answered "+strconv.Itoa(resp.StatusCode), retryAfter(resp.Header), errors.New("introspection: "+resp.Status)).
			Internal("lucid_trace_id", lucidTrace)
	case resp.StatusCode != http.StatusOK:
		// Refused credentials and the like: this API's configuration.
		return nil, catalog.New(catalog.ResourceIntrospectionRefused, "status", resp.StatusCode).
			Internal("client_id", catalog.Clip(v.clientID, 128), "lucid_trace_id", lucidTrace, "lucid_error", lucidError(resp.Body))
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&body); err != nil {
		if ctx.Err() != nil || isTimeout(err) {
			return nil, unavailable("it did not finish answering", 0, err).Internal("lucid_trace_id", lucidTrace)
		}
		return nil, catalog.New(catalog.ServerError).Wrap(err).Internal("lucid_trace_id", lucidTrace)
	}
	if !body.Active {
		return nil, catalog.New(catalog.AccessTokenInactive).Internal("lucid_trace_id", lucidTrace)
	}
	c := body.Claims
	c.Audience = audiences(body.Aud)
	if e := v.check(&c); e != nil {
		return nil, e
	}
	return &c, nil
}

// lucidError reads the error_code of Lucid's JSON error answer, for the
// operator.
func lucidError(body io.Reader) string {
	var e struct {
		Code string `json:"error_code"`
	}
	_ = json.NewDecoder(io.LimitReader(body, 64<<10)).Decode(&e)
	return catalog.Clip(e.Code, 64)
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

// TraceID returns the trace id Require gave the request: the X-Trace-Id of
// its answer, under which a failure is logged.
func TraceID(ctx context.Context) string { return trace.ID(ctx) }

// maxBody bounds a form body read for an access_token parameter.
const maxBody = 64 << 10

// Require returns middleware that lets a request through only with a valid
// token granting every scope listed, and answers the others with RFC 6750
// §3 errors: WWW-Authenticate with error, error_description, error_uri and
// scope, and the catalog body. Every answer carries an X-Trace-Id (one
// already set on the response is kept); each refusal is logged under it as
// "request failed" with the fields `lucid explain` shows for Lucid's own
// failures, so the API's log is where that trace id's story is.
func (v *Verifier) Require(scopes ...string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			tid := w.Header().Get(trace.Header)
			if tid == "" {
				tid = trace.New()
				w.Header().Set(trace.Header, tid)
			}
			ctx := trace.With(r.Context(), tid)
			r = r.WithContext(ctx)
			c, e := v.verifyRequest(w, r)
			if e != nil {
				clientID := ""
				if c != nil {
					clientID = c.ClientID
				}
				v.fail(w, r, clientID, e)
				return
			}
			if e := checkCertificate(c, v.certOf(r)); e != nil {
				v.fail(w, r, c.ClientID, e)
				return
			}
			for _, s := range scopes {
				if !c.HasScope(s) {
					e := catalog.New(catalog.InsufficientScope, "required", strings.Join(scopes, " "), "granted", orNone(c.Scope, "no scope"))
					e.Scope = strings.Join(scopes, " ")
					v.fail(w, r, c.ClientID, e)
					return
				}
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(ctx, claimsKey{}, c)))
		})
	}
}

// fail logs the story of a refused request and answers it: a verdict on
// the token with a Bearer challenge, a failure to judge it (5xx) as JSON
// without one, a 503 with Retry-After.
func (v *Verifier) fail(w http.ResponseWriter, r *http.Request, clientID string, e *catalog.Error) {
	tid := trace.ID(r.Context())
	level := slog.LevelInfo
	switch {
	case e.Status() >= 500:
		level = slog.LevelError
	case e.Name() == catalog.BearerMissing:
		// Often a client's first try, answered by the challenge it needs.
		level = slog.LevelDebug
	}
	attrs := append([]slog.Attr{
		slog.String("trace_id", tid),
		slog.String("endpoint", string(catalog.Resource)),
		slog.String("client_id", catalog.Clip(clientID, 128)),
		slog.String("request", failure.Summary(r)),
	}, e.LogAttrs()...)
	v.log.LogAttrs(r.Context(), level, "request failed", attrs...)
	if e.Status() >= 500 {
		e.WriteJSON(w, v.issuer, tid, v.now())
		return
	}
	e.WriteBearer(w, v.issuer, tid, v.now())
}

func orNone(s, none string) string {
	if s == "" {
		return none
	}
	return s
}
