package server_test

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/server"
	"github.com/lucid-auth/lucid/internal/store/sqlite"
)

// TestNewChecksClientCAs: mtls.ca_file is read at start, and a file that
// cannot be read or holds no certificate stops it, naming the setting.
func TestNewChecksClientCAs(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "lucid.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cert, _, _ := selfSigned(t, dir)
	junk := filepath.Join(dir, "junk.pem")
	if err := os.WriteFile(junk, []byte("junk\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, file string
		want       []string
	}{
		{"a CA", cert, nil},
		{"missing", filepath.Join(dir, "nope.pem"), []string{"mtls.ca_file", "nope.pem", "no such file"}},
		{"no certificate", junk, []string{"mtls.ca_file", junk, "no PEM certificate"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := config.Default()
			cfg.Issuer = "http://127.0.0.1:9"
			cfg.MasterKey = base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))
			cfg.TrustedProxies = []string{"10.0.0.0/8"}
			cfg.MTLS = config.MTLS{Enabled: true, CAFile: tc.file, ClientCertHeader: "X-Client-Cert"}
			_, err := server.New(ctx, &cfg, st, nil)
			if tc.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			for _, w := range tc.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("error %v lacks %q", err, w)
				}
			}
		})
	}
}
