// Package ui renders Lucid's server-side pages: sign-in, consent, logout,
// the human error page, the form_post response and the demo client's pages.
// Templates and assets are embedded, so the binary needs no files and the
// pages need no network: no CDN, no web fonts, no third-party script.
package ui

import (
	"bytes"
	"crypto/rand"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/lucid-auth/lucid/internal/i18n"
	"golang.org/x/text/language"
)

//go:embed templates/*.html templates/partials/*.html
var templateFS embed.FS

// pageFiles maps each page to its template file; every page is parsed
// together with the shared layout.
var pageFiles = map[string]string{
	"signin":    "templates/signin.html",
	"consent":   "templates/consent.html",
	"logout":    "templates/logout.html",
	"loggedout": "templates/loggedout.html",
	"error":     "templates/error.html",
	"formpost":  "templates/formpost.html",
	"demo":      "templates/demo.html",
	// Backchannel authentication requests waiting for the person (CIBA).
	"approvals": "templates/approvals.html",
	// The error catalog at /errors.
	"errors_index": "templates/errors_index.html",
	"errors_entry": "templates/errors_entry.html",
}

// Renderer renders the pages. It is safe for concurrent use.
type Renderer struct {
	// pages holds each page's templates per language, bound to that
	// language's messages.
	pages     map[language.Tag]map[string]*template.Template
	cat       *i18n.Catalog
	brand     Brand
	view      brandView
	brandCSS  string
	assets    *assetSet
	cssURL    string
	iconURL   string
	searchURL string // the catalog index's search script
	log       *slog.Logger
}

// Option adjusts a Renderer.
type Option func(*Renderer)

// WithLogger logs pages that fail to render (a bug, never user input).
func WithLogger(l *slog.Logger) Option {
	return func(r *Renderer) { r.log = l }
}

// New parses the embedded templates once.
func New(opts ...Option) (*Renderer, error) {
	assets, err := loadAssets()
	if err != nil {
		return nil, err
	}
	cat, err := i18n.New()
	if err != nil {
		return nil, err
	}
	r := &Renderer{
		pages:     map[language.Tag]map[string]*template.Template{},
		cat:       cat,
		assets:    assets,
		cssURL:    assets.url("lucid.css"),
		iconURL:   assets.url("favicon.svg"),
		searchURL: assets.url("errors.js"),
		log:       slog.New(slog.DiscardHandler),
	}
	for _, o := range opts {
		o(r)
	}
	if err := r.applyBrand(); err != nil {
		return nil, err
	}
	// Partials are blocks several pages share (the passkey form).
	base, err := template.New("layout.html").Funcs(placeholderFuncs).ParseFS(templateFS, "templates/layout.html", "templates/partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("ui: layout: %w", err)
	}
	for _, tag := range cat.Languages() {
		p := r.printer(tag)
		r.pages[tag] = make(map[string]*template.Template, len(pageFiles))
		for name, file := range pageFiles {
			t, err := base.Clone()
			if err != nil {
				return nil, fmt.Errorf("ui: %s: %w", name, err)
			}
			if _, err := t.Funcs(p.funcs()).ParseFS(templateFS, file); err != nil {
				return nil, fmt.Errorf("ui: %s: %w", name, err)
			}
			r.pages[tag][name] = t
		}
	}
	return r, nil
}

func (r *Renderer) printer(tag language.Tag) *printer {
	return &printer{p: r.cat.Printer(tag), tag: tag, cat: r.cat, product: r.view.ProductName,
		missing: func(lang, id string, err error) {
			r.log.Warn("message missing in catalog", "lang", lang, "id", id, "err", err)
		}}
}

// view is what the layout sees; Page is the page's own data.
type view struct {
	Lang     string // <html lang>
	Brand    brandView
	BrandCSS string // the brand's stylesheet; "" without colours
	Title    string
	Nonce    string
	CSS      string
	Icon     string
	Script   string // URL of a script asset, loaded from 'self'
	Width    string // body class: narrow, doc or wide
	Page     any
}

// policy describes what a page may do, for its Content-Security-Policy.
type policy struct {
	script bool
	// asset is the URL of a script served from /assets/; the policy then
	// allows scripts from 'self'. Such a page has no inline script at all.
	asset string
	// formAction is the form-action source list; "" leaves the directive
	// out. Browsers (Chrome, Safari) also apply form-action to the redirect
	// that answers a POST, so a page whose form may end in a redirect to an
	// unknown client must not restrict it.
	formAction string
	wide       bool
	// doc is a reading width between narrow and wide, for documentation.
	doc bool
	// frameSrc are the origins the page may frame (front-channel logout);
	// none leaves frames to default-src 'none'.
	frameSrc []string
	// english keeps a developer's page (the demo client, the error
	// catalog) in English whatever the browser prefers.
	english bool
}

func (r *Renderer) render(w http.ResponseWriter, status int, name string, title msg, page any, pol policy) {
	tag := language.English
	if !pol.english {
		tag = r.language(w)
	}
	// A title that is no message ID (a catalog entry's) is shown as it is.
	titleText := title.id
	if r.cat.Has(language.English, title.id) && !pol.english {
		s, err := r.printer(tag).text(title.id, title.args...)
		if err != nil {
			r.log.Error("page title failed", "page", name, "err", err)
		}
		titleText = s
	}
	v := view{Lang: tag.String(), Brand: r.view, BrandCSS: r.brandCSS, Title: titleText, CSS: r.cssURL, Icon: r.iconURL, Script: pol.asset, Width: "narrow", Page: page}
	switch {
	case pol.wide:
		v.Width = "wide"
	case pol.doc:
		v.Width = "doc"
	}
	if pol.script {
		v.Nonce = newNonce()
	}
	var buf bytes.Buffer
	err := r.pages[tag][name].ExecuteTemplate(&buf, "layout", v)
	h := w.Header()
	h.Set("Content-Security-Policy", csp(pol, v.Nonce))
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	if err != nil {
		r.log.Error("page failed to render", "page", name, "err", err)
		h.Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, "This page could not be rendered. The operator's log has the details.\n")
		return
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func csp(p policy, nonce string) string {
	d := []string{"default-src 'none'", "style-src 'self'", "img-src 'self' data:"}
	var scripts []string
	if p.asset != "" {
		scripts = append(scripts, "'self'")
	}
	if p.script && nonce != "" {
		scripts = append(scripts, "'nonce-"+nonce+"'")
	}
	if len(scripts) > 0 {
		d = append(d, "script-src "+strings.Join(scripts, " "))
	}
	if p.formAction != "" {
		d = append(d, "form-action "+p.formAction)
	}
	if len(p.frameSrc) > 0 {
		d = append(d, "frame-src "+strings.Join(p.frameSrc, " "))
	}
	d = append(d, "frame-ancestors 'none'", "base-uri 'none'")
	return strings.Join(d, "; ")
}

// formTargets is the form-action for a form that posts to Lucid itself and
// may be answered by a redirect to redirectTo. Without a known redirect
// target the directive is left out (see policy.formAction).
func formTargets(redirectTo string) string {
	if redirectTo == "" {
		return ""
	}
	src, ok := cspSource(redirectTo)
	if !ok {
		return ""
	}
	if src == "'self'" {
		return src
	}
	return "'self' " + src
}

// cspSource is the CSP source expression that matches u: its origin for
// http(s), its scheme for a private-use scheme (native apps), 'self' for a
// relative URL. ok is false when u cannot be expressed safely.
func cspSource(u string) (string, bool) {
	p, err := url.Parse(u)
	if err != nil {
		return "", false
	}
	scheme := strings.ToLower(p.Scheme)
	switch {
	case scheme == "" && p.Host == "":
		return "'self'", true
	case !validScheme(scheme):
		return "", false
	case scheme == "http" || scheme == "https":
		if p.Host == "" || !validHost(p.Host) {
			return "", false
		}
		return scheme + "://" + strings.ToLower(p.Host), true
	default:
		return scheme + ":", true
	}
}

func validScheme(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// validHost admits host[:port] and bracketed IPv6 literals; anything that
// could end or split a CSP directive is refused.
func validHost(h string) bool {
	for _, c := range h {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-.:[]", c)) {
			return false
		}
	}
	return true
}

func newNonce() string {
	var b [18]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
