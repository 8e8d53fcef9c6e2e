// Package upstream signs people in through other identity providers: a
// generic OpenID Connect connector (discovery, authorization code with
// PKCE S256, state and nonce, ID token verified with go-oidc, user info)
// and a generic OAuth 2.0 connector (a user-info call and a claim
// mapping), both one Connector driven by its configuration. The presets
// (GitHub, Google, Entra ID, GitLab) are defaults in internal/config, not
// code here.
//
// Every failure is a *catalog.Error whose story keeps what the upstream
// said (its error and error_description) for the operator.
package upstream

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/clientauth"
	"github.com/lucid-auth/lucid/internal/config"
)

// DefaultTimeout bounds each call to an upstream.
const DefaultTimeout = 10 * time.Second

// Skew is the clock difference allowed between Lucid and an upstream for
// an ID token's iat and exp.
const Skew = time.Minute

// discoveryTTL is how long a discovery document is used before it is
// fetched again (a failed fetch is retried at the next sign-in).
const discoveryTTL = time.Hour

// KeySource gives the verification keys behind an issuer's jwks_uri: the
// one remote key-set cache (clientauth), with its SSRF guard, refresh
// rules and single fetch in flight.
type KeySource interface {
	IssuerKeys(ctx context.Context, issuer, uri, needKid string) (*clientauth.VerificationKeys, *clientauth.FetchError, *clientauth.FetchError)
}

// Options build a Set.
type Options struct {
	// Issuer is Lucid's own; callbacks are Issuer/upstream/{id}/callback.
	Issuer string
	Keys   KeySource
	Now    func() time.Time
	// Timeout of each call; 0 is DefaultTimeout.
	Timeout time.Duration
}

// Set is the configured upstreams, in configuration order.
type Set struct {
	list []*Connector
	byID map[string]*Connector
}

// NewSet builds the enabled upstreams of the configuration.
func NewSet(ups []config.Upstream, o Options) (*Set, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	s := &Set{byID: map[string]*Connector{}}
	for _, raw := range ups {
		u, err := raw.Resolved()
		if err != nil {
			return nil, fmt.Errorf("upstream %s: %w", raw.ID, err)
		}
		if u.Disabled {
			continue
		}
		c := &Connector{
			cfg:      u,
			http:     clientauth.NewFetchClient(o.Timeout, u.AllowLocal),
			keys:     o.Keys,
			now:      o.Now,
			redirect: strings.TrimSuffix(o.Issuer, "/") + "/upstream/" + u.ID + "/callback",
		}
		s.list = append(s.list, c)
		s.byID[u.ID] = c
	}
	return s, nil
}

// All lists the enabled upstreams.
func (s *Set) All() []*Connector {
	if s == nil {
		return nil
	}
	return s.list
}

// Get returns the enabled upstream with this id.
func (s *Set) Get(id string) (*Connector, bool) {
	if s == nil {
		return nil, false
	}
	c, ok := s.byID[id]
	return c, ok
}

// ForEmail returns the upstream whose domains hold the domain of a
// login_hint that is an e-mail address (or a bare domain).
func (s *Set) ForEmail(hint string) (*Connector, bool) {
	if s == nil {
		return nil, false
	}
	_, domain, found := strings.Cut(strings.ToLower(strings.TrimSpace(hint)), "@")
	if !found {
		return nil, false
	}
	for _, c := range s.list {
		for _, d := range c.cfg.Domains {
			if strings.EqualFold(d, domain) {
				return c, true
			}
		}
	}
	return nil, false
}

// Connector is one upstream.
type Connector struct {
	cfg      config.Upstream
	http     *http.Client
	keys     KeySource
	now      func() time.Time
	redirect string

	mu       sync.Mutex
	meta     *oidcMeta
	metaTime time.Time
}

// ID is the upstream's configured id; Name its label.
func (c *Connector) ID() string   { return c.cfg.ID }
func (c *Connector) Name() string { return c.cfg.Name }

// Issuer is the issuer links record: the OpenID provider's, or for an
// OAuth 2.0 upstream its configured (or derived) one.
func (c *Connector) Issuer() string { return c.cfg.Issuer }

// OIDC reports whether this is an OpenID Connect upstream.
func (c *Connector) OIDC() bool { return c.cfg.Type == config.UpstreamOIDC }

// Provisioning reports whether unknown identities get an account.
func (c *Connector) Provisioning() bool { return !c.cfg.NoProvisioning }

// Extras are the parts of the person's authorization request passed on
// to an OpenID Connect upstream.
type Extras struct {
	Prompt    []string
	MaxAge    *int
	LoginHint string
}

// Start is what a sign-in needs to begin: its secrets are derived by the
// caller from the state (so nothing secret is stored).
type Start struct {
	State, Nonce, Verifier string
}

// AuthURL is where the browser goes to sign in at the upstream.
func (c *Connector) AuthURL(ctx context.Context, st Start, x Extras) (string, *catalog.Error) {
	endpoint, e := c.endpoint(ctx)
	if e != nil {
		return "", e
	}
	conf := c.oauth(endpoint)
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(st.Verifier)}
	for k, v := range c.cfg.AuthParams {
		opts = append(opts, oauth2.SetAuthURLParam(k, v))
	}
	if c.OIDC() {
		opts = append(opts, oidc.Nonce(st.Nonce))
		// prompt and max_age mean the same at an OpenID provider; none is
		// not passed on: Lucid already knows nobody is signed in here.
		var prompts []string
		for _, p := range x.Prompt {
			if p == "login" || p == "consent" || p == "select_account" {
				prompts = append(prompts, p)
			}
		}
		if len(prompts) > 0 {
			opts = append(opts, oauth2.SetAuthURLParam("prompt", strings.Join(prompts, " ")))
		}
		if x.MaxAge != nil {
			opts = append(opts, oauth2.SetAuthURLParam("max_age", strconv.Itoa(*x.MaxAge)))
		}
		if x.LoginHint != "" {
			opts = append(opts, oauth2.SetAuthURLParam("login_hint", x.LoginHint))
		}
	}
	return conf.AuthCodeURL(st.State, opts...), nil
}

func (c *Connector) oauth(ep oauth2.Endpoint) *oauth2.Config {
	return &oauth2.Config{ClientID: c.cfg.ClientID, ClientSecret: c.cfg.ClientSecret, Endpoint: ep, RedirectURL: c.redirect, Scopes: c.cfg.Scopes}
}

// oidcMeta is what discovery told about an OpenID provider.
type oidcMeta struct {
	provider *oidc.Provider
	jwksURI  string
	algs     []string
}

// endpoint is the upstream's authorization and token endpoints: from
// discovery for OpenID Connect (configured URLs win), configured for OAuth.
func (c *Connector) endpoint(ctx context.Context) (oauth2.Endpoint, *catalog.Error) {
	ep := oauth2.Endpoint{AuthURL: c.cfg.AuthURL, TokenURL: c.cfg.TokenURL}
	if !c.OIDC() {
		return ep, nil
	}
	m, e := c.discover(ctx)
	if e != nil {
		return ep, e
	}
	d := m.provider.Endpoint()
	if ep.AuthURL == "" {
		ep.AuthURL = d.AuthURL
	}
	if ep.TokenURL == "" {
		ep.TokenURL = d.TokenURL
	}
	return ep, nil
}

func (c *Connector) discover(ctx context.Context) (*oidcMeta, *catalog.Error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.meta != nil && c.now().Sub(c.metaTime) < discoveryTTL {
		return c.meta, nil
	}
	// The person's request may end; the document serves the next one too.
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), DefaultTimeout)
	defer cancel()
	p, err := oidc.NewProvider(oidc.ClientContext(dctx, c.http), c.cfg.Issuer)
	if err != nil {
		reason := "the document could not be fetched or read"
		switch {
		case errors.Is(err, clientauth.ErrLocalAddress):
			reason = "the issuer is on a local address, which Lucid does not reach without allow_local"
		case strings.Contains(err.Error(), "did not match the issuer"):
			reason = "the document names another issuer than the configured one"
		}
		return nil, catalog.New(catalog.UpstreamDiscoveryFailed, "upstream", c.cfg.ID, "reason", reason).Wrap(err).
			Internal("issuer", c.cfg.Issuer)
	}
	var extra struct {
		JWKSURI string   `json:"jwks_uri"`
		Algs    []string `json:"id_token_signing_alg_values_supported"`
	}
	if err := p.Claims(&extra); err != nil || extra.JWKSURI == "" {
		return nil, catalog.New(catalog.UpstreamDiscoveryFailed, "upstream", c.cfg.ID, "reason", "the document has no jwks_uri").
			Internal("issuer", c.cfg.Issuer)
	}
	c.meta, c.metaTime = &oidcMeta{provider: p, jwksURI: extra.JWKSURI, algs: extra.Algs}, c.now()
	return c.meta, nil
}

// Identity is who the upstream says signed in, mapped by the claim map.
type Identity struct {
	Upstream      string
	Issuer        string
	Subject       string
	Email         string
	EmailVerified bool
	Name          string
	Username      string
	// Groups as the upstream names them (rules match these); Mapped are
	// Lucid's names for them (the groups claim).
	Groups []string
	Mapped []string
	// AMR are the methods the upstream reports (its ID token's amr);
	// none when it reports none.
	AMR    []string
	Claims map[string]any
}
