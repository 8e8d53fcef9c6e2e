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
	{Name: JARMEncryptionUnsupported, Error: "invalid_client_metadata", Status: bad, Title: "Authorization responses cannot be encrypted this way",
		Description: "The client metadata asks for encrypted authorization responses with {field} {value}, which this server does not encrypt with. Supported: {supported}.",
		Causes: []string{
			"The client asks for a key management algorithm Lucid does not offer: RSA1_5 (open to padding-oracle attacks), RSA-OAEP (SHA-1), ECDH-ES+A192KW, AES key wrap or dir (both need a secret shared with the client) or PBES2.",
			"The client asks for a content encryption Lucid does not offer, such as A192GCM, A192CBC-HS384 or A256CBC-HS512.",
			"The client registers authorization_encrypted_response_enc without authorization_encrypted_response_alg, which the enc needs.",
			"The value is misspelled or in the wrong case (rsa-oaep-256).",
		},
		ClientFix: []string{
			"Register one of authorization_encryption_alg_values_supported and, optionally, one of authorization_encryption_enc_values_supported from the discovery document (the enc defaults to A128CBC-HS256), with a public key that fits the alg (use enc) in jwks or at jwks_uri.",
			"Or leave both out: responses are then signed JWTs, readable with the keys at jwks_uri of the discovery document.",
		},
		OperatorFix: []string{
			"Set the client's encryption with `lucid client update CLIENT_ID --authorization-encrypted-response-alg RSA-OAEP-256 [--authorization-encrypted-response-enc A256GCM]`.",
		},
		Spec: "JARM §3", SpecURL: jarm + "#section-3", Endpoints: []Endpoint{Register, Admin}},
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
