package config

import (
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
)

// Branding is how the end-user pages and e-mails present the operator's
// service: every page shows these instead of Lucid's own look.
type Branding struct {
	// ProductName names the service on every page and in e-mails; empty
	// keeps "Lucid" (or mail.product_name, its older alias).
	ProductName string `yaml:"product_name"` // LUCID_BRANDING_PRODUCT_NAME
	// LogoFile is an SVG or PNG file read at start and served from
	// /assets/ in the pages' header; empty keeps Lucid's mark.
	LogoFile string `yaml:"logo_file"` // LUCID_BRANDING_LOGO_FILE
	// PrimaryColor colours buttons and links (#rgb or #rrggbb).
	PrimaryColor string `yaml:"primary_color"` // LUCID_BRANDING_PRIMARY_COLOR
	// AccentColor colours the focus ring (#rgb or #rrggbb).
	AccentColor string `yaml:"accent_color"` // LUCID_BRANDING_ACCENT_COLOR
	// SupportURL is a help page linked in every page's footer (https).
	SupportURL string `yaml:"support_url"` // LUCID_BRANDING_SUPPORT_URL
	// SupportEmail is an address shown in every page's footer.
	SupportEmail string `yaml:"support_email"` // LUCID_BRANDING_SUPPORT_EMAIL
	// FooterText replaces the footer's "Protected by …" line.
	FooterText string `yaml:"footer_text"` // LUCID_BRANDING_FOOTER_TEXT
}

var brandColor = regexp.MustCompile(`^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`)

// Product is the service's name for pages and e-mails: branding's, else
// mail.product_name's (kept as an alias), else Lucid.
func (c *Config) Product() string {
	if n := strings.TrimSpace(c.Branding.ProductName); n != "" {
		return n
	}
	if n := strings.TrimSpace(c.Mail.ProductName); n != "" {
		return n
	}
	return "Lucid"
}

func (c *Config) checkBranding() []error {
	var errs []error
	bad := func(key, format string, a ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{key}, a...)...))
	}
	b := c.Branding
	if strings.ContainsAny(b.ProductName, "\r\n") || len(b.ProductName) > 100 {
		bad("branding.product_name", "must be one line of at most 100 characters")
	}
	if b.ProductName != "" && strings.TrimSpace(b.ProductName) == "" {
		bad("branding.product_name", "is blank; leave it out to keep the default")
	}
	for _, col := range []struct{ key, v string }{{"branding.primary_color", b.PrimaryColor}, {"branding.accent_color", b.AccentColor}} {
		if col.v != "" && !brandColor.MatchString(col.v) {
			bad(col.key, "%q is not a colour such as #2b3fbf", col.v)
		}
	}
	if f := strings.ToLower(b.LogoFile); f != "" && !strings.HasSuffix(f, ".svg") && !strings.HasSuffix(f, ".png") {
		bad("branding.logo_file", "%q is neither .svg nor .png", b.LogoFile)
	}
	if b.SupportURL != "" {
		u, err := url.Parse(b.SupportURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			bad("branding.support_url", "%q is not an http(s) URL", b.SupportURL)
		}
	}
	if b.SupportEmail != "" {
		if a, err := mail.ParseAddress(b.SupportEmail); err != nil || a.Address != b.SupportEmail {
			bad("branding.support_email", "%q is not a plain address such as help@example.com", b.SupportEmail)
		}
	}
	if strings.ContainsAny(b.FooterText, "\r\n") || len(b.FooterText) > 300 {
		bad("branding.footer_text", "must be one line of at most 300 characters")
	}
	return errs
}
