package catalog

import "net/http"

// gapsEntries are the failures of the FAPI key-size check on CIBA signed
// requests.
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
}
