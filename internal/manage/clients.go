package manage

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/fapi"
	"github.com/lucid-auth/lucid/internal/granttype"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
)

// SecretBytes is the entropy of a generated client secret (256 bits).
const SecretBytes = 32

// MaxSecrets is how many secrets a client may hold at once: the current
// one and its replacement during a rotation.
const MaxSecrets = 2

// ClientSpec describes a client to create. Zero values take the defaults.
type ClientSpec struct {
	ID                     string // generated when empty
	Name                   string
	RedirectURIs           []string
	PostLogoutRedirectURIs []string
	WebOrigins             []string // browser origins for CORS; "+" adds the redirect URIs' origins
	GrantTypes             []string // default authorization_code, refresh_token
	ResponseTypes          []string // default code
	Scopes                 []string // default DefaultScopes()
	AuthMethod             string   // default client_secret_basic; "none" makes a public client
	RequirePKCE            *bool    // default true; public clients always need PKCE
	IDTokenAlg             string   // default RS256
	AuthorizationAlg       string   // JARM responses; "" is RS256
	AuthorizationEncAlg    string   // encrypted JARM responses (RSA-OAEP-256, ECDH-ES…); "" not encrypted
	AuthorizationEncEnc    string   // their content encryption; "" is A128CBC-HS256 when an alg is set
	IDTokenEncAlg          string   // encrypted ID tokens (OIDC Core §10.2), the same algorithms; "" not encrypted
	IDTokenEncEnc          string   // their content encryption; "" is A128CBC-HS256 when an alg is set
	UserInfoAlg            string   // userinfo answers a signed JWT (RS256, ES256, EdDSA); "" JSON
	UserInfoEncAlg         string   // userinfo answers encrypted (signed first when UserInfoAlg is set)
	UserInfoEncEnc         string   // their content encryption; "" is A128CBC-HS256 when an alg is set
	JWKS                   string   // a JWK set, for private_key_jwt
	JWKSURI                string   // or where to fetch it
	RequestObjectAlg       string   // request_object_signing_alg; "" any signed alg
	AlwaysRefresh          bool
	DPoPBound              bool                     // dpop_bound_access_tokens (RFC 9449 §5.2)
	RequirePAR             bool                     // require_pushed_authorization_requests (RFC 9126 §5)
	FAPI2                  bool                     // fapi2_security_profile: the FAPI 2.0 Security Profile (internal/fapi)
	Backchannel            *store.BackchannelClient // CIBA metadata; poll when nil with the CIBA grant
	SkipConsent            bool
	RequireSecondFactor    bool // require_second_factor: ask everyone for a second factor (internal/authn)
	Disabled               bool
	Audiences              []string // APIs the client may get tokens for (RFC 8707 resources)
	AccessTokenFormat      string   // "jwt", "opaque" or "" (the API's choice)
	// DetailTypes are the authorization details types (RFC 9396 §10) the
	// client may ask for.
	DetailTypes []string
	// CertIdentity is what a tls_client_auth certificate must name;
	// CertBoundTokens asks for certificate-bound tokens (RFC 8705).
	CertIdentity    *store.CertIdentity
	CertBoundTokens bool
	// TokenExchange (RFC 8693) and JWTBearer (RFC 7523) are needed with
	// their grant types.
	TokenExchange *store.ExchangePolicy
	JWTBearer     *store.JWTBearerPolicy
	// Secret is an operator-chosen secret (at least 32 bytes); one is
	// generated when empty.
	Secret          string
	SecretExpiresAt *time.Time
	// RegistrationTokenHash is the secret.Hash of the RFC 7592 registration
	// access token of a dynamically registered client.
	RegistrationTokenHash string
	// Logout is where the client hears of ended sessions (back- and
	// front-channel logout).
	Logout store.LogoutChannels
}

// ClientPatch changes the fields that are not nil.
type ClientPatch struct {
	Name                   *string
	RedirectURIs           *[]string
	PostLogoutRedirectURIs *[]string
	WebOrigins             *[]string
	GrantTypes             *[]string
	ResponseTypes          *[]string
	Scopes                 *[]string
	AuthMethod             *string
	RequirePKCE            *bool
	IDTokenAlg             *string
	AuthorizationAlg       *string
	AuthorizationEncAlg    *string // "" stops encrypting (and clears the enc unless given)
	AuthorizationEncEnc    *string
	IDTokenEncAlg          *string // "" stops encrypting ID tokens (and clears the enc unless given)
	IDTokenEncEnc          *string
	UserInfoAlg            *string
	UserInfoEncAlg         *string // "" stops encrypting userinfo (and clears the enc unless given)
	UserInfoEncEnc         *string
	JWKS                   *string
	JWKSURI                *string
	RequestObjectAlg       *string
	AlwaysRefresh          *bool
	DPoPBound              *bool
	RequirePAR             *bool
	FAPI2                  *bool
	Backchannel            *store.BackchannelClient // replaces the CIBA metadata
	SkipConsent            *bool
	RequireSecondFactor    *bool
	Disabled               *bool
	Audiences              *[]string
	AccessTokenFormat      *string
	DetailTypes            *[]string
	// CertIdentity replaces the tls_client_auth identity; an empty one
	// removes it.
	CertIdentity    *store.CertIdentity
	CertBoundTokens *bool
	// TokenExchange and JWTBearer replace the policy; a policy that allows
	// nothing removes it.
	TokenExchange *store.ExchangePolicy
	JWTBearer     *store.JWTBearerPolicy
	// Back- and front-channel logout; "" removes a URI.
	BackchannelLogoutURI              *string
	BackchannelLogoutSessionRequired  *bool
	FrontchannelLogoutURI             *string
	FrontchannelLogoutSessionRequired *bool
}

func secretMethod(m string) bool {
	return m == store.AuthSecretBasic || m == store.AuthSecretPost || m == store.AuthSecretJWT
}

// secretJWTBytes is the size of generated client_secret_jwt secrets: long
// enough for HS512, which needs a 512-bit key.
const secretJWTBytes = 64

// generateSecret makes a secret fit for the client's method.
func generateSecret(method string) string {
	if method == store.AuthSecretJWT {
		return secret.Token(secretJWTBytes)
	}
	return secret.Token(SecretBytes)
}

// CreateClient registers a client. For a client that authenticates with a
// secret it returns the plaintext secret, the only time it is available:
// the store keeps a keyed hash.
func (s *Service) CreateClient(ctx context.Context, spec ClientSpec) (*store.Client, string, error) {
	now := s.now()
	c := &store.Client{
		ID:                        spec.ID,
		Name:                      spec.Name,
		TokenEndpointAuthMethod:   spec.AuthMethod,
		RedirectURIs:              spec.RedirectURIs,
		PostLogoutRedirectURIs:    spec.PostLogoutRedirectURIs,
		WebOrigins:                spec.WebOrigins,
		GrantTypes:                spec.GrantTypes,
		ResponseTypes:             spec.ResponseTypes,
		Scopes:                    spec.Scopes,
		RequirePKCE:               true,
		IDTokenAlg:                spec.IDTokenAlg,
		AuthorizationAlg:          spec.AuthorizationAlg,
		AuthorizationEncAlg:       spec.AuthorizationEncAlg,
		AuthorizationEncEnc:       spec.AuthorizationEncEnc,
		IDTokenEncAlg:             spec.IDTokenEncAlg,
		IDTokenEncEnc:             spec.IDTokenEncEnc,
		UserInfoAlg:               spec.UserInfoAlg,
		UserInfoEncAlg:            spec.UserInfoEncAlg,
		UserInfoEncEnc:            spec.UserInfoEncEnc,
		JWKS:                      spec.JWKS,
		JWKSURI:                   spec.JWKSURI,
		CertIdentity:              spec.CertIdentity,
		CertBoundTokens:           spec.CertBoundTokens,
		RequestObjectAlg:          spec.RequestObjectAlg,
		AlwaysRefresh:             spec.AlwaysRefresh,
		DPoPBoundAccessTokens:     spec.DPoPBound,
		FAPI2:                     spec.FAPI2,
		RequirePAR:                spec.RequirePAR,
		Backchannel:               spec.Backchannel,
		SkipConsent:               spec.SkipConsent,
		RequireSecondFactor:       spec.RequireSecondFactor,
		Disabled:                  spec.Disabled,
		LogoutChannels:            spec.Logout,
		Audiences:                 spec.Audiences,
		AccessTokenFormat:         spec.AccessTokenFormat,
		AuthorizationDetailsTypes: spec.DetailTypes,
		TokenExchange:             spec.TokenExchange,
		JWTBearer:                 spec.JWTBearer,
		RegistrationTokenHash:     spec.RegistrationTokenHash,
		CreatedAt:                 now,
		UpdatedAt:                 now,
	}
	if c.ID == "" {
		c.ID = secret.ID(16)
	}
	if c.TokenEndpointAuthMethod == "" {
		c.TokenEndpointAuthMethod = store.AuthSecretBasic
	}
	if c.GrantTypes == nil {
		c.GrantTypes = DefaultGrantTypes()
	}
	if c.ResponseTypes == nil {
		c.ResponseTypes = []string{"code"}
	}
	if c.Scopes == nil {
		c.Scopes = DefaultScopes()
	}
	s.defaultAlgs(c)
	if spec.RequirePKCE != nil {
		c.RequirePKCE = *spec.RequirePKCE
	}
	if err := checkClientID(c.ID); err != nil {
		return nil, "", err
	}
	if err := normalizeClient(c, spec.RequirePKCE); err != nil {
		return nil, "", err
	}
	if err := s.checkFAPI(c); err != nil {
		return nil, "", err
	}

	var plain string
	switch {
	case secretMethod(c.TokenEndpointAuthMethod):
		if s.Secrets == nil {
			return nil, "", ErrNoSecrets
		}
		if spec.SecretExpiresAt != nil && !spec.SecretExpiresAt.After(now) {
			return nil, "", invalid("client_secret_expires_at", "%s is not in the future", spec.SecretExpiresAt.UTC().Format(time.RFC3339))
		}
		plain = spec.Secret
		if plain == "" {
			plain = generateSecret(c.TokenEndpointAuthMethod)
		} else if len(plain) < SecretBytes {
			return nil, "", invalid("client_secret", "is %d bytes; a chosen secret needs at least %d (leave it out to have one generated)", len(plain), SecretBytes)
		}
		c.Secrets = []store.ClientSecret{s.newSecret(c, plain, now, spec.SecretExpiresAt)}
	case spec.Secret != "":
		return nil, "", invalid("client_secret", "a client with token_endpoint_auth_method %s has no secret", c.TokenEndpointAuthMethod)
	case spec.SecretExpiresAt != nil:
		return nil, "", invalid("client_secret_expires_at", "a client with token_endpoint_auth_method %s has no secret", c.TokenEndpointAuthMethod)
	}

	if err := s.Store.CreateClient(ctx, c); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil, "", conflict("client", "id", c.ID)
		}
		return nil, "", fmt.Errorf("create client %s: %w", c.ID, err)
	}
	return c, plain, nil
}

func (s *Service) newSecret(c *store.Client, plain string, now time.Time, expires *time.Time) store.ClientSecret {
	sec := store.ClientSecret{ID: secret.ID(9), Hash: s.Secrets.HashClientSecret(plain), CreatedAt: now}
	if c.TokenEndpointAuthMethod == store.AuthSecretJWT {
		sec.Sealed = s.Secrets.Seal([]byte(plain), secret.ClientSecretAAD(c.ID, sec.ID))
	}
	if expires != nil {
		e := expires.UTC()
		sec.ExpiresAt = &e
	}
	return sec
}

// normalizeClient checks a whole client registration, after a create or
// an update, and drops duplicate list entries. pkce is the RequirePKCE the
// caller asked for explicitly, if any.
func normalizeClient(c *store.Client, pkce *bool) error {
	var err error
	if c.Name == "" {
		return invalid("name", "is required: the name is shown to people on the consent page")
	}
	if err := checkText("name", c.Name, 200); err != nil {
		return err
	}
	if err := checkOneOf("token_endpoint_auth_method", c.TokenEndpointAuthMethod, knownAuthMethods); err != nil {
		return err
	}
	if c.GrantTypes, err = checkSet("grant_types", c.GrantTypes, knownGrantTypes); err != nil {
		return err
	}
	if len(c.GrantTypes) == 0 {
		return invalid("grant_types", "at least one grant type is required")
	}
	code := slices.Contains(c.GrantTypes, "authorization_code")
	// Refresh tokens come from the grants that act for a person (but
	// refresh itself) and from token exchange.
	issuesRefresh := slices.ContainsFunc(c.GrantTypes, func(g string) bool {
		t := granttype.Type(g)
		return t == granttype.TokenExchange || (granttype.UserBound(t) && t != granttype.RefreshToken)
	})
	if slices.Contains(c.GrantTypes, "refresh_token") && !issuesRefresh {
		return invalid("grant_types", "refresh_token needs a grant that issues refresh tokens: authorization_code, the device code grant, CIBA or token exchange")
	}
	if slices.Contains(c.GrantTypes, "client_credentials") && c.Public() {
		return invalid("grant_types", "client_credentials needs a confidential client; a public client (token_endpoint_auth_method none) has no credentials")
	}
	if c.ResponseTypes, err = checkSet("response_types", c.ResponseTypes, knownResponseTypes); err != nil {
		return err
	}
	if len(c.ResponseTypes) == 0 && code {
		// A client without authorization_code never uses the authorization
		// endpoint, so it may register no response type (RFC 7591 §2.1).
		return invalid("response_types", "must include code")
	}
	if err := checkGrantPolicies(c); err != nil {
		return err
	}
	if c.Scopes, err = checkScopes(c.Scopes); err != nil {
		return err
	}
	if len(c.Scopes) == 0 {
		return invalid("scopes", "at least one scope is required")
	}
	if c.UserInfoAlg != "" {
		if err := checkOneOf("userinfo_signed_response_alg", c.UserInfoAlg, knownAlgs); err != nil {
			return err
		}
	}
	if err := checkOneOf("id_token_signed_response_alg", c.IDTokenAlg, knownAlgs); err != nil {
		return err
	}
	if c.AuthorizationAlg != "" && !slices.Contains(knownAlgs, c.AuthorizationAlg) {
		return catalog.New(catalog.JARMSigningAlgUnsupported, "alg", c.AuthorizationAlg, "supported", strings.Join(knownAlgs, ", "))
	}
	if c.RequestObjectAlg != "" {
		if err := checkOneOf("request_object_signing_alg", c.RequestObjectAlg, RequestObjectAlgs); err != nil {
			return err
		}
		if err := checkSecretRequestObjects(c); err != nil {
			return err
		}
	}
	if c.RedirectURIs, err = checkURIs("redirect_uris", c.RedirectURIs, code); err != nil {
		return err
	}
	if c.Audiences, err = checkAudiences("audiences", c.Audiences); err != nil {
		return err
	}
	if c.AuthorizationDetailsTypes, err = checkDetailTypeNames(c.AuthorizationDetailsTypes); err != nil {
		return err
	}
	if c.AccessTokenFormat != "" {
		if err := checkOneOf("access_token_format", c.AccessTokenFormat, knownFormats); err != nil {
			return err
		}
	}
	if c.PostLogoutRedirectURIs, err = checkURIs("post_logout_redirect_uris", c.PostLogoutRedirectURIs, false); err != nil {
		return err
	}
	if len(c.PostLogoutRedirectURIs) == 0 {
		c.PostLogoutRedirectURIs = nil
	}
	if c.WebOrigins, err = checkOrigins(c.WebOrigins, c.RedirectURIs); err != nil {
		return err
	}
	if err := checkLogoutChannels(c); err != nil {
		return err
	}
	if c.Public() {
		// OAuth 2.1 and RFC 9700 §2.1.1: a public client has nothing but
		// PKCE to bind the code to itself.
		if pkce != nil && !*pkce {
			return invalid("require_pkce", "public clients (token_endpoint_auth_method none) always need PKCE")
		}
		c.RequirePKCE = true
	}
	if c.AlwaysRefresh && !slices.Contains(c.GrantTypes, "refresh_token") {
		return invalid("always_issue_refresh_token", "needs the refresh_token grant type")
	}
	if err := checkCertIdentity(c); err != nil {
		return err
	}
	if err := checkBackchannel(c); err != nil {
		return err
	}
	// Request objects signed by the client (RFC 9101) need its keys too.
	// So do responses encrypted to the client (JARM §2.3).
	// So do CIBA requests signed by the client (CIBA Core §7.1.1).
	signsRequests := c.RequestObjectAlg != "" && c.RequestObjectAlg != "none" || signsBackchannel(c)
	encrypts := c.AuthorizationEncAlg != "" || c.IDTokenEncAlg != "" || c.UserInfoEncAlg != ""
	if keyMethod(c.TokenEndpointAuthMethod) || (signsRequests || encrypts) && (c.JWKS != "" || c.JWKSURI != "") {
		switch {
		case c.JWKS == "" && c.JWKSURI == "":
			return invalid("jwks", "%s needs the client's public keys: give jwks or jwks_uri", c.TokenEndpointAuthMethod)
		case c.JWKS != "" && c.JWKSURI != "":
			return invalid("jwks", "give jwks or jwks_uri, not both")
		case c.JWKS != "":
			if c.JWKS, err = checkJWKS(c.JWKS); err != nil {
				return err
			}
		default:
			if err := checkJWKSURI(c.JWKSURI); err != nil {
				return err
			}
		}
	} else if c.JWKS != "" || c.JWKSURI != "" {
		return invalid("jwks", "keys are used only with token_endpoint_auth_method private_key_jwt or self_signed_tls_client_auth, a request_object_signing_alg, a backchannel_authentication_request_signing_alg or an authorization_encrypted_response_alg, not %s", c.TokenEndpointAuthMethod)
	}
	return checkResponseEncryption(c)
}

// GetClient returns the client with this id.
func (s *Service) GetClient(ctx context.Context, id string) (*store.Client, error) {
	c, err := s.Store.GetClient(ctx, id)
	if err != nil {
		return nil, storeErr(err, "client", id, "get")
	}
	return c, nil
}

// ListClients returns every client.
func (s *Service) ListClients(ctx context.Context) ([]*store.Client, error) {
	cs, err := s.Store.ListClients(ctx)
	if err != nil {
		return nil, fmt.Errorf("list clients: %w", err)
	}
	return cs, nil
}

// DeleteClient removes a client. Tokens it holds stop working at the
// token endpoint at once, since the client no longer authenticates.
func (s *Service) DeleteClient(ctx context.Context, id string) error {
	if err := s.Store.DeleteClient(ctx, id); err != nil {
		return storeErr(err, "client", id, "delete")
	}
	return nil
}

// UpdateClient applies a partial update and checks the result as a whole.
// Switching to a method without secrets (none, private_key_jwt) drops the
// client's secrets; switching to a secret method from one without leaves
// the client with none until AddClientSecret.
func (s *Service) UpdateClient(ctx context.Context, id string, p ClientPatch) (*store.Client, error) {
	now := s.now()
	c, err := s.Store.UpdateClient(ctx, id, func(c *store.Client) error {
		set(&c.Name, p.Name)
		set(&c.RedirectURIs, p.RedirectURIs)
		set(&c.PostLogoutRedirectURIs, p.PostLogoutRedirectURIs)
		set(&c.WebOrigins, p.WebOrigins)
		set(&c.GrantTypes, p.GrantTypes)
		set(&c.ResponseTypes, p.ResponseTypes)
		set(&c.Scopes, p.Scopes)
		set(&c.TokenEndpointAuthMethod, p.AuthMethod)
		set(&c.RequirePKCE, p.RequirePKCE)
		set(&c.IDTokenAlg, p.IDTokenAlg)
		set(&c.AuthorizationAlg, p.AuthorizationAlg)
		set(&c.AuthorizationEncAlg, p.AuthorizationEncAlg)
		set(&c.AuthorizationEncEnc, p.AuthorizationEncEnc)
		if p.AuthorizationEncAlg != nil && *p.AuthorizationEncAlg == "" && p.AuthorizationEncEnc == nil {
			c.AuthorizationEncEnc = ""
		}
		set(&c.IDTokenEncAlg, p.IDTokenEncAlg)
		set(&c.IDTokenEncEnc, p.IDTokenEncEnc)
		if p.IDTokenEncAlg != nil && *p.IDTokenEncAlg == "" && p.IDTokenEncEnc == nil {
			c.IDTokenEncEnc = ""
		}
		set(&c.UserInfoAlg, p.UserInfoAlg)
		set(&c.UserInfoEncAlg, p.UserInfoEncAlg)
		set(&c.UserInfoEncEnc, p.UserInfoEncEnc)
		if p.UserInfoEncAlg != nil && *p.UserInfoEncAlg == "" && p.UserInfoEncEnc == nil {
			c.UserInfoEncEnc = ""
		}
		set(&c.JWKS, p.JWKS)
		set(&c.JWKSURI, p.JWKSURI)
		if p.CertIdentity != nil {
			c.CertIdentity = p.CertIdentity
		}
		set(&c.CertBoundTokens, p.CertBoundTokens)
		set(&c.RequestObjectAlg, p.RequestObjectAlg)
		set(&c.AlwaysRefresh, p.AlwaysRefresh)
		set(&c.DPoPBoundAccessTokens, p.DPoPBound)
		set(&c.RequirePAR, p.RequirePAR)
		set(&c.FAPI2, p.FAPI2)
		set(&c.SkipConsent, p.SkipConsent)
		set(&c.RequireSecondFactor, p.RequireSecondFactor)
		set(&c.Disabled, p.Disabled)
		set(&c.BackchannelURI, p.BackchannelLogoutURI)
		set(&c.BackchannelSessionRequired, p.BackchannelLogoutSessionRequired)
		set(&c.FrontchannelURI, p.FrontchannelLogoutURI)
		set(&c.FrontchannelSessionRequired, p.FrontchannelLogoutSessionRequired)
		if p.Backchannel != nil {
			c.Backchannel = p.Backchannel
		}
		set(&c.Audiences, p.Audiences)
		set(&c.AccessTokenFormat, p.AccessTokenFormat)
		set(&c.AuthorizationDetailsTypes, p.DetailTypes)
		if p.TokenExchange != nil {
			c.TokenExchange = p.TokenExchange
		}
		if p.JWTBearer != nil {
			c.JWTBearer = p.JWTBearer
		}
		if p.AuthMethod != nil && !keyMethod(*p.AuthMethod) && p.JWKS == nil && p.JWKSURI == nil &&
			(c.RequestObjectAlg == "" || c.RequestObjectAlg == "none") && c.AuthorizationEncAlg == "" && c.IDTokenEncAlg == "" && c.UserInfoEncAlg == "" && !signsBackchannel(c) {
			// Leaving private_key_jwt: its keys no longer apply, unless
			// they sign request objects or receive encrypted responses.
			c.JWKS, c.JWKSURI = "", ""
		}
		off := func(p *string) bool { return p != nil && *p == "" }
		turnedOff := off(p.AuthorizationEncAlg) || off(p.IDTokenEncAlg) || off(p.UserInfoEncAlg)
		if turnedOff && c.AuthorizationEncAlg == "" && c.IDTokenEncAlg == "" && c.UserInfoEncAlg == "" && p.JWKS == nil && p.JWKSURI == nil &&
			!keyMethod(c.TokenEndpointAuthMethod) && (c.RequestObjectAlg == "" || c.RequestObjectAlg == "none") && !signsBackchannel(c) {
			// Encryption turned off: keys kept only for it no longer apply.
			c.JWKS, c.JWKSURI = "", ""
		}
		if p.AuthMethod != nil && *p.AuthMethod != store.AuthTLSClient && p.CertIdentity == nil {
			c.CertIdentity = nil
		}
		s.defaultAlgs(c)
		if err := normalizeClient(c, p.RequirePKCE); err != nil {
			return err
		}
		if err := s.checkFAPI(c); err != nil {
			return err
		}
		switch {
		case !secretMethod(c.TokenEndpointAuthMethod):
			c.Secrets = nil
		case c.TokenEndpointAuthMethod == store.AuthSecretJWT:
			for _, x := range c.Secrets {
				if x.Sealed == nil {
					// Only a hash of this secret is kept; HMAC needs the secret.
					return invalid("token_endpoint_auth_method", "client %s has secrets stored only as hashes, which client_secret_jwt cannot use; register a new client with --auth-method client_secret_jwt", c.ID)
				}
			}
		default:
			// Leaving client_secret_jwt: keep no readable copy of any secret.
			c.Secrets = slices.Clone(c.Secrets)
			for i := range c.Secrets {
				c.Secrets[i].Sealed = nil
			}
		}
		c.UpdatedAt = now
		return nil
	})
	if err != nil {
		return nil, storeErr(err, "client", id, "update")
	}
	return c, nil
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// AddClientSecret gives the client one more secret, for a rotation
// without downtime: hand the new one out, then remove the old one. Expired
// secrets are dropped; a client holds at most MaxSecrets. Every secret a
// change takes out of use leaves its keyed hash in the client's
// RetiredSecrets (retire), so the token endpoint can say when it stopped.
func (s *Service) AddClientSecret(ctx context.Context, id string, expiresAt *time.Time) (secretID, plaintext string, err error) {
	return s.addSecret(ctx, id, expiresAt, -1)
}

// RotateClientSecret issues a new secret and retires the old ones: with
// grace 0 they stop working at once; otherwise the newest old secret keeps
// working for grace (or until its own expiry, if sooner) and any other is
// removed.
func (s *Service) RotateClientSecret(ctx context.Context, id string, grace time.Duration, expiresAt *time.Time) (secretID, plaintext string, err error) {
	if grace < 0 {
		return "", "", invalid("grace", "must not be negative")
	}
	return s.addSecret(ctx, id, expiresAt, grace)
}

// addSecret adds a secret; grace < 0 keeps the old ones as they are.
func (s *Service) addSecret(ctx context.Context, id string, expiresAt *time.Time, grace time.Duration) (string, string, error) {
	if s.Secrets == nil {
		return "", "", ErrNoSecrets
	}
	now := s.now()
	if expiresAt != nil && !expiresAt.After(now) {
		return "", "", invalid("expires_at", "%s is not in the future", expiresAt.UTC().Format(time.RFC3339))
	}
	var plain string
	var sec store.ClientSecret
	_, err := s.Store.UpdateClient(ctx, id, func(c *store.Client) error {
		if !secretMethod(c.TokenEndpointAuthMethod) {
			return invalid("token_endpoint_auth_method", "client %s uses %s, which has no secrets; switch it to client_secret_basic or client_secret_post first", c.ID, c.TokenEndpointAuthMethod)
		}
		plain = generateSecret(c.TokenEndpointAuthMethod)
		sec = s.newSecret(c, plain, now, expiresAt)
		// gone are the secrets this change takes out of use: their hashes
		// are kept for a while (retire), so a client still sending one is
		// told it was retired rather than that it is wrong.
		var live, gone []store.ClientSecret
		for _, x := range c.Secrets {
			if x.ExpiresAt != nil && !x.ExpiresAt.After(now) {
				gone = append(gone, x)
			} else {
				live = append(live, x)
			}
		}
		switch {
		case grace == 0:
			gone = append(gone, live...)
			live = nil
		case grace > 0 && len(live) > 0:
			i := 0
			for j := range live {
				if live[j].CreatedAt.After(live[i].CreatedAt) {
					i = j
				}
			}
			newest := live[i]
			until := now.Add(grace).UTC()
			if newest.ExpiresAt == nil || until.Before(*newest.ExpiresAt) {
				newest.ExpiresAt = &until
				newest.Retiring = store.RetiredByRotation
			}
			gone = append(gone, slices.Delete(slices.Clone(live), i, i+1)...)
			live = []store.ClientSecret{newest}
		}
		if len(live) >= MaxSecrets {
			return invalid("secrets", "client %s already has %d secrets; remove one first (lucid client remove-secret, or DELETE /admin/clients/%s/secrets/SECRET_ID)", c.ID, len(live), c.ID)
		}
		s.retire(c, gone, store.RetiredByRotation, now, now)
		c.Secrets = append(live, sec)
		c.UpdatedAt = now
		return nil
	})
	if err != nil {
		return "", "", storeErr(err, "client", id, "add secret to")
	}
	return sec.ID, plain, nil
}

// RemoveClientSecret removes one secret. The last secret of a client that
// authenticates with one cannot be removed: rotate instead.
func (s *Service) RemoveClientSecret(ctx context.Context, id, secretID string) error {
	now := s.now()
	_, err := s.Store.UpdateClient(ctx, id, func(c *store.Client) error {
		i := slices.IndexFunc(c.Secrets, func(x store.ClientSecret) bool { return x.ID == secretID })
		if i < 0 {
			return notFound("secret of client "+c.ID, secretID)
		}
		if len(c.Secrets) == 1 && secretMethod(c.TokenEndpointAuthMethod) {
			return invalid("secret_id", "%s is the only secret of client %s; add a new secret first, or rotate (lucid client rotate-secret)", secretID, c.ID)
		}
		s.retire(c, c.Secrets[i:i+1], store.RetiredByRemoval, now, now)
		c.Secrets = slices.Delete(slices.Clone(c.Secrets), i, i+1)
		c.UpdatedAt = now
		return nil
	})
	if err != nil {
		return storeErr(err, "client", id, "remove secret from")
	}
	return nil
}

// defaultAlgs fills in the ID token algorithm when none is given: RS256,
// which OpenID Connect requires every provider to offer, or for a client
// under the FAPI 2.0 Security Profile ES256, which the profile allows.
func (s *Service) defaultAlgs(c *store.Client) {
	if c.IDTokenAlg != "" {
		return
	}
	c.IDTokenAlg = "RS256"
	if fapi.Covers(s.FAPI2, c) {
		c.IDTokenAlg = fapi.DefaultSigningAlg
	}
}

// checkFAPI refuses a client under the FAPI 2.0 Security Profile whose
// registration breaks it (fapi.CheckMetadata).
func (s *Service) checkFAPI(c *store.Client) error {
	if !fapi.Covers(s.FAPI2, c) {
		return nil
	}
	if e := fapi.CheckMetadata(c, knownAlgs); e != nil {
		return e
	}
	if c.Backchannel != nil && c.Backchannel.DeliveryMode == store.DeliveryPush {
		// FAPI-CIBA §5.2.2: push is not permitted (tokens would reach an
		// endpoint without any sender constraint).
		return catalog.New(catalog.FAPICIBAPush, "client_id", c.ID, "what", "registered")
	}
	return nil
}
