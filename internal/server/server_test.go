package server_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/server"
	"github.com/lucid-auth/lucid/internal/store/sqlite"
)

// selfSigned writes a certificate for 127.0.0.1 and returns its pool.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "lucid test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	_ = os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	_ = os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// freeAddr is a loopback address nothing listens on, for Run to listen on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

// testConfig is the defaults with issuer and a fixed master key.
func testConfig(issuer string) config.Config {
	cfg := config.Default()
	cfg.Issuer = issuer
	cfg.MasterKey = base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))
	return cfg
}

// run runs s in the background until cancel; done gets what Run returned.
func run(s *server.Server) (cancel context.CancelFunc, done <-chan error) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan error, 1)
	ready := make(chan struct{})
	go func() { ch <- s.Run(ctx, func(string) { close(ready) }) }()
	<-ready
	return cancel, ch
}

// TestRunTLS: with a certificate configured, Lucid serves HTTPS itself,
// sends HSTS, and shuts down when its context ends.
func TestRunTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, pool := selfSigned(t, dir)
	addr := freeAddr(t)
	cfg := testConfig("https://" + addr)
	cfg.Addr = addr
	cfg.TLS.CertFile, cfg.TLS.KeyFile = certFile, keyFile
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "lucid.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s, err := server.New(context.Background(), &cfg, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	cancel, done := run(s)

	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 10 * time.Second}
	resp, err := c.Get(cfg.Issuer + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Strict-Transport-Security"), "max-age=") || resp.TLS == nil {
		t.Fatalf("https: %d, HSTS %q", resp.StatusCode, resp.Header.Get("Strict-Transport-Security"))
	}
	// Plain HTTP to the TLS port is refused rather than served.
	if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Fatal("plain HTTP served on the TLS port")
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run after cancel: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
}

// TestProbesStorageDown: while the store answers, /healthz, /livez and
// /readyz answer 200; once it does not, /healthz and /readyz answer the
// catalog's storage_unavailable (503, Retry-After) and /livez still 200,
// so an orchestrator takes the replica out of service without restarting
// it.
func TestProbesStorageDown(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig("http://127.0.0.1:9")
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "lucid.db"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := server.New(context.Background(), &cfg, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		s.Handler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
		return w
	}
	probes := []string{"/healthz", "/livez", "/readyz"}
	for _, p := range probes {
		if w := get(p); w.Code != 200 {
			t.Fatalf("%s with a healthy store: %d %s", p, w.Code, w.Body)
		}
	}
	_ = st.Close()
	for _, p := range probes {
		w := get(p)
		if p == "/livez" {
			if w.Code != 200 {
				t.Fatalf("/livez depends on the database: %d %s", w.Code, w.Body)
			}
			continue
		}
		var body struct {
			Error string `json:"error"`
			Code  string `json:"error_code"`
		}
		if w.Code != http.StatusServiceUnavailable || json.Unmarshal(w.Body.Bytes(), &body) != nil ||
			body.Code != "storage_unavailable" || body.Error != "temporarily_unavailable" || w.Header().Get("Retry-After") == "" {
			t.Fatalf("%s with a closed store: %d %v %s; want 503 storage_unavailable with Retry-After", p, w.Code, w.Header(), w.Body)
		}
	}
}

// TestShutdownLog: the log says when Lucid stops taking requests and
// when it has stopped.
func TestShutdownLog(t *testing.T) {
	dir := t.TempDir()
	addr := freeAddr(t)
	cfg := testConfig("http://" + addr)
	cfg.Addr = addr
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "lucid.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var buf syncBuffer
	s, err := server.New(context.Background(), &cfg, st, slog.New(slog.NewJSONHandler(&buf, nil)))
	if err != nil {
		t.Fatal(err)
	}
	cancel, done := run(s)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	log := buf.String()
	for _, want := range []string{`"msg":"shutting down: finishing requests in flight"`, `"msg":"stopped"`} {
		if !strings.Contains(log, want) {
			t.Errorf("no %s in the log:\n%s", want, log)
		}
	}
}
