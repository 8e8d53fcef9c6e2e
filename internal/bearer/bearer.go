// Package bearer reads OAuth 2.0 bearer tokens from requests (RFC 6750),
// for Lucid's userinfo endpoint and for resource servers using package
// resource.
package bearer

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/lucid-auth/lucid/internal/catalog"
)

// Token finds the access token of a resource request (RFC 6750 §2): the
// Authorization header or, for a form POST, the access_token body
// parameter (read up to maxBody bytes; a larger form is body_too_large,
// not a missing token); never the URL query, which proxies and logs keep
// (§2.3 allows it; Lucid refuses it with its own entry).
func Token(w http.ResponseWriter, r *http.Request, maxBody int64) (string, *catalog.Error) {
	if r.URL.Query().Has("access_token") {
		return "", catalog.New(catalog.BearerInQuery)
	}
	var header string
	if h := strings.TrimSpace(r.Header.Get("Authorization")); h != "" {
		scheme, value, _ := strings.Cut(h, " ")
		if strings.EqualFold(scheme, "Bearer") {
			// The scheme alone is a request built from an empty variable,
			// not a request without credentials (RFC 6750 §2.1 requires
			// the token after the scheme).
			if header = strings.TrimSpace(value); header == "" {
				return "", catalog.New(catalog.BearerEmpty)
			}
		}
	}
	var body string
	if r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		if r.ContentLength > maxBody {
			return "", catalog.New(catalog.BodyTooLarge, "limit", maxBody)
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		err := r.ParseForm()
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			return "", catalog.New(catalog.BodyTooLarge, "limit", maxBody)
		case err == nil:
			body = r.PostForm.Get("access_token")
		}
	}
	switch {
	case header != "" && body != "":
		return "", catalog.New(catalog.BearerTwice)
	case header != "":
		return header, nil
	case body != "":
		return body, nil
	}
	return "", catalog.New(catalog.BearerMissing)
}

// UnverifiedIssuer returns the iss claim of a compact JWT without
// verifying anything, or "" when there is none. It serves only to tell a
// token of another issuer apart before its signature is checked: nothing
// may trust it.
func UnverifiedIssuer(token string) string {
	_, rest, ok := strings.Cut(token, ".")
	payload, _, ok2 := strings.Cut(rest, ".")
	if !ok || !ok2 || len(payload) > 16<<10 {
		return ""
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return ""
	}
	var c struct {
		Iss any `json:"iss"`
	}
	if json.Unmarshal(raw, &c) != nil {
		return ""
	}
	iss, _ := c.Iss.(string)
	return iss
}
