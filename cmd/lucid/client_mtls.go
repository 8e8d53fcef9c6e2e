package main

import (
	"flag"

	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/store"
)

// mtlsFlags are the RFC 8705 settings of a client: what its certificate
// names (tls_client_auth) and whether its tokens are bound to it.
type mtlsFlags struct {
	id    store.CertIdentity
	bound bool
}

func (m *mtlsFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&m.id.SubjectDN, "tls-subject-dn", "", "tls_client_auth: the certificate's subject DN (CN=svc,O=Example)")
	fs.StringVar(&m.id.SANDNS, "tls-san-dns", "", "tls_client_auth: a DNS name of the certificate")
	fs.StringVar(&m.id.SANURI, "tls-san-uri", "", "tls_client_auth: a URI of the certificate (spiffe://…)")
	fs.StringVar(&m.id.SANIP, "tls-san-ip", "", "tls_client_auth: an IP address of the certificate")
	fs.StringVar(&m.id.SANEmail, "tls-san-email", "", "tls_client_auth: an e-mail address of the certificate")
	fs.BoolVar(&m.bound, "tls-bound-tokens", false, "bind access tokens to the client's TLS certificate (tls_client_certificate_bound_access_tokens)")
}

// identity is the identity given on the command line; nil when no
// --tls-* name flag was set. Setting one replaces the registered one.
func (m *mtlsFlags) identity(set map[string]bool) *store.CertIdentity {
	for _, f := range []string{"tls-subject-dn", "tls-san-dns", "tls-san-uri", "tls-san-ip", "tls-san-email"} {
		if set[f] {
			id := m.id
			return &id
		}
	}
	return nil
}

// showMTLS adds the client's RFC 8705 settings to `client show`.
func showMTLS(c manage.ClientView) [][2]string {
	var kv [][2]string
	if id := c.CertIdentity; id != nil {
		for _, f := range []struct{ name, v string }{
			{"TLS subject DN", id.SubjectDN}, {"TLS SAN DNS", id.SANDNS}, {"TLS SAN URI", id.SANURI},
			{"TLS SAN IP", id.SANIP}, {"TLS SAN e-mail", id.SANEmail},
		} {
			if f.v != "" {
				kv = append(kv, [2]string{f.name, f.v})
			}
		}
	}
	if c.CertBoundTokens {
		kv = append(kv, [2]string{"TLS-bound tokens", "yes"})
	}
	return kv
}
