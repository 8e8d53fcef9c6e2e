package main

import (
	"flag"

	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/store"
)

// channelFlags are the client's logout channels (OpenID Back- and
// Front-Channel Logout) and its CIBA metadata, for client create and
// update.
type channelFlags struct {
	backchannelLogoutURI, frontchannelLogoutURI   string
	backchannelLogoutSession, frontchannelSession bool
	cibaMode, cibaEndpoint, cibaAlg               string
	cibaUserCode                                  bool
}

func (c *channelFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.backchannelLogoutURI, "backchannel-logout-uri", "", "where Lucid POSTs a logout token when a session the client took part in ends (empty on update: stop)")
	fs.BoolVar(&c.backchannelLogoutSession, "backchannel-logout-session-required", false, "logout tokens must carry sid")
	fs.StringVar(&c.frontchannelLogoutURI, "frontchannel-logout-uri", "", "page loaded in an iframe of the logged-out page (same origin as a redirect URI; empty on update: stop)")
	fs.BoolVar(&c.frontchannelSession, "frontchannel-logout-session-required", false, "the front-channel URL carries iss and sid")
	fs.StringVar(&c.cibaMode, "ciba-delivery-mode", "", "CIBA token delivery: poll, ping or push (with the CIBA grant; on update the --ciba flags together replace the client's CIBA metadata)")
	fs.StringVar(&c.cibaEndpoint, "ciba-notification-endpoint", "", "where CIBA pings (ping mode) or tokens (push mode) go (https)")
	fs.StringVar(&c.cibaAlg, "ciba-signing-alg", "", "the one algorithm the client signs its CIBA requests with (then every request must be signed)")
	fs.BoolVar(&c.cibaUserCode, "ciba-user-code", false, "every CIBA request of the client must carry the person's user_code (backchannel_user_code_parameter)")
}

// ciba is the CIBA metadata the flags give, nil when none was given.
func (c *channelFlags) ciba(set map[string]bool) *store.BackchannelClient {
	if !set["ciba-delivery-mode"] && !set["ciba-notification-endpoint"] && !set["ciba-signing-alg"] && !set["ciba-user-code"] {
		return nil
	}
	return &store.BackchannelClient{DeliveryMode: c.cibaMode, NotificationEndpoint: c.cibaEndpoint, SigningAlg: c.cibaAlg, UserCodeParameter: c.cibaUserCode}
}

// spec fills a new client's channels.
func (c *channelFlags) spec(set map[string]bool, spec *manage.ClientSpec) {
	spec.Logout = store.LogoutChannels{
		BackchannelURI: c.backchannelLogoutURI, BackchannelSessionRequired: c.backchannelLogoutSession,
		FrontchannelURI: c.frontchannelLogoutURI, FrontchannelSessionRequired: c.frontchannelSession,
	}
	spec.Backchannel = c.ciba(set)
}

// patch sets in p what the flags change, and reports whether they did.
func (c *channelFlags) patch(set map[string]bool, p *manage.ClientPatch) bool {
	changed := false
	for _, s := range []struct {
		name string
		v    string
		dst  **string
	}{{"backchannel-logout-uri", c.backchannelLogoutURI, &p.BackchannelLogoutURI}, {"frontchannel-logout-uri", c.frontchannelLogoutURI, &p.FrontchannelLogoutURI}} {
		if set[s.name] {
			v := s.v
			*s.dst, changed = &v, true
		}
	}
	for _, b := range []struct {
		name string
		v    bool
		dst  **bool
	}{{"backchannel-logout-session-required", c.backchannelLogoutSession, &p.BackchannelLogoutSessionRequired}, {"frontchannel-logout-session-required", c.frontchannelSession, &p.FrontchannelLogoutSessionRequired}} {
		if set[b.name] {
			v := b.v
			*b.dst, changed = &v, true
		}
	}
	if b := c.ciba(set); b != nil {
		p.Backchannel, changed = b, true
	}
	return changed
}
