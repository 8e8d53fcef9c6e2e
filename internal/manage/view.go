package manage

import (
	"encoding/json"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
)

// ClientView is what the admin API and `lucid client … --output json`
// show of a client: everything but the secret hashes.
type ClientView struct {
	ID                      string          `json:"client_id"`
	Name                    string          `json:"client_name"`
	TokenEndpointAuthMethod string          `json:"token_endpoint_auth_method"`
	RedirectURIs            []string        `json:"redirect_uris"`
	PostLogoutRedirectURIs  []string        `json:"post_logout_redirect_uris"`
	WebOrigins              []string        `json:"web_origins"`
	GrantTypes              []string        `json:"grant_types"`
	ResponseTypes           []string        `json:"response_types"`
	Scopes                  []string        `json:"scopes"`
	RequirePKCE             bool            `json:"require_pkce"`
	IDTokenAlg              string          `json:"id_token_signed_response_alg"`
	AuthorizationAlg        string          `json:"authorization_signed_response_alg,omitempty"`
	AuthorizationEncAlg     string          `json:"authorization_encrypted_response_alg,omitempty"`
	AuthorizationEncEnc     string          `json:"authorization_encrypted_response_enc,omitempty"`
	IDTokenEncAlg           string          `json:"id_token_encrypted_response_alg,omitempty"`
	IDTokenEncEnc           string          `json:"id_token_encrypted_response_enc,omitempty"`
	UserInfoAlg             string          `json:"userinfo_signed_response_alg,omitempty"`
	UserInfoEncAlg          string          `json:"userinfo_encrypted_response_alg,omitempty"`
	UserInfoEncEnc          string          `json:"userinfo_encrypted_response_enc,omitempty"`
	JWKS                    json.RawMessage `json:"jwks,omitempty"`
	JWKSURI                 string          `json:"jwks_uri,omitempty"`
	RequestObjectAlg        string          `json:"request_object_signing_alg,omitempty"`
	AlwaysRefresh           bool            `json:"always_issue_refresh_token"`
	DPoPBound               bool            `json:"dpop_bound_access_tokens"`
	RequirePAR              bool            `json:"require_pushed_authorization_requests"`
	FAPI2                   bool            `json:"fapi2_security_profile"`
	SkipConsent             bool            `json:"skip_consent"`
	RequireSecondFactor     bool            `json:"require_second_factor"`
	Disabled                bool            `json:"disabled"`
	Audiences               []string        `json:"audiences,omitempty"`
	AccessTokenFormat       string          `json:"access_token_format,omitempty"`
	DetailTypes             []string        `json:"authorization_details_types,omitempty"`
	// CertIdentity is the tls_client_auth subject or name (RFC 8705).
	CertIdentity    *store.CertIdentity `json:"tls_client_auth,omitempty"`
	CertBoundTokens bool                `json:"tls_client_certificate_bound_access_tokens"`
	Secrets         []SecretView        `json:"secrets"`
	CreatedAt       time.Time           `json:"created_at"`
	UpdatedAt       time.Time           `json:"updated_at"`

	// Back- and front-channel logout metadata.
	store.LogoutChannels

	// The grant policies, absent when the client has none.
	TokenExchange *store.ExchangePolicy  `json:"token_exchange,omitempty"`
	JWTBearer     *store.JWTBearerPolicy `json:"jwt_bearer,omitempty"`

	// The CIBA metadata, flat as in RFC 7591; absent without the grant.
	*store.BackchannelClient
}

// SecretView describes a client secret without its hash.
type SecretView struct {
	ID        string     `json:"id"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// ViewClient builds the public description of c.
func ViewClient(c *store.Client) ClientView {
	v := ClientView{
		ID:                      c.ID,
		Name:                    c.Name,
		TokenEndpointAuthMethod: c.TokenEndpointAuthMethod,
		RedirectURIs:            nonNil(c.RedirectURIs),
		PostLogoutRedirectURIs:  nonNil(c.PostLogoutRedirectURIs),
		WebOrigins:              nonNil(c.WebOrigins),
		GrantTypes:              nonNil(c.GrantTypes),
		ResponseTypes:           nonNil(c.ResponseTypes),
		Scopes:                  nonNil(c.Scopes),
		RequirePKCE:             c.RequirePKCE,
		IDTokenAlg:              c.IDTokenAlg,
		AuthorizationAlg:        c.AuthorizationAlg,
		AuthorizationEncAlg:     c.AuthorizationEncAlg,
		AuthorizationEncEnc:     c.AuthorizationEncEnc,
		IDTokenEncAlg:           c.IDTokenEncAlg,
		IDTokenEncEnc:           c.IDTokenEncEnc,
		UserInfoAlg:             c.UserInfoAlg,
		UserInfoEncAlg:          c.UserInfoEncAlg,
		UserInfoEncEnc:          c.UserInfoEncEnc,
		JWKSURI:                 c.JWKSURI,
		RequestObjectAlg:        c.RequestObjectAlg,
		AlwaysRefresh:           c.AlwaysRefresh,
		DPoPBound:               c.DPoPBoundAccessTokens,
		RequirePAR:              c.RequirePAR,
		FAPI2:                   c.FAPI2,
		SkipConsent:             c.SkipConsent,
		RequireSecondFactor:     c.RequireSecondFactor,
		Disabled:                c.Disabled,
		Audiences:               c.Audiences,
		AccessTokenFormat:       c.AccessTokenFormat,
		DetailTypes:             c.AuthorizationDetailsTypes,
		TokenExchange:           c.TokenExchange,
		JWTBearer:               c.JWTBearer,
		BackchannelClient:       c.Backchannel,
		CertIdentity:            c.CertIdentity,
		LogoutChannels:          c.LogoutChannels,
		CertBoundTokens:         c.CertBoundTokens,
		Secrets:                 make([]SecretView, 0, len(c.Secrets)),
		CreatedAt:               c.CreatedAt.UTC(),
		UpdatedAt:               c.UpdatedAt.UTC(),
	}
	if c.JWKS != "" && json.Valid([]byte(c.JWKS)) {
		v.JWKS = json.RawMessage(c.JWKS)
	}
	for _, s := range c.Secrets {
		v.Secrets = append(v.Secrets, SecretView{ID: s.ID, CreatedAt: s.CreatedAt.UTC(), ExpiresAt: utc(s.ExpiresAt)})
	}
	return v
}

// UserView is what the admin API and the CLI show of a user: everything
// but the password hash.
type UserView struct {
	ID            string         `json:"id"`
	Username      string         `json:"username"`
	Email         string         `json:"email,omitempty"`
	EmailVerified bool           `json:"email_verified"`
	Name          string         `json:"name,omitempty"`
	GivenName     string         `json:"given_name,omitempty"`
	FamilyName    string         `json:"family_name,omitempty"`
	Phone         string         `json:"phone_number,omitempty"`
	PhoneVerified bool           `json:"phone_number_verified"`
	Address       *store.Address `json:"address,omitempty"`
	Disabled      bool           `json:"disabled"`
	Admin         bool           `json:"admin"`
	FailedLogins  int            `json:"failed_logins"`
	LockedUntil   *time.Time     `json:"locked_until,omitempty"`
	// CIBAUserCode says whether the person set a CIBA user code (never
	// the code or its hash).
	CIBAUserCode            bool       `json:"ciba_user_code_set"`
	CIBAUserCodeLockedUntil *time.Time `json:"ciba_user_code_locked_until,omitempty"`
	CreatedAt               time.Time  `json:"created_at"`
	UpdatedAt               time.Time  `json:"updated_at"`
}

// ViewUser builds the public description of u.
func ViewUser(u *store.User) UserView {
	v := UserView{
		ID:            u.ID,
		Username:      u.Username,
		Email:         u.Email,
		EmailVerified: u.EmailVerified,
		Name:          u.Name,
		GivenName:     u.GivenName,
		FamilyName:    u.FamilyName,
		Phone:         u.Phone,
		PhoneVerified: u.PhoneVerified,
		Address:       u.Address,
		Disabled:      u.Disabled,
		Admin:         u.Admin,
		FailedLogins:  u.FailedLogins,
		CreatedAt:     u.CreatedAt.UTC(),
		UpdatedAt:     u.UpdatedAt.UTC(),
	}
	v.CIBAUserCode = u.CIBAUserCodeHash != ""
	if !u.CIBACodeLockedUntil.IsZero() {
		v.CIBAUserCodeLockedUntil = utc(&u.CIBACodeLockedUntil)
	}
	if !u.LockedUntil.IsZero() {
		v.LockedUntil = utc(&u.LockedUntil)
	}
	return v
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// APIView is the JSON form of an API, with its lifetime as a duration
// string ("5m0s") rather than nanoseconds.
type APIView struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Scopes      []string  `json:"scopes"`
	TokenFormat string    `json:"token_format"`
	TokenTTL    string    `json:"token_ttl,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	// DetailTypes are its authorization details types (RFC 9396).
	DetailTypes []store.DetailType `json:"authorization_details_types,omitempty"`
}

// ViewAPI is the JSON form of a.
func ViewAPI(a *store.API) APIView {
	v := APIView{ID: a.ID, Name: a.Name, Scopes: a.Scopes, TokenFormat: a.TokenFormat, CreatedAt: a.CreatedAt, DetailTypes: a.DetailTypes}
	if a.TokenTTL > 0 {
		v.TokenTTL = a.TokenTTL.String()
	}
	return v
}
