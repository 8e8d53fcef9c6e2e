package provider

import (
	"context"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/clientauth"
	"github.com/lucid-auth/lucid/internal/clientcert"
	"github.com/lucid-auth/lucid/internal/store"
)

// Certificate-bound tokens (RFC 8705 §3, §4). The token endpoint decides
// once per request whether its tokens are bound, and to which certificate
// (certBinding); minting reads that from the context, so every grant binds
// the same way without each passing it along.

type bindingKey struct{}

// withCertBinding marks the tokens minted under ctx as bound to thumb.
func withCertBinding(ctx context.Context, thumb string) context.Context {
	return context.WithValue(ctx, bindingKey{}, thumb)
}

// certBinding is the thumbprint the tokens minted under ctx are bound to.
func certBinding(ctx context.Context) string {
	s, _ := ctx.Value(bindingKey{}).(string)
	return s
}

// bindingFor decides whether the tokens of an authenticated token request
// are bound: when the client authenticated with its certificate, or asked
// for bound tokens (tls_client_certificate_bound_access_tokens) and
// presented one. A client that asked and presented none is refused rather
// than given a token it believes bound.
func (p *Provider) bindingFor(ctx context.Context, c *store.Client, method string) (string, *catalog.Error) {
	if !p.mtls {
		return "", nil
	}
	thumb := clientcert.From(ctx).Thumbprint()
	switch {
	case clientauth.MTLSMethod(method):
		return thumb, nil
	case !c.CertBoundTokens:
		return "", nil
	case thumb == "":
		return "", catalog.New(catalog.MTLSBindingNoCertificate, "client_id", c.ID)
	}
	return thumb, nil
}

// checkCertBinding checks a bound access token against the certificate of
// the request that presents it.
func checkCertBinding(ctx context.Context, c *AccessClaims) *catalog.Error {
	if c.Cnf == nil || c.Cnf.X5tS256 == "" {
		return nil
	}
	pr := clientcert.From(ctx)
	if pr != nil && pr.Err != nil {
		return pr.Err
	}
	got := pr.Thumbprint()
	switch {
	case got == "":
		return catalog.New(catalog.BoundTokenNoCertificate)
	case got != c.Cnf.X5tS256:
		return catalog.New(catalog.BoundTokenOtherCertificate, "bound", c.Cnf.X5tS256, "presented", got)
	}
	return nil
}

// checkRefreshBinding checks a public client's bound refresh token
// against the certificate of the refresh request (RFC 8705 §4).
func checkRefreshBinding(ctx context.Context, rt *store.RefreshToken) *catalog.Error {
	if rt.CertThumbprint == "" {
		return nil
	}
	got := clientcert.From(ctx).Thumbprint()
	switch {
	case got == "":
		return catalog.New(catalog.RefreshCertificateMismatch, "client_id", rt.ClientID, "bound", rt.CertThumbprint, "presented", "presented no certificate")
	case got != rt.CertThumbprint:
		return catalog.New(catalog.RefreshCertificateMismatch, "client_id", rt.ClientID, "bound", rt.CertThumbprint, "presented", "presented one with thumbprint "+got)
	}
	return nil
}

// mtlsAliases is the mtls_endpoint_aliases metadata (RFC 8705 §5): the
// endpoints where clients present certificates. Without a configured
// alias host they are the ordinary endpoints, on a listener that asks for
// certificates or behind a proxy that forwards them.
func (p *Provider) mtlsAliases() map[string]string {
	base := p.mtlsAlias
	if base == "" {
		base = p.issuer
	}
	return map[string]string{
		"token_endpoint":         base + PathToken,
		"revocation_endpoint":    base + PathRevoke,
		"introspection_endpoint": base + PathIntrospect,
		"userinfo_endpoint":      base + PathUserInfo,
	}
}
