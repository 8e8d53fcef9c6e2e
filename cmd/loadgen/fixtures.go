package main

import (
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
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lucid-auth/lucid/internal/keycheck"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/password"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/backend"
)

const (
	// verifier is the PKCE verifier of every pre-minted code.
	verifier = "loadgen-verifier-0123456789-abcdefghijklmnopqrstuvwxyz"
	callback = "https://app.loadgen.example/cb"
)

// generator holds the fixtures and the HTTP client of one run.
type generator struct {
	o      *options
	st     store.Store
	svc    *manage.Service
	http   *http.Client // discovery; every request for https URLs
	raw    *rawClient   // setup requests for http URLs (the load runs on the event loop)
	issuer string
	token  string // token endpoint, the audience of client assertions
	runID  string

	mu      sync.Mutex
	clients []string
	apis    []string
	users   []string
	// made caches fixtures scenarios share (the web client and user).
	web     *webFixture
	webRS   *webFixture
	m2m     map[string]*m2mFixture
	ecKey   *ecdsa.PrivateKey
	ecKeyID string
}

type m2mFixture struct {
	client *store.Client
	auth   string // Authorization header value
}

type webFixture struct {
	client *store.Client
	auth   string
	user   *store.User
}

func newGenerator(ctx context.Context, o *options, database string, master []byte) (*generator, error) {
	sk, err := secret.Derive(master)
	if err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	// The server's database: never a new one, and never with another key
	// (the fixtures' secrets would not match).
	st, err := backend.OpenWith(ctx, database, store.OpenExisting)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	if err := keycheck.Check(ctx, st, sk, keycheck.Record); err != nil {
		_ = st.Close()
		return nil, err
	}
	g := &generator{
		o:  o,
		st: st,
		svc: &manage.Service{Store: st, Secrets: sk, HashPassword: func(pw string) (string, error) {
			// The fixture user never signs in: a cheap hash will do.
			return password.HashWith(password.TestParams(), pw)
		}},
		http: &http.Client{
			Timeout: o.timeout,
			Transport: &http.Transport{
				DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
				MaxIdleConns:        o.concurrency,
				MaxIdleConnsPerHost: o.concurrency,
				MaxConnsPerHost:     o.concurrency,
				IdleConnTimeout:     90 * time.Second,
				DisableCompression:  true,
			},
		},
		runID: "loadgen-" + strings.ToLower(strings.NewReplacer("-", "", "_", "").Replace(secret.Token(6))),
		m2m:   map[string]*m2mFixture{},
	}
	if o.url.Scheme == "http" {
		g.raw = newRawClient(dialAddr(o.url), o.url.Host, o.concurrency, o.timeout)
	}
	if err := g.discover(ctx); err != nil {
		g.close(ctx)
		return nil, err
	}
	return g, nil
}

// discover reads the issuer and token endpoint from Lucid's metadata, which
// also proves that the URL reaches a Lucid.
func (g *generator) discover(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, g.o.url.String()+"/.well-known/openid-configuration", nil)
	if err != nil {
		return err
	}
	resp, err := g.http.Do(req)
	if err != nil {
		return fmt.Errorf("discovery: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("discovery: HTTP %d from %s", resp.StatusCode, req.URL)
	}
	var meta struct {
		Issuer        string `json:"issuer"`
		TokenEndpoint string `json:"token_endpoint"`
	}
	if err := json.Unmarshal(body, &meta); err != nil || meta.Issuer == "" || meta.TokenEndpoint == "" {
		return fmt.Errorf("discovery: %s is not OpenID provider metadata", req.URL)
	}
	g.issuer, g.token = meta.Issuer, meta.TokenEndpoint
	return nil
}

// close removes the clients, APIs and user the run registered; codes and
// tokens expire on their own.
func (g *generator) close(ctx context.Context) {
	g.http.CloseIdleConnections()
	if g.raw != nil {
		g.raw.close()
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, id := range g.clients {
		_ = g.svc.DeleteClient(ctx, id)
	}
	for _, id := range g.apis {
		_ = g.svc.DeleteAPI(ctx, id)
	}
	for _, id := range g.users {
		_ = g.svc.DeleteUser(ctx, id)
	}
	_ = g.st.Close()
}

func basicAuth(id, sec string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(sec)))
}

// api registers an API of the given token format for this run.
func (g *generator) api(ctx context.Context, format string) (string, error) {
	id := "https://" + g.runID + ".example/" + format
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, a := range g.apis {
		if a == id {
			return id, nil
		}
	}
	if _, err := g.svc.CreateAPI(ctx, manage.APISpec{ID: id, Name: g.runID + " " + format, Scopes: []string{"orders:read"}, TokenFormat: format}); err != nil {
		return "", fmt.Errorf("create API: %w", err)
	}
	g.apis = append(g.apis, id)
	return id, nil
}

// m2mClient registers (once per kind) a client_credentials client for an
// API whose token format is format.
func (g *generator) m2mClient(ctx context.Context, kind, format, method string) (*m2mFixture, error) {
	g.mu.Lock()
	f := g.m2m[kind]
	g.mu.Unlock()
	if f != nil {
		return f, nil
	}
	aud, err := g.api(ctx, format)
	if err != nil {
		return nil, err
	}
	spec := manage.ClientSpec{
		ID: g.runID + "-" + kind, Name: "loadgen " + kind, GrantTypes: []string{"client_credentials"},
		Scopes: []string{"orders:read"}, Audiences: []string{aud}, AuthMethod: method,
		// The client's format, not only the API's: a running Lucid caches
		// the API list for a few seconds and may not know the new API yet.
		AccessTokenFormat: format,
	}
	if method == store.AuthPrivateKeyJWT {
		priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, err
		}
		set, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: priv.Public(), KeyID: "loadgen", Algorithm: "ES256", Use: "sig"}}})
		spec.JWKS = string(set)
		g.ecKey, g.ecKeyID = priv, "loadgen"
	}
	c, sec, err := g.svc.CreateClient(ctx, spec)
	if err != nil {
		return nil, fmt.Errorf("create client: %w", err)
	}
	f = &m2mFixture{client: c}
	if sec != "" {
		f.auth = basicAuth(c.ID, sec)
	}
	g.mu.Lock()
	g.clients = append(g.clients, c.ID)
	g.m2m[kind] = f
	g.mu.Unlock()
	return f, nil
}

// webClient registers (once per ID token algorithm) a confidential web
// client allowed refresh tokens, and the run's user.
func (g *generator) webClient(ctx context.Context, alg string) (*webFixture, error) {
	g.mu.Lock()
	cached := g.web
	if alg == "RS256" {
		cached = g.webRS
	}
	g.mu.Unlock()
	if cached != nil {
		return cached, nil
	}
	c, sec, err := g.svc.CreateClient(ctx, manage.ClientSpec{
		ID: g.runID + "-web-" + strings.ToLower(alg), Name: "loadgen web " + alg, RedirectURIs: []string{callback},
		IDTokenAlg: alg, Scopes: []string{"openid", "profile", "email", "offline_access"},
	})
	if err != nil {
		return nil, fmt.Errorf("create web client: %w", err)
	}
	g.mu.Lock()
	g.clients = append(g.clients, c.ID)
	g.mu.Unlock()
	u, err := g.user(ctx)
	if err != nil {
		return nil, err
	}
	f := &webFixture{client: c, auth: basicAuth(c.ID, sec), user: u}
	g.mu.Lock()
	if alg == "RS256" {
		g.webRS = f
	} else {
		g.web = f
	}
	g.mu.Unlock()
	return f, nil
}

func (g *generator) user(ctx context.Context) (*store.User, error) {
	g.mu.Lock()
	if len(g.users) > 0 {
		id := g.users[0]
		g.mu.Unlock()
		return g.st.GetUser(ctx, id)
	}
	g.mu.Unlock()
	u, err := g.svc.CreateUser(ctx, manage.UserSpec{
		Username: g.runID, Email: g.runID + "@loadgen.example", EmailVerified: true,
		Name: "Load Generator", GivenName: "Load", FamilyName: "Generator", Password: secret.Token(24),
	})
	if err != nil {
		return nil, fmt.Errorf("create user: %w", err)
	}
	g.mu.Lock()
	g.users = append(g.users, u.ID)
	g.mu.Unlock()
	return u, nil
}

// codeScopes are what a web sign-in typically asks: no offline_access, so a
// code exchange makes one write (the redemption).
var codeScopes = []string{"openid", "profile", "email"}

// authCode returns a stored authorization code as the authorization
// endpoint leaves it after sign-in and consent.
func authCode(f *webFixture, scopes []string, now time.Time) (string, *store.AuthCode) {
	sum := sha256.Sum256([]byte(verifier))
	code := secret.Token(32)
	return code, &store.AuthCode{
		Hash: secret.Hash(code), ClientID: f.client.ID, UserID: f.user.ID,
		RedirectURI: callback, RedirectURIGiven: true, Scopes: scopes, Nonce: secret.Token(8),
		CodeChallenge: base64.RawURLEncoding.EncodeToString(sum[:]), CodeChallengeMethod: "S256",
		SessionID: secret.Token(16), AuthTime: now, AMR: []string{"pwd"},
		CreatedAt: now, ExpiresAt: now.Add(time.Hour),
	}
}

// mintCodes stores n codes. Writes are serialized by the store anyway; a
// few writers keep its queue full.
func (g *generator) mintCodes(ctx context.Context, f *webFixture, n int) ([]string, error) {
	codes := make([]string, n)
	now := time.Now()
	var wg sync.WaitGroup
	errc := make(chan error, 1)
	const writers = 8
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += writers {
				code, c := authCode(f, codeScopes, now)
				if err := g.st.CreateAuthCode(ctx, c); err != nil {
					select {
					case errc <- fmt.Errorf("store code: %w", err):
					default:
					}
					return
				}
				codes[i] = code
			}
		}()
	}
	wg.Wait()
	select {
	case err := <-errc:
		return nil, err
	default:
	}
	return codes, nil
}

// refreshChain starts a refresh-token chain: a redeemed code's family and
// its first refresh token, written straight to the store.
func (g *generator) refreshChain(ctx context.Context, f *webFixture) (string, error) {
	now := time.Now()
	_, c := authCode(f, []string{"openid", "offline_access"}, now)
	if err := g.st.CreateAuthCode(ctx, c); err != nil {
		return "", fmt.Errorf("store code: %w", err)
	}
	fam := &store.TokenFamily{ID: secret.Token(16), ClientID: f.client.ID, UserID: f.user.ID, Scopes: c.Scopes, SessionID: c.SessionID, AuthTime: now, CreatedAt: now}
	rt := secret.Token(32)
	first := &store.RefreshToken{
		Hash: secret.Hash(rt), FamilyID: fam.ID, ClientID: f.client.ID, UserID: f.user.ID, Scopes: c.Scopes,
		CreatedAt: now, ExpiresAt: now.Add(24 * time.Hour), IdleExpiresAt: now.Add(24 * time.Hour),
	}
	if _, err := g.st.RedeemAuthCode(ctx, c.Hash, fam, store.Issued{Refresh: first}, now); err != nil {
		return "", fmt.Errorf("redeem code: %w", err)
	}
	return rt, nil
}

var errNoToken = errors.New("no access_token in the response")

// dialAddr is host:port of the URL, with the scheme's default port.
func dialAddr(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	return net.JoinHostPort(u.Hostname(), "80")
}
