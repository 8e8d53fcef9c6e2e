package config

import (
	"strings"
	"testing"
)

func TestBrandingSettings(t *testing.T) {
	c, err := Load(writeFile(t, "lucid.yaml", "branding:\n  product_name: Acme ID\n  primary_color: \"#0a7d5a\"\n  support_email: help@acme.example\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Product() != "Acme ID" || c.Branding.PrimaryColor != "#0a7d5a" {
		t.Fatalf("from YAML: %+v", c.Branding)
	}
	c = Default()
	if err := c.ApplyEnv(func(k string) string {
		return map[string]string{"LUCID_BRANDING_ACCENT_COLOR": "#fa0", "LUCID_MAIL_PRODUCT_NAME": "Old Name"}[k]
	}); err != nil {
		t.Fatal(err)
	}
	if c.Branding.AccentColor != "#fa0" || c.Product() != "Old Name" {
		t.Fatalf("from the environment: %+v, product %q (mail.product_name is the alias)", c.Branding, c.Product())
	}
	if d := Default(); d.Product() != "Lucid" {
		t.Fatalf("default product %q", d.Product())
	}
	for _, tc := range []struct {
		name string
		set  func(*Branding)
		key  string
	}{
		{"colour name", func(b *Branding) { b.PrimaryColor = "green" }, "branding.primary_color"},
		{"CSS injection", func(b *Branding) { b.AccentColor = "#fff;}body{display:none" }, "branding.accent_color"},
		{"five digits", func(b *Branding) { b.AccentColor = "#12345" }, "branding.accent_color"},
		{"two lines", func(b *Branding) { b.ProductName = "Acme\nID" }, "branding.product_name"},
		{"blank name", func(b *Branding) { b.ProductName = "   " }, "branding.product_name"},
		{"gif logo", func(b *Branding) { b.LogoFile = "/etc/logo.gif" }, "branding.logo_file"},
		{"javascript link", func(b *Branding) { b.SupportURL = "javascript:alert(1)" }, "branding.support_url"},
		{"address with a name", func(b *Branding) { b.SupportEmail = "Help <help@example.com>" }, "branding.support_email"},
		{"footer with a line break", func(b *Branding) { b.FooterText = "a\r\nb" }, "branding.footer_text"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			tc.set(&c.Branding)
			err := c.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.key) {
				t.Fatalf("Validate() = %v; want an error naming %s", err, tc.key)
			}
		})
	}
}
