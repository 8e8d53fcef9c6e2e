package provider

import (
	"encoding/json"
	"net/http"
	"slices"

	"github.com/lucid-auth/lucid/internal/authn"
	"github.com/lucid-auth/lucid/internal/clientauth"
	"github.com/lucid-auth/lucid/internal/clientjwt"
	"github.com/lucid-auth/lucid/internal/dpop"
	"github.com/lucid-auth/lucid/internal/granttype"
	"github.com/lucid-auth/lucid/internal/jwe"
	"github.com/lucid-auth/lucid/internal/store"
)

// Scopes Lucid understands, and the claims each releases (OIDC Core §5.4).
var scopeClaims = map[string][]string{
	"openid":  {"sub"},
	"profile": {"name", "given_name", "family_name", "preferred_username", "updated_at"},
	"email":   {"email", "email_verified"},
	"address": {"address"},
	"phone":   {"phone_number", "phone_number_verified"},
	// groups come from upstream identity providers (group_mapping).
	"groups":         {"groups"},
	"offline_access": nil,
}

func knownScope(s string) bool {
	_, ok := scopeClaims[s]
	return ok
}

// buildDiscovery renders the metadata once: it changes only with the
// configuration, so every request serves the same bytes.
func (p *Provider) buildDiscovery() ([]byte, error) {
	claims := []string{"iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "azp", "sid", "at_hash"}
	for _, s := range []string{"openid", "profile", "email", "address", "phone", "groups"} {
		claims = append(claims, scopeClaims[s]...)
	}
	doc := map[string]any{
		"issuer":                 p.issuer,
		"authorization_endpoint": p.issuer + PathAuthorize,
		"token_endpoint":         p.issuer + PathToken,
		"userinfo_endpoint":      p.issuer + PathUserInfo,
		"jwks_uri":               p.issuer + PathJWKS,
		"end_session_endpoint":   p.issuer + PathLogout,
		"introspection_endpoint": p.issuer + PathIntrospect,
		"revocation_endpoint":    p.issuer + PathRevoke,
		// The same clientauth serves all three endpoints; introspection
		// alone refuses public clients (none).
		"introspection_endpoint_auth_methods_supported":            []string{"client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt"},
		"introspection_endpoint_auth_signing_alg_values_supported": clientauth.AssertionAlgs(),
		"revocation_endpoint_auth_methods_supported":               []string{"client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt", "none"},
		"revocation_endpoint_auth_signing_alg_values_supported":    clientauth.AssertionAlgs(),
		"scopes_supported":                                 []string{"openid", "profile", "email", "address", "phone", "groups", "offline_access"},
		"response_types_supported":                         []string{"code"},
		"response_modes_supported":                         responseModes(),
		"authorization_signing_alg_values_supported":       p.keys.Algs(),
		"authorization_encryption_alg_values_supported":    jwe.Algs,
		"authorization_encryption_enc_values_supported":    jwe.Encs,
		"id_token_encryption_alg_values_supported":         jwe.Algs,
		"id_token_encryption_enc_values_supported":         jwe.Encs,
		"userinfo_encryption_alg_values_supported":         jwe.Algs,
		"userinfo_encryption_enc_values_supported":         jwe.Encs,
		"grant_types_supported":                            granttype.Strings(),
		"subject_types_supported":                          []string{"public"},
		"id_token_signing_alg_values_supported":            p.keys.Algs(),
		"userinfo_signing_alg_values_supported":            p.keys.Algs(),
		"token_endpoint_auth_methods_supported":            []string{"client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt", "none"},
		"token_endpoint_auth_signing_alg_values_supported": clientauth.AssertionAlgs(),
		"code_challenge_methods_supported":                 []string{"S256"},
		"dpop_signing_alg_values_supported":                dpop.Algs,
		"claims_supported":                                 claims,
		"prompt_values_supported":                          []string{"none", "login", "consent", "select_account"},
		"ui_locales_supported":                             p.ui.Locales(),
		"authorization_response_iss_parameter_supported":   true,
		"claims_parameter_supported":                       false,
		"request_parameter_supported":                      true,
		"request_object_signing_alg_values_supported":      requestObjectAlgValues(p.clients.Strict()),
		"request_uri_parameter_supported":                  false,
		// OpenID Front- and Back-Channel Logout 1.0 (internal/logout).
		"frontchannel_logout_supported":         true,
		"frontchannel_logout_session_supported": true,
		"backchannel_logout_supported":          true,
		"backchannel_logout_session_supported":  true,
		"service_documentation":                 p.issuer + "/errors",
	}
	if p.mtls {
		methods := []string{"client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt", store.AuthTLSClient, store.AuthSelfSignedTLS}
		doc["token_endpoint_auth_methods_supported"] = append(slices.Clone(methods), "none")
		doc["revocation_endpoint_auth_methods_supported"] = append(slices.Clone(methods), "none")
		doc["introspection_endpoint_auth_methods_supported"] = methods
		doc["tls_client_certificate_bound_access_tokens"] = true
		doc["mtls_endpoint_aliases"] = p.mtlsAliases()
	}
	if p.registrationEndpoint != "" {
		doc["registration_endpoint"] = p.registrationEndpoint
	}
	// RFC 9126 §5: pushed requests, whether every client must push, and
	// request_uri accepted (only the PAR endpoint's own).
	doc["pushed_authorization_request_endpoint"] = p.issuer + PathPAR
	doc["require_pushed_authorization_requests"] = p.requirePAR
	doc["request_uri_parameter_supported"] = true
	if p.fapi2 {
		p.fapiDiscovery(doc)
	}
	// RFC 8628 §4.
	doc["device_authorization_endpoint"] = p.issuer + PathDeviceAuthorization
	// OpenID CIBA Core §4: poll, ping and push (push not for clients
	// under FAPI), signed requests with the request-object algorithms.
	doc["backchannel_authentication_endpoint"] = p.issuer + PathBackchannel
	doc["backchannel_token_delivery_modes_supported"] = []string{store.DeliveryPoll, store.DeliveryPing, store.DeliveryPush}
	doc["backchannel_authentication_request_signing_alg_values_supported"] = clientjwt.AlgNames(requestObjectAlgs)
	doc["backchannel_user_code_parameter_supported"] = true
	// The acr values of internal/authn; phr only with passkeys.
	acrs := slices.Clone(authn.ACRValues)
	if p.webauthn == nil {
		acrs = slices.DeleteFunc(acrs, func(v string) bool { return v == authn.ACRPhishingResistant })
	}
	doc["acr_values_supported"] = acrs
	return json.Marshal(doc)
}

func (p *Provider) handleDiscovery(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "public, max-age=3600")
	h.Set("Access-Control-Allow-Origin", "*")
	_, _ = w.Write(p.discoveryBody(r.Context()))
}

func (p *Provider) handleJWKS(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "application/jwk-set+json")
	// Short enough that clients see a rotation well before old keys leave.
	h.Set("Cache-Control", "public, max-age=300")
	h.Set("Access-Control-Allow-Origin", "*")
	_, _ = w.Write(p.keys.JWKS())
}
