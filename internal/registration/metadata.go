package registration

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/store"
)

// metadata is the client metadata of a request (RFC 7591 §2, OpenID
// Connect Registration and RP-Initiated Logout); nil means the field was
// absent or null. Fields Lucid does not understand are ignored, as
// RFC 7591 §2 asks, and so are its own extensions (audiences,
// skip_consent…): only the operator grants those. web_origins is the one
// extension a client registers itself: like redirect_uris, it only says
// where the client's own pages live.
type metadata struct {
	RedirectURIs   *[]string
	PostLogout     *[]string
	WebOrigins     *[]string
	GrantTypes     *[]string
	ResponseTypes  *[]string
	AuthMethod     *string
	Name           *string
	Scope          *string
	JWKS           *string // the jwks object, compacted
	JWKSURI        *string
	IDTokenAlg     *string
	AuthzAlg       *string // authorization_signed_response_alg (JARM)
	AuthzEncAlg    *string // authorization_encrypted_response_alg
	AuthzEncEnc    *string // authorization_encrypted_response_enc
	IDTokenEncAlg  *string // id_token_encrypted_response_alg
	IDTokenEncEnc  *string // id_token_encrypted_response_enc
	UserInfoAlg    *string // userinfo_signed_response_alg
	UserInfoEncAlg *string // userinfo_encrypted_response_alg
	UserInfoEncEnc *string // userinfo_encrypted_response_enc
	// CertIdentity holds the tls_client_auth_* fields and BoundTokens
	// tls_client_certificate_bound_access_tokens (RFC 8705 §2.1.2, §3.4).
	CertIdentity store.CertIdentity
	BoundTokens  *bool
	// DPoPBound is dpop_bound_access_tokens (RFC 9449 §5.2): the client
	// asks to be refused any token request without a DPoP proof.
	DPoPBound *bool
	// RequestObjectAlg is request_object_signing_alg (RFC 9101 §10.5).
	RequestObjectAlg *string
	// RequirePAR is require_pushed_authorization_requests (RFC 9126 §6).
	RequirePAR *bool
	// FAPI2 is fapi2_security_profile, Lucid's own: the client asks to be
	// held to the FAPI 2.0 Security Profile (internal/fapi).
	FAPI2 *bool
	// Logout holds the back- and front-channel logout metadata (OpenID
	// Back-Channel Logout 1.0 §2.2, Front-Channel Logout 1.0 §2).
	Logout store.LogoutChannels
	// Backchannel holds the backchannel_* fields (OpenID CIBA Core §4).
	Backchannel store.BackchannelClient
	// ClientID and ClientSecret matter only in an update (RFC 7592 §2.2);
	// a new registration ignores them: the server assigns both.
	ClientID     *string
	ClientSecret *string
	Statement    json.RawMessage // software_statement, as sent
}

// readMetadata reads the JSON object of a registration or update request.
func readMetadata(w http.ResponseWriter, r *http.Request) (*metadata, *catalog.Error) {
	ct := r.Header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
		reason := "the request has no Content-Type; send application/json"
		if ct != "" {
			reason = "the Content-Type is " + clip(ct, 60) + "; send application/json"
		}
		return nil, catalog.New(catalog.RegistrationRequestMalformed, "reason", reason)
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	var fields map[string]json.RawMessage
	if err := dec.Decode(&fields); err != nil {
		return nil, bodyError(err)
	}
	if fields == nil {
		return nil, catalog.New(catalog.RegistrationRequestMalformed, "reason", "the body is null, not a JSON object")
	}
	if err := dec.Decode(&json.RawMessage{}); !errors.Is(err, io.EOF) {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			return nil, catalog.New(catalog.BodyTooLarge, "limit", maxBody)
		}
		return nil, catalog.New(catalog.RegistrationRequestMalformed, "reason", "something follows the JSON object; send exactly one object")
	}

	md := &metadata{Statement: present(fields, "software_statement")}
	var e *catalog.Error
	for _, l := range []struct {
		name string
		dst  **[]string
	}{
		{"redirect_uris", &md.RedirectURIs},
		{"post_logout_redirect_uris", &md.PostLogout},
		{"web_origins", &md.WebOrigins},
		{"grant_types", &md.GrantTypes},
		{"response_types", &md.ResponseTypes},
	} {
		if *l.dst, e = stringList(fields, l.name); e != nil {
			return nil, e
		}
	}
	for _, s := range []struct {
		name string
		dst  **string
	}{
		{"token_endpoint_auth_method", &md.AuthMethod},
		{"client_name", &md.Name},
		{"scope", &md.Scope},
		{"jwks_uri", &md.JWKSURI},
		{"id_token_signed_response_alg", &md.IDTokenAlg},
		{"authorization_signed_response_alg", &md.AuthzAlg},
		{"authorization_encrypted_response_alg", &md.AuthzEncAlg},
		{"authorization_encrypted_response_enc", &md.AuthzEncEnc},
		{"id_token_encrypted_response_alg", &md.IDTokenEncAlg},
		{"id_token_encrypted_response_enc", &md.IDTokenEncEnc},
		{"userinfo_signed_response_alg", &md.UserInfoAlg},
		{"userinfo_encrypted_response_alg", &md.UserInfoEncAlg},
		{"userinfo_encrypted_response_enc", &md.UserInfoEncEnc},
		{"request_object_signing_alg", &md.RequestObjectAlg},
		{"client_id", &md.ClientID},
		{"client_secret", &md.ClientSecret},
	} {
		if *s.dst, e = stringField(fields, s.name); e != nil {
			return nil, e
		}
	}
	if raw := present(fields, "dpop_bound_access_tokens"); raw != nil {
		var b bool
		if json.Unmarshal(raw, &b) != nil {
			return nil, invalidField("dpop_bound_access_tokens", "must be true or false, not "+jsonKind(raw))
		}
		md.DPoPBound = &b
	}
	for _, s := range []struct {
		name string
		dst  *string
	}{
		{"tls_client_auth_subject_dn", &md.CertIdentity.SubjectDN},
		{"tls_client_auth_san_dns", &md.CertIdentity.SANDNS},
		{"tls_client_auth_san_uri", &md.CertIdentity.SANURI},
		{"tls_client_auth_san_ip", &md.CertIdentity.SANIP},
		{"tls_client_auth_san_email", &md.CertIdentity.SANEmail},
	} {
		v, e := stringField(fields, s.name)
		if e != nil {
			return nil, e
		}
		*s.dst = deref(v, "")
	}
	if raw := present(fields, "tls_client_certificate_bound_access_tokens"); raw != nil {
		var b bool
		if err := json.Unmarshal(raw, &b); err != nil {
			return nil, invalidField("tls_client_certificate_bound_access_tokens", "must be true or false, not "+jsonKind(raw))
		}
		md.BoundTokens = &b
	}
	if md.RequirePAR, e = boolField(fields, "require_pushed_authorization_requests"); e != nil {
		return nil, e
	}
	if md.FAPI2, e = boolField(fields, "fapi2_security_profile"); e != nil {
		return nil, e
	}
	for _, s := range []struct {
		name string
		dst  *string
	}{{"backchannel_logout_uri", &md.Logout.BackchannelURI}, {"frontchannel_logout_uri", &md.Logout.FrontchannelURI}} {
		v, e := stringField(fields, s.name)
		if e != nil {
			return nil, e
		}
		*s.dst = deref(v, "")
	}
	for _, b := range []struct {
		name string
		dst  *bool
	}{{"backchannel_logout_session_required", &md.Logout.BackchannelSessionRequired}, {"frontchannel_logout_session_required", &md.Logout.FrontchannelSessionRequired}} {
		v, e := boolField(fields, b.name)
		if e != nil {
			return nil, e
		}
		*b.dst = deref(v, false)
	}
	if e := md.readBackchannel(fields); e != nil {
		return nil, e
	}
	if raw := present(fields, "jwks"); raw != nil {
		var buf bytes.Buffer
		if raw[0] != '{' || json.Compact(&buf, raw) != nil {
			return nil, invalidField("jwks", "must be a JSON object holding a keys array (a JWK set), not "+jsonKind(raw)+"; to give a URL, use jwks_uri")
		}
		s := buf.String()
		md.JWKS = &s
	}
	return md, nil
}

// bodyError explains why the body is not a JSON object.
func bodyError(err error) *catalog.Error {
	var (
		maxErr    *http.MaxBytesError
		syntaxErr *json.SyntaxError
		typeErr   *json.UnmarshalTypeError
	)
	reason := "the body is not valid JSON"
	switch {
	case errors.As(err, &maxErr):
		return catalog.New(catalog.BodyTooLarge, "limit", maxBody)
	case errors.Is(err, io.EOF):
		reason = "the body is empty; send a JSON object of client metadata"
	case errors.As(err, &syntaxErr):
		reason = "the body is not valid JSON (error at byte " + strconv.FormatInt(syntaxErr.Offset, 10) + ")"
	case errors.As(err, &typeErr):
		reason = "the body is a JSON " + typeErr.Value + ", not an object"
	}
	return catalog.New(catalog.RegistrationRequestMalformed, "reason", reason)
}

// present returns a field's raw value, or nil when it is absent or null.
func present(fields map[string]json.RawMessage, name string) json.RawMessage {
	raw := bytes.TrimSpace(fields[name])
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil
	}
	return raw
}

func stringList(fields map[string]json.RawMessage, name string) (*[]string, *catalog.Error) {
	raw := present(fields, name)
	if raw == nil {
		return nil, nil
	}
	var v []string
	if err := json.Unmarshal(raw, &v); err != nil {
		if raw[0] == '[' {
			return nil, invalidField(name, "must be a JSON array of strings; an item is not a string")
		}
		return nil, invalidField(name, "must be a JSON array of strings, not "+jsonKind(raw))
	}
	if v == nil {
		v = []string{}
	}
	return &v, nil
}

func boolField(fields map[string]json.RawMessage, name string) (*bool, *catalog.Error) {
	raw := present(fields, name)
	if raw == nil {
		return nil, nil
	}
	var b bool
	if err := json.Unmarshal(raw, &b); err != nil {
		return nil, invalidField(name, "must be true or false, not "+jsonKind(raw))
	}
	return &b, nil
}

func stringField(fields map[string]json.RawMessage, name string) (*string, *catalog.Error) {
	raw := present(fields, name)
	if raw == nil {
		return nil, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		reason := "must be a JSON string, not " + jsonKind(raw)
		if name == "scope" && raw[0] == '[' {
			reason += "; RFC 7591 sends scopes as one space-separated string"
		}
		return nil, invalidField(name, reason)
	}
	return &s, nil
}

// jsonKind names the JSON type of a value, for messages.
func jsonKind(raw json.RawMessage) string {
	switch raw[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "true or false"
	default:
		return "a number"
	}
}

func invalidField(field, reason string) *catalog.Error {
	return catalog.New(catalog.RegistrationMetadataInvalid, "field", field, "reason", reason)
}

// values is a registration with RFC 7591's defaults filled in: what a new
// client gets, and what an update (a full replacement) leaves.
type values struct {
	redirectURIs                                []string
	postLogout                                  []string
	webOrigins                                  []string
	grantTypes                                  []string
	responseTypes                               []string
	scopes                                      []string
	authMethod                                  string
	name                                        string
	jwks                                        string
	jwksURI                                     string
	idTokenAlg                                  string
	dpopBound                                   bool
	authzAlg                                    string
	authzEncAlg                                 string
	authzEncEnc                                 string
	idTokenEncAlg                               string
	idTokenEncEnc                               string
	userInfoAlg, userInfoEncAlg, userInfoEncEnc string
	certIdentity                                store.CertIdentity
	boundTokens                                 bool
	requestObjAlg                               string
	requirePAR                                  bool
	fapi2                                       bool
	logout                                      store.LogoutChannels
	backchannel                                 *store.BackchannelClient
}

// resolve fills in the defaults and applies the rules RFC 7591 has beyond
// package manage's. clientID names the client when client_name is absent.
func (md *metadata) resolve(clientID string) (values, *catalog.Error) {
	if e := md.checkStatement(); e != nil {
		return values{}, e
	}
	v := values{
		redirectURIs: deref(md.RedirectURIs, nil),
		postLogout:   deref(md.PostLogout, nil),
		webOrigins:   deref(md.WebOrigins, nil),
		// RFC 7591 §2: authorization_code is the default grant type, and
		// client_secret_basic the default authentication method.
		grantTypes: deref(md.GrantTypes, []string{"authorization_code"}),
		authMethod: deref(md.AuthMethod, store.AuthSecretBasic),
		name:       deref(md.Name, ""),
		jwks:       deref(md.JWKS, ""),
		jwksURI:    deref(md.JWKSURI, ""),
		// Absent: manage's default, RS256, or ES256 under FAPI 2.0.
		idTokenAlg: deref(md.IDTokenAlg, ""),
		dpopBound:  deref(md.DPoPBound, false),
		authzAlg:   deref(md.AuthzAlg, ""),
		// manage fills in the enc default (A128CBC-HS256) with an alg.
		authzEncAlg:    deref(md.AuthzEncAlg, ""),
		authzEncEnc:    deref(md.AuthzEncEnc, ""),
		idTokenEncAlg:  deref(md.IDTokenEncAlg, ""),
		idTokenEncEnc:  deref(md.IDTokenEncEnc, ""),
		userInfoAlg:    deref(md.UserInfoAlg, ""),
		userInfoEncAlg: deref(md.UserInfoEncAlg, ""),
		userInfoEncEnc: deref(md.UserInfoEncEnc, ""),

		certIdentity: md.CertIdentity,
		boundTokens:  deref(md.BoundTokens, false),
		// Absent: any signed alg; none only when asked for by name.
		requestObjAlg: deref(md.RequestObjectAlg, ""),
		requirePAR:    deref(md.RequirePAR, false),
		fapi2:         deref(md.FAPI2, false),
		logout:        md.Logout,
		scopes:        manage.DefaultScopes(),
	}
	if md.Backchannel != (store.BackchannelClient{}) {
		b := md.Backchannel
		v.backchannel = &b
	}
	code := slices.Contains(v.grantTypes, "authorization_code")
	// The default response type follows the grant types, so that a
	// client_credentials backend need not send an empty list.
	v.responseTypes = deref(md.ResponseTypes, nil)
	if v.responseTypes == nil {
		v.responseTypes = []string{}
		if code {
			v.responseTypes = []string{"code"}
		}
	}
	if v.name == "" {
		// Consent pages show the name; without one they show the id, which
		// is at least not a name the client chose to look like another.
		v.name = clientID
	}
	if md.Scope != nil {
		v.scopes = strings.Fields(*md.Scope)
	}
	if v.jwks != "" && v.jwksURI != "" {
		return values{}, catalog.New(catalog.RegistrationJWKSConflict)
	}
	if err := manage.CheckTypePairing(v.grantTypes, v.responseTypes); err != nil {
		return values{}, catalog.New(catalog.RegistrationTypesInconsistent,
			"grant_types", listText(v.grantTypes), "response_types", listText(v.responseTypes), "reason", reasonOf(err))
	}
	if e := checkRedirects(v.redirectURIs, code); e != nil {
		return values{}, e
	}
	return v, nil
}

// checkStatement refuses software statements (RFC 7591 §2.3): Lucid
// trusts no software publisher, so it cannot honour the metadata a
// statement would vouch for. One that is not even a JWT is told so.
func (md *metadata) checkStatement() *catalog.Error {
	if md.Statement == nil {
		return nil
	}
	var s string
	if err := json.Unmarshal(md.Statement, &s); err != nil {
		return catalog.New(catalog.RegistrationStatementInvalid, "reason", "it is "+jsonKind(md.Statement)+", not a JWT string")
	}
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return catalog.New(catalog.RegistrationStatementInvalid, "reason", "it has "+strconv.Itoa(len(parts))+" dot-separated parts; a signed JWT has 3")
	}
	header, err := base64.RawURLEncoding.DecodeString(parts[0])
	var h map[string]any
	if err != nil || json.Unmarshal(header, &h) != nil {
		return catalog.New(catalog.RegistrationStatementInvalid, "reason", "its first part is not a base64url-encoded JSON header")
	}
	return catalog.New(catalog.RegistrationStatementUnsupported)
}

// spec is a new client with this id.
func (v values) spec(id string) manage.ClientSpec {
	return manage.ClientSpec{
		ID:                     id,
		Name:                   v.name,
		RedirectURIs:           v.redirectURIs,
		PostLogoutRedirectURIs: v.postLogout,
		WebOrigins:             v.webOrigins,
		GrantTypes:             v.grantTypes,
		ResponseTypes:          v.responseTypes,
		Scopes:                 v.scopes,
		AuthMethod:             v.authMethod,
		IDTokenAlg:             v.idTokenAlg,
		AuthorizationAlg:       v.authzAlg,
		AuthorizationEncAlg:    v.authzEncAlg,
		AuthorizationEncEnc:    v.authzEncEnc,
		IDTokenEncAlg:          v.idTokenEncAlg,
		IDTokenEncEnc:          v.idTokenEncEnc,
		UserInfoAlg:            v.userInfoAlg,
		UserInfoEncAlg:         v.userInfoEncAlg,
		UserInfoEncEnc:         v.userInfoEncEnc,
		RequestObjectAlg:       v.requestObjAlg,
		JWKS:                   v.jwks,
		JWKSURI:                v.jwksURI,
		CertIdentity:           &v.certIdentity,
		CertBoundTokens:        v.boundTokens,
		DPoPBound:              v.dpopBound,
		RequirePAR:             v.requirePAR,
		FAPI2:                  v.fapi2,
		Logout:                 v.logout,
		Backchannel:            v.backchannel,
	}
}

// patch replaces every field a client registers; the operator's settings
// (audiences, consent, PKCE, disabled…) stay as they are.
func (v values) patch() manage.ClientPatch {
	p := manage.ClientPatch{
		Name:                   &v.name,
		RedirectURIs:           &v.redirectURIs,
		PostLogoutRedirectURIs: &v.postLogout,
		WebOrigins:             &v.webOrigins,
		GrantTypes:             &v.grantTypes,
		ResponseTypes:          &v.responseTypes,
		Scopes:                 &v.scopes,
		AuthMethod:             &v.authMethod,
		IDTokenAlg:             &v.idTokenAlg,
		AuthorizationAlg:       &v.authzAlg,
		AuthorizationEncAlg:    &v.authzEncAlg,
		AuthorizationEncEnc:    &v.authzEncEnc,
		IDTokenEncAlg:          &v.idTokenEncAlg,
		IDTokenEncEnc:          &v.idTokenEncEnc,
		UserInfoAlg:            &v.userInfoAlg,
		UserInfoEncAlg:         &v.userInfoEncAlg,
		UserInfoEncEnc:         &v.userInfoEncEnc,
		RequestObjectAlg:       &v.requestObjAlg,
		JWKS:                   &v.jwks,
		JWKSURI:                &v.jwksURI,
		CertIdentity:           &v.certIdentity,
		CertBoundTokens:        &v.boundTokens,
		DPoPBound:              &v.dpopBound,

		BackchannelLogoutURI:              &v.logout.BackchannelURI,
		BackchannelLogoutSessionRequired:  &v.logout.BackchannelSessionRequired,
		FrontchannelLogoutURI:             &v.logout.FrontchannelURI,
		FrontchannelLogoutSessionRequired: &v.logout.FrontchannelSessionRequired,
		Backchannel:                       v.backchannel,
	}
	if p.Backchannel == nil {
		p.Backchannel = &store.BackchannelClient{}
	}
	// A client may require PAR of itself, but not undo a requirement:
	// the operator may have set it.
	if v.requirePAR {
		p.RequirePAR = &v.requirePAR
	}
	// Likewise a client may put itself under FAPI 2.0, not take itself out.
	if v.fapi2 {
		p.FAPI2 = &v.fapi2
	}
	return p
}

func deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

func listText(l []string) string {
	if len(l) == 0 {
		return "(none)"
	}
	return strings.Join(l, " ")
}

// info is the client information response (RFC 7591 §3.2.1, RFC 7592 §3).
type info struct {
	ClientID                string          `json:"client_id"`
	ClientSecret            string          `json:"client_secret,omitempty"`
	IssuedAt                int64           `json:"client_id_issued_at"`
	SecretExpiresAt         *int64          `json:"client_secret_expires_at,omitempty"`
	RegistrationAccessToken string          `json:"registration_access_token"`
	RegistrationClientURI   string          `json:"registration_client_uri"`
	ClientName              string          `json:"client_name"`
	RedirectURIs            []string        `json:"redirect_uris"`
	GrantTypes              []string        `json:"grant_types"`
	ResponseTypes           []string        `json:"response_types"`
	TokenEndpointAuthMethod string          `json:"token_endpoint_auth_method"`
	Scope                   string          `json:"scope"`
	JWKS                    json.RawMessage `json:"jwks,omitempty"`
	JWKSURI                 string          `json:"jwks_uri,omitempty"`
	PostLogoutRedirectURIs  []string        `json:"post_logout_redirect_uris,omitempty"`
	WebOrigins              []string        `json:"web_origins,omitempty"`
	IDTokenAlg              string          `json:"id_token_signed_response_alg"`
	DPoPBound               bool            `json:"dpop_bound_access_tokens,omitempty"`
	AuthorizationAlg        string          `json:"authorization_signed_response_alg,omitempty"`
	AuthorizationEncAlg     string          `json:"authorization_encrypted_response_alg,omitempty"`
	AuthorizationEncEnc     string          `json:"authorization_encrypted_response_enc,omitempty"`
	IDTokenEncAlg           string          `json:"id_token_encrypted_response_alg,omitempty"`
	IDTokenEncEnc           string          `json:"id_token_encrypted_response_enc,omitempty"`
	UserInfoAlg             string          `json:"userinfo_signed_response_alg,omitempty"`
	UserInfoEncAlg          string          `json:"userinfo_encrypted_response_alg,omitempty"`
	UserInfoEncEnc          string          `json:"userinfo_encrypted_response_enc,omitempty"`
	// RFC 8705 §2.1.2, §3.4.
	*store.CertIdentity
	BoundTokens      bool   `json:"tls_client_certificate_bound_access_tokens,omitempty"`
	RequestObjectAlg string `json:"request_object_signing_alg,omitempty"`
	RequirePAR       bool   `json:"require_pushed_authorization_requests"`
	FAPI2            bool   `json:"fapi2_security_profile,omitempty"`
	// OpenID Back- and Front-Channel Logout.
	store.LogoutChannels
	// OpenID CIBA Core §4.
	*store.BackchannelClient
}

// info describes c. plain is a secret issued by this request ("" when
// none was), token the registration access token the client holds.
func (h *Handler) info(c *store.Client, plain, token string) info {
	out := info{
		ClientID:                c.ID,
		ClientSecret:            plain,
		IssuedAt:                c.CreatedAt.Unix(),
		RegistrationAccessToken: token,
		RegistrationClientURI:   h.issuer + Path + "/" + c.ID,
		ClientName:              c.Name,
		RedirectURIs:            nonNil(c.RedirectURIs),
		GrantTypes:              nonNil(c.GrantTypes),
		ResponseTypes:           nonNil(c.ResponseTypes),
		TokenEndpointAuthMethod: c.TokenEndpointAuthMethod,
		Scope:                   strings.Join(c.Scopes, " "),
		JWKSURI:                 c.JWKSURI,
		PostLogoutRedirectURIs:  c.PostLogoutRedirectURIs,
		WebOrigins:              c.WebOrigins,
		IDTokenAlg:              c.IDTokenAlg,
		DPoPBound:               c.DPoPBoundAccessTokens,
		RequirePAR:              c.RequirePAR,
		FAPI2:                   c.FAPI2,
		AuthorizationAlg:        c.AuthorizationAlg,
		AuthorizationEncAlg:     c.AuthorizationEncAlg,
		AuthorizationEncEnc:     c.AuthorizationEncEnc,
		IDTokenEncAlg:           c.IDTokenEncAlg,
		IDTokenEncEnc:           c.IDTokenEncEnc,
		UserInfoAlg:             c.UserInfoAlg,
		UserInfoEncAlg:          c.UserInfoEncAlg,
		UserInfoEncEnc:          c.UserInfoEncEnc,
		CertIdentity:            c.CertIdentity,
		BoundTokens:             c.CertBoundTokens,
		RequestObjectAlg:        c.RequestObjectAlg,
		LogoutChannels:          c.LogoutChannels,
		BackchannelClient:       c.Backchannel,
	}
	if usesSecret(c) {
		out.SecretExpiresAt = secretExpiry(c.Secrets)
	}
	if c.JWKS != "" && json.Valid([]byte(c.JWKS)) {
		out.JWKS = json.RawMessage(c.JWKS)
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// secretExpiry is client_secret_expires_at: 0 while some secret never
// expires (those issued here do not), otherwise the last expiry of the
// secrets the operator may have set, in seconds since the epoch.
func secretExpiry(secrets []store.ClientSecret) *int64 {
	var last int64
	for _, s := range secrets {
		if s.ExpiresAt == nil {
			last = 0
			break
		}
		last = max(last, s.ExpiresAt.Unix())
	}
	return &last
}

// readBackchannel reads the CIBA client metadata (OpenID CIBA Core §4).
func (md *metadata) readBackchannel(fields map[string]json.RawMessage) *catalog.Error {
	for _, f := range []struct {
		name string
		dst  *string
	}{
		{"backchannel_token_delivery_mode", &md.Backchannel.DeliveryMode},
		{"backchannel_client_notification_endpoint", &md.Backchannel.NotificationEndpoint},
		{"backchannel_authentication_request_signing_alg", &md.Backchannel.SigningAlg},
	} {
		v, e := stringField(fields, f.name)
		if e != nil {
			return e
		}
		*f.dst = deref(v, "")
	}
	b, e := boolField(fields, "backchannel_user_code_parameter")
	if e != nil {
		return e
	}
	md.Backchannel.UserCodeParameter = deref(b, false)
	return nil
}
