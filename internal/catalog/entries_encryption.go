package catalog

// encryptionEntries are the failures of encrypted JWT responses and symmetric request objects.
var encryptionEntries = []Entry{
	{Name: JARMEncryptionKeyMissing, Error: "invalid_request", Status: bad, Page: true, Title: "No client key to encrypt the authorization response to",
		Description: "The client {client_id} is registered for authorization responses encrypted with {alg}, but none of its registered keys can be used for that: {reason}. The response could not be sent.",
		Causes: []string{
			"The client replaced its JWK set (jwks, or what its jwks_uri serves) and the new set no longer holds its encryption key.",
			"The encryption key does not fit the registered algorithm: RSA-OAEP-256 needs an RSA key of at least 2048 bits, ECDH-ES and ECDH-ES+A128KW/A256KW an EC key on P-256, P-384 or P-521.",
			"The key is marked use sig, or carries another alg than the registered authorization_encrypted_response_alg.",
		},
		ClientFix: []string{
			"Publish the public half of the key the client decrypts with, with use enc (or no use) and no other alg, in its jwks or at its jwks_uri.",
			"Or register another authorization_encrypted_response_alg that fits the key it has, or none to receive signed responses only.",
		},
		OperatorFix: []string{
			"`lucid client show CLIENT_ID` shows the client's keys and algorithms; update them with `lucid client update CLIENT_ID --jwks-file …` or `--authorization-encrypted-response-alg …`.",
		},
		Spec: "JARM §2.3", SpecURL: jarm + "#section-2.3", Endpoints: []Endpoint{Authorize}},
	{Name: JARMEncryptionKeysUnreachable, Error: "invalid_request", Status: bad, Page: true, Title: "Client's jwks_uri cannot be fetched to encrypt the response",
		Description: "The client {client_id} is registered for authorization responses encrypted with {alg}, but its keys could not be fetched from its jwks_uri; the operator's log says why. The response could not be sent.",
		Causes: []string{
			"The client's jwks_uri is down, slow, answers an error, or does not serve a JWK set.",
			"The jwks_uri points into a local network, which Lucid does not fetch from.",
		},
		ClientFix: []string{
			"Make the jwks_uri answer a JWK set over https, quickly, from a public address, then start the authorization request again.",
		},
		OperatorFix: []string{
			"`lucid explain` on the trace id shows the reason of the failed fetch.",
		},
		Spec: "JARM §2.3", SpecURL: jarm + "#section-2.3", Endpoints: []Endpoint{Authorize}},
	{Name: RequestObjectSecretUnusable, Error: "invalid_request_object", Status: bad, Title: "Request object signed with a secret the server cannot use",
		Description: "The request object is signed with {alg}, an HMAC algorithm keyed with the client secret, but {client_id} {reason}.",
		Causes: []string{
			"The client authenticates with client_secret_basic or client_secret_post: Lucid keeps only a keyed hash of such a secret, which cannot verify an HMAC signature.",
			"The client authenticates with keys (private_key_jwt, self_signed_tls_client_auth) or certificates, or is public: it has no secret at all.",
			"Every secret of the client has expired.",
		},
		ClientFix: []string{
			"Sign request objects with the client's registered private key (RS256, PS256, ES256 or EdDSA) instead.",
			"Or have the client registered with token_endpoint_auth_method client_secret_jwt: Lucid then keeps its secret sealed and can check HS256, HS384 and HS512 signatures made with it.",
		},
		OperatorFix: []string{
			"Register the client with `--auth-method client_secret_jwt` (its secret is then kept readable under the master key), or give it public keys with `--jwks-file` or `--jwks-uri`.",
		},
		Spec: "RFC 9101 §4; OIDC Core §10.1", SpecURL: rfc9101 + "#section-4", Endpoints: []Endpoint{Authorize, PAR}},
	{Name: RequestObjectSecretTooShort, Error: "invalid_request_object", Status: bad, Title: "Client secret too short for the request object's algorithm",
		Description: "The request object is signed with {alg}, which needs a key of at least {need} bytes, but the secret of {client_id} is {bytes} bytes.",
		Causes: []string{
			"The operator chose the client's secret (at least 32 bytes) and the client signs with HS384 or HS512, which need 48 and 64 bytes (RFC 7518 §3.2).",
		},
		ClientFix: []string{
			"Sign with HS256, or ask for a longer secret.",
		},
		OperatorFix: []string{
			"Rotate the client's secret: `lucid client rotate-secret CLIENT_ID` generates one of 64 bytes for client_secret_jwt clients, long enough for HS512.",
		},
		Spec: "RFC 7518 §3.2", SpecURL: "https://www.rfc-editor.org/rfc/rfc7518#section-3.2", Endpoints: []Endpoint{Authorize, PAR}},
	{Name: IDTokenEncryptionUnsupported, Error: "invalid_client_metadata", Status: bad, Title: "ID tokens cannot be encrypted this way",
		Description: "The client metadata asks for encrypted ID tokens with {field} {value}, which this server does not encrypt with. Supported: {supported}.",
		Causes: []string{
			"The client asks for a key management algorithm Lucid does not offer: RSA1_5 (open to padding-oracle attacks), RSA-OAEP (SHA-1), ECDH-ES+A192KW, AES key wrap or dir (both need a secret shared with the client) or PBES2.",
			"The client asks for a content encryption Lucid does not offer, such as A192GCM, A192CBC-HS384 or A256CBC-HS512.",
			"The value is misspelled or in the wrong case (rsa-oaep-256).",
		},
		ClientFix: []string{
			"Register one of id_token_encryption_alg_values_supported and, optionally, one of id_token_encryption_enc_values_supported from the discovery document (the enc defaults to A128CBC-HS256), with a public key that fits the alg (use enc) in jwks or at jwks_uri.",
			"Or leave both out: ID tokens are then signed JWTs, readable with the keys at jwks_uri of the discovery document.",
		},
		OperatorFix: []string{
			"Set the client's encryption with `lucid client update CLIENT_ID --id-token-encrypted-response-alg RSA-OAEP-256 [--id-token-encrypted-response-enc A256GCM]`.",
		},
		Spec: "OpenID Connect Registration §2", SpecURL: "https://openid.net/specs/openid-connect-registration-1_0.html#ClientMetadata", Endpoints: []Endpoint{Register, Admin}},
	{Name: IDTokenEncryptionKeyMissing, Error: "invalid_request", Status: bad, Title: "No client key to encrypt the ID token to",
		Description: "The client {client_id} is registered for ID tokens encrypted with {alg}, but none of its registered keys can be used for that: {reason}. Nothing was issued, and the grant was not used.",
		Causes: []string{
			"The client replaced its JWK set (jwks, or what its jwks_uri serves) and the new set no longer holds its encryption key.",
			"The encryption key does not fit the registered algorithm: RSA-OAEP-256 needs an RSA key of at least 2048 bits, ECDH-ES and ECDH-ES+A128KW/A256KW an EC key on P-256, P-384 or P-521.",
			"The key is marked use sig, or carries another alg than the registered id_token_encrypted_response_alg.",
		},
		ClientFix: []string{
			"Publish the public half of the key the client decrypts with, with use enc (or no use) and no other alg, in its jwks or at its jwks_uri, then send the same token request again.",
			"Or register another id_token_encrypted_response_alg that fits the key it has, or none to receive signed ID tokens.",
		},
		OperatorFix: []string{
			"`lucid client show CLIENT_ID` shows the client's keys and algorithms; update them with `lucid client update CLIENT_ID --jwks-file …` or `--id-token-encrypted-response-alg …`.",
		},
		Spec: "OpenID Connect Core §10.2", SpecURL: oidc + "#Encryption", Endpoints: []Endpoint{Token}},
	{Name: IDTokenEncryptionKeysUnreachable, Error: "invalid_request", Status: bad, Title: "Client's jwks_uri cannot be fetched to encrypt the ID token",
		Description: "The client {client_id} is registered for ID tokens encrypted with {alg}, but its keys could not be fetched from its jwks_uri; the operator's log says why. Nothing was issued, and the grant was not used.",
		Causes: []string{
			"The client's jwks_uri is down, slow, answers an error, or does not serve a JWK set.",
			"The jwks_uri points into a local network, which Lucid does not fetch from.",
		},
		ClientFix: []string{
			"Make the jwks_uri answer a JWK set over https, quickly, from a public address, then send the same token request again.",
		},
		OperatorFix: []string{
			"`lucid explain` on the trace id shows the reason of the failed fetch.",
		},
		Spec: "OpenID Connect Core §10.2", SpecURL: oidc + "#Encryption", Endpoints: []Endpoint{Token}},
	{Name: UserInfoEncryptionUnsupported, Error: "invalid_client_metadata", Status: bad, Title: "Userinfo answers cannot be encrypted this way",
		Description: "The client metadata asks for encrypted userinfo answers with {field} {value}, which this server does not encrypt with. Supported: {supported}.",
		Causes: []string{
			"The client asks for a key management algorithm Lucid does not offer: RSA1_5 (open to padding-oracle attacks), RSA-OAEP (SHA-1), ECDH-ES+A192KW, AES key wrap or dir (both need a secret shared with the client) or PBES2.",
			"The client asks for a content encryption Lucid does not offer, such as A192GCM, A192CBC-HS384 or A256CBC-HS512.",
		},
		ClientFix: []string{
			"Register one of userinfo_encryption_alg_values_supported and, optionally, one of userinfo_encryption_enc_values_supported from the discovery document, with a public key that fits the alg (use enc) in jwks or at jwks_uri.",
		},
		OperatorFix: []string{
			"Set the client's encryption with `lucid client update CLIENT_ID --userinfo-encrypted-response-alg RSA-OAEP-256`.",
		},
		Spec: "OpenID Connect Registration §2", SpecURL: "https://openid.net/specs/openid-connect-registration-1_0.html#ClientMetadata", Endpoints: []Endpoint{Register, Admin}},
	{Name: UserInfoEncryptionKeyMissing, Error: "invalid_request", Status: bad, Title: "No client key to encrypt the userinfo answer to",
		Description: "The client {client_id} is registered for userinfo answers encrypted with {alg}, but none of its registered keys can be used for that: {reason}. No claims were sent.",
		Causes: []string{
			"The client replaced its JWK set (jwks, or what its jwks_uri serves) and the new set no longer holds its encryption key.",
			"The encryption key does not fit the registered algorithm, is marked use sig, or carries another alg.",
		},
		ClientFix: []string{
			"Publish the public half of the key the client decrypts with, with use enc (or no use), in its jwks or at its jwks_uri, then ask again with the same access token.",
		},
		OperatorFix: []string{
			"`lucid client show CLIENT_ID` shows the client's keys and algorithms; update them with `lucid client update CLIENT_ID --jwks-file …` or `--userinfo-encrypted-response-alg …`.",
		},
		Spec: "OpenID Connect Core §5.3.2", SpecURL: oidc + "#UserInfoResponse", Endpoints: []Endpoint{UserInfo}},
	{Name: UserInfoEncryptionKeysUnreachable, Error: "invalid_request", Status: bad, Title: "Client's jwks_uri cannot be fetched to encrypt the userinfo answer",
		Description: "The client {client_id} is registered for userinfo answers encrypted with {alg}, but its keys could not be fetched from its jwks_uri; the operator's log says why. No claims were sent.",
		Causes: []string{
			"The client's jwks_uri is down, slow, answers an error, or does not serve a JWK set.",
		},
		ClientFix: []string{
			"Make the jwks_uri answer a JWK set over https, quickly, from a public address, then ask again.",
		},
		OperatorFix: []string{
			"`lucid explain` on the trace id shows the reason of the failed fetch.",
		},
		Spec: "OpenID Connect Core §5.3.2", SpecURL: oidc + "#UserInfoResponse", Endpoints: []Endpoint{UserInfo}},
}
