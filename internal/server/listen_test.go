package server_test

import (
	"context"
	"encoding/base64"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/keycheck"
	"github.com/lucid-auth/lucid/internal/server"
	"github.com/lucid-auth/lucid/internal/store/sqlite"
)

// TestListen: the certificate and the address are checked before the
// server serves anything, and each error names the file or the address
// and the cause.
func TestListen(t *testing.T) {
	dir := t.TempDir()
	cert, key, _ := selfSigned(t, dir)
	junk := filepath.Join(dir, "junk.pem")
	if err := os.WriteFile(junk, []byte("junk\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	tests := []struct {
		name      string
		cert, key string
		addr      string
		want      []string // "" means Listen succeeds
	}{
		{name: "plain", addr: "127.0.0.1:0"},
		{name: "tls", cert: cert, key: key, addr: "127.0.0.1:0"},
		{name: "missing certificate", cert: filepath.Join(dir, "nope.pem"), key: key, addr: "127.0.0.1:0", want: []string{"tls.cert_file", filepath.Join(dir, "nope.pem"), "no such file or directory"}},
		{name: "missing key", cert: cert, key: filepath.Join(dir, "nokey.pem"), addr: "127.0.0.1:0", want: []string{"tls.key_file", filepath.Join(dir, "nokey.pem"), "no such file or directory"}},
		{name: "key without certificate", key: key, addr: "127.0.0.1:0", want: []string{"tls.cert_file is not set"}},
		{name: "not PEM", cert: junk, key: key, addr: "127.0.0.1:0", want: []string{"certificate " + junk, "with key " + key}},
		{name: "key of another certificate", cert: cert, key: junk, addr: "127.0.0.1:0", want: []string{"certificate " + cert, "with key " + junk}},
		{name: "address in use", addr: busy.Addr().String(), want: []string{"cannot listen on " + busy.Addr().String(), "address already in use"}},
		{name: "certificate before address", cert: junk, key: junk, addr: busy.Addr().String(), want: []string{"certificate " + junk}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := config.Default()
			cfg.Addr = tt.addr
			cfg.TLS.CertFile, cfg.TLS.KeyFile = tt.cert, tt.key
			l, err := server.Listen(&cfg)
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				_ = l.Close()
				return
			}
			if err == nil {
				_ = l.Close()
				t.Fatalf("Listen succeeded, want %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// TestNewRefusesAnotherMasterKey: a server given another key than the
// one its database was set up with does not start.
func TestNewRefusesAnotherMasterKey(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "lucid.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cfg := testConfig("http://127.0.0.1:9")
	if _, err := server.New(ctx, &cfg, st, nil); err != nil {
		t.Fatal(err)
	}
	cfg.MasterKey = base64.StdEncoding.EncodeToString([]byte("fedcba9876543210fedcba9876543210"))
	if _, err := server.New(ctx, &cfg, st, nil); !errors.Is(err, keycheck.ErrMismatch) {
		t.Fatalf("New with another key: %v, want keycheck.ErrMismatch", err)
	}
}
