package catalog

import "net/http"

const (
	ciba10_3_1  = ciba + "#rfc.section.10.3.1"
	fapiCIBA    = "https://openid.net/specs/openid-financial-api-ciba-ID1.html"
	fapiCIBAFix = "Register the poll or ping delivery mode (ping with a notification endpoint) instead of push."
	fapiCIBACmd = "Change the client's delivery mode: `lucid client update ID --ciba-delivery-mode ping --ciba-notification-endpoint URL` (or `poll`)."
)

// gapsEntries are the failures of the FAPI key-size check on CIBA signed
// requests and of CIBA push mode.
var gapsEntries = []Entry{
	{Name: FAPICIBARequestKeySize, Error: "invalid_request", Status: http.StatusBadRequest, Title: "Signed authentication request key too small for FAPI 2.0",
		Description: "FAPI 2.0 Security Profile §5.4.1: the signed authentication request of client {client_id} would be verified with {key}. Nothing was started.",
		Causes: []string{
			"The key served at the client's jwks_uri, or registered before the client came under the profile, is a short RSA key.",
		},
		ClientFix: []string{
			"Sign authentication requests with a P-256 (ES256), Ed25519 (EdDSA) or RSA key of at least 2048 bits (PS256), and publish only such keys.",
		},
		OperatorFix: []string{fapiOff},
		Spec:        "FAPI 2.0 Security Profile §5.4.1", SpecURL: fapi2Crypto, Endpoints: []Endpoint{Backchannel}},
	{Name: FAPICIBAPush, Error: "invalid_client_metadata", Status: http.StatusBadRequest, Title: "Push delivery not allowed under FAPI",
		Description: "Client {client_id} is under the FAPI 2.0 Security Profile and registered the CIBA push delivery mode, which FAPI-CIBA forbids (tokens would travel to an endpoint without sender constraint). Nothing was {what}.",
		Causes: []string{
			"The client was registered for push, then came under the profile (its own fapi2 setting or the server's fapi2_security_profile).",
			"A registration asked for push for a client under the profile.",
		},
		ClientFix:   []string{fapiCIBAFix},
		OperatorFix: []string{fapiCIBACmd, fapiOff},
		Spec:        "FAPI-CIBA §5.2.2 (push mode not permitted)", SpecURL: fapiCIBA, Endpoints: []Endpoint{Backchannel, Register, Admin}},
	{Name: CIBAPushPolled, Error: "unauthorized_client", Status: http.StatusBadRequest, Title: "Push client polled the token endpoint",
		Description: "Client {client_id} is registered for the push delivery mode: its tokens are delivered to its client notification endpoint, and it may not ask the token endpoint for them (OpenID CIBA Core §10.3.1). Nothing was issued.",
		Causes: []string{
			"The client polls out of habit, or was switched from poll to push without changing its code.",
		},
		ClientFix: []string{
			"Wait for the POST to the client notification endpoint (with the client_notification_token as bearer); it carries the tokens.",
			"Or register the poll or ping delivery mode.",
		},
		Spec: "OpenID CIBA Core §10.3.1, §11", SpecURL: ciba10_3_1, Endpoints: []Endpoint{Token}},
}
