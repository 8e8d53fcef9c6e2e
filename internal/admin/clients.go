package admin

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/store"
)

// clientRequest is the body of POST /admin/clients. Field names follow
// RFC 7591 client metadata where one exists.
type clientRequest struct {
	ID                     string          `json:"client_id"`
	Name                   string          `json:"client_name"`
	RedirectURIs           []string        `json:"redirect_uris"`
	PostLogoutRedirectURIs []string        `json:"post_logout_redirect_uris"`
	WebOrigins             []string        `json:"web_origins"`
	GrantTypes             []string        `json:"grant_types"`
	ResponseTypes          []string        `json:"response_types"`
	Scopes                 []string        `json:"scopes"`
	AuthMethod             string          `json:"token_endpoint_auth_method"`
	RequirePKCE            *bool           `json:"require_pkce"`
	IDTokenAlg             string          `json:"id_token_signed_response_alg"`
	AuthorizationAlg       string          `json:"authorization_signed_response_alg"`
	AuthorizationEncAlg    string          `json:"authorization_encrypted_response_alg"`
	AuthorizationEncEnc    string          `json:"authorization_encrypted_response_enc"`
	IDTokenEncAlg          string          `json:"id_token_encrypted_response_alg"`
	IDTokenEncEnc          string          `json:"id_token_encrypted_response_enc"`
	UserInfoAlg            string          `json:"userinfo_signed_response_alg"`
	UserInfoEncAlg         string          `json:"userinfo_encrypted_response_alg"`
	UserInfoEncEnc         string          `json:"userinfo_encrypted_response_enc"`
	JWKS                   json.RawMessage `json:"jwks"`
	JWKSURI                string          `json:"jwks_uri"`
	RequestObjectAlg       string          `json:"request_object_signing_alg"`
	AlwaysRefresh          bool            `json:"always_issue_refresh_token"`
	DPoPBound              bool            `json:"dpop_bound_access_tokens"`
	RequirePAR             bool            `json:"require_pushed_authorization_requests"`
	FAPI2                  bool            `json:"fapi2_security_profile"`
	SkipConsent            bool            `json:"skip_consent"`
	RequireSecondFactor    bool            `json:"require_second_factor"`
	Disabled               bool            `json:"disabled"`
	Audiences              []string        `json:"audiences"`
	AccessTokenFormat      string          `json:"access_token_format"`
	DetailTypes            []string        `json:"authorization_details_types"`
	// RFC 8705: what a tls_client_auth certificate names, and bound tokens.
	CertIdentity    *store.CertIdentity `json:"tls_client_auth"`
	CertBoundTokens bool                `json:"tls_client_certificate_bound_access_tokens"`
	// Secret is an operator-chosen secret; generated when absent.
	Secret          string     `json:"client_secret"`
	SecretExpiresAt *time.Time `json:"secret_expires_at"`

	TokenExchange *store.ExchangePolicy  `json:"token_exchange"`
	JWTBearer     *store.JWTBearerPolicy `json:"jwt_bearer"`

	// Back- and front-channel logout (OpenID), by their metadata names.
	store.LogoutChannels
	// The CIBA metadata (backchannel_*), flat; any of it replaces all of it.
	*store.BackchannelClient
}

// clientPatch is the body of PATCH /admin/clients/{id}: absent fields stay.
type clientPatch struct {
	Name                   *string         `json:"client_name"`
	RedirectURIs           *[]string       `json:"redirect_uris"`
	PostLogoutRedirectURIs *[]string       `json:"post_logout_redirect_uris"`
	WebOrigins             *[]string       `json:"web_origins"`
	GrantTypes             *[]string       `json:"grant_types"`
	ResponseTypes          *[]string       `json:"response_types"`
	Scopes                 *[]string       `json:"scopes"`
	AuthMethod             *string         `json:"token_endpoint_auth_method"`
	RequirePKCE            *bool           `json:"require_pkce"`
	IDTokenAlg             *string         `json:"id_token_signed_response_alg"`
	AuthorizationAlg       *string         `json:"authorization_signed_response_alg"`
	AuthorizationEncAlg    *string         `json:"authorization_encrypted_response_alg"`
	AuthorizationEncEnc    *string         `json:"authorization_encrypted_response_enc"`
	IDTokenEncAlg          *string         `json:"id_token_encrypted_response_alg"`
	IDTokenEncEnc          *string         `json:"id_token_encrypted_response_enc"`
	UserInfoAlg            *string         `json:"userinfo_signed_response_alg"`
	UserInfoEncAlg         *string         `json:"userinfo_encrypted_response_alg"`
	UserInfoEncEnc         *string         `json:"userinfo_encrypted_response_enc"`
	JWKS                   json.RawMessage `json:"jwks"` // null clears
	JWKSURI                *string         `json:"jwks_uri"`
	RequestObjectAlg       *string         `json:"request_object_signing_alg"`
	AlwaysRefresh          *bool           `json:"always_issue_refresh_token"`
	DPoPBound              *bool           `json:"dpop_bound_access_tokens"`
	RequirePAR             *bool           `json:"require_pushed_authorization_requests"`
	FAPI2                  *bool           `json:"fapi2_security_profile"`
	SkipConsent            *bool           `json:"skip_consent"`
	RequireSecondFactor    *bool           `json:"require_second_factor"`
	Disabled               *bool           `json:"disabled"`
	Audiences              *[]string       `json:"audiences"`
	AccessTokenFormat      *string         `json:"access_token_format"`
	DetailTypes            *[]string       `json:"authorization_details_types"`
	// An object replaces the identity; {} removes it.
	CertIdentity    *store.CertIdentity `json:"tls_client_auth"`
	CertBoundTokens *bool               `json:"tls_client_certificate_bound_access_tokens"`

	// A policy replaces the current one; {} removes it.
	TokenExchange *store.ExchangePolicy  `json:"token_exchange"`
	JWTBearer     *store.JWTBearerPolicy `json:"jwt_bearer"`

	// Back- and front-channel logout; "" removes a URI.
	BackchannelLogoutURI              *string `json:"backchannel_logout_uri"`
	BackchannelLogoutSessionRequired  *bool   `json:"backchannel_logout_session_required"`
	FrontchannelLogoutURI             *string `json:"frontchannel_logout_uri"`
	FrontchannelLogoutSessionRequired *bool   `json:"frontchannel_logout_session_required"`
	// The CIBA metadata (backchannel_*), flat; any of it replaces all of it.
	*store.BackchannelClient
}

// createdClient is the only response that carries the client's secret.
type createdClient struct {
	manage.ClientView
	Secret   string `json:"client_secret,omitempty"`
	SecretID string `json:"client_secret_id,omitempty"`
}

// jwksText accepts a JWK set as a JSON object or as a string holding one.
func jwksText(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return "", nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", catalog.New(catalog.AdminInvalid, "field", "jwks", "reason", "not a JWK set")
		}
		return s, nil
	}
	return string(raw), nil
}

func (a *api) listClients(w http.ResponseWriter, r *http.Request) {
	cs, err := a.svc.ListClients(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := make([]manage.ClientView, len(cs))
	for i, c := range cs {
		out[i] = manage.ViewClient(c)
	}
	writeJSON(w, http.StatusOK, map[string]any{"clients": out})
}

func (a *api) createClient(w http.ResponseWriter, r *http.Request) {
	var req clientRequest
	if err := decode(w, r, &req, false); err != nil {
		a.fail(w, r, err)
		return
	}
	jwks, err := jwksText(req.JWKS)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	c, plain, err := a.svc.CreateClient(r.Context(), manage.ClientSpec{
		ID:                     req.ID,
		Name:                   req.Name,
		RedirectURIs:           req.RedirectURIs,
		PostLogoutRedirectURIs: req.PostLogoutRedirectURIs,
		WebOrigins:             req.WebOrigins,
		GrantTypes:             req.GrantTypes,
		ResponseTypes:          req.ResponseTypes,
		Scopes:                 req.Scopes,
		AuthMethod:             req.AuthMethod,
		RequirePKCE:            req.RequirePKCE,
		IDTokenAlg:             req.IDTokenAlg,
		AuthorizationAlg:       req.AuthorizationAlg,
		AuthorizationEncAlg:    req.AuthorizationEncAlg,
		AuthorizationEncEnc:    req.AuthorizationEncEnc,
		IDTokenEncAlg:          req.IDTokenEncAlg,
		IDTokenEncEnc:          req.IDTokenEncEnc,
		UserInfoAlg:            req.UserInfoAlg,
		UserInfoEncAlg:         req.UserInfoEncAlg,
		UserInfoEncEnc:         req.UserInfoEncEnc,
		JWKS:                   jwks,
		JWKSURI:                req.JWKSURI,
		RequestObjectAlg:       req.RequestObjectAlg,
		AlwaysRefresh:          req.AlwaysRefresh,
		DPoPBound:              req.DPoPBound,
		RequirePAR:             req.RequirePAR,
		FAPI2:                  req.FAPI2,
		SkipConsent:            req.SkipConsent,
		RequireSecondFactor:    req.RequireSecondFactor,
		Disabled:               req.Disabled,
		Audiences:              req.Audiences,
		AccessTokenFormat:      req.AccessTokenFormat,
		DetailTypes:            req.DetailTypes,
		CertIdentity:           req.CertIdentity,
		CertBoundTokens:        req.CertBoundTokens,
		Secret:                 req.Secret,
		SecretExpiresAt:        req.SecretExpiresAt,
		TokenExchange:          req.TokenExchange,
		JWTBearer:              req.JWTBearer,
		Logout:                 req.LogoutChannels,
		Backchannel:            req.BackchannelClient,
	})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.log.InfoContext(r.Context(), "admin: client created", "trace_id", traceID(r), "client_id", c.ID, "auth_method", c.TokenEndpointAuthMethod)
	out := createdClient{ClientView: manage.ViewClient(c), Secret: plain}
	if plain != "" && len(c.Secrets) > 0 {
		out.SecretID = c.Secrets[0].ID
	}
	w.Header().Set("Location", a.issuer+"/admin/clients/"+c.ID)
	writeJSON(w, http.StatusCreated, out)
}

func (a *api) getClient(w http.ResponseWriter, r *http.Request) {
	c, err := a.svc.GetClient(r.Context(), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, manage.ViewClient(c))
}

func (a *api) updateClient(w http.ResponseWriter, r *http.Request) {
	var req clientPatch
	if err := decode(w, r, &req, false); err != nil {
		a.fail(w, r, err)
		return
	}
	p := manage.ClientPatch{
		Name:                   req.Name,
		RedirectURIs:           req.RedirectURIs,
		PostLogoutRedirectURIs: req.PostLogoutRedirectURIs,
		WebOrigins:             req.WebOrigins,
		GrantTypes:             req.GrantTypes,
		ResponseTypes:          req.ResponseTypes,
		Scopes:                 req.Scopes,
		AuthMethod:             req.AuthMethod,
		RequirePKCE:            req.RequirePKCE,
		IDTokenAlg:             req.IDTokenAlg,
		AuthorizationAlg:       req.AuthorizationAlg,
		AuthorizationEncAlg:    req.AuthorizationEncAlg,
		AuthorizationEncEnc:    req.AuthorizationEncEnc,
		IDTokenEncAlg:          req.IDTokenEncAlg,
		IDTokenEncEnc:          req.IDTokenEncEnc,
		UserInfoAlg:            req.UserInfoAlg,
		UserInfoEncAlg:         req.UserInfoEncAlg,
		UserInfoEncEnc:         req.UserInfoEncEnc,
		JWKSURI:                req.JWKSURI,
		RequestObjectAlg:       req.RequestObjectAlg,
		AlwaysRefresh:          req.AlwaysRefresh,
		DPoPBound:              req.DPoPBound,
		RequirePAR:             req.RequirePAR,
		FAPI2:                  req.FAPI2,
		SkipConsent:            req.SkipConsent,
		RequireSecondFactor:    req.RequireSecondFactor,
		Disabled:               req.Disabled,
		Audiences:              req.Audiences,
		AccessTokenFormat:      req.AccessTokenFormat,
		DetailTypes:            req.DetailTypes,
		CertIdentity:           req.CertIdentity,
		CertBoundTokens:        req.CertBoundTokens,
		Backchannel:            req.BackchannelClient,
		TokenExchange:          req.TokenExchange,
		JWTBearer:              req.JWTBearer,

		BackchannelLogoutURI:              req.BackchannelLogoutURI,
		BackchannelLogoutSessionRequired:  req.BackchannelLogoutSessionRequired,
		FrontchannelLogoutURI:             req.FrontchannelLogoutURI,
		FrontchannelLogoutSessionRequired: req.FrontchannelLogoutSessionRequired,
	}
	if req.JWKS != nil {
		jwks, err := jwksText(req.JWKS)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		p.JWKS = &jwks
	}
	c, err := a.svc.UpdateClient(r.Context(), r.PathValue("id"), p)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.log.InfoContext(r.Context(), "admin: client updated", "trace_id", traceID(r), "client_id", c.ID)
	writeJSON(w, http.StatusOK, manage.ViewClient(c))
}

func (a *api) deleteClient(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := a.svc.DeleteClient(r.Context(), id); err != nil {
		a.fail(w, r, err)
		return
	}
	a.log.InfoContext(r.Context(), "admin: client deleted", "trace_id", traceID(r), "client_id", id)
	w.WriteHeader(http.StatusNoContent)
}

// newSecret is the response to POST /admin/clients/{id}/secrets.
type newSecret struct {
	ID        string     `json:"id"`
	ClientID  string     `json:"client_id"`
	Secret    string     `json:"client_secret"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

func (a *api) addSecret(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ExpiresAt *time.Time `json:"expires_at"`
	}
	if err := decode(w, r, &req, true); err != nil {
		a.fail(w, r, err)
		return
	}
	id := r.PathValue("id")
	sid, plain, err := a.svc.AddClientSecret(r.Context(), id, req.ExpiresAt)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.log.InfoContext(r.Context(), "admin: client secret added", "trace_id", traceID(r), "client_id", id, "secret_id", sid)
	out := newSecret{ID: sid, ClientID: id, Secret: plain}
	if req.ExpiresAt != nil {
		t := req.ExpiresAt.UTC()
		out.ExpiresAt = &t
	}
	writeJSON(w, http.StatusCreated, out)
}

func (a *api) removeSecret(w http.ResponseWriter, r *http.Request) {
	id, sid := r.PathValue("id"), r.PathValue("sid")
	if err := a.svc.RemoveClientSecret(r.Context(), id, sid); err != nil {
		a.fail(w, r, err)
		return
	}
	a.log.InfoContext(r.Context(), "admin: client secret removed", "trace_id", traceID(r), "client_id", id, "secret_id", sid)
	w.WriteHeader(http.StatusNoContent)
}
