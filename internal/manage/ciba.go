package manage

import (
	"net/url"
	"slices"

	"github.com/lucid-auth/lucid/internal/granttype"
	"github.com/lucid-auth/lucid/internal/store"
)

// BackchannelSigningAlgs are the values of
// backchannel_authentication_request_signing_alg: signed only, never none.
var BackchannelSigningAlgs = []string{"RS256", "PS256", "ES256", "EdDSA"}

// BackchannelModes are the CIBA token delivery modes Lucid serves.
var BackchannelModes = []string{store.DeliveryPoll, store.DeliveryPing, store.DeliveryPush}

// checkBackchannel checks a client's CIBA metadata against its grant
// types: a CIBA client is confidential and has a delivery mode (poll when
// none is given), a ping or push client a notification endpoint, a client that
// signs its requests an algorithm and keys.
func checkBackchannel(c *store.Client) error {
	ciba := slices.Contains(c.GrantTypes, string(granttype.CIBA))
	b := c.Backchannel
	if !ciba {
		if b != nil && *b != (store.BackchannelClient{}) {
			return invalid("backchannel_token_delivery_mode", "the backchannel_* metadata needs the grant type %s", granttype.CIBA)
		}
		c.Backchannel = nil
		return nil
	}
	if c.Public() {
		return invalid("grant_types", "%s needs a confidential client; a public client (token_endpoint_auth_method none) has no credentials", granttype.CIBA)
	}
	if b == nil {
		b = &store.BackchannelClient{}
		c.Backchannel = b
	}
	if b.DeliveryMode == "" {
		b.DeliveryMode = store.DeliveryPoll
	}
	if err := checkOneOf("backchannel_token_delivery_mode", b.DeliveryMode, BackchannelModes); err != nil {
		return err
	}
	notified := b.DeliveryMode == store.DeliveryPing || b.DeliveryMode == store.DeliveryPush
	switch {
	case notified && b.NotificationEndpoint == "":
		return invalid("backchannel_client_notification_endpoint", "is required with the %s delivery mode", b.DeliveryMode)
	case notified:
		u, err := url.Parse(b.NotificationEndpoint)
		if err != nil || u.Host == "" || u.Fragment != "" || u.User != nil {
			return invalid("backchannel_client_notification_endpoint", "%q is not an absolute https URL without a fragment or credentials", b.NotificationEndpoint)
		}
		if u.Scheme != "https" && !(u.Scheme == "http" && loopback(u.Hostname())) {
			return invalid("backchannel_client_notification_endpoint", "%q must use https", b.NotificationEndpoint)
		}
	case b.NotificationEndpoint != "":
		return invalid("backchannel_client_notification_endpoint", "is used only with the ping and push delivery modes")
	}
	if b.SigningAlg != "" {
		if err := checkOneOf("backchannel_authentication_request_signing_alg", b.SigningAlg, BackchannelSigningAlgs); err != nil {
			return err
		}
	}
	if b.SigningAlg != "" && c.JWKS == "" && c.JWKSURI == "" {
		return invalid("jwks", "backchannel_authentication_request_signing_alg needs the client's public keys: give jwks or jwks_uri")
	}
	return nil
}

// signsBackchannel reports whether the client signs its CIBA requests,
// which needs its public keys.
func signsBackchannel(c *store.Client) bool {
	return c.Backchannel != nil && c.Backchannel.SigningAlg != ""
}
