package clientauth

import (
	"encoding/base64"
	"net/url"
	"strings"
)

// basicCredentials are the client id and secret of an Authorization: Basic
// header, already form-decoded.
type basicCredentials struct {
	ID     string
	Secret string
}

// parseBasic reads the token68 part of an Authorization: Basic header (the
// text after the scheme). RFC 6749 §2.3.1 form-encodes the client id and the
// secret before they are joined with ':' and base64-encoded, so the split
// happens at the first ':' of the decoded text and each half is then
// form-decoded ('+' is a space). On failure it returns a reason that names
// the part at fault and never repeats any of it.
func parseBasic(token string) (basicCredentials, string) {
	token = strings.Trim(token, " \t")
	if token == "" {
		return basicCredentials{}, "there are no credentials after the Basic scheme"
	}
	raw, err := base64.StdEncoding.Strict().DecodeString(token)
	if err != nil {
		return basicCredentials{}, "the credentials are not valid base64 (RFC 4648 §4, with padding)"
	}
	encID, encSecret, ok := strings.Cut(string(raw), ":")
	if !ok {
		return basicCredentials{}, "the decoded credentials have no ':' between client id and secret"
	}
	id, err := url.QueryUnescape(encID)
	if err != nil {
		return basicCredentials{}, "the client id is not correctly form-encoded (invalid %-escape)"
	}
	if id == "" {
		return basicCredentials{}, "the client id before the ':' is empty"
	}
	sec, err := url.QueryUnescape(encSecret)
	if err != nil {
		return basicCredentials{}, "the client secret is not correctly form-encoded (invalid %-escape)"
	}
	return basicCredentials{ID: id, Secret: sec}, ""
}

// splitAuthorization splits an Authorization header value into its scheme
// and the rest.
func splitAuthorization(v string) (scheme, rest string) {
	v = strings.TrimLeft(v, " \t")
	i := strings.IndexAny(v, " \t")
	if i < 0 {
		return v, ""
	}
	return v[:i], v[i+1:]
}
