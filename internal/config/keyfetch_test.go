package config

import (
	"strings"
	"testing"
)

func TestLoadKeyFetchAndAudience(t *testing.T) {
	c, err := Load(writeFile(t, "lucid.yaml", "key_fetch:\n  allow_local: true\nstrict_assertion_audience: true\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !c.KeyFetch.AllowLocal || !c.StrictAssertionAudience {
		t.Errorf("got key_fetch %+v strict %v", c.KeyFetch, c.StrictAssertionAudience)
	}
	if _, err := Load(writeFile(t, "lucid.yaml", "key_fetch:\n  allow_private: true\n")); err == nil || !strings.Contains(err.Error(), `"key_fetch.allow_private"`) {
		t.Errorf("a misspelled key_fetch setting: %v", err)
	}
}

func TestLoadMTLS(t *testing.T) {
	c, err := Load(writeFile(t, "lucid.yaml", "trusted_proxies: [10.0.0.0/8]\nmtls:\n  enabled: true\n  client_cert_header: X-Client-Cert\n  endpoint_alias: https://mtls.example.com\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !c.MTLS.Enabled || c.MTLS.ClientCertHeader != "X-Client-Cert" || c.MTLS.EndpointAlias != "https://mtls.example.com" {
		t.Errorf("got mtls %+v", c.MTLS)
	}
	if err := c.ApplyEnv(func(k string) string {
		return map[string]string{"LUCID_MTLS_CA_FILE": "/etc/lucid/ca.pem"}[k]
	}); err != nil || c.MTLS.CAFile != "/etc/lucid/ca.pem" {
		t.Errorf("LUCID_MTLS_CA_FILE: %v, %+v", err, c.MTLS)
	}
}
