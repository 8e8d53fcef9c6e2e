package server_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/store"
)

// BenchmarkClientCredentialsMTLS is client_credentials with tls_client_auth,
// the certificate forwarded by a trusted proxy (the TLS handshake is the
// proxy's cost, not Lucid's): header parsing, chain verification, subject
// match and a certificate-bound JWT.
func BenchmarkClientCredentialsMTLS(b *testing.B) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caT := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "bench CA"}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	caDER, _ := x509.CreateCertificate(rand.Reader, caT, caT, &key.PublicKey, key)
	ca, _ := x509.ParseCertificate(caDER)
	leafKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leafT := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "svc"}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	leafDER, _ := x509.CreateCertificate(rand.Reader, leafT, ca, &leafKey.PublicKey, key)
	caFile := filepath.Join(b.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o600); err != nil {
		b.Fatal(err)
	}
	e := newBench(b, func(c *config.Config) {
		c.TrustedProxies = []string{"192.0.2.0/24"} // httptest's RemoteAddr
		c.MTLS = config.MTLS{Enabled: true, CAFile: caFile, ClientCertHeader: "X-Client-Cert"}
	})
	c, _ := e.m2mClient(b, manage.ClientSpec{AuthMethod: store.AuthTLSClient, CertIdentity: &store.CertIdentity{SubjectDN: "CN=svc"}})
	header := url.QueryEscape(string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leafDER})))
	body := "grant_type=client_credentials&scope=orders%3Aread&client_id=" + url.QueryEscape(c.ID)
	parallel(b, func(pb *testing.PB) {
		for pb.Next() {
			r := httptest.NewRequest(http.MethodPost, "/token", strings.NewReader(body))
			r.Header.Set("Content-Type", formType)
			r.Header.Set("X-Client-Cert", header)
			w := httptest.NewRecorder()
			e.h.ServeHTTP(w, r)
			if !ok(b, "client_credentials mTLS", w, `"access_token"`) {
				return
			}
		}
	})
}
