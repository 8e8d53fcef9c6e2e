package main

import (
	"bytes"
	"context"
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

// job sends one request and checks the answer. It returns errExhausted
// when its single-use material has run out.
type job func(ctx context.Context) error

// errExhausted ends a worker without counting an error.
var errExhausted = errors.New("pre-minted material exhausted")

// scenario is one measured request kind. prepare creates its fixtures and
// returns a job maker: one call per worker, so a job may keep state (a
// refresh-token chain).
type scenario struct {
	name    string
	prepare func(ctx context.Context, g *generator) (func(worker int) job, error)
}

func scenarios() []scenario {
	return []scenario{
		{"cc-basic", prepareCCBasic},
		{"cc-jwt", prepareCCJWT},
		{"introspect-jwt", func(ctx context.Context, g *generator) (func(int) job, error) {
			return prepareIntrospect(ctx, g, store.FormatJWT)
		}},
		{"introspect-opaque", func(ctx context.Context, g *generator) (func(int) job, error) {
			return prepareIntrospect(ctx, g, store.FormatOpaque)
		}},
		{"refresh", prepareRefresh},
		{"code-exchange-rs256", func(ctx context.Context, g *generator) (func(int) job, error) {
			return prepareCodeExchange(ctx, g, "RS256")
		}},
		{"code-exchange-es256", func(ctx context.Context, g *generator) (func(int) job, error) {
			return prepareCodeExchange(ctx, g, "ES256")
		}},
		{"discovery", func(ctx context.Context, g *generator) (func(int) job, error) {
			return prepareGet(g, "/.well-known/openid-configuration", `"issuer"`)
		}},
		{"jwks", func(ctx context.Context, g *generator) (func(int) job, error) {
			return prepareGet(g, "/jwks", `"keys"`)
		}},
	}
}

func scenarioNames() []string {
	var out []string
	for _, s := range scenarios() {
		out = append(out, s.name)
	}
	return out
}

func scenarioByName(name string) (scenario, bool) {
	for _, s := range scenarios() {
		if s.name == name {
			return s, true
		}
	}
	return scenario{}, false
}

// send does one request and returns the body of a 200 that contains want.
// The context bounds nothing here: each request has the --timeout deadline
// on its connection, and the load loop stops between requests.
func (g *generator) send(ctx context.Context, method, path, auth, form, want string) ([]byte, error) {
	var (
		status int
		b      []byte
		err    error
	)
	if g.raw != nil {
		status, b, err = g.raw.do(method, strings.TrimSuffix(g.o.url.Path, "/")+path, auth, form)
	} else {
		status, b, err = g.sendHTTP(ctx, method, path, auth, form)
	}
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("HTTP %d: %.200s", status, b)
	}
	if want != "" && !bytes.Contains(b, []byte(want)) {
		return nil, fmt.Errorf("response lacks %s: %.200s", want, b)
	}
	return b, nil
}

// sendHTTP is send through net/http, for https URLs (rawClient speaks
// plain HTTP only).
func (g *generator) sendHTTP(ctx context.Context, method, path, auth, form string) (int, []byte, error) {
	var body io.Reader
	if form != "" {
		body = strings.NewReader(form)
	}
	req, err := http.NewRequestWithContext(ctx, method, g.o.url.String()+path, body)
	if err != nil {
		return 0, nil, err
	}
	if form != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
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

func prepareCCBasic(ctx context.Context, g *generator) (func(int) job, error) {
	f, err := g.m2mClient(ctx, "cc-basic", store.FormatJWT, store.AuthSecretBasic)
	if err != nil {
		return nil, err
	}
	return func(int) job {
		return func(ctx context.Context) error {
			_, err := g.send(ctx, http.MethodPost, "/token", f.auth, ccForm, `"access_token"`)
			return err
		}
	}, nil
}

// pool hands out single-use items to all workers.
type pool struct {
	items []string
	next  atomic.Int64
}

func (p *pool) take() (string, bool) {
	i := p.next.Add(1) - 1
	if i >= int64(len(p.items)) {
		return "", false
	}
	return p.items[i], true
}

// prepareCCJWT signs --pool client assertions (unique jti each) before the
// run, so the measured requests carry no client-side signing.
func prepareCCJWT(ctx context.Context, g *generator) (func(int) job, error) {
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
	forms := make([]string, g.o.pool)
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
				forms[i] = url.Values{
					"grant_type": {"client_credentials"}, "scope": {"orders:read"}, "client_id": {f.client.ID},
					"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {a},
				}.Encode()
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, fmt.Errorf("signing assertions: %w", firstErr)
	}
	p := &pool{items: forms}
	return func(int) job {
		return func(ctx context.Context) error {
			form, ok := p.take()
			if !ok {
				return errExhausted
			}
			_, err := g.send(ctx, http.MethodPost, "/token", "", form, `"access_token"`)
			return err
		}
	}, nil
}

// prepareIntrospect has the client introspect one of its own tokens, as a
// resource server holding the same credentials would.
func prepareIntrospect(ctx context.Context, g *generator, format string) (func(int) job, error) {
	f, err := g.m2mClient(ctx, "introspect-"+format, format, store.AuthSecretBasic)
	if err != nil {
		return nil, err
	}
	b, err := g.send(ctx, http.MethodPost, "/token", f.auth, ccForm, `"access_token"`)
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
	return func(int) job {
		return func(ctx context.Context) error {
			_, err := g.send(ctx, http.MethodPost, "/introspect", f.auth, form, `"active":true`)
			return err
		}
	}, nil
}

// prepareRefresh gives every worker its own chain: each request presents
// the refresh token the previous one returned.
func prepareRefresh(ctx context.Context, g *generator) (func(int) job, error) {
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
	return func(worker int) job {
		rt := chains[worker]
		return func(ctx context.Context) error {
			if rt == "" {
				return errExhausted // the chain broke on an earlier error
			}
			b, err := g.send(ctx, http.MethodPost, "/token", f.auth, "grant_type=refresh_token&refresh_token="+url.QueryEscape(rt), `"refresh_token"`)
			if err != nil {
				rt = ""
				return err
			}
			var resp struct {
				RefreshToken string `json:"refresh_token"`
			}
			if err := json.Unmarshal(b, &resp); err != nil || resp.RefreshToken == "" {
				rt = ""
				return fmt.Errorf("no refresh_token in %.200s", b)
			}
			rt = resp.RefreshToken
			return nil
		}
	}, nil
}

func prepareCodeExchange(ctx context.Context, g *generator, alg string) (func(int) job, error) {
	f, err := g.webClient(ctx, alg)
	if err != nil {
		return nil, err
	}
	codes, err := g.mintCodes(ctx, f, g.o.pool)
	if err != nil {
		return nil, err
	}
	forms := make([]string, len(codes))
	for i, c := range codes {
		forms[i] = url.Values{"grant_type": {"authorization_code"}, "code": {c}, "redirect_uri": {callback}, "code_verifier": {verifier}}.Encode()
	}
	p := &pool{items: forms}
	return func(int) job {
		return func(ctx context.Context) error {
			form, ok := p.take()
			if !ok {
				return errExhausted
			}
			_, err := g.send(ctx, http.MethodPost, "/token", f.auth, form, `"id_token"`)
			return err
		}
	}, nil
}

func prepareGet(g *generator, path, want string) (func(int) job, error) {
	return func(int) job {
		return func(ctx context.Context) error {
			_, err := g.send(ctx, http.MethodGet, path, "", "", want)
			return err
		}
	}, nil
}
