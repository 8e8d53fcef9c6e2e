package catalog

import "net/http"

const rfc8705 = "https://www.rfc-editor.org/rfc/rfc8705"

// mtlsEntries: see entries_sender.go. Mutual-TLS client authentication
// (tls_client_auth, self_signed_tls_client_auth), the client certificate
// forwarded by a TLS-terminating proxy, and tokens bound to a certificate
// (RFC 8705). Descriptions name certificate subjects and names, which are
// public, never key material.
var mtlsEntries = []Entry{
	{Name: MTLSCertificateMissing, Error: "invalid_client", Status: http.StatusUnauthorized, Title: "No client certificate was presented",
		Description: "Client {client_id} is registered for {method}, which authenticates with the client's TLS certificate, and this request came without one.",
		Causes: []string{
			"The HTTP client was not given the certificate and its private key (in Go, tls.Config.Certificates of the transport).",
			"The request went to the ordinary endpoint through a proxy or load balancer that ends TLS and does not forward client certificates, or to a host that does not ask for them; the metadata's mtls_endpoint_aliases names where to send mutual-TLS requests.",
			"The certificate's issuer is not among the CAs the TLS server announced, so the client library chose not to send it.",
		},
		ClientFix: []string{
			"Configure the HTTP client with the certificate and key, and send token, introspection and revocation requests to the mtls_endpoint_aliases of the discovery document when it has them.",
		},
		OperatorFix: []string{
			"Turn on `mtls.enabled` with Lucid's own TLS (`tls.cert_file`), or have the proxy in front forward the client certificate in the header named by `mtls.client_cert_header` (the proxy's address must be in `trusted_proxies`).",
		},
		Spec: "RFC 8705 §2", SpecURL: rfc8705 + "#section-2", Endpoints: []Endpoint{Token, Introspect, Revoke}},
	{Name: MTLSCertificateUntrusted, Error: "invalid_client", Status: http.StatusUnauthorized, Title: "Client certificate does not chain to a trusted CA",
		Description: "The certificate of client {client_id} (subject {subject}, issuer {issuer}) is not accepted for tls_client_auth: {reason}.",
		Causes: []string{
			"The certificate was issued by a CA that is not in Lucid's trust store for client certificates, or it is self-signed.",
			"The certificate has expired or is not valid yet.",
			"The intermediate CA certificate was not sent along with the client certificate.",
			"The certificate is not meant for client authentication (its extended key usage lacks clientAuth).",
		},
		ClientFix: []string{
			"Use a certificate issued by the CA the server operator trusts, within its validity, with the clientAuth extended key usage, and send the intermediates with it.",
			"To authenticate with a certificate you issued yourself, register for self_signed_tls_client_auth with the certificate's key in jwks instead.",
		},
		OperatorFix: []string{
			"Add the issuing CA to the PEM file named by `mtls.ca_file` and restart; `openssl verify -CAfile CA.pem client.pem` shows what Lucid sees.",
		},
		Spec: "RFC 8705 §2.1", SpecURL: rfc8705 + "#section-2.1", Endpoints: []Endpoint{Token, Introspect, Revoke}},
	{Name: MTLSSubjectMismatch, Error: "invalid_client", Status: http.StatusUnauthorized, Title: "Client certificate names another subject",
		Description: "Client {client_id} is registered with {field} {expected}, and the certificate presented has {found}.",
		Causes: []string{
			"The client presents the certificate of another client or another environment.",
			"The certificate was renewed with a different subject or alternative name than the one registered.",
			"The registered subject DN is written differently: attributes in another order, or other attributes than the certificate's (Lucid compares the RFC 4514 form, attribute names and spacing aside).",
		},
		ClientFix: []string{
			"Present the certificate that carries the registered name, or update the client's registration to the name in the new certificate.",
		},
		OperatorFix: []string{
			"Compare `openssl x509 -noout -subject -ext subjectAltName -in client.pem` with `lucid client show CLIENT_ID`, and correct the registration with `lucid client update CLIENT_ID --tls-subject-dn …` (or --tls-san-dns, --tls-san-uri, --tls-san-ip, --tls-san-email).",
		},
		Spec: "RFC 8705 §2.1.2", SpecURL: rfc8705 + "#section-2.1.2", Endpoints: []Endpoint{Token, Introspect, Revoke}},
	{Name: MTLSCertificateUnregistered, Error: "invalid_client", Status: http.StatusUnauthorized, Title: "Self-signed certificate is not among the client's keys",
		Description: "Client {client_id} uses self_signed_tls_client_auth, and the certificate presented (subject {subject}) matches none of the {count} keys of its registered JWK set, neither by x5c nor by public key.",
		Causes: []string{
			"The client made a new certificate and key without registering the new key.",
			"The client presents another client's certificate.",
			"The key set at the client's jwks_uri does not hold the key yet, or Lucid still has the previous set cached.",
		},
		ClientFix: []string{
			"Register the certificate's public key (or the certificate itself in x5c) in the client's jwks or at its jwks_uri, then retry.",
		},
		OperatorFix: []string{
			"Compare the certificate's public key with the client's registered keys (`lucid client show CLIENT_ID`); a changed jwks_uri is fetched again within a few minutes.",
		},
		Spec: "RFC 8705 §2.2", SpecURL: rfc8705 + "#section-2.2", Endpoints: []Endpoint{Token, Introspect, Revoke}},
	{Name: MTLSProxyHeaderUntrusted, Error: "invalid_request", Status: http.StatusBadRequest, Title: "Client certificate header from an untrusted address",
		Description: "The request carries the client certificate header {header}, and it came from {peer}, which is not a trusted proxy; such a header is believed only from the proxies in trusted_proxies.",
		Causes: []string{
			"Someone tries to pose as a client by sending a certificate in the header a proxy would set.",
			"The proxy that ends TLS runs on an address that is not listed among the trusted proxies.",
			"A client library copies the header from an earlier hop.",
		},
		ClientFix: []string{
			"Do not send this header yourself; present your certificate in the TLS handshake with the proxy or with Lucid.",
		},
		OperatorFix: []string{
			"Add the proxy's address to `trusted_proxies`, and have the proxy remove the header from incoming requests before it sets its own.",
		},
		Spec: "RFC 8705 §2", SpecURL: rfc8705 + "#section-2", Endpoints: []Endpoint{Token, Introspect, Revoke, UserInfo}},
	{Name: MTLSProxyHeaderMalformed, Error: "invalid_request", Status: http.StatusBadRequest, Title: "Forwarded client certificate cannot be read",
		Description: "The trusted proxy forwarded a client certificate in {header} that cannot be read: {reason}.",
		Causes: []string{
			"The proxy sends the certificate in a form Lucid does not read: Lucid reads PEM, and URL-encoded PEM as nginx ($ssl_client_escaped_cert) and Envoy (x-forwarded-client-cert Cert=) send it.",
			"The header was cut by a header size limit.",
		},
		ClientFix: []string{
			"Nothing on the client side; tell the server operator, with the trace id.",
		},
		OperatorFix: []string{
			"Forward the certificate as PEM or URL-encoded PEM (nginx: `proxy_set_header X-Client-Cert $ssl_client_escaped_cert;`) in the header named by `mtls.client_cert_header`.",
		},
		Spec: "RFC 8705 §2", SpecURL: rfc8705 + "#section-2", Endpoints: []Endpoint{Token, Introspect, Revoke, UserInfo}},
	{Name: MTLSBindingNoCertificate, Error: "invalid_request", Status: http.StatusBadRequest, Title: "Certificate-bound tokens asked for without a certificate",
		Description: "Client {client_id} registered tls_client_certificate_bound_access_tokens, and this token request came without a client certificate to bind the tokens to.",
		Causes: []string{
			"The HTTP client was not given the certificate and key.",
			"The request went to the ordinary endpoint instead of its mtls_endpoint_aliases, so no certificate was asked for.",
		},
		ClientFix: []string{
			"Present the certificate at the token endpoint (the mtls_endpoint_aliases of the discovery document); the access token will be usable only together with it.",
		},
		OperatorFix: []string{
			"If the client should get unbound tokens, turn it off: `lucid client update CLIENT_ID --tls-bound-tokens=false`.",
		},
		Spec: "RFC 8705 §3", SpecURL: rfc8705 + "#section-3", Endpoints: []Endpoint{Token}},
	{Name: BoundTokenNoCertificate, Error: "invalid_token", Status: http.StatusUnauthorized, Title: "Certificate-bound token presented without the certificate",
		Description: "The access token is bound to a client certificate (cnf x5t#S256), and the request came without a client certificate.",
		Causes: []string{
			"The token was stolen and is replayed by someone who does not hold the certificate's key.",
			"The application sends the request through an HTTP client that is not configured with the certificate, or to a host that does not ask for one.",
		},
		ClientFix: []string{
			"Send requests with this token over mutual TLS with the same certificate that was used at the token endpoint (the mtls_endpoint_aliases of the discovery document).",
		},
		OperatorFix: []string{
			"If the requests pass a TLS-terminating proxy, have it forward the client certificate in `mtls.client_cert_header`.",
		},
		Spec: "RFC 8705 §3", SpecURL: rfc8705 + "#section-3", Endpoints: []Endpoint{UserInfo, Resource}},
	{Name: BoundTokenOtherCertificate, Error: "invalid_token", Status: http.StatusUnauthorized, Title: "Certificate-bound token presented with another certificate",
		Description: "The access token is bound to the certificate with SHA-256 thumbprint {bound}, and the request presented one with thumbprint {presented}.",
		Causes: []string{
			"The token was stolen and is replayed with another certificate.",
			"The client changed its certificate after the token was issued; tokens stay bound to the old one.",
			"Two instances of the application share tokens but not certificates.",
		},
		ClientFix: []string{
			"Use the certificate the token was issued to, or get a new token with the current certificate.",
		},
		Spec: "RFC 8705 §3", SpecURL: rfc8705 + "#section-3", Endpoints: []Endpoint{UserInfo, Resource}},
	{Name: RefreshCertificateMismatch, Error: "invalid_grant", Status: http.StatusBadRequest, Title: "Refresh token bound to another certificate",
		Description: "This refresh token of public client {client_id} is bound to the certificate with SHA-256 thumbprint {bound}, and the request {presented}.",
		Causes: []string{
			"The refresh token was stolen and is used without the client's certificate.",
			"The app made a new certificate and key (a reinstall, a cleared key store) and kept the old refresh token.",
		},
		ClientFix: []string{
			"Present the certificate the refresh token was issued with; if it is gone, sign the user in again to get tokens bound to the new one.",
		},
		Spec: "RFC 8705 §4", SpecURL: rfc8705 + "#section-4", Endpoints: []Endpoint{Token}},
}
