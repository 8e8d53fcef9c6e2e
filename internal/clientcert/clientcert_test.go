package clientcert

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
)

func testCert(t *testing.T) *x509.Certificate {
	t.Helper()
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "c"},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return c
}

func TestParseHeader(t *testing.T) {
	c := testCert(t)
	p := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}))
	two := p + p
	for _, tc := range []struct {
		name, value string
		n           int
		err         string
	}{
		{"PEM", p, 1, ""},
		{"two PEM blocks", two, 2, ""},
		{"nginx escaped", url.QueryEscape(p), 1, ""},
		{"nginx escaped with %20", url.PathEscape(p), 1, ""},
		{"one line", strings.ReplaceAll(strings.TrimSpace(p), "\n", " "), 1, ""},
		{"two on one line", strings.ReplaceAll(strings.TrimSpace(two), "\n", " "), 2, ""},
		{"Envoy Cert", `By=spiffe://a;Hash=1f;Cert="` + url.QueryEscape(p) + `";Subject="CN=c"`, 1, ""},
		{"Envoy two hops, Chain", `Cert="x",By=b;Chain="` + url.QueryEscape(two) + `"`, 2, ""},
		{"garbage", "hello", 0, "no PEM certificate"},
		{"bad escape", "%zz", 0, "neither PEM"},
		{"key block", string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1}})), 0, "PRIVATE KEY"},
		{"broken DER", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1, 2}})), 0, "cannot be parsed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			chain, err := ParseHeader(tc.value)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || len(chain) != tc.n || Thumbprint(chain[0]) != Thumbprint(c) {
				t.Fatalf("chain of %d, %v; want %d", len(chain), err, tc.n)
			}
		})
	}
}

func TestReader(t *testing.T) {
	c := testCert(t)
	p := url.QueryEscape(string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})))
	rd := Reader{Header: "X-Client-Cert", Trusted: func(a string) bool { return strings.HasPrefix(a, "10.") }}
	for _, tc := range []struct {
		name   string
		peer   string
		values []string
		tls    bool
		want   catalog.Name // "" for a certificate; "-" for nothing
	}{
		{"trusted proxy", "10.0.0.1:5000", []string{p}, false, ""},
		{"untrusted peer", "192.0.2.1:5000", []string{p}, false, catalog.MTLSProxyHeaderUntrusted},
		{"untrusted peer, empty value", "192.0.2.1:5000", []string{""}, false, catalog.MTLSProxyHeaderUntrusted},
		{"twice", "10.0.0.1:5000", []string{p, p}, false, catalog.MTLSProxyHeaderMalformed},
		{"empty: no certificate", "10.0.0.1:5000", []string{""}, false, "-"},
		{"no header", "192.0.2.1:5000", nil, false, "-"},
		{"handshake wins over any header", "192.0.2.1:5000", []string{"junk"}, true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/token", nil)
			r.RemoteAddr = tc.peer
			for _, v := range tc.values {
				r.Header.Add("X-Client-Cert", v)
			}
			if tc.tls {
				r.TLS = &tls.ConnectionState{PeerCertificates: []*x509.Certificate{c}}
			}
			got := rd.Read(r)
			switch {
			case tc.want == "-":
				if got != nil {
					t.Fatalf("got %+v, want nothing", got)
				}
			case tc.want == "":
				if got == nil || got.Err != nil || got.Thumbprint() != Thumbprint(c) {
					t.Fatalf("got %+v", got)
				}
			default:
				if got == nil || got.Err == nil || got.Err.Name() != tc.want || got.Leaf() != nil {
					t.Fatalf("got %+v, want %s", got, tc.want)
				}
			}
		})
	}
}
