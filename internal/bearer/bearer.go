// Package bearer reads OAuth 2.0 bearer tokens from requests (RFC 6750),
// for Lucid's userinfo endpoint and for resource servers using package
// resource.
package bearer

import (
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
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, value, _ := strings.Cut(h, " ")
		if strings.EqualFold(scheme, "Bearer") {
			header = strings.TrimSpace(value)
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
