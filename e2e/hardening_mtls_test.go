package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/server"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/backend"
	"github.com/lucid-auth/lucid/resource"
)

// Mutual TLS (RFC 8705): a CA and client certificates made here, Lucid's
// own TLS listener on loopback with a generated server certificate, and
// x/oauth2's client credentials flow over an http.Client that presents a
// client certificate; then the same through a TLS-terminating proxy's
// header.

// pki issues certificates for one test.
type pki struct {
	t    *testing.T
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

var serial int64 = 1000

func newKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// newCA makes a self-signed CA.
func newCA(t *testing.T, name string) *pki {
	t.Helper()
	k := newKey(t)
	serial++
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return &pki{t: t, cert: c, key: k}
}

// issue signs a leaf from tmpl (serial, key and issuer filled in); a nil
// CA makes it self-signed.
func (ca *pki) issue(tmpl *x509.Certificate) tls.Certificate {
	t := ca.t
	t.Helper()
	k := newKey(t)
	serial++
	tmpl.SerialNumber = big.NewInt(serial)
	if tmpl.NotBefore.IsZero() {
		tmpl.NotBefore, tmpl.NotAfter = time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour)
	}
	parent, signer := ca.cert, any(ca.key)
	if ca.cert == nil {
		parent, signer = tmpl, k
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &k.PublicKey, signer)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: k, Leaf: leaf}
}

// clientLeaf is a client-auth certificate template.
func clientLeaf(cn string) *x509.Certificate {
	return &x509.Certificate{Subject: pkix.Name{CommonName: cn, Organization: []string{"Example"}},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
}

func selfSigned(t *testing.T, cn string) tls.Certificate {
	return (&pki{t: t}).issue(clientLeaf(cn))
}

func thumb(c tls.Certificate) string {
	sum := sha256.Sum256(c.Certificate[0])
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func writePEM(t *testing.T, path, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// mtlsLucid is a Lucid serving TLS itself, with mTLS on.
type mtlsLucid struct {
	*lucid
	roots *x509.CertPool // trusts the server certificate
	ca    *pki           // the CA of tls_client_auth certificates
}

// startMTLS runs Lucid through server.Listen and Serve, as `lucid serve`
// does, with a generated server certificate and client CA.
func startMTLS(t *testing.T, adjust ...func(*config.Config)) *mtlsLucid {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	dir := t.TempDir()
	serverCA, clientCA := newCA(t, "server CA"), newCA(t, "client CA")
	sc := serverCA.issue(&x509.Certificate{Subject: pkix.Name{CommonName: "lucid"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	writePEM(t, filepath.Join(dir, "server.pem"), "CERTIFICATE", sc.Certificate[0])
	kder, _ := x509.MarshalPKCS8PrivateKey(sc.PrivateKey)
	writePEM(t, filepath.Join(dir, "server.key"), "PRIVATE KEY", kder)
	writePEM(t, filepath.Join(dir, "ca.pem"), "CERTIFICATE", clientCA.cert.Raw)

	master := make([]byte, 32)
	_, _ = rand.Read(master)
	cfg := config.Default()
	cfg.Addr = "127.0.0.1:0"
	cfg.Database = "sqlite:" + filepath.Join(dir, "lucid.db")
	cfg.MasterKey = base64.StdEncoding.EncodeToString(master)
	cfg.TLS.CertFile, cfg.TLS.KeyFile = filepath.Join(dir, "server.pem"), filepath.Join(dir, "server.key")
	cfg.MTLS.Enabled, cfg.MTLS.CAFile = true, filepath.Join(dir, "ca.pem")
	ln, err := server.Listen(&cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Issuer = "https://" + ln.Addr().String()
	for _, f := range adjust {
		f(&cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	st, err := backend.Open(ctx, cfg.Database)
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Now()}
	s, err := server.New(ctx, &cfg, st, slog.New(slog.NewTextHandler(io.Discard, nil)), server.WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = s.Serve(ctx, ln, nil); close(done) }()
	t.Cleanup(func() {
		cancel()
		<-done
		_ = st.Close()
	})
	sk, _ := secret.Derive(master)
	roots := x509.NewCertPool()
	roots.AddCert(serverCA.cert)
	sst := s.Store()
	return &mtlsLucid{
		lucid: &lucid{URL: cfg.Issuer, Store: sst, Svc: &manage.Service{Store: sst, Secrets: sk, Now: clk.Now}, Clock: clk, cfg: cfg},
		roots: roots, ca: clientCA,
	}
}

// httpClient trusts Lucid's certificate and presents cert, if any.
func (m *mtlsLucid) httpClient(cert *tls.Certificate) *http.Client {
	tc := &tls.Config{RootCAs: m.roots, MinVersion: tls.VersionTLS12}
	if cert != nil {
		tc.Certificates = []tls.Certificate{*cert}
	}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: tc},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// do sends one request over hc and reads the answer.
func do(t *testing.T, hc *http.Client, method, u string, form url.Values, mod func(*http.Request)) *reply {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if mod != nil {
		mod(req)
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return &reply{status: resp.StatusCode, header: resp.Header, body: raw}
}

// cnfOf reads the cnf x5t#S256 of a JWT access token (its payload only;
// Lucid's signature is checked by userinfo and introspection).
func cnfOf(t *testing.T, token string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", token)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Cnf struct {
			X5t string `json:"x5t#S256"`
		} `json:"cnf"`
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	return c.Cnf.X5t
}

// jwksOf is a JWK set holding cert's public key, with the certificate in
// x5c or without it.
func jwksOf(t *testing.T, cert tls.Certificate, x5c bool) string {
	t.Helper()
	k := jose.JSONWebKey{Key: cert.Leaf.PublicKey, KeyID: "tls", Use: "sig"}
	if x5c {
		k.Certificates = []*x509.Certificate{cert.Leaf}
	}
	b, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{k}})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func m2mSpec(method string) manage.ClientSpec {
	return manage.ClientSpec{Name: "svc", GrantTypes: []string{"client_credentials"}, Scopes: []string{"openid"}, AuthMethod: method,
		Audiences: []string{"https://api.example.com"}}
}

// TestMTLSClientCredentials authenticates with each registered form of
// identity through x/oauth2, and finds the token bound to the certificate.
func TestMTLSClientCredentials(t *testing.T) {
	m := startMTLS(t)
	cn := clientLeaf("svc-1")
	cn.DNSNames = []string{"svc.example.com"}
	cn.EmailAddresses = []string{"svc@example.com"}
	cn.IPAddresses = []net.IP{net.ParseIP("192.0.2.7")}
	u, _ := url.Parse("spiffe://example.com/svc")
	cn.URIs = []*url.URL{u}
	caCert := m.ca.issue(cn)
	own := selfSigned(t, "own")

	for _, tc := range []struct {
		name string
		spec manage.ClientSpec
		cert tls.Certificate
	}{
		{"subject DN", func() manage.ClientSpec {
			s := m2mSpec(store.AuthTLSClient)
			s.CertIdentity = &store.CertIdentity{SubjectDN: "CN=svc-1, o=Example"}
			return s
		}(), caCert},
		{"SAN DNS", func() manage.ClientSpec {
			s := m2mSpec(store.AuthTLSClient)
			s.CertIdentity = &store.CertIdentity{SANDNS: "SVC.example.com"}
			return s
		}(), caCert},
		{"SAN URI", func() manage.ClientSpec {
			s := m2mSpec(store.AuthTLSClient)
			s.CertIdentity = &store.CertIdentity{SANURI: "spiffe://example.com/svc"}
			return s
		}(), caCert},
		{"SAN IP", func() manage.ClientSpec {
			s := m2mSpec(store.AuthTLSClient)
			s.CertIdentity = &store.CertIdentity{SANIP: "192.0.2.7"}
			return s
		}(), caCert},
		{"SAN email", func() manage.ClientSpec {
			s := m2mSpec(store.AuthTLSClient)
			s.CertIdentity = &store.CertIdentity{SANEmail: "svc@example.com"}
			return s
		}(), caCert},
		{"self-signed x5c", func() manage.ClientSpec {
			s := m2mSpec(store.AuthSelfSignedTLS)
			s.JWKS = jwksOf(t, own, true)
			return s
		}(), own},
		{"self-signed public key", func() manage.ClientSpec {
			s := m2mSpec(store.AuthSelfSignedTLS)
			s.JWKS = jwksOf(t, own, false)
			return s
		}(), own},
		{"opaque token", func() manage.ClientSpec {
			s := m2mSpec(store.AuthSelfSignedTLS)
			s.JWKS = jwksOf(t, own, false)
			s.AccessTokenFormat = store.FormatOpaque
			return s
		}(), own},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := m.client(t, tc.spec)
			cc := clientcredentials.Config{ClientID: c.ID, TokenURL: m.URL + "/token", AuthStyle: oauth2.AuthStyleInParams}
			ctx := context.WithValue(context.Background(), oauth2.HTTPClient, m.httpClient(&tc.cert))
			tok, err := cc.Token(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if tc.spec.AccessTokenFormat == "" {
				if got := cnfOf(t, tok.AccessToken); got != thumb(tc.cert) {
					t.Fatalf("cnf x5t#S256 = %q, want %q", got, thumb(tc.cert))
				}
			}
			// Introspection, authenticated with the same certificate,
			// returns the binding (RFC 8705 §3.2).
			r := do(t, m.httpClient(&tc.cert), http.MethodPost, m.URL+"/introspect", url.Values{"token": {tok.AccessToken}, "client_id": {c.ID}}, nil)
			var info struct {
				Active bool `json:"active"`
				Cnf    struct {
					X5t string `json:"x5t#S256"`
				} `json:"cnf"`
			}
			if err := json.Unmarshal(r.body, &info); err != nil || r.status != 200 || !info.Active || info.Cnf.X5t != thumb(tc.cert) {
				t.Fatalf("introspection %d %s", r.status, r.body)
			}
		})
	}
}

// TestMTLSClientAuthFailures drives every way mutual-TLS authentication
// fails at the token endpoint.
func TestMTLSClientAuthFailures(t *testing.T) {
	m := startMTLS(t)
	good := m.ca.issue(clientLeaf("svc-1"))
	expired := clientLeaf("svc-1")
	expired.NotBefore, expired.NotAfter = time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour)
	old := m.ca.issue(expired)
	serverOnly := clientLeaf("svc-1")
	serverOnly.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	wrongUse := m.ca.issue(serverOnly)
	foreign := newCA(t, "other CA").issue(clientLeaf("svc-1"))
	other := m.ca.issue(clientLeaf("svc-2"))

	spec := m2mSpec(store.AuthTLSClient)
	spec.CertIdentity = &store.CertIdentity{SubjectDN: "CN=svc-1,O=Example"}
	ca, _ := m.client(t, spec)
	own := selfSigned(t, "own")
	sspec := m2mSpec(store.AuthSelfSignedTLS)
	sspec.JWKS = jwksOf(t, own, true)
	ss, _ := m.client(t, sspec)

	form := func(id string) url.Values {
		return url.Values{"grant_type": {"client_credentials"}, "client_id": {id}}
	}
	for _, tc := range []struct {
		name     string
		client   string
		cert     *tls.Certificate
		want     string
		contains string
	}{
		{"no certificate", ca.ID, nil, "mtls_certificate_missing", "tls_client_auth"},
		{"another CA", ca.ID, &foreign, "mtls_certificate_untrusted", "not issued by a CA this server trusts"},
		{"expired", ca.ID, &old, "mtls_certificate_untrusted", "not now"},
		{"server certificate", ca.ID, &wrongUse, "mtls_certificate_untrusted", "client authentication"},
		{"other subject", ca.ID, &other, "mtls_subject_mismatch", "tls_client_auth_subject_dn CN=svc-1,O=Example"},
		{"self-signed: no certificate", ss.ID, nil, "mtls_certificate_missing", "self_signed_tls_client_auth"},
		{"self-signed: another key", ss.ID, &good, "mtls_certificate_not_registered", "CN=svc-1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, m.httpClient(tc.cert), http.MethodPost, m.URL+"/token", form(tc.client), nil)
			body := wantJSONError(t, m.lucid, r, tc.want, "invalid_client", http.StatusUnauthorized)
			if !strings.Contains(body.Description, tc.contains) {
				t.Fatalf("description %q does not say %q", body.Description, tc.contains)
			}
		})
	}

	// A chain that verified is remembered, but not past its expiry.
	cc := clientcredentials.Config{ClientID: ca.ID, TokenURL: m.URL + "/token", AuthStyle: oauth2.AuthStyleInParams}
	if _, err := cc.Token(context.WithValue(context.Background(), oauth2.HTTPClient, m.httpClient(&good))); err != nil {
		t.Fatal(err)
	}
	m.Clock.Advance(48 * time.Hour)
	r := do(t, m.httpClient(&good), http.MethodPost, m.URL+"/token", form(ca.ID), nil)
	if body := wantJSONError(t, m.lucid, r, "mtls_certificate_untrusted", "invalid_client", http.StatusUnauthorized); !strings.Contains(body.Description, "not now") {
		t.Fatalf("after expiry: %q", body.Description)
	}
}

// TestMTLSBoundTokens: tokens of a client that asks for binding, used at
// userinfo with the certificate, without it, and with another; a public
// client's refresh token bound to its certificate.
func TestMTLSBoundTokens(t *testing.T) {
	m := startMTLS(t)
	m.user(t, demoUser)
	cert, other := selfSigned(t, "app"), selfSigned(t, "thief")
	pub, _ := m.client(t, manage.ClientSpec{Name: "native app", AuthMethod: store.AuthNone, CertBoundTokens: true,
		GrantTypes: []string{"authorization_code", "refresh_token"}, SkipConsent: true})

	// The browser part of the code flow, over TLS.
	b := m.browser(t)
	b.client.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: m.roots}}
	oc := m.oauthConfig(pub, "")
	verifier := oauth2.GenerateVerifier()
	code := codeFrom(t, b.authorize(oc.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier))), "st")

	// Without a certificate the client that asked for bound tokens gets none.
	noCert := context.WithValue(context.Background(), oauth2.HTTPClient, m.httpClient(nil))
	_, err := oc.Exchange(noCert, code, oauth2.VerifierOption(verifier))
	wantOAuthError(t, err, "mtls_binding_without_certificate", "invalid_request", http.StatusBadRequest)

	code = codeFrom(t, b.authorize(oc.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier))), "st")
	withCert := context.WithValue(context.Background(), oauth2.HTTPClient, m.httpClient(&cert))
	tok, err := oc.Exchange(withCert, code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	if got := cnfOf(t, tok.AccessToken); got != thumb(cert) {
		t.Fatalf("cnf = %q, want %q", got, thumb(cert))
	}

	userinfo := func(c *tls.Certificate) *reply {
		return do(t, m.httpClient(c), http.MethodGet, m.URL+"/userinfo", nil, func(r *http.Request) {
			r.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		})
	}
	if r := userinfo(&cert); r.status != http.StatusOK {
		t.Fatalf("userinfo with the certificate: %d %s", r.status, r.body)
	}
	wantBearerError(t, m.lucid, userinfo(nil), "bound_token_certificate_missing", "invalid_token", http.StatusUnauthorized)
	body, _ := wantBearerError(t, m.lucid, userinfo(&other), "bound_token_certificate_mismatch", "invalid_token", http.StatusUnauthorized)
	if !strings.Contains(body.Description, thumb(cert)) || !strings.Contains(body.Description, thumb(other)) {
		t.Fatalf("description %q does not name both thumbprints", body.Description)
	}

	// The public client's refresh token works only with its certificate.
	refresh := func(c *tls.Certificate) *reply {
		return do(t, m.httpClient(c), http.MethodPost, m.URL+"/token",
			url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}, "client_id": {pub.ID}}, nil)
	}
	wantJSONError(t, m.lucid, refresh(&other), "refresh_token_certificate_mismatch", "invalid_grant", http.StatusBadRequest)
	wantJSONError(t, m.lucid, refresh(nil), "mtls_binding_without_certificate", "invalid_request", http.StatusBadRequest)
	if r := refresh(&cert); r.status != http.StatusOK {
		t.Fatalf("refresh with the certificate: %d %s", r.status, r.body)
	}
}

// TestMTLSRefreshWithoutBindingRequest: a public client that did not ask
// for bound tokens but presented a certificate keeps its refresh token
// bound, and one that comes back without it is refused.
func TestMTLSRefreshBoundWithoutCertificate(t *testing.T) {
	m := startMTLS(t)
	m.user(t, demoUser)
	cert := selfSigned(t, "app")
	pub, _ := m.client(t, manage.ClientSpec{Name: "native app", AuthMethod: store.AuthNone, CertBoundTokens: true,
		GrantTypes: []string{"authorization_code", "refresh_token"}, SkipConsent: true})
	b := m.browser(t)
	b.client.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: m.roots}}
	oc := m.oauthConfig(pub, "")
	verifier := oauth2.GenerateVerifier()
	code := codeFrom(t, b.authorize(oc.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier))), "st")
	tok, err := oc.Exchange(context.WithValue(context.Background(), oauth2.HTTPClient, m.httpClient(&cert)), code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	// The operator stops asking for bound tokens: the refresh token stays
	// bound all the same.
	no := false
	if _, err := m.Svc.UpdateClient(context.Background(), pub.ID, manage.ClientPatch{CertBoundTokens: &no}); err != nil {
		t.Fatal(err)
	}
	r := do(t, m.httpClient(nil), http.MethodPost, m.URL+"/token",
		url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}, "client_id": {pub.ID}}, nil)
	body := wantJSONError(t, m.lucid, r, "refresh_token_certificate_mismatch", "invalid_grant", http.StatusBadRequest)
	if !strings.Contains(body.Description, "presented no certificate") {
		t.Fatalf("description %q", body.Description)
	}
}

// TestMTLSDiscovery: the metadata advertises the methods, the binding and
// the aliases only when mTLS is on, and the aliases where configured.
func TestMTLSDiscovery(t *testing.T) {
	meta := func(hc *http.Client, u string) map[string]any {
		r := do(t, hc, http.MethodGet, u+"/.well-known/openid-configuration", nil, nil)
		var doc map[string]any
		if err := json.Unmarshal(r.body, &doc); err != nil {
			t.Fatal(err)
		}
		return doc
	}
	plain := start(t)
	if doc := meta(http.DefaultClient, plain.URL); doc["mtls_endpoint_aliases"] != nil || doc["tls_client_certificate_bound_access_tokens"] != nil {
		t.Fatalf("mTLS advertised while off: %v", doc)
	}
	// The alias names this same listener by another host name, as a
	// deployment names its mTLS host: the aliases must work, not only be
	// listed.
	for _, localhost := range []bool{false, true} {
		m := startMTLS(t, func(c *config.Config) {
			if localhost {
				c.MTLS.EndpointAlias = strings.Replace(c.Issuer, "127.0.0.1", "localhost", 1)
			}
		})
		doc := meta(m.httpClient(nil), m.URL)
		base := m.URL
		if localhost {
			base = strings.Replace(m.URL, "127.0.0.1", "localhost", 1)
		}
		aliases, _ := doc["mtls_endpoint_aliases"].(map[string]any)
		for k, path := range map[string]string{"token_endpoint": "/token", "revocation_endpoint": "/revoke", "introspection_endpoint": "/introspect", "userinfo_endpoint": "/userinfo"} {
			if aliases[k] != base+path {
				t.Errorf("alias %s = %v, want %s", k, aliases[k], base+path)
			}
		}
		if doc["tls_client_certificate_bound_access_tokens"] != true {
			t.Errorf("tls_client_certificate_bound_access_tokens = %v", doc["tls_client_certificate_bound_access_tokens"])
		}
		methods, _ := doc["token_endpoint_auth_methods_supported"].([]any)
		var got []string
		for _, x := range methods {
			got = append(got, x.(string))
		}
		if !strings.Contains(strings.Join(got, " "), "tls_client_auth self_signed_tls_client_auth") {
			t.Errorf("token_endpoint_auth_methods_supported = %v", got)
		}
		own := selfSigned(t, "own")
		spec := m2mSpec(store.AuthSelfSignedTLS)
		spec.JWKS = jwksOf(t, own, false)
		c, _ := m.client(t, spec)
		cc := clientcredentials.Config{ClientID: c.ID, TokenURL: aliases["token_endpoint"].(string), AuthStyle: oauth2.AuthStyleInParams}
		if _, err := cc.Token(context.WithValue(context.Background(), oauth2.HTTPClient, m.httpClient(&own))); err != nil {
			t.Errorf("token at the alias %s: %v", cc.TokenURL, err)
		}
	}
}

// TestMTLSProxyHeader: behind a TLS-terminating proxy the certificate
// arrives in a header, believed only from trusted proxies, in the forms
// nginx and Envoy send.
func TestMTLSProxyHeader(t *testing.T) {
	ca := newCA(t, "client CA")
	dir := t.TempDir()
	writePEM(t, filepath.Join(dir, "ca.pem"), "CERTIFICATE", ca.cert.Raw)
	proxied := func(trusted string) *lucid {
		return start(t, func(c *config.Config) {
			c.TrustedProxies = []string{trusted}
			c.MTLS = config.MTLS{Enabled: true, CAFile: filepath.Join(dir, "ca.pem"), ClientCertHeader: "X-Client-Cert"}
			if err := c.Validate(); err != nil {
				t.Fatal(err)
			}
		})
	}
	l := proxied("127.0.0.1/32")
	cert := ca.issue(clientLeaf("svc-1"))
	spec := m2mSpec(store.AuthTLSClient)
	spec.CertIdentity = &store.CertIdentity{SubjectDN: "CN=svc-1,O=Example"}
	c, _ := l.client(t, spec)
	pemText := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}))
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {c.ID}}

	for _, tc := range []struct{ name, value string }{
		{"nginx escaped", url.QueryEscape(pemText)},
		{"PEM on one line", strings.ReplaceAll(strings.TrimSpace(pemText), "\n", " ")},
		{"Envoy XFCC", `Hash=abc;Cert="` + url.QueryEscape(pemText) + `";Subject="CN=svc-1"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// x/oauth2 behind the proxy: the transport adds the header the
			// proxy would.
			hc := &http.Client{Transport: headerTransport{"X-Client-Cert", tc.value}}
			cc := clientcredentials.Config{ClientID: c.ID, TokenURL: l.URL + "/token", AuthStyle: oauth2.AuthStyleInParams}
			tok, err := cc.Token(context.WithValue(context.Background(), oauth2.HTTPClient, hc))
			if err != nil {
				t.Fatal(err)
			}
			if got := cnfOf(t, tok.AccessToken); got != thumb(cert) {
				t.Fatalf("cnf = %q, want %q", got, thumb(cert))
			}
		})
	}
	r := postToken(t, l, form, func(r *http.Request) { r.Header.Set("X-Client-Cert", "not a certificate") })
	wantJSONError(t, l, r, "mtls_proxy_header_malformed", "invalid_request", http.StatusBadRequest)

	// The same header from an address that is not a trusted proxy.
	u := proxied("192.0.2.0/24")
	uc, _ := u.client(t, spec)
	r = postToken(t, u, url.Values{"grant_type": {"client_credentials"}, "client_id": {uc.ID}}, func(r *http.Request) {
		r.Header.Set("X-Client-Cert", url.QueryEscape(pemText))
	})
	body := wantJSONError(t, u, r, "mtls_proxy_header_untrusted", "invalid_request", http.StatusBadRequest)
	if !strings.Contains(body.Description, "X-Client-Cert") || !strings.Contains(body.Description, "127.0.0.1") {
		t.Fatalf("description %q", body.Description)
	}
}

// headerTransport adds one header to every request, as a proxy would.
type headerTransport struct{ name, value string }

func (h headerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set(h.name, h.value)
	return http.DefaultTransport.RoundTrip(r)
}

// TestMTLSRegistration: a client registers for tls_client_auth itself
// (RFC 7591 with the RFC 8705 metadata) and then authenticates with its
// certificate at the revocation endpoint.
func TestMTLSRegistration(t *testing.T) {
	m := startMTLS(t, func(c *config.Config) { c.Registration.Mode = config.RegistrationOpen })
	cert := m.ca.issue(func() *x509.Certificate {
		c := clientLeaf("svc")
		c.DNSNames = []string{"svc.example.com"}
		return c
	}())
	r := do(t, m.httpClient(nil), http.MethodPost, m.URL+"/register", nil, func(r *http.Request) {
		r.Header.Set("Content-Type", "application/json")
		r.Body = io.NopCloser(strings.NewReader(`{"client_name":"svc","grant_types":["client_credentials"],"token_endpoint_auth_method":"tls_client_auth",` +
			`"tls_client_auth_san_dns":"svc.example.com","tls_client_certificate_bound_access_tokens":true}`))
	})
	var reg struct {
		ID     string `json:"client_id"`
		Secret string `json:"client_secret"`
		DNS    string `json:"tls_client_auth_san_dns"`
		Bound  bool   `json:"tls_client_certificate_bound_access_tokens"`
	}
	if err := json.Unmarshal(r.body, &reg); err != nil || r.status != http.StatusCreated || reg.DNS != "svc.example.com" || !reg.Bound || reg.Secret != "" {
		t.Fatalf("registration: %d %s", r.status, r.body)
	}
	r = do(t, m.httpClient(nil), http.MethodPost, m.URL+"/register", nil, func(r *http.Request) {
		r.Header.Set("Content-Type", "application/json")
		r.Body = io.NopCloser(strings.NewReader(`{"client_name":"svc","grant_types":["client_credentials"],"token_endpoint_auth_method":"tls_client_auth",` +
			`"tls_client_auth_san_dns":"svc.example.com","tls_client_auth_san_ip":"192.0.2.1"}`))
	})
	if body := wantJSONError(t, m.lucid, r, "registration_metadata_invalid", "invalid_client_metadata", http.StatusBadRequest); !strings.Contains(body.Description, "exactly one of") {
		t.Fatalf("two names: %q", body.Description)
	}
	revoke := func(c *tls.Certificate) *reply {
		return do(t, m.httpClient(c), http.MethodPost, m.URL+"/revoke", url.Values{"token": {"lc_at_unknown"}, "client_id": {reg.ID}}, nil)
	}
	if r := revoke(&cert); r.status != http.StatusOK {
		t.Fatalf("revocation with the certificate: %d %s", r.status, r.body)
	}
	wantJSONError(t, m.lucid, revoke(nil), "mtls_certificate_missing", "invalid_client", http.StatusUnauthorized)
}

// TestMTLSResourceLibrary: an API using the resource library on its own
// TLS listener accepts a certificate-bound token only with the certificate
// it is bound to, by local verification and by introspection.
func TestMTLSResourceLibrary(t *testing.T) {
	ctx := context.Background()
	m := startMTLS(t)
	own, other := selfSigned(t, "svc"), selfSigned(t, "thief")
	spec := m2mSpec(store.AuthSelfSignedTLS)
	spec.JWKS = jwksOf(t, own, false)
	c, _ := m.client(t, spec)
	cc := clientcredentials.Config{ClientID: c.ID, TokenURL: m.URL + "/token", AuthStyle: oauth2.AuthStyleInParams}
	tok, err := cc.Token(context.WithValue(ctx, oauth2.HTTPClient, m.httpClient(&own)))
	if err != nil {
		t.Fatal(err)
	}
	introspector, isec := m.client(t, m2mSpec(store.AuthSecretBasic))

	for _, tc := range []struct {
		name string
		opts []resource.Option
	}{
		{"local", nil},
		{"introspection", []resource.Option{resource.WithIntrospection(introspector.ID, isec)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hc := m.httpClient(nil)
			v, err := resource.New(ctx, m.URL, "https://api.example.com", append([]resource.Option{resource.WithHTTPClient(hc), resource.WithClock(m.Clock.Now)}, tc.opts...)...)
			if err != nil {
				t.Fatal(err)
			}
			api := httptest.NewUnstartedServer(v.Require()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				claims, _ := resource.ClaimsFrom(r.Context())
				_ = json.NewEncoder(w).Encode(claims)
			})))
			api.TLS = &tls.Config{ClientAuth: tls.RequestClientCert}
			api.StartTLS()
			t.Cleanup(api.Close)
			roots := x509.NewCertPool()
			roots.AddCert(api.Certificate())
			call := func(cert *tls.Certificate) *reply {
				tc := &tls.Config{RootCAs: roots}
				if cert != nil {
					tc.Certificates = []tls.Certificate{*cert}
				}
				return do(t, &http.Client{Transport: &http.Transport{TLSClientConfig: tc}}, http.MethodGet, api.URL, nil, func(r *http.Request) {
					r.Header.Set("Authorization", "Bearer "+tok.AccessToken)
				})
			}
			if r := call(&own); r.status != http.StatusOK || !strings.Contains(string(r.body), thumb(own)) {
				t.Fatalf("with the certificate: %d %s", r.status, r.body)
			}
			wantBearerError(t, m.lucid, call(nil), "bound_token_certificate_missing", "invalid_token", http.StatusUnauthorized)
			wantBearerError(t, m.lucid, call(&other), "bound_token_certificate_mismatch", "invalid_token", http.StatusUnauthorized)
		})
	}
}
