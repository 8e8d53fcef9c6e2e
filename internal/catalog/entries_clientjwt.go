package catalog

const (
	rfc9101   = "https://www.rfc-editor.org/rfc/rfc9101"
	jarSpec   = "RFC 9101 §6.3"
	jarSpecAt = rfc9101 + "#section-6.3"
)

// clientJWTEntries: see entries_sender.go. The request object (JAR, RFC
// 9101) failures, one per thing a client can get wrong; each is checked
// by the client JWT verifier (internal/clientjwt) or the request object
// rules around it (internal/provider/request_object.go).
var clientJWTEntries = []Entry{
	{Name: RequestAndRequestURI, Error: "invalid_request", Status: bad, Title: "Both request and request_uri",
		Description: "The authorization request has both a request object (request) and a request_uri; send one of them.",
		Causes: []string{
			"The client library pushes the request (PAR) and also sends the request object it pushed.",
		},
		ClientFix: []string{
			"Send either the request object in request, or the request_uri you received from the pushed authorization request endpoint, not both.",
		},
		Spec: "RFC 9101 §5", SpecURL: rfc9101 + "#section-5", Endpoints: []Endpoint{Authorize}},
	{Name: RequestObjectMalformed, Error: "invalid_request_object", Status: bad, Title: "Request object cannot be read",
		Description: "The request parameter is not a usable request object: {reason}.",
		Causes: []string{
			"The request parameter holds something other than a compact JWT: plain JSON, a URL, or a JWT cut short by a proxy's URL length limit.",
			"The request object is encrypted (five parts); Lucid accepts signed request objects only.",
			"A claim that stands for an authorization parameter has a JSON type that parameter cannot have.",
		},
		ClientFix: []string{
			"Put the signed JWT itself in request, three base64url parts separated by dots, with the authorization parameters as its claims.",
			"If the URL gets too long, push the request (PAR) and send the request_uri instead.",
		},
		Spec: "RFC 9101 §4", SpecURL: rfc9101 + "#section-4", Endpoints: []Endpoint{Authorize}},
	{Name: RequestObjectNested, Error: "invalid_request_object", Status: bad, Title: "Request object contains a request",
		Description: "The request object has a {claim} claim; a request object must not contain request or request_uri.",
		Causes: []string{
			"The code that builds the request object copies every authorization parameter into it, including request_uri or request.",
		},
		ClientFix: []string{
			"Leave request and request_uri out of the request object's claims.",
		},
		Spec: "RFC 9101 §4", SpecURL: rfc9101 + "#section-4", Endpoints: []Endpoint{Authorize}},
	{Name: RequestObjectAlgNotAllowed, Error: "invalid_request_object", Status: bad, Title: "Request object algorithm not accepted",
		Description: "The request object is signed with {alg}; Lucid accepts {allowed}.",
		Causes: []string{
			"The client signs with an algorithm Lucid does not offer, such as RS512 or ES384.",
			"The client signs with an RSA key shorter than 2048 bits.",
		},
		ClientFix: []string{
			"Sign the request object with one of request_object_signing_alg_values_supported from the discovery document, with a key registered for the client.",
		},
		Spec: "RFC 9101 §10.5", SpecURL: rfc9101 + "#section-10.5", Endpoints: []Endpoint{Authorize}},
	{Name: RequestObjectAlgNotRegistered, Error: "invalid_request_object", Status: bad, Title: "Request object algorithm is not the registered one",
		Description: "The request object is signed with {alg}, but {client_id} is registered with request_object_signing_alg {registered}.",
		Causes: []string{
			"The client's signing key or library changed algorithm (for example from RS256 to PS256) and its registration did not.",
			"The client is registered for unsigned request objects (none) and now sends signed ones, or the other way round.",
		},
		ClientFix: []string{
			"Sign with the registered algorithm, or update request_object_signing_alg in the client's registration.",
		},
		OperatorFix: []string{
			"Change the client's request_object_signing_alg with `lucid client update --request-object-alg` if the new algorithm is intended.",
		},
		Spec: "OIDC Dynamic Client Registration §2", SpecURL: "https://openid.net/specs/openid-connect-registration-1_0.html#ClientMetadata", Endpoints: []Endpoint{Authorize}},
	{Name: RequestObjectUnsigned, Error: "invalid_request_object", Status: bad, Title: "Unsigned request object refused",
		Description: "The request object is not signed (alg none), and {client_id} may not send unsigned request objects: {reason}.",
		Causes: []string{
			"The client library builds unsigned request objects by default.",
			"The client is not registered with request_object_signing_alg none, which is the only way Lucid accepts an unsigned one.",
			"The server runs in a strict mode, in which unsigned request objects are never accepted.",
		},
		ClientFix: []string{
			"Sign the request object with a key registered for the client (jwks or jwks_uri), using an algorithm from request_object_signing_alg_values_supported.",
		},
		OperatorFix: []string{
			"An unsigned request object proves nothing that plain parameters do not; register a client with request_object_signing_alg none only for testing.",
		},
		Spec: "RFC 9101 §6.1", SpecURL: rfc9101 + "#section-6.1", Endpoints: []Endpoint{Authorize}},
	{Name: RequestObjectTypInvalid, Error: "invalid_request_object", Status: bad, Title: "Request object has another JWT type",
		Description: "The request object's typ is {typ}; a request object's typ is {want}.",
		Causes: []string{
			"Another kind of JWT the client signs (a DPoP proof, a logout token, a client assertion of explicit type) was sent as a request object.",
		},
		ClientFix: []string{
			"Set typ to oauth-authz-req+jwt in the request object's header, or leave it out.",
		},
		Spec: "RFC 9101 §10.8", SpecURL: rfc9101 + "#section-10.8", Endpoints: []Endpoint{Authorize}},
	{Name: RequestObjectKeysMissing, Error: "invalid_request_object", Status: bad, Title: "Client has no keys for request objects",
		Description: "The request object is signed, but {client_id} has no registered keys (neither jwks nor jwks_uri) to verify it with.",
		Causes: []string{
			"The client authenticates with a secret and never registered public keys, but its library signs request objects.",
		},
		ClientFix: []string{
			"Register the public key the client signs request objects with, as jwks or jwks_uri.",
		},
		OperatorFix: []string{
			"Add the client's keys with `lucid client update --jwks-file` or `--jwks-uri`.",
		},
		Spec: "RFC 9101 §6.2", SpecURL: rfc9101 + "#section-6.2", Endpoints: []Endpoint{Authorize}},
	{Name: RequestObjectKeysInvalid, Error: "invalid_request_object", Status: bad, Title: "Client's registered keys are unusable",
		Description: "The JWK set registered for {client_id} cannot be used to verify its request object: {reason}.",
		Causes: []string{
			"Two keys of the registered set have the same kid.",
			"The registered jwks is not a JWK set.",
		},
		ClientFix: []string{
			"Register a JWK set whose keys each have a distinct kid.",
		},
		Spec: "RFC 7517 §5", SpecURL: "https://www.rfc-editor.org/rfc/rfc7517#section-5", Endpoints: []Endpoint{Authorize}},
	{Name: RequestObjectKeysUnreachable, Error: "invalid_request_object", Status: bad, Title: "Client's jwks_uri cannot be fetched",
		Description: "The keys of {client_id} could not be fetched from its jwks_uri to verify its request object; the operator's log says why.",
		Causes: []string{
			"The client's jwks_uri is down, slow, answers an error, or does not serve a JWK set.",
			"The jwks_uri points into a local network, which Lucid does not fetch from.",
		},
		ClientFix: []string{
			"Make the jwks_uri answer a JWK set over https, quickly, from a public address.",
		},
		OperatorFix: []string{
			"`lucid explain` on the trace id shows the reason of the failed fetch.",
		},
		Spec: "RFC 9101 §6.2", SpecURL: rfc9101 + "#section-6.2", Endpoints: []Endpoint{Authorize}},
	{Name: RequestObjectKeyUnknown, Error: "invalid_request_object", Status: bad, Title: "Request object names an unknown key",
		Description: "The request object names kid {kid}, which is not among the keys registered for {client_id}.",
		Causes: []string{
			"The client rotated its signing key and has not registered or published the new public key yet.",
		},
		ClientFix: []string{
			"Publish the new public key before signing with it, and keep the old one until no request uses it.",
		},
		Spec: "RFC 9101 §6.2", SpecURL: rfc9101 + "#section-6.2", Endpoints: []Endpoint{Authorize}},
	{Name: RequestObjectKeyNotChosen, Error: "invalid_request_object", Status: bad, Title: "Request object key is ambiguous",
		Description: "The request object has no kid and {fitting} of the keys registered for {client_id} fit {alg}; without a kid exactly one key must fit.",
		Causes: []string{
			"The client registered several keys (during a rotation, say) and signs without a kid header.",
			"No registered key fits the algorithm the request object is signed with.",
		},
		ClientFix: []string{
			"Put the signing key's kid in the request object's header.",
		},
		Spec: "RFC 9101 §6.2", SpecURL: rfc9101 + "#section-6.2", Endpoints: []Endpoint{Authorize}},
	{Name: RequestObjectSignatureInvalid, Error: "invalid_request_object", Status: bad, Title: "Request object signature does not verify",
		Description: "The request object's signature does not verify with the key {kid} registered for {client_id}.",
		Causes: []string{
			"The request object was signed with a private key that does not belong to the registered public key.",
			"The request object was changed after it was signed.",
		},
		ClientFix: []string{
			"Sign with the private key whose public half is registered under that kid, and send the JWT unchanged.",
		},
		Spec: "RFC 9101 §6.2", SpecURL: rfc9101 + "#section-6.2", Endpoints: []Endpoint{Authorize}},
	{Name: RequestObjectIssuerMismatch, Error: "invalid_request_object", Status: bad, Title: "Request object issuer is not the client",
		Description: "The request object's iss is {iss}; a request object must be issued by the client that sends it, {client_id}.",
		Causes: []string{
			"The client library leaves iss out, or sets it to the client's own URL or to the authorization server.",
			"A request object made by another client is replayed under this client_id.",
		},
		ClientFix: []string{
			"Set iss to the client's client_id.",
		},
		Spec: "RFC 9101 §5", SpecURL: rfc9101 + "#section-5", Endpoints: []Endpoint{Authorize}},
	{Name: RequestObjectClientIDMismatch, Error: "invalid_request_object", Status: bad, Title: "Request object is for another client",
		Description: "The request object's client_id is {object}, but the request's client_id is {client_id}; they must be the same.",
		Causes: []string{
			"The request object lacks the client_id claim: only the request object's parameters count, so it must repeat client_id.",
			"The request object was made for another client.",
		},
		ClientFix: []string{
			"Put client_id in the request object as well as in the query, with the same value.",
		},
		Spec: "RFC 9101 §5", SpecURL: rfc9101 + "#section-5", Endpoints: []Endpoint{Authorize}},
	{Name: RequestObjectAudienceInvalid, Error: "invalid_request_object", Status: bad, Title: "Request object is for another server",
		Description: "The request object's aud is {aud}; Lucid accepts {accepted}.",
		Causes: []string{
			"The aud claim is missing, or names the authorization endpoint URL or another server instead of the issuer.",
		},
		ClientFix: []string{
			"Set aud to the issuer from the discovery document, as a single string.",
		},
		Spec: "RFC 9101 §4", SpecURL: rfc9101 + "#section-4", Endpoints: []Endpoint{Authorize}},
	{Name: RequestObjectAudienceMultiple, Error: "invalid_request_object", Status: bad, Title: "Request object names more than one audience",
		Description: "The request object's aud has {count} values ({aud}); Lucid accepts a single value, {accepted}.",
		Causes: []string{
			"One request object is signed for several servers, so each of them could replay it at the others.",
		},
		ClientFix: []string{
			"Sign a request object per server, with aud set to that server's issuer alone.",
		},
		Spec: "RFC 9101 §4", SpecURL: rfc9101 + "#section-4", Endpoints: []Endpoint{Authorize}},
	{Name: RequestObjectExpiryMissing, Error: "invalid_request_object", Status: bad, Title: "Request object has no expiry",
		Description: "The request object has no exp claim; Lucid accepts only request objects that expire.",
		Causes: []string{
			"The code that builds the request object does not set exp.",
		},
		ClientFix: []string{
			"Set exp a few minutes after iat.",
		},
		Spec: "RFC 9101 §10.2", SpecURL: rfc9101 + "#section-10.2", Endpoints: []Endpoint{Authorize}},
	{Name: RequestObjectExpired, Error: "invalid_request_object", Status: bad, Title: "Request object expired",
		Description: "The request object expired at {exp}, {ago} ago (server time {now}).",
		Causes: []string{
			"The client built the request object once and reuses it, or a user followed an old authorization link.",
			"The client's clock is behind.",
		},
		ClientFix: []string{
			"Build a fresh request object for every authorization request.",
		},
		Spec: "RFC 9101 §10.2", SpecURL: rfc9101 + "#section-10.2", Endpoints: []Endpoint{Authorize}},
	{Name: RequestObjectNotYetValid, Error: "invalid_request_object", Status: bad, Title: "Request object not valid yet",
		Description: "The request object's {claim} is {time}, {ahead} after the server time {now}: the client's clock is {ahead} ahead (Lucid allows {skew}), or {claim} is not set to the current time.",
		Causes: []string{
			"The client's clock runs ahead of the server's.",
			"The nbf claim is set to a future time on purpose.",
		},
		ClientFix: []string{
			"Synchronise the client's clock (NTP) and set iat and nbf to the current time.",
		},
		Spec: "RFC 9101 §10.2", SpecURL: rfc9101 + "#section-10.2", Endpoints: []Endpoint{Authorize}},
	{Name: RequestObjectLifetimeTooLong, Error: "invalid_request_object", Status: bad, Title: "Request object lives too long",
		Description: "The request object is valid for {lifetime} (until {exp}); Lucid accepts request objects valid for at most {max}.",
		Causes: []string{
			"The exp claim is set hours or days ahead so that one request object can serve many requests.",
			"The iat claim is old: the request object was built long before it was sent.",
		},
		ClientFix: []string{
			"Build each request object when it is sent, with exp a few minutes after iat.",
		},
		Spec: "RFC 9101 §10.2", SpecURL: rfc9101 + "#section-10.2", Endpoints: []Endpoint{Authorize}},
	{Name: RequestObjectJTIMissing, Error: "invalid_request_object", Status: bad, Title: "Request object has no jti",
		Description: "The request object has no jti claim; Lucid needs it to accept each request object once.",
		Causes: []string{
			"The code that builds the request object does not set jti.",
		},
		ClientFix: []string{
			"Set jti to a fresh random value in every request object.",
		},
		Spec: "RFC 9101 §10.2", SpecURL: rfc9101 + "#section-10.2", Endpoints: []Endpoint{Authorize}},
	{Name: RequestObjectReplayed, Error: "invalid_request_object", Status: bad, Title: "Request object used twice",
		Description: "A request object with jti {jti} was already used; each request object is accepted once.",
		Causes: []string{
			"The browser reloaded or went back to an authorization URL that carries a request object.",
			"The client reuses a request object, or someone replays one seen in a URL.",
		},
		ClientFix: []string{
			"Build a new request object, with a new jti, for every authorization request.",
		},
		Spec: jarSpec, SpecURL: jarSpecAt, Endpoints: []Endpoint{Authorize}},
}
