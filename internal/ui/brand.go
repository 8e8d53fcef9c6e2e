package ui

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"regexp"
	"strings"
)

// Brand is how the operator's service looks on every end-user page
// (configuration branding.*). The zero value is Lucid's own look.
type Brand struct {
	// ProductName replaces "Lucid" in the header, titles and texts.
	ProductName string
	// Logo is an image shown in the header instead of Lucid's mark,
	// served from /assets/ (the pages' CSP allows images from 'self'
	// only); LogoName's extension gives its type (.svg or .png).
	Logo     []byte
	LogoName string
	// PrimaryColor colours buttons and links, AccentColor focus rings;
	// each #rgb or #rrggbb, set as CSS custom properties by a small
	// generated stylesheet (the CSP allows no inline style).
	PrimaryColor string
	AccentColor  string
	SupportURL   string
	SupportEmail string
	// FooterText replaces the footer's "Protected by …" line.
	FooterText string
}

// DefaultProductName is the product name when the operator sets none.
const DefaultProductName = "Lucid"

var hexColor = regexp.MustCompile(`^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`)

// ValidColor reports whether c is a colour Brand accepts.
func ValidColor(c string) bool { return hexColor.MatchString(c) }

// brandView is what the layout shows of the brand.
type brandView struct {
	ProductName  string
	LogoURL      string
	SupportURL   string
	SupportEmail string
	FooterText   string
}

// WithBrand sets the operator's brand.
func WithBrand(b Brand) Option {
	return func(r *Renderer) { r.brand = b }
}

// applyBrand adds the brand's assets (logo, stylesheet) to the set.
func (r *Renderer) applyBrand() error {
	b := r.brand
	if strings.TrimSpace(b.ProductName) == "" {
		b.ProductName = DefaultProductName
	}
	r.view = brandView{ProductName: b.ProductName, SupportURL: b.SupportURL, SupportEmail: b.SupportEmail, FooterText: b.FooterText}
	if len(b.Logo) > 0 {
		ext := strings.ToLower(path.Ext(b.LogoName))
		if ext != ".svg" && ext != ".png" {
			return fmt.Errorf("ui: logo %q: only .svg and .png are served", b.LogoName)
		}
		r.assets.add("brand-logo"+ext, b.Logo)
		r.view.LogoURL = r.assets.url("brand-logo" + ext)
	}
	var css strings.Builder
	for _, c := range []struct{ value, vars string }{
		{b.PrimaryColor, "--brand --accent --accent-hover --link"},
		{b.AccentColor, "--focus"},
	} {
		if c.value == "" {
			continue
		}
		if !ValidColor(c.value) {
			return fmt.Errorf("ui: colour %q is not #rgb or #rrggbb", c.value)
		}
		for _, v := range strings.Fields(c.vars) {
			fmt.Fprintf(&css, "%s: %s; ", v, c.value)
		}
	}
	if css.Len() > 0 {
		// Both colour schemes: the operator's colours are the brand's.
		body := ":root { " + css.String() + "}\n@media (prefers-color-scheme: dark) { :root { " + css.String() + "} }\n"
		r.assets.add("brand.css", []byte(body))
		r.brandCSS = r.assets.url("brand.css")
	}
	return nil
}

func (s *assetSet) add(name string, body []byte) {
	sum := sha256.Sum256(body)
	s.files[name] = asset{body: body, contentType: contentTypes[path.Ext(name)], etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
}
