package manage

import (
	"net/url"
	"slices"
	"strings"

	"github.com/lucid-auth/lucid/internal/cors"
	"github.com/lucid-auth/lucid/internal/store"
)

// checkLogoutChannels judges a client's back- and front-channel logout
// URIs by the redirect URI rules (https, or http on a loopback host for
// development; no fragment, no user information), less private-use
// schemes: a server must be able to POST to the one, a browser must load
// the other in an iframe. A front-channel URI must share its origin with
// a redirect URI (Front-Channel Logout 1.0 §2), so that the iframe is the
// client's own page.
func checkLogoutChannels(c *store.Client) error {
	l := &c.LogoutChannels
	for _, f := range []struct {
		field string
		uri   string
	}{{"backchannel_logout_uri", l.BackchannelURI}, {"frontchannel_logout_uri", l.FrontchannelURI}} {
		if f.uri == "" {
			continue
		}
		if err := CheckRedirectURI(f.uri); err != nil {
			return invalid(f.field, "%s", err.Error())
		}
		u, _ := url.Parse(f.uri)
		if s := strings.ToLower(u.Scheme); s != "https" && s != "http" {
			return invalid(f.field, "%q uses the scheme %s; use https (or http on a loopback address, for development)", f.uri, u.Scheme)
		}
	}
	if l.BackchannelURI == "" && l.BackchannelSessionRequired {
		return invalid("backchannel_logout_session_required", "needs a backchannel_logout_uri")
	}
	if l.FrontchannelURI == "" && l.FrontchannelSessionRequired {
		return invalid("frontchannel_logout_session_required", "needs a frontchannel_logout_uri")
	}
	if l.FrontchannelURI != "" {
		origin := cors.Of(l.FrontchannelURI)
		if !slices.ContainsFunc(c.RedirectURIs, func(r string) bool { return cors.Of(r) == origin }) {
			return invalid("frontchannel_logout_uri", "%q is not on the origin (scheme, host and port) of any of the client's redirect URIs, as OpenID Front-Channel Logout 1.0 requires", l.FrontchannelURI)
		}
	}
	return nil
}
