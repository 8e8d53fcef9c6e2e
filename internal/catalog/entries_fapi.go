package catalog

import "net/http"

// fapi2 is the FAPI 2.0 Security Profile, final (February 2025).
const (
	fapi2        = "https://openid.net/specs/fapi-security-profile-2_0-final.html"
	fapi2General = fapi2 + "#section-5.3.2.1"
	fapi2Authz   = fapi2 + "#section-5.3.2.2"
	fapi2Crypto  = fapi2 + "#section-5.4.1"
)

// fapiOff is the operator's way out of every runtime refusal of the mode.
const fapiOff = "If this client is not meant to follow the FAPI 2.0 Security Profile, take it out: `lucid client update ID --fapi2=false` (or turn off `fapi2_security_profile` in the configuration when the whole server is under it)."

// fapiEntries are the failures of the FAPI 2.0 Security Profile mode
// (internal/fapi): a client under the profile, by its own registration
// (fapi2_security_profile) or the server's setting, broke one of its
// rules. Each description names the rule by its section.
var fapiEntries = []Entry{
	{Name: FAPIClientAuthMethod, Error: "invalid_client", Status: http.StatusUnauthorized, Title: "Client authentication not allowed by FAPI 2.0",
		Description: "FAPI 2.0 Security Profile §5.3.2.1: client {client_id} authenticated with {method}, but a client under the profile authenticates only with private_key_jwt, tls_client_auth or self_signed_tls_client_auth. Nothing was issued.",
		Causes: []string{
			"The whole server was put under the profile (fapi2_security_profile) while this client was still registered with a client secret or as a public client.",
			"The client's library fell back to client_secret_basic because its key or certificate was not configured.",
		},
		ClientFix: []string{
			"Authenticate with a client assertion signed by a registered key (private_key_jwt), or with the registered TLS client certificate (tls_client_auth, self_signed_tls_client_auth).",
		},
		OperatorFix: []string{
			"Register the client's keys or certificate and move it to a method the profile allows: `lucid client update ID --auth-method private_key_jwt --jwks-file keys.json`.",
			fapiOff,
		},
		Spec: "FAPI 2.0 Security Profile §5.3.2.1", SpecURL: fapi2General, Endpoints: []Endpoint{Token, PAR, Introspect, Revoke}},
	{Name: FAPIClientAssertionAlg, Error: "invalid_client", Status: http.StatusUnauthorized, Title: "Client assertion algorithm not allowed by FAPI 2.0",
		Description: "FAPI 2.0 Security Profile §5.4.1: the client assertion of client {client_id} is signed with {alg}, but under the profile only PS256, ES256 and EdDSA are accepted. It was not used.",
		Causes: []string{
			"The client signs with RS256, the default of many JWT libraries; the profile allows RSA keys only with PS256.",
		},
		ClientFix: []string{
			"Sign client assertions with PS256 (an RSA key of at least 2048 bits), ES256 (a P-256 key) or EdDSA (Ed25519), and set alg accordingly.",
		},
		OperatorFix: []string{fapiOff},
		Spec:        "FAPI 2.0 Security Profile §5.4.1", SpecURL: fapi2Crypto, Endpoints: []Endpoint{Token, PAR, Introspect, Revoke}},
	{Name: FAPIClientAssertionAudience, Error: "invalid_client", Status: http.StatusUnauthorized, Title: "Client assertion audience not the issuer",
		Description: "FAPI 2.0 Security Profile §5.3.2.1: the client assertion of client {client_id} names {aud} as its audience, but under the profile only the issuer, {accepted}, is accepted, as a single string. It was not used.",
		Causes: []string{
			"The client follows the older OpenID Connect advice and puts the token endpoint URL (or the PAR endpoint URL) in aud.",
			"The client's issuer setting differs from the issuer in the discovery document (a trailing slash, another host name).",
		},
		ClientFix: []string{
			"Put the issuer of the discovery document, exactly, as the one string value of aud in every client assertion.",
		},
		OperatorFix: []string{fapiOff},
		Spec:        "FAPI 2.0 Security Profile §5.3.2.1", SpecURL: fapi2General, Endpoints: []Endpoint{Token, PAR, Introspect, Revoke}},
	{Name: FAPIRequestObjectAlg, Error: "invalid_request_object", Status: http.StatusBadRequest, Title: "Request object algorithm not allowed by FAPI 2.0",
		Description: "FAPI 2.0 Security Profile §5.4.1: the request object of client {client_id} is signed with {alg}, but under the profile only PS256, ES256 and EdDSA are accepted (and never none). Nothing of it was used.",
		Causes: []string{
			"The client signs its request objects with RS256, or sends them unsigned.",
		},
		ClientFix: []string{
			"Sign the request object with PS256, ES256 or EdDSA and a registered key, or push the parameters as a plain form to the pushed authorization request endpoint.",
		},
		OperatorFix: []string{fapiOff},
		Spec:        "FAPI 2.0 Security Profile §5.4.1", SpecURL: fapi2Crypto, Endpoints: []Endpoint{PAR, Authorize, Backchannel}},
	{Name: FAPIDPoPProofAlg, Error: "invalid_dpop_proof", Status: http.StatusBadRequest, Title: "DPoP proof algorithm not allowed by FAPI 2.0",
		Description: "FAPI 2.0 Security Profile §5.4.1: a DPoP proof for client {client_id} is signed with {alg}, but under the profile only PS256, ES256 and EdDSA proofs are accepted, at the token and pushed authorization request endpoints as at userinfo and at APIs that enforce the profile. The request was refused.",
		Causes: []string{
			"The client's DPoP key is an RSA key used with RS256, the default of many libraries.",
			"The client signs its token requests' proofs correctly but uses another library, or another key, for the proofs it sends to APIs.",
		},
		ClientFix: []string{
			"Make DPoP proofs with an ES256 (P-256) or EdDSA (Ed25519) key, or use PS256 with the RSA key, for every request that carries a proof.",
		},
		OperatorFix: []string{fapiOff, "An API built on Lucid's resource library refuses these proofs only when it was built with resource.WithFAPI2()."},
		Spec:        "FAPI 2.0 Security Profile §5.4.1", SpecURL: fapi2Crypto, Endpoints: []Endpoint{Token, PAR, UserInfo, Resource}},
	{Name: FAPIDPoPKeySize, Error: "invalid_dpop_proof", Status: http.StatusBadRequest, Title: "DPoP key too small for FAPI 2.0",
		Description: "FAPI 2.0 Security Profile §5.4.1: a DPoP proof for client {client_id} carries {key}. The request was refused.",
		Causes: []string{
			"The client generated its DPoP key with a library default or an old setting (RSA 1024 bits).",
		},
		ClientFix: []string{
			"Make a new DPoP key: P-256 (ES256) or Ed25519 (EdDSA), or RSA of at least 2048 bits (PS256), and bind new tokens to it (a refresh with the new key's proof).",
		},
		OperatorFix: []string{fapiOff},
		Spec:        "FAPI 2.0 Security Profile §5.4.1", SpecURL: fapi2Crypto, Endpoints: []Endpoint{Token, PAR, UserInfo, Resource}},
	{Name: FAPIClientAssertionKeySize, Error: "invalid_client", Status: http.StatusUnauthorized, Title: "Client key too small for FAPI 2.0",
		Description: "FAPI 2.0 Security Profile §5.4.1: the client assertion of client {client_id} would be verified with {key}. It was not used.",
		Causes: []string{
			"The key served at the client's jwks_uri, or registered before the client came under the profile, is a short RSA key.",
		},
		ClientFix: []string{
			"Sign with a P-256 (ES256), Ed25519 (EdDSA) or RSA key of at least 2048 bits (PS256), publish it in the jwks_uri (or register it), and remove the short key.",
		},
		OperatorFix: []string{
			"Register the client's new keys: `lucid client update ID --jwks-file keys.json`.",
			fapiOff,
		},
		Spec: "FAPI 2.0 Security Profile §5.4.1", SpecURL: fapi2Crypto, Endpoints: []Endpoint{Token, PAR, Introspect, Revoke}},
	{Name: FAPIRequestObjectKeySize, Error: "invalid_request_object", Status: http.StatusBadRequest, Title: "Request object key too small for FAPI 2.0",
		Description: "FAPI 2.0 Security Profile §5.4.1: the request object of client {client_id} would be verified with {key}. Nothing of it was used.",
		Causes: []string{
			"The key served at the client's jwks_uri, or registered before the client came under the profile, is a short RSA key.",
		},
		ClientFix: []string{
			"Sign request objects with a P-256 (ES256), Ed25519 (EdDSA) or RSA key of at least 2048 bits (PS256), and publish only such keys.",
		},
		OperatorFix: []string{fapiOff},
		Spec:        "FAPI 2.0 Security Profile §5.4.1", SpecURL: fapi2Crypto, Endpoints: []Endpoint{PAR, Authorize}},
	{Name: FAPIJWTBearerAlg, Error: "invalid_grant", Status: http.StatusBadRequest, Title: "JWT bearer assertion algorithm not allowed by FAPI 2.0",
		Description: "FAPI 2.0 Security Profile §5.4.1: client {client_id} presented a JWT bearer assertion (RFC 7523 §2.1) signed with {alg}, but under the profile only PS256, ES256 and EdDSA are accepted. Nothing was issued.",
		Causes: []string{
			"The trusted issuer signs its tokens with RS256 (many identity providers and Kubernetes do by default), and the client presenting them is under the profile.",
		},
		ClientFix: []string{
			"Present assertions the issuer signs with PS256, ES256 or EdDSA.",
		},
		OperatorFix: []string{
			"Have the issuer sign with an allowed algorithm (for Kubernetes, an EC service account signing key), or present its assertions with a client that is not under the profile.",
			fapiOff,
		},
		Spec: "FAPI 2.0 Security Profile §5.4.1", SpecURL: fapi2Crypto, Endpoints: []Endpoint{Token}},
	{Name: FAPIJWTBearerKeySize, Error: "invalid_grant", Status: http.StatusBadRequest, Title: "JWT bearer issuer key too small for FAPI 2.0",
		Description: "FAPI 2.0 Security Profile §5.4.1: the JWT bearer assertion client {client_id} presented would be verified with {key}. Nothing was issued.",
		Causes: []string{
			"The trusted issuer still publishes, and signs with, a short RSA key.",
		},
		ClientFix: []string{
			"Present assertions signed with a key of the issuer that is at least 2048 bits (RSA) or 224 bits (elliptic curve).",
		},
		OperatorFix: []string{
			"Have the issuer rotate to a longer key, or present its assertions with a client that is not under the profile.",
			fapiOff,
		},
		Spec: "FAPI 2.0 Security Profile §5.4.1", SpecURL: fapi2Crypto, Endpoints: []Endpoint{Token}},
	{Name: FAPISenderConstraint, Error: "invalid_request", Status: http.StatusBadRequest, Title: "FAPI 2.0 needs sender-constrained tokens",
		Description: "FAPI 2.0 Security Profile §5.3.2.1: client {client_id} asked for tokens with neither a DPoP proof nor a TLS client certificate to bind them to, and under the profile every access token is sender-constrained. Nothing was issued.",
		Causes: []string{
			"The client's library does not send a DPoP header with its token requests.",
			"The client was meant to bind tokens to its certificate, but the request did not reach Lucid over mutual TLS (or the proxy did not forward the certificate).",
		},
		ClientFix: []string{
			"Send a DPoP proof with every token request (RFC 9449 §5), or call the token endpoint over mutual TLS with the client certificate (RFC 8705, mtls_endpoint_aliases in the discovery document).",
		},
		OperatorFix: []string{fapiOff},
		Spec:        "FAPI 2.0 Security Profile §5.3.2.1", SpecURL: fapi2General, Endpoints: []Endpoint{Token}},
	{Name: FAPIPARRequired, Error: "invalid_request", Status: http.StatusBadRequest, Title: "FAPI 2.0 needs pushed authorization requests",
		Description: "FAPI 2.0 Security Profile §5.3.2.2: client {client_id} sent this authorization request without pushing it first, and under the profile the authorization endpoint takes only a request_uri from the pushed authorization request endpoint.",
		Causes: []string{
			"The client builds the authorization URL itself instead of pushing the parameters (its library does not use PAR, or it is not configured to).",
			"The client sent a request object, or a request_uri of its own, to the authorization endpoint.",
		},
		ClientFix: []string{
			"POST the authorization parameters, with client authentication, to the pushed_authorization_request_endpoint of the discovery document, then send the browser with only client_id and the request_uri of the answer.",
		},
		OperatorFix: []string{fapiOff},
		Spec:        "FAPI 2.0 Security Profile §5.3.2.2", SpecURL: fapi2Authz, Endpoints: []Endpoint{Authorize}},
	{Name: FAPIRedirectURIMissing, Error: "invalid_request", Status: http.StatusBadRequest, Title: "FAPI 2.0 needs redirect_uri in the push",
		Description: "FAPI 2.0 Security Profile §5.3.2.2: the pushed authorization request of client {client_id} has no redirect_uri, and under the profile every pushed request names it, even when only one is registered. Nothing was stored.",
		Causes: []string{
			"The client leaves redirect_uri out because it has a single registered redirect URI, which plain OAuth allows.",
		},
		ClientFix: []string{
			"Add redirect_uri, one of the client's registered redirect URIs, to every pushed authorization request.",
		},
		OperatorFix: []string{fapiOff},
		Spec:        "FAPI 2.0 Security Profile §5.3.2.2", SpecURL: fapi2Authz, Endpoints: []Endpoint{PAR}},
	{Name: FAPIPKCERequired, Error: "invalid_request", Status: http.StatusBadRequest, Title: "FAPI 2.0 needs PKCE",
		Description: "FAPI 2.0 Security Profile §5.3.2.2: the authorization request of client {client_id} has no code_challenge, and under the profile every client, confidential ones too, uses PKCE with S256.",
		Causes: []string{
			"The client is confidential and skips PKCE because it authenticates at the token endpoint, which plain OAuth allows.",
		},
		ClientFix: []string{
			"Make a new code_verifier for every authorization request, send its S256 code_challenge with code_challenge_method S256, and the code_verifier with the code.",
		},
		OperatorFix: []string{fapiOff},
		Spec:        "FAPI 2.0 Security Profile §5.3.2.2", SpecURL: fapi2Authz, Endpoints: []Endpoint{PAR, Authorize}},
	{Name: FAPIMetadataAuthMethod, Error: "invalid_client_metadata", Status: http.StatusBadRequest, Title: "Client authentication not allowed by FAPI 2.0",
		Description: "FAPI 2.0 Security Profile §5.3.2.1: a client under the profile cannot have token_endpoint_auth_method {method}; it must be a confidential client authenticating with private_key_jwt, tls_client_auth or self_signed_tls_client_auth. Nothing was changed.",
		Causes: []string{
			"The registration asks for the profile (fapi2_security_profile) but keeps the default client_secret_basic, or is a public client (none).",
			"The whole server is under the profile and the client is registered with a client secret.",
		},
		ClientFix: []string{
			"Register with token_endpoint_auth_method private_key_jwt and your public keys (jwks or jwks_uri), or with tls_client_auth or self_signed_tls_client_auth and your certificate.",
		},
		OperatorFix: []string{
			"Create the client with `--auth-method private_key_jwt --jwks-file keys.json` (or an mTLS method), or without `--fapi2` if it is not meant to follow the profile.",
		},
		Spec: "FAPI 2.0 Security Profile §5.3.2.1", SpecURL: fapi2General, Endpoints: []Endpoint{Register, Admin}},
	{Name: FAPIMetadataAlg, Error: "invalid_client_metadata", Status: http.StatusBadRequest, Title: "Signing algorithm not allowed by FAPI 2.0",
		Description: "FAPI 2.0 Security Profile §5.4.1: a client under the profile cannot have {field} {alg}; only PS256, ES256 and EdDSA are allowed ({offered} for what Lucid signs). Nothing was changed.",
		Causes: []string{
			"The registration names RS256 (or none), the default of OpenID Connect, for ID tokens, authorization responses or request objects.",
		},
		ClientFix: []string{
			"Leave the field out (Lucid then signs with ES256 for clients under the profile) or name ES256 or EdDSA; for request objects PS256 too.",
		},
		OperatorFix: []string{
			"Give the client `--id-token-alg ES256` (or EdDSA) and the same for the other algorithms, or create it without `--fapi2`.",
		},
		Spec: "FAPI 2.0 Security Profile §5.4.1", SpecURL: fapi2Crypto, Endpoints: []Endpoint{Register, Admin}},
	{Name: FAPIMetadataKeySize, Error: "invalid_client_metadata", Status: http.StatusBadRequest, Title: "Client key too small for FAPI 2.0",
		Description: "FAPI 2.0 Security Profile §5.4.1: a client under the profile cannot register key {kid}, {key}. Nothing was changed.",
		Causes: []string{
			"The key set was generated with an old default (RSA 1024 bits), or kept from before the client came under the profile.",
		},
		ClientFix: []string{
			"Register only P-256 (ES256), Ed25519 (EdDSA) or RSA keys of at least 2048 bits, for signatures and for encryption alike.",
		},
		OperatorFix: []string{
			"Give the client a key set without the short key (`--jwks-file keys.json`), or create it without `--fapi2`.",
		},
		Spec: "FAPI 2.0 Security Profile §5.4.1", SpecURL: fapi2Crypto, Endpoints: []Endpoint{Register, Admin}},
}
