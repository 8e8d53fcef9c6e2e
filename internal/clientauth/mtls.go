package clientauth

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/clientcert"
	"github.com/lucid-auth/lucid/internal/store"
)

// Mutual-TLS client authentication (RFC 8705 §2). The TLS layer only asks
// for a certificate and hands it over (clientcert); whether it proves the
// client is decided here, per method: tls_client_auth needs a chain to the
// configured CAs and the registered subject or name, self_signed_tls_client_auth
// a certificate whose key is among the client's registered keys.

// WithClientCAs sets the CAs a tls_client_auth certificate must chain to;
// nil (the default) trusts none, so every such client is refused.
func WithClientCAs(pool *x509.CertPool) Option { return func(a *Authenticator) { a.clientCAs = pool } }

// MTLSMethod reports whether method authenticates with a certificate.
func MTLSMethod(method string) bool {
	return method == store.AuthTLSClient || method == store.AuthSelfSignedTLS
}

// mtlsClient authenticates c, registered for a mutual-TLS method, with the
// certificate of the request.
func (a *Authenticator) mtlsClient(ctx context.Context, c *store.Client, cert *clientcert.Presented) (*store.Client, string, *catalog.Error) {
	method := c.TokenEndpointAuthMethod
	leaf := cert.Leaf()
	if leaf == nil {
		return nil, "", catalog.New(catalog.MTLSCertificateMissing, "client_id", c.ID, "method", method)
	}
	if method == store.AuthTLSClient {
		if e := a.verifyChain(c, cert.Chain); e != nil {
			return nil, "", e
		}
		if e := matchIdentity(c, leaf); e != nil {
			return nil, "", e
		}
		return c, method, nil
	}
	if e := a.matchRegisteredKey(ctx, c, leaf); e != nil {
		return nil, "", e
	}
	return c, method, nil
}

// verifyChain checks the chain against the configured CAs, for client use.
func (a *Authenticator) verifyChain(c *store.Client, chain []*x509.Certificate) *catalog.Error {
	leaf := chain[0]
	untrusted := func(reason string) *catalog.Error {
		return catalog.New(catalog.MTLSCertificateUntrusted, "client_id", c.ID, "subject", leaf.Subject.String(),
			"issuer", leaf.Issuer.String(), "reason", reason)
	}
	if a.clientCAs == nil {
		return untrusted("this server trusts no CA for client certificates").Internal("setting", "mtls.ca_file is not set")
	}
	now := a.now()
	key := chainKey(chain)
	if a.verified.ok(key, now) {
		return nil
	}
	inter := x509.NewCertPool()
	for _, ic := range chain[1:] {
		inter.AddCert(ic)
	}
	chains, err := leaf.Verify(x509.VerifyOptions{
		Roots:         a.clientCAs,
		Intermediates: inter,
		CurrentTime:   now,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	})
	if err == nil {
		a.verified.add(key, chains[0])
		return nil
	}
	var inv x509.CertificateInvalidError
	var ua x509.UnknownAuthorityError
	switch {
	case errors.As(err, &inv) && inv.Reason == x509.Expired:
		return untrusted(fmt.Sprintf("it is valid from %s to %s, not now", leaf.NotBefore.UTC().Format("2006-01-02T15:04:05Z"), leaf.NotAfter.UTC().Format("2006-01-02T15:04:05Z"))).Wrap(err)
	case errors.As(err, &inv) && inv.Reason == x509.IncompatibleUsage:
		return untrusted("it is not meant for client authentication (extended key usage)").Wrap(err)
	case errors.As(err, &ua):
		return untrusted("it was not issued by a CA this server trusts for client certificates").Wrap(err)
	}
	return untrusted("its chain does not verify").Wrap(err)
}

// matchIdentity checks the registered subject DN or subject alternative
// name against the certificate (RFC 8705 §2.1.2).
func matchIdentity(c *store.Client, leaf *x509.Certificate) *catalog.Error {
	id := c.CertIdentity
	if id == nil {
		id = &store.CertIdentity{}
	}
	mismatch := func(field, expected, found string) *catalog.Error {
		return catalog.New(catalog.MTLSSubjectMismatch, "client_id", c.ID, "field", field, "expected", expected, "found", found)
	}
	list := func(kind string, l []string) string {
		if len(l) == 0 {
			return "no " + kind + " names"
		}
		return kind + " names " + strings.Join(l, ", ")
	}
	switch {
	case id.SubjectDN != "":
		if NormalizeDN(id.SubjectDN) != NormalizeDN(leaf.Subject.String()) {
			return mismatch("tls_client_auth_subject_dn", id.SubjectDN, "subject "+leaf.Subject.String())
		}
	case id.SANDNS != "":
		if !slices.ContainsFunc(leaf.DNSNames, func(n string) bool { return strings.EqualFold(n, id.SANDNS) }) {
			return mismatch("tls_client_auth_san_dns", id.SANDNS, list("DNS", leaf.DNSNames))
		}
	case id.SANURI != "":
		uris := make([]string, len(leaf.URIs))
		for i, u := range leaf.URIs {
			uris[i] = u.String()
		}
		if !slices.Contains(uris, id.SANURI) {
			return mismatch("tls_client_auth_san_uri", id.SANURI, list("URI", uris))
		}
	case id.SANIP != "":
		want := net.ParseIP(id.SANIP)
		ips := make([]string, len(leaf.IPAddresses))
		for i, ip := range leaf.IPAddresses {
			ips[i] = ip.String()
		}
		if want == nil || !slices.ContainsFunc(leaf.IPAddresses, want.Equal) {
			return mismatch("tls_client_auth_san_ip", id.SANIP, list("IP", ips))
		}
	case id.SANEmail != "":
		if !slices.ContainsFunc(leaf.EmailAddresses, func(n string) bool { return strings.EqualFold(n, id.SANEmail) }) {
			return mismatch("tls_client_auth_san_email", id.SANEmail, list("e-mail", leaf.EmailAddresses))
		}
	default:
		// Management refuses such a registration; an old record is refused here.
		return mismatch("tls_client_auth_subject_dn", "(nothing registered)", "subject "+leaf.Subject.String())
	}
	return nil
}

// NormalizeDN is the form in which subject DNs are compared: RFC 4514
// text with attribute types upper-cased and spaces around separators
// dropped. Attribute order matters, as it does in the DN itself.
func NormalizeDN(dn string) string {
	var parts []string
	var cur strings.Builder
	escaped := false
	flush := func() {
		t, v, ok := strings.Cut(cur.String(), "=")
		if ok {
			parts = append(parts, strings.ToUpper(strings.TrimSpace(t))+"="+strings.TrimSpace(v))
		} else if s := strings.TrimSpace(cur.String()); s != "" {
			parts = append(parts, s)
		}
		cur.Reset()
	}
	for _, r := range dn {
		switch {
		case escaped:
			escaped = false
		case r == '\\':
			escaped = true
		case r == ',' || r == ';':
			flush()
			continue
		}
		cur.WriteRune(r)
	}
	flush()
	return strings.Join(parts, ",")
}

// matchRegisteredKey finds the certificate among the client's registered
// keys: the same certificate in a key's x5c, or the same public key.
func (a *Authenticator) matchRegisteredKey(ctx context.Context, c *store.Client, leaf *x509.Certificate) *catalog.Error {
	var set *keySet
	switch {
	case c.JWKS != "":
		s, err := a.inlineKeys(c.JWKS)
		if err != nil {
			return catalog.New(catalog.ClientJWKSInvalid, "client_id", c.ID, "reason", err.Error())
		}
		set = s
	case c.JWKSURI != "":
		s, _, ferr := a.remoteKeys(ctx, c.ID, c.JWKSURI, "")
		if ferr != nil {
			e := catalog.New(catalog.ClientJWKSUnreachable, "client_id", c.ID).Internal("jwks_uri", c.JWKSURI, "reason", ferr.reason)
			if ferr.cause != nil {
				e = e.Wrap(ferr.cause)
			}
			return e
		}
		set = s
	default:
		return catalog.New(catalog.ClientJWKSMissing, "client_id", c.ID)
	}
	certKey, err := x509.MarshalPKIXPublicKey(leaf.PublicKey)
	if err != nil {
		certKey = nil
	}
	for _, k := range set.keys {
		if keyMatches(k, leaf, certKey) {
			return nil
		}
	}
	return catalog.New(catalog.MTLSCertificateUnregistered, "client_id", c.ID, "subject", leaf.Subject.String(), "count", len(set.keys))
}

func keyMatches(k jose.JSONWebKey, leaf *x509.Certificate, certKey []byte) bool {
	if len(k.Certificates) > 0 && bytes.Equal(k.Certificates[0].Raw, leaf.Raw) {
		return true
	}
	if certKey == nil {
		return false
	}
	der, err := x509.MarshalPKIXPublicKey(k.Key)
	return err == nil && bytes.Equal(der, certKey)
}

// verifiedChains remembers chains that verified against the configured
// roots, with the time span every certificate of the chain is valid in:
// the same bytes against the same roots verify again within it, and the
// signature checks are half of a tls_client_auth request. Nothing else
// (no revocation) could change the answer. Bounded: past maxVerified
// entries it starts over.
type verifiedChains struct {
	m     sync.Map // [32]byte -> span
	count atomic.Int64
}

type span struct{ from, until time.Time }

const maxVerified = 4096

func chainKey(chain []*x509.Certificate) [32]byte {
	h := sha256.New()
	for _, c := range chain {
		h.Write(c.Raw)
	}
	var k [32]byte
	h.Sum(k[:0])
	return k
}

func (v *verifiedChains) ok(k [32]byte, now time.Time) bool {
	s, found := v.m.Load(k)
	if !found {
		return false
	}
	sp := s.(span)
	return !now.Before(sp.from) && !now.After(sp.until)
}

func (v *verifiedChains) add(k [32]byte, chain []*x509.Certificate) {
	sp := span{from: chain[0].NotBefore, until: chain[0].NotAfter}
	for _, c := range chain[1:] {
		if c.NotBefore.After(sp.from) {
			sp.from = c.NotBefore
		}
		if c.NotAfter.Before(sp.until) {
			sp.until = c.NotAfter
		}
	}
	if v.count.Add(1) > maxVerified {
		v.m.Clear()
		v.count.Store(0)
	}
	v.m.Store(k, sp)
}
