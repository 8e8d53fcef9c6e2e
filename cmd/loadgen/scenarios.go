package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/lucid-auth/lucid/internal/store"
)

// step is one worker's share of a scenario: next gives its next request
// (errExhausted when its single-use material has run out), check judges
// the answer and may keep state for the next request (a refresh chain).
// A worker runs next and check in turn, never two at once.
type step struct {
	next  func() (request, error)
	check func(status int, body []byte) error
	// abort, when set, hears that the request got no answer (a transport
	// error or a timeout), so that state kept for the next request can be
	// dropped: the server may have acted on the request all the same.
	abort func()
}

// errExhausted ends a worker without counting an error.
var errExhausted = errors.New("pre-minted material exhausted")

// scenario is one measured request kind. prepare creates its fixtures and
// returns a step maker: one call per worker, so a step may keep state.
type scenario struct {
	name    string
	prepare func(ctx context.Context, g *generator) (func(worker int) step, error)
}

// fixed is a step that sends the same request every time and wants a 200
// whose body contains want.
func fixed(r request, want string) func(int) step {
	return func(int) step {
		return step{next: func() (request, error) { return r, nil }, check: wantOK(want)}
	}
}

// fromPool is a step that sends single-use requests from p.
func fromPool(p *pool, want string) func(int) step {
	return func(int) step {
		return step{next: func() (request, error) {
			r, ok := p.take()
			if !ok {
				return request{}, errExhausted
			}
			return r, nil
		}, check: wantOK(want)}
	}
}

// wantOK accepts a 200 whose body contains want.
func wantOK(want string) func(int, []byte) error {
	return func(status int, body []byte) error {
		if status != http.StatusOK {
			return fmt.Errorf("HTTP %d: %.200s", status, body)
		}
		if want != "" && !bytes.Contains(body, []byte(want)) {
			return fmt.Errorf("response lacks %s: %.200s", want, body)
		}
		return nil
	}
}

func scenarios() []scenario {
	return []scenario{
		{"cc-basic", prepareCCBasic},
		{"cc-jwt", prepareCCJWT},
		{"cc-dpop", prepareCCDPoP},
		{"introspect-jwt", func(ctx context.Context, g *generator) (func(int) step, error) {
			return prepareIntrospect(ctx, g, store.FormatJWT)
		}},
		{"introspect-opaque", func(ctx context.Context, g *generator) (func(int) step, error) {
			return prepareIntrospect(ctx, g, store.FormatOpaque)
		}},
		{"refresh", prepareRefresh},
		{"code-exchange-rs256", func(ctx context.Context, g *generator) (func(int) step, error) {
			return prepareCodeExchange(ctx, g, "RS256")
		}},
		{"code-exchange-es256", func(ctx context.Context, g *generator) (func(int) step, error) {
			return prepareCodeExchange(ctx, g, "ES256")
		}},
		{"par", preparePAR},
		{"device-poll", prepareDevicePoll},
		{"ciba-poll", prepareCIBAPoll},
		{"discovery", func(ctx context.Context, g *generator) (func(int) step, error) {
			return fixed(g.request(http.MethodGet, "/.well-known/openid-configuration", "", ""), `"issuer"`), nil
		}},
		{"jwks", func(ctx context.Context, g *generator) (func(int) step, error) {
			return fixed(g.request(http.MethodGet, "/jwks", "", ""), `"keys"`), nil
		}},
	}
}

// scenarioNames lists the baseline first, then Lucid's scenarios.
func scenarioNames() []string {
	out := []string{baselineScenario}
	for _, s := range scenarios() {
		out = append(out, s.name)
	}
	return out
}

func scenarioByName(name string) (scenario, bool) {
	if name == baselineScenario {
		return scenario{name: name}, true
	}
	for _, s := range scenarios() {
		if s.name == name {
			return s, true
		}
	}
	return scenario{}, false
}

// request is a request to path under the URL loadgen was given.
func (g *generator) request(method, path, auth, form string) request {
	return request{method: method, path: strings.TrimSuffix(g.o.url.Path, "/") + path, auth: auth, form: form}
}

// send does one request outside the measured load (setup) and returns the
// body of a 200 that contains want. Each request has the --timeout
// deadline on its connection.
func (g *generator) send(ctx context.Context, r request, want string) ([]byte, error) {
	status, b, err := g.roundTrip(ctx, r)
	if err != nil {
		return nil, err
	}
	if err := wantOK(want)(status, b); err != nil {
		return nil, err
	}
	return b, nil
}

// roundTrip sends r with the raw client, or through net/http for https.
func (g *generator) roundTrip(ctx context.Context, r request) (int, []byte, error) {
	if g.raw != nil {
		return g.raw.do(r)
	}
	return g.sendHTTP(ctx, r)
}

// sendHTTP is send through net/http, for https URLs (rawClient speaks
// plain HTTP only).
func (g *generator) sendHTTP(ctx context.Context, r request) (int, []byte, error) {
	var body io.Reader
	if r.form != "" {
		body = strings.NewReader(r.form)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, g.o.url.Scheme+"://"+g.o.url.Host+r.path, body)
	if err != nil {
		return 0, nil, err
	}
	if r.form != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if r.auth != "" {
		req.Header.Set("Authorization", r.auth)
	}
	if r.dpop != "" {
		req.Header.Set("DPoP", r.dpop)
	}
	resp, err := g.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, nil, fmt.Errorf("reading the response: %w", err)
	}
	return resp.StatusCode, b, nil
}

const ccForm = "grant_type=client_credentials&scope=orders%3Aread"

func prepareCCBasic(ctx context.Context, g *generator) (func(int) step, error) {
	f, err := g.m2mClient(ctx, "cc-basic", store.FormatJWT, store.AuthSecretBasic)
	if err != nil {
		return nil, err
	}
	return fixed(g.request(http.MethodPost, "/token", f.auth, ccForm), `"access_token"`), nil
}

// pool hands out single-use requests to all workers.
type pool struct {
	items []request
	next  atomic.Int64
}

func (p *pool) take() (request, bool) {
	i := p.next.Add(1) - 1
	if i >= int64(len(p.items)) {
		return request{}, false
	}
	return p.items[i], true
}

// prepareCCJWT signs --pool client assertions (unique jti each) before the
// run, so the measured requests carry no client-side signing.
func prepareCCJWT(ctx context.Context, g *generator) (func(int) step, error) {
	f, err := g.m2mClient(ctx, "cc-jwt", store.FormatJWT, store.AuthPrivateKeyJWT)
	if err != nil {
		return nil, err
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: g.ecKey, KeyID: g.ecKeyID}}, nil)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	// Lucid accepts assertions expiring at most 10 minutes ahead.
	exp := jwt.NewNumericDate(now.Add(9 * time.Minute))
	forms := make([]request, g.o.pool)
	var wg sync.WaitGroup
	var firstErr error
	var mu sync.Mutex
	const signers = 4
	for s := range signers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := s; i < len(forms); i += signers {
				a, err := jwt.Signed(signer).Claims(jwt.Claims{
					Issuer: f.client.ID, Subject: f.client.ID, Audience: jwt.Audience{g.token},
					Expiry: exp, IssuedAt: jwt.NewNumericDate(now), ID: g.runID + "-" + strconv.Itoa(i),
				}).Serialize()
				if err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
					return
				}
				forms[i] = g.request(http.MethodPost, "/token", "", url.Values{
					"grant_type": {"client_credentials"}, "scope": {"orders:read"}, "client_id": {f.client.ID},
					"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {a},
				}.Encode())
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, fmt.Errorf("signing assertions: %w", firstErr)
	}
	return fromPool(&pool{items: forms}, `"access_token"`), nil
}

// prepareCCDPoP is client_credentials (client_secret_basic) with a DPoP
// proof (ES256): --pool proofs, each with its own jti, signed before the
// run, so the measured requests carry no client-side signing.
func prepareCCDPoP(ctx context.Context, g *generator) (func(int) step, error) {
	f, err := g.m2mClient(ctx, "cc-dpop", store.FormatJWT, store.AuthSecretBasic)
	if err != nil {
		return nil, err
	}
	// The proof key is the scenario's own: cc-jwt's key exists only when
	// that scenario ran first.
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key}, (&jose.SignerOptions{EmbedJWK: true}).WithType("dpop+jwt"))
	if err != nil {
		return nil, err
	}
	// Lucid accepts proofs up to dpop.proof_max_age old (5 minutes by
	// default), longer than any run.
	iat := time.Now().Unix()
	items := make([]request, g.o.pool)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for s := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := s; i < len(items); i += len(errs) {
				claims, _ := json.Marshal(map[string]any{"jti": g.runID + "-" + strconv.Itoa(i), "htm": http.MethodPost, "htu": g.token, "iat": iat})
				jws, err := signer.Sign(claims)
				if err != nil {
					errs[s] = err
					return
				}
				r := g.request(http.MethodPost, "/token", f.auth, ccForm)
				if r.dpop, err = jws.CompactSerialize(); err != nil {
					errs[s] = err
					return
				}
				items[i] = r
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("signing DPoP proofs: %w", err)
	}
	return fromPool(&pool{items: items}, `"token_type":"DPoP"`), nil
}

// prepareIntrospect has the client introspect one of its own tokens, as a
// resource server holding the same credentials would.
func prepareIntrospect(ctx context.Context, g *generator, format string) (func(int) step, error) {
	f, err := g.m2mClient(ctx, "introspect-"+format, format, store.AuthSecretBasic)
	if err != nil {
		return nil, err
	}
	b, err := g.send(ctx, g.request(http.MethodPost, "/token", f.auth, ccForm), `"access_token"`)
	if err != nil {
		return nil, fmt.Errorf("getting a token to introspect: %w", err)
	}
	var resp struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(b, &resp); err != nil || resp.AccessToken == "" {
		return nil, errNoToken
	}
	if jwtShaped := strings.Count(resp.AccessToken, ".") == 2; jwtShaped != (format == store.FormatJWT) {
		return nil, fmt.Errorf("asked for a %s token, got %.40s…", format, resp.AccessToken)
	}
	form := url.Values{"token": {resp.AccessToken}}.Encode()
	return fixed(g.request(http.MethodPost, "/introspect", f.auth, form), `"active":true`), nil
}

// prepareRefresh gives every worker its own chain: each request presents
// the refresh token the previous one returned.
func prepareRefresh(ctx context.Context, g *generator) (func(int) step, error) {
	f, err := g.webClient(ctx, "ES256")
	if err != nil {
		return nil, err
	}
	chains := make([]string, g.o.concurrency)
	for i := range chains {
		if chains[i], err = g.refreshChain(ctx, f); err != nil {
			return nil, err
		}
	}
	return func(worker int) step {
		rt := chains[worker]
		return step{
			next: func() (request, error) {
				if rt == "" {
					return request{}, errExhausted // the chain broke on an earlier error
				}
				return g.request(http.MethodPost, "/token", f.auth, "grant_type=refresh_token&refresh_token="+url.QueryEscape(rt)), nil
			},
			// Without an answer the token may have been rotated anyway:
			// presenting it again would be a replay, which revokes the chain.
			abort: func() { rt = "" },
			check: func(status int, body []byte) error {
				var resp struct {
					RefreshToken string `json:"refresh_token"`
				}
				if err := wantOK(`"refresh_token"`)(status, body); err != nil {
					rt = ""
					return err
				}
				if err := json.Unmarshal(body, &resp); err != nil || resp.RefreshToken == "" {
					rt = ""
					return fmt.Errorf("no refresh_token in %.200s", body)
				}
				rt = resp.RefreshToken
				return nil
			},
		}
	}, nil
}

func prepareCodeExchange(ctx context.Context, g *generator, alg string) (func(int) step, error) {
	f, err := g.webClient(ctx, alg)
	if err != nil {
		return nil, err
	}
	codes, err := g.mintCodes(ctx, f, g.o.pool)
	if err != nil {
		return nil, err
	}
	forms := make([]request, len(codes))
	for i, c := range codes {
		forms[i] = g.request(http.MethodPost, "/token", f.auth,
			url.Values{"grant_type": {"authorization_code"}, "code": {c}, "redirect_uri": {callback}, "code_verifier": {verifier}}.Encode())
	}
	return fromPool(&pool{items: forms}, `"id_token"`), nil
}

// preparePAR pushes the authorization request of the code-exchange
// client (client_secret_basic), as a web application does before each
// sign-in; every push stores one pushed request.
func preparePAR(ctx context.Context, g *generator) (func(int) step, error) {
	f, err := g.webClient(ctx, "ES256")
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256([]byte(verifier))
	form := url.Values{
		"response_type": {"code"}, "client_id": {f.client.ID}, "redirect_uri": {callback},
		"scope": {"openid profile"}, "state": {"loadgen-state"}, "nonce": {"loadgen-nonce"},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
	}.Encode()
	r := g.request(http.MethodPost, "/par", f.auth, form)
	return func(int) step {
		return step{next: func() (request, error) { return r, nil }, check: func(status int, body []byte) error {
			if status != http.StatusCreated || !bytes.Contains(body, []byte(`"request_uri"`)) {
				return fmt.Errorf("HTTP %d: %.200s", status, body)
			}
			return nil
		}}
	}, nil
}
