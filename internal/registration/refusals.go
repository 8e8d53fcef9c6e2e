package registration

import (
	"errors"
	"net/url"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/manage"
)

// rfcNames maps package manage's field names to RFC 7591's where they
// differ, so a refusal names the field the client sent.
var rfcNames = map[string]string{
	"name":   "client_name",
	"scopes": "scope",
}

// refusal turns a refusal of package manage into this endpoint's entry.
// manage reports admin_invalid_input naming a field; a registering client
// gets invalid_redirect_uri or invalid_client_metadata for the same
// problem (RFC 7591 §3.2.2). Other errors pass through to fail.
func refusal(err error, v values, clientID string) error {
	var ce *catalog.Error
	if !errors.As(err, &ce) {
		return err
	}
	switch ce.Name() {
	case catalog.AdminInvalid:
		// resolve has already checked each redirect URI with the rules of
		// RFC 7591, so what manage refuses here is metadata.
		field, reason := ce.Value("field"), ce.Value("reason")
		if f, ok := rfcNames[field]; ok {
			field = f
		}
		return catalog.New(catalog.RegistrationMetadataInvalid, "field", field, "reason", reason)
	case catalog.AdminNotFound:
		// Deleted between authentication and this change.
		return catalog.New(catalog.RegistrationTokenInvalid, "client_id", clientID).Internal("reason", "the client was deleted during the request")
	case catalog.AdminConflict:
		// A random 128-bit id collided: not the client's doing.
		return catalog.New(catalog.ServerError).Wrap(err)
	}
	return ce
}

// checkRedirects applies manage.CheckRedirectURI to each URI and reports
// the first refusal under its own entry. required says the client's grant
// types need a redirect URI.
func checkRedirects(uris []string, required bool) *catalog.Error {
	if required && len(uris) == 0 {
		return catalog.New(catalog.RegistrationRedirectMissing)
	}
	for _, u := range uris {
		if err := manage.CheckRedirectURI(u); err != nil {
			return redirectRefusal(u, err)
		}
	}
	return nil
}

func redirectRefusal(uri string, err error) *catalog.Error {
	var ue *manage.URIError
	if !errors.As(err, &ue) {
		return catalog.New(catalog.RegistrationRedirectMalformed, "reason", err.Error())
	}
	shown := clip(uri, 200)
	switch ue.Problem {
	case manage.URINotAbsolute:
		return catalog.New(catalog.RegistrationRedirectNotAbsolute, "redirect_uri", shown)
	case manage.URIFragment:
		return catalog.New(catalog.RegistrationRedirectFragment, "redirect_uri", shown)
	case manage.URIWildcard:
		return catalog.New(catalog.RegistrationRedirectWildcard, "redirect_uri", shown)
	case manage.URIUserInfo:
		return catalog.New(catalog.RegistrationRedirectUserInfo, "redirect_uri", shown)
	case manage.URIHTTPNotLoopback:
		return catalog.New(catalog.RegistrationRedirectHTTP, "redirect_uri", shown)
	case manage.URISchemeUnsupported:
		scheme := "?"
		if u, err := url.Parse(uri); err == nil {
			scheme = u.Scheme
		}
		return catalog.New(catalog.RegistrationRedirectScheme, "redirect_uri", shown, "scheme", clip(scheme, 40))
	default:
		return catalog.New(catalog.RegistrationRedirectMalformed, "reason", ue.Error())
	}
}

// reasonOf is the reason of a manage refusal, or its text.
func reasonOf(err error) string {
	var ce *catalog.Error
	if errors.As(err, &ce) {
		if r := ce.Value("reason"); r != "" {
			return r
		}
	}
	return err.Error()
}
