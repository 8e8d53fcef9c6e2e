package manage

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lucid-auth/lucid/internal/cors"
	"github.com/lucid-auth/lucid/internal/granttype"
	"github.com/lucid-auth/lucid/internal/store"
)

// maxURI bounds a registered URI; browsers and proxies stop around 8 KiB
// for the whole authorization URL.
const maxURI = 2000

// URIProblem classifies why CheckRedirectURI refused a URI, for front
// ends that report each kind of refusal under its own name (dynamic client
// registration); the command line and the admin API use the text alone.
type URIProblem int

// The kinds of refused redirect URI.
const (
	URIMalformed         URIProblem = iota + 1 // empty, too long, control characters, unparsable, no host
	URINotAbsolute                             // no scheme
	URIFragment                                // has a #fragment
	URIWildcard                                // contains *
	URIUserInfo                                // user@host
	URIHTTPNotLoopback                         // http on a host that is not loopback
	URISchemeUnsupported                       // neither https, http nor a private-use scheme
)

// URIError is CheckRedirectURI's refusal: the reason as text and its kind.
type URIError struct {
	Problem URIProblem
	reason  string
}

func (e *URIError) Error() string { return e.reason }

func uriErr(p URIProblem, format string, a ...any) *URIError {
	return &URIError{Problem: p, reason: fmt.Sprintf(format, a...)}
}

// CheckRedirectURI applies RFC 9700 §2.1 and RFC 8252 §7 to a URI a client
// registers for redirects: absolute, no fragment, no wildcard, and either
// https, http on a loopback address, or a private-use scheme of a native
// app (reverse domain name, containing a dot). The error is a *URIError
// whose text is the reason.
func CheckRedirectURI(raw string) error {
	switch {
	case raw == "":
		return uriErr(URIMalformed, "an empty URI cannot be registered")
	case len(raw) > maxURI:
		return uriErr(URIMalformed, "%.60q… is longer than %d characters", raw, maxURI)
	case strings.ContainsFunc(raw, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }):
		return uriErr(URIMalformed, "%q contains whitespace or control characters", raw)
	case strings.Contains(raw, "#"):
		// RFC 6749 §3.1.2: the endpoint URI must not include a fragment.
		return uriErr(URIFragment, "%q has a fragment (#…); redirect URIs must not", raw)
	case strings.Contains(raw, "*"):
		return uriErr(URIWildcard, "%q contains a wildcard; register every exact URI instead (redirect URIs are compared exactly)", raw)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return uriErr(URIMalformed, "%q is not a valid URI", raw)
	}
	if u.Scheme == "" {
		return uriErr(URINotAbsolute, "%q is not absolute; give the full URI with its scheme, such as https://app.example.com/callback", raw)
	}
	if u.User != nil {
		return uriErr(URIUserInfo, "%q contains user information (user@host); redirect URIs must not", raw)
	}
	if err := CheckPort(u.Port()); err != nil {
		return uriErr(URIMalformed, "%q: %v", raw, err)
	}
	scheme := strings.ToLower(u.Scheme)
	switch {
	case scheme == "https":
		if u.Host == "" {
			return uriErr(URIMalformed, "%q has no host", raw)
		}
	case scheme == "http":
		if u.Host == "" {
			return uriErr(URIMalformed, "%q has no host", raw)
		}
		if !loopback(u.Hostname()) {
			return uriErr(URIHTTPNotLoopback, "%q uses http on a host that is not loopback; use https, or http only on 127.0.0.1, [::1] or localhost", raw)
		}
	case strings.Contains(scheme, "."):
		// RFC 8252 §7.1: a private-use scheme based on a domain the app owns.
	default:
		return uriErr(URISchemeUnsupported, "%q uses the scheme %s; use https, http on a loopback address, or a private-use scheme such as com.example.app:/callback (RFC 8252 §7.1)", raw, u.Scheme)
	}
	return nil
}

// CheckPort accepts an empty port (the scheme's default) or a TCP port,
// 1 to 65535. url.Parse checks only that a port is digits, so 0 and 99999
// would otherwise be registered and compared as they are.
func CheckPort(port string) error {
	if port == "" {
		return nil
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("the port %.10s is not between 1 and 65535", port)
	}
	return nil
}

func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// checkURIs validates a list of URIs for field and drops exact duplicates.
func checkURIs(field string, uris []string, required bool) ([]string, error) {
	if required && len(uris) == 0 {
		return nil, invalid(field, "at least one URI is required")
	}
	out := make([]string, 0, len(uris))
	for _, u := range uris {
		if err := CheckRedirectURI(u); err != nil {
			return nil, invalid(field, "%s", err.Error())
		}
		if !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	return out, nil
}

// maxOrigins bounds a client's web origins: each request from a browser
// compares its Origin with them.
const maxOrigins = 100

// checkOrigins validates and normalises web origins, dropping duplicates.
// "+" (the redirect URIs' origins) needs a redirect URI with one.
func checkOrigins(origins, redirectURIs []string) ([]string, error) {
	if len(origins) > maxOrigins {
		return nil, invalid("web_origins", "has %d origins; at most %d may be registered", len(origins), maxOrigins)
	}
	var out []string
	for _, raw := range origins {
		o, err := cors.Normalize(raw)
		if err != nil {
			return nil, invalid("web_origins", "%s", err.Error())
		}
		if o == cors.RedirectOrigins && !slices.ContainsFunc(redirectURIs, func(u string) bool { return cors.Of(u) != "" }) {
			return nil, invalid("web_origins", "+ stands for the origins of the redirect URIs, and this client has no https or http redirect URI; register its origins one by one")
		}
		if !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out, nil
}

// The values a client registration may use.
var (
	knownGrantTypes    = granttype.Strings()
	knownFormats       = []string{store.FormatJWT, store.FormatOpaque}
	knownResponseTypes = []string{"code"}
	knownAuthMethods   = []string{store.AuthSecretBasic, store.AuthSecretPost, store.AuthSecretJWT, store.AuthPrivateKeyJWT, store.AuthNone, store.AuthTLSClient, store.AuthSelfSignedTLS}
	knownAlgs          = []string{"RS256", "ES256", "EdDSA"}
)

// DefaultScopes are the scopes a client may request unless told otherwise.
func DefaultScopes() []string {
	return []string{"openid", "profile", "email", "offline_access", "address", "phone"}
}

// DefaultGrantTypes are the grant types a client gets unless told otherwise.
func DefaultGrantTypes() []string { return []string{"authorization_code", "refresh_token"} }

// CheckTypePairing applies RFC 7591 §2.1 to a registration: the response
// type code and the grant type authorization_code come together, since one
// starts the flow the other finishes. The command line and the admin API
// are more lenient (a client_credentials client keeps the default response
// type); dynamic registration holds clients to the rule.
func CheckTypePairing(grantTypes, responseTypes []string) error {
	code := slices.Contains(responseTypes, "code")
	grant := slices.Contains(grantTypes, "authorization_code")
	switch {
	case code && !grant:
		return invalid("response_types", "response type code needs the grant type authorization_code, which redeems the code")
	case grant && !code:
		return invalid("grant_types", "grant type authorization_code needs the response type code, which obtains the code")
	}
	return nil
}

// checkSet validates that every value is one of known, dropping duplicates.
func checkSet(field string, values, known []string) ([]string, error) {
	out := make([]string, 0, len(values))
	for _, v := range values {
		if !slices.Contains(known, v) {
			return nil, invalid(field, "%q is not supported; use %s", v, strings.Join(known, ", "))
		}
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out, nil
}

func checkOneOf(field, v string, known []string) error {
	if !slices.Contains(known, v) {
		return invalid(field, "%q is not supported; use one of %s", v, strings.Join(known, ", "))
	}
	return nil
}

// checkClientID keeps ids to URI-unreserved characters, so they need no
// encoding in URLs or in HTTP Basic credentials (where ':' would split).
func checkClientID(id string) error {
	if id == "" || len(id) > 128 {
		return invalid("client_id", "must be 1 to 128 characters")
	}
	for _, r := range id {
		if !(r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-._~", r))) {
			return invalid("client_id", "%q may contain only letters, digits, '-', '.', '_' and '~'", id)
		}
	}
	return nil
}

// checkJWKS validates a JWK set a client registers for private_key_jwt and
// returns it compacted.
func checkJWKS(raw string) (string, error) {
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		return "", invalid("jwks", "it is not a JSON object with a keys array")
	}
	if len(doc.Keys) == 0 {
		return "", invalid("jwks", "it has no keys")
	}
	kids := map[string]bool{}
	for i, k := range doc.Keys {
		var meta struct {
			D   json.RawMessage `json:"d"`
			K   json.RawMessage `json:"k"`
			Kty string          `json:"kty"`
		}
		if err := json.Unmarshal(k, &meta); err != nil {
			return "", invalid("jwks", "key #%d is not a JSON object", i)
		}
		if meta.D != nil || meta.K != nil {
			// Never echo the key: it holds private material.
			return "", invalid("jwks", "key #%d contains private or symmetric key material; register only public keys", i)
		}
		if meta.Kty != "RSA" && meta.Kty != "EC" && meta.Kty != "OKP" {
			return "", invalid("jwks", "key #%d has kty %q; signature keys are RSA, EC or OKP", i, meta.Kty)
		}
		var jwk jose.JSONWebKey
		if err := jwk.UnmarshalJSON(k); err != nil || !jwk.Valid() {
			return "", invalid("jwks", "key #%d is not a valid %s public key", i, meta.Kty)
		}
		if jwk.Use != "" && jwk.Use != "sig" && jwk.Use != "enc" {
			return "", invalid("jwks", "key #%d has use %q; keys are for signatures (sig) or encryption (enc)", i, jwk.Use)
		}
		if kids[jwk.KeyID] {
			return "", invalid("jwks", "two keys have kid %q; every key needs its own kid", jwk.KeyID)
		}
		kids[jwk.KeyID] = true
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, []byte(raw)); err != nil {
		return "", invalid("jwks", "it is not valid JSON")
	}
	return buf.String(), nil
}

// checkJWKSURI applies the redirect URI rules minus private-use schemes:
// Lucid fetches it, so it must be https (http only on loopback, for tests).
func checkJWKSURI(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Fragment != "" {
		return invalid("jwks_uri", "%q is not an absolute https URL without a fragment", raw)
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && loopback(u.Hostname())) {
		return invalid("jwks_uri", "%q must use https", raw)
	}
	return nil
}

// Usernames are ASCII and never contain '@', because sign-in accepts a
// username or an email address in the same field.
func checkUsername(name string) error {
	if name == "" || len(name) > 64 {
		return invalid("username", "must be 1 to 64 characters")
	}
	for i, r := range name {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || (i > 0 && strings.ContainsRune(".-_", r))
		if !ok {
			if r == '@' {
				return invalid("username", "%q contains @; sign-in accepts a username or an email address, so usernames cannot look like one", name)
			}
			return invalid("username", "%q may contain only letters, digits, '.', '-' and '_', and must start with a letter or digit", name)
		}
	}
	return nil
}

func checkEmail(email string) error {
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || a.Name != "" {
		return invalid("email", "%q is not a plain email address such as alice@example.com", email)
	}
	return nil
}

// checkPassword applies the password policy (internal/password) to a new
// password of the account named by username and email.
func (s *Service) checkPassword(pw, username, email string) error {
	if e := s.PasswordPolicy.Check(pw, username, email); e != nil {
		return e
	}
	return nil
}

func checkText(field, v string, maxLen int) error {
	if len(v) > maxLen {
		return invalid(field, "is longer than %d bytes", maxLen)
	}
	if strings.ContainsFunc(v, unicode.IsControl) {
		return invalid(field, "contains control characters")
	}
	// Bidirectional controls (U+202A-202E, U+2066-2069, marks) reorder
	// what is shown around them: a name could read as another's, or
	// reverse the text that follows it on a page.
	if strings.ContainsFunc(v, func(r rune) bool { return unicode.Is(unicode.Bidi_Control, r) }) {
		return invalid(field, "contains bidirectional control characters (such as U+202E), which change how the text around them is shown")
	}
	if !utf8.ValidString(v) {
		return invalid(field, "is not valid UTF-8")
	}
	return nil
}

// checkScopes accepts the OpenID scopes and any API scope that is a valid
// RFC 6749 §3.3 scope-token, dropping duplicates.
func checkScopes(scopes []string) ([]string, error) {
	out := make([]string, 0, len(scopes))
	for _, sc := range scopes {
		if sc == "" || len(sc) > 200 || strings.ContainsFunc(sc, func(r rune) bool { return r <= ' ' || r == '"' || r == '\\' || r > '~' }) {
			return nil, invalid("scopes", "%q is not a scope token (printable ASCII without spaces, quotes or backslashes)", sc)
		}
		if !slices.Contains(out, sc) {
			out = append(out, sc)
		}
	}
	return out, nil
}

// checkAudiences validates API identifiers: absolute URIs without a
// fragment (RFC 8707 §2).
func checkAudiences(field string, auds []string) ([]string, error) {
	var out []string
	for _, a := range auds {
		if err := CheckAPIID(a); err != nil {
			return nil, invalid(field, "%q: %v", a, err)
		}
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out, nil
}

// CheckAPIID reports whether id can be an API identifier: an absolute URI
// without a fragment (RFC 8707 §2).
func CheckAPIID(id string) error {
	u, err := url.Parse(id)
	if err != nil || u.Scheme == "" || u.Fragment != "" || strings.Contains(id, "#") || (u.Host == "" && u.Opaque == "") {
		return errors.New("an API identifier is an absolute URI without a fragment, such as https://api.example.com")
	}
	return nil
}

// keyMethod reports whether a method authenticates with the client's
// registered public keys.
func keyMethod(m string) bool {
	return m == store.AuthPrivateKeyJWT || m == store.AuthSelfSignedTLS
}

// checkCertIdentity applies RFC 8705 §2.1.2: a tls_client_auth client
// registers exactly one subject DN or subject alternative name, and no
// other client registers one. An empty identity counts as none.
func checkCertIdentity(c *store.Client) error {
	id := c.CertIdentity
	if id != nil && *id == (store.CertIdentity{}) {
		c.CertIdentity, id = nil, nil
	}
	if c.TokenEndpointAuthMethod != store.AuthTLSClient {
		if id != nil {
			return invalid("tls_client_auth", "a certificate subject or name is used only with token_endpoint_auth_method tls_client_auth, not %s", c.TokenEndpointAuthMethod)
		}
		return nil
	}
	const fields = "tls_client_auth_subject_dn, tls_client_auth_san_dns, tls_client_auth_san_uri, tls_client_auth_san_ip or tls_client_auth_san_email"
	if id == nil {
		return invalid("tls_client_auth", "tls_client_auth needs exactly one of %s", fields)
	}
	set := 0
	for _, v := range []string{id.SubjectDN, id.SANDNS, id.SANURI, id.SANIP, id.SANEmail} {
		if v != "" {
			set++
		}
		if err := checkText("tls_client_auth", v, 1000); err != nil {
			return err
		}
	}
	if set != 1 {
		return invalid("tls_client_auth", "give exactly one of %s, not %d", fields, set)
	}
	switch {
	case id.SubjectDN != "" && !strings.Contains(id.SubjectDN, "="):
		return invalid("tls_client_auth_subject_dn", "%q is not a distinguished name such as CN=client,O=Example", id.SubjectDN)
	case id.SANIP != "" && net.ParseIP(id.SANIP) == nil:
		return invalid("tls_client_auth_san_ip", "%q is not an IPv4 or IPv6 address", id.SANIP)
	case id.SANEmail != "":
		if _, err := mail.ParseAddress(id.SANEmail); err != nil || strings.ContainsAny(id.SANEmail, "<> ") {
			return invalid("tls_client_auth_san_email", "%q is not an e-mail address", id.SANEmail)
		}
	case id.SANURI != "":
		if u, err := url.Parse(id.SANURI); err != nil || u.Scheme == "" {
			return invalid("tls_client_auth_san_uri", "%q is not an absolute URI", id.SANURI)
		}
	case id.SANDNS != "" && strings.ContainsAny(id.SANDNS, " /:@"):
		return invalid("tls_client_auth_san_dns", "%q is not a DNS name", id.SANDNS)
	}
	return nil
}

// RequestObjectAlgs are the values of request_object_signing_alg: the
// algorithms request objects may be signed with, and none for a client
// registered to send unsigned ones (never accepted in a strict mode).
var RequestObjectAlgs = []string{"RS256", "PS256", "ES256", "EdDSA", "HS256", "HS384", "HS512", "none"}
