package resource

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"net/http"

	"github.com/lucid-auth/lucid/internal/catalog"
)

// Certificate-bound tokens (RFC 8705 §3). Lucid binds a token to the
// client's TLS certificate when the client authenticated with it or asked
// for binding; the token's cnf claim then names the certificate's SHA-256
// thumbprint, and the token is good only together with that certificate.
// Require checks it; an API that calls Verify itself calls CheckCertificate.

// WithClientCertificate tells Require where a request's client
// certificate is when the API does not end TLS itself (a proxy forwards
// the certificate): from returns it, or nil when there is none. Only
// certificates the API can trust to come from the proxy belong here. By
// default Require reads the API's own TLS handshake, which must then ask
// for client certificates (tls.Config.ClientAuth RequestClientCert or
// stronger).
func WithClientCertificate(from func(*http.Request) *x509.Certificate) Option {
	return func(v *Verifier) { v.certOf = from }
}

// handshakeCertificate is the client certificate of the request's own TLS
// connection.
func handshakeCertificate(r *http.Request) *x509.Certificate {
	if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
		return r.TLS.PeerCertificates[0]
	}
	return nil
}

// CheckCertificate checks a verified token's certificate binding against
// the client certificate of the request that presented it (nil: none). A
// token without a binding passes whatever cert is. The error is an *Error
// matching ErrCertificateBinding and ErrInvalidToken.
func CheckCertificate(c *Claims, cert *x509.Certificate) error {
	if e := checkCertificate(c, cert); e != nil {
		return newError(e)
	}
	return nil
}

func checkCertificate(c *Claims, cert *x509.Certificate) *catalog.Error {
	if c.Cnf == nil || c.Cnf.X5tS256 == "" {
		return nil
	}
	if cert == nil {
		return catalog.New(catalog.BoundTokenNoCertificate)
	}
	sum := sha256.Sum256(cert.Raw)
	if got := base64.RawURLEncoding.EncodeToString(sum[:]); got != c.Cnf.X5tS256 {
		return catalog.New(catalog.BoundTokenOtherCertificate, "bound", c.Cnf.X5tS256, "presented", got)
	}
	return nil
}
