package catalog

import "net/http"

const jarm = "https://openid.net/specs/oauth-v2-jarm.html"

// jarmEntries are the failures of JWT-secured authorization responses
// (JARM): what a client may register for them, and a registration the
// server cannot honour when the response is due.
var jarmEntries = []Entry{
	{Name: JARMSigningAlgUnsupported, Error: "invalid_client_metadata", Status: bad, Title: "Authorization responses cannot be signed with this algorithm",
		Description: "authorization_signed_response_alg {alg} is not one this server signs authorization responses with. Supported: {supported}.",
		Causes: []string{
			"The client asks for an algorithm Lucid keeps no signing key for, such as PS256 or ES384; Lucid signs with RS256, ES256 and EdDSA keys only.",
			"The client asks for none, or a symmetric algorithm (HS256): JARM forbids none, and Lucid signs its responses with its own published keys, never with a client secret.",
			"The value is misspelled or in the wrong case (rs256, Ed25519).",
		},
		ClientFix: []string{
			"Register one of the algorithms in authorization_signing_alg_values_supported of the discovery document, or leave the field out to get RS256.",
		},
		OperatorFix: []string{
			"Set the client's algorithm with `lucid client update CLIENT_ID --authorization-response-alg ES256` (RS256, ES256 or EdDSA).",
		},
		Spec: "JARM §3", SpecURL: jarm + "#section-3", Endpoints: []Endpoint{Register, Admin}},
	{Name: JARMEncryptionUnsupported, Error: "invalid_client_metadata", Status: bad, Title: "Encrypted authorization responses are not supported",
		Description: "The client metadata asks for encrypted authorization responses ({field} {value}); this server signs authorization responses but does not encrypt them.",
		Causes: []string{
			"The client registers authorization_encrypted_response_alg or authorization_encrypted_response_enc, which JARM makes optional; Lucid does not offer encryption, and registering it anyway would leave the client waiting for encrypted responses it never gets.",
		},
		ClientFix: []string{
			"Leave authorization_encrypted_response_alg and authorization_encrypted_response_enc out: responses are then signed JWTs, readable with the keys at jwks_uri of the discovery document. Keep secrets out of the authorization response instead; a code is useless without the client's credentials or PKCE verifier.",
		},
		Spec: "JARM §3", SpecURL: jarm + "#section-3", Endpoints: []Endpoint{Register}},
	{Name: JARMClientAlgUnavailable, Error: "invalid_request", Status: http.StatusBadRequest, Page: true, Title: "The client's response signing algorithm is not available",
		Description: "The client {client_id} asked for a JWT-secured response ({mode}), but its registered authorization_signed_response_alg {alg} is not an algorithm this server signs with, so the response could not be sent.",
		Causes: []string{
			"The client's record names an algorithm Lucid has no key for: it was written by another version of Lucid, or changed in the database by hand, without the checks registration and the admin API apply.",
		},
		ClientFix: []string{
			"Ask the operator to set a supported algorithm for the client, or use a response mode without .jwt until then.",
		},
		OperatorFix: []string{
			"Set a supported algorithm: `lucid client update CLIENT_ID --authorization-response-alg RS256` (RS256, ES256 or EdDSA); discovery lists them in authorization_signing_alg_values_supported.",
		},
		Spec: "JARM §2.2", SpecURL: jarm + "#section-2.2", Endpoints: []Endpoint{Authorize}},
}
