package server

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"

	"github.com/lucid-auth/lucid/internal/config"
)

// Listener is the server's socket, opened and with its TLS certificate
// loaded before the server announces anything: a missing certificate or
// an address in use is reported before "lucid is listening", not after.
type Listener struct {
	ln  net.Listener
	tls *tls.Config // nil: plain HTTP
}

// Listen loads the TLS certificate cfg names, if any, then opens cfg.Addr.
// Every error names the file or the address and the cause.
func Listen(cfg *config.Config) (*Listener, error) {
	l := &Listener{}
	if cfg.TLS.CertFile != "" || cfg.TLS.KeyFile != "" {
		cert, err := loadCertificate(cfg.TLS.CertFile, cfg.TLS.KeyFile)
		if err != nil {
			return nil, err
		}
		l.tls = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		if cfg.MTLS.Enabled {
			// Ask, never require: most requests carry no certificate, and
			// whether one proves anything depends on the client's method,
			// judged per request (clientauth, mtls.go). No CA names are
			// announced, so clients with self-signed certificates send them.
			l.tls.ClientAuth = tls.RequestClientCert
		}
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		var oe *net.OpError
		if errors.As(err, &oe) && oe.Err != nil {
			err = oe.Err
		}
		return nil, fmt.Errorf("cannot listen on %s (addr): %w", cfg.Addr, err)
	}
	l.ln = ln
	return l, nil
}

// Addr is the bound address (the port chosen, for port 0).
func (l *Listener) Addr() net.Addr { return l.ln.Addr() }

// Close closes the socket; Serve closes it too when it ends.
func (l *Listener) Close() error { return l.ln.Close() }

// loadCertificate reads the certificate and its key, naming the file and
// the setting of each failure: crypto/tls names neither.
func loadCertificate(certFile, keyFile string) (tls.Certificate, error) {
	read := func(setting, path string) ([]byte, error) {
		if path == "" {
			return nil, fmt.Errorf("tls.%s is not set; set both tls.cert_file and tls.key_file, or neither", setting)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			var pe *os.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return nil, fmt.Errorf("tls.%s: cannot read %s: %w", setting, path, err)
		}
		return b, nil
	}
	certPEM, err := read("cert_file", certFile)
	if err != nil {
		return tls.Certificate{}, err
	}
	keyPEM, err := read("key_file", keyFile)
	if err != nil {
		return tls.Certificate{}, err
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("tls: certificate %s with key %s: %w", certFile, keyFile, err)
	}
	return cert, nil
}

// loadClientCAs reads mtls.ca_file: the roots of tls_client_auth
// certificates. nil when it is not set.
func loadClientCAs(path string) (*x509.CertPool, error) {
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("mtls.ca_file: cannot read %s: %w", path, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("mtls.ca_file: %s holds no PEM certificate", path)
	}
	return pool, nil
}
