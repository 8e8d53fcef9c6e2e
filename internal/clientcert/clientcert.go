// Package clientcert carries the TLS client certificate of a request
// (RFC 8705) from where it arrives, Lucid's own TLS handshake or the
// header a trusted TLS-terminating proxy forwards, to the handlers that
// authenticate clients or check certificate-bound tokens. It only reads
// and carries the certificate: whether it is trusted depends on the
// client's authentication method, and is judged there.
package clientcert

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/lucid-auth/lucid/internal/catalog"
)

// Presented is the certificate chain a request presented: the leaf first.
type Presented struct {
	Chain []*x509.Certificate
	// Err is set when a certificate header could not be believed or read;
	// the handlers that would use a certificate report it.
	Err *catalog.Error
}

// Leaf is the client's own certificate, nil when none was presented.
func (p *Presented) Leaf() *x509.Certificate {
	if p == nil || len(p.Chain) == 0 {
		return nil
	}
	return p.Chain[0]
}

// Thumbprint is the leaf's x5t#S256 (RFC 8705 §3.1), "" without one.
func (p *Presented) Thumbprint() string {
	if l := p.Leaf(); l != nil {
		return Thumbprint(l)
	}
	return ""
}

// Thumbprint is the base64url SHA-256 of a certificate's DER.
func Thumbprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

type ctxKey struct{}

// With returns ctx carrying p.
func With(ctx context.Context, p *Presented) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// From returns what the request presented; nil when nothing was.
func From(ctx context.Context) *Presented {
	p, _ := ctx.Value(ctxKey{}).(*Presented)
	return p
}

// Reader finds the certificate of each request. The zero value reads only
// Lucid's own TLS handshake.
type Reader struct {
	// Header is the header a trusted proxy forwards the certificate in;
	// empty means proxies forward none.
	Header string
	// Trusted reports whether the peer address is a trusted proxy.
	Trusted func(remoteAddr string) bool
}

// Read returns the request's certificate, or nil when it has none. It
// must see the peer's own address (before any X-Forwarded-For rewrite).
// The handshake's certificate wins over a header.
func (rd Reader) Read(r *http.Request) *Presented {
	if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
		return &Presented{Chain: r.TLS.PeerCertificates}
	}
	if rd.Header == "" {
		return nil
	}
	vals := r.Header.Values(rd.Header)
	if len(vals) == 0 {
		return nil
	}
	if rd.Trusted == nil || !rd.Trusted(r.RemoteAddr) {
		return &Presented{Err: catalog.New(catalog.MTLSProxyHeaderUntrusted, "header", rd.Header, "peer", r.RemoteAddr)}
	}
	if len(vals) > 1 {
		return &Presented{Err: catalog.New(catalog.MTLSProxyHeaderMalformed, "header", rd.Header, "reason", "the header is sent more than once")}
	}
	v := strings.TrimSpace(vals[0])
	if v == "" {
		// nginx sends an empty value when the client sent no certificate.
		return nil
	}
	chain, err := ParseHeader(v)
	if err != nil {
		return &Presented{Err: catalog.New(catalog.MTLSProxyHeaderMalformed, "header", rd.Header, "reason", err.Error())}
	}
	return &Presented{Chain: chain}
}

// maxHeaderCerts bounds the chain read from a header.
const maxHeaderCerts = 8

// ParseHeader reads a forwarded certificate: PEM (one or more blocks,
// the leaf first), URL-encoded PEM (nginx's $ssl_client_escaped_cert), or
// Envoy's x-forwarded-client-cert with its Cert= (or Chain=) element.
func ParseHeader(v string) ([]*x509.Certificate, error) {
	if el, ok := xfccElement(v); ok {
		v = el
	}
	if strings.Contains(v, "%") {
		// PathUnescape: a "+" of the base64 text stays a "+".
		u, err := url.PathUnescape(v)
		if err != nil {
			return nil, errors.New("it is neither PEM nor URL-encoded PEM")
		}
		// Form encoding (Go's QueryEscape) turns the armor's spaces into
		// "+"; the base64 body has no spaces, so only the armor is mended.
		v = strings.NewReplacer("BEGIN+CERTIFICATE", "BEGIN CERTIFICATE", "END+CERTIFICATE", "END CERTIFICATE").Replace(u)
	}
	// Some proxies fold the PEM onto one line with spaces for newlines.
	rest := []byte(unfold(v))
	var chain []*x509.Certificate
	for len(chain) < maxHeaderCerts {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			return nil, errors.New("it holds a PEM block of type " + b.Type + ", not CERTIFICATE")
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, errors.New("its certificate cannot be parsed")
		}
		chain = append(chain, c)
	}
	if len(chain) == 0 {
		return nil, errors.New("it holds no PEM certificate")
	}
	return chain, nil
}

// xfccElement takes the Chain or Cert value of an Envoy
// x-forwarded-client-cert header (its last element, added by the nearest
// proxy), if v is one.
func xfccElement(v string) (string, bool) {
	if strings.HasPrefix(v, "-----BEGIN") || !strings.Contains(v, "=") {
		return "", false
	}
	elems := strings.Split(v, ",")
	last := elems[len(elems)-1]
	var cert, chain string
	for _, kv := range strings.Split(last, ";") {
		k, val, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if !ok {
			continue
		}
		val = strings.Trim(val, `"`)
		switch strings.ToLower(k) {
		case "cert":
			cert = val
		case "chain":
			chain = val
		}
	}
	switch {
	case chain != "":
		return chain, true
	case cert != "":
		return cert, true
	}
	return "", false
}

// unfold restores the newlines of a PEM text whose lines were joined with
// spaces (as header values cannot hold newlines).
func unfold(v string) string {
	if strings.Contains(v, "\n") {
		return v
	}
	const begin, end = "-----BEGIN CERTIFICATE-----", "-----END CERTIFICATE-----"
	var b strings.Builder
	for _, part := range strings.SplitAfter(v, end) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		body, ok := strings.CutPrefix(part, begin)
		if !ok {
			b.WriteString(part)
			continue
		}
		body, _ = strings.CutSuffix(body, end)
		b.WriteString(begin + "\n" + strings.Join(strings.Fields(body), "\n") + "\n" + end + "\n")
	}
	return b.String()
}
