package ui

import (
	"errors"
	"fmt"
	"html"
	"html/template"
	"net/http"

	"github.com/lucid-auth/lucid/internal/i18n"
	"golang.org/x/text/language"
)

// The language of a page is carried on its ResponseWriter, so that the
// page methods keep their signatures: Languages wraps every request's
// writer with its Accept-Language and ui_locales query parameter, and
// WithLocales adds the ui_locales an authorization request stored.

type langWriter struct {
	http.ResponseWriter
	accept    string
	uiLocales string
}

func (l *langWriter) Unwrap() http.ResponseWriter { return l.ResponseWriter }

// Languages remembers each request's language preferences for the pages
// it renders: the ui_locales query parameter, then Accept-Language.
func Languages(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lw := &langWriter{ResponseWriter: w, accept: r.Header.Get("Accept-Language"), uiLocales: r.URL.Query().Get("ui_locales")}
		// The context carries them to what the request queues (e-mails).
		ctx := i18n.WithPreference(r.Context(), i18n.Preference{UILocales: lw.uiLocales, AcceptLanguage: lw.accept})
		next.ServeHTTP(lw, r.WithContext(ctx))
	})
}

// WithLocales puts uiLocales (an authorization request's ui_locales) before
// the request's own preferences for the pages rendered through the
// returned writer. An empty uiLocales changes nothing.
func WithLocales(w http.ResponseWriter, uiLocales string) http.ResponseWriter {
	if uiLocales == "" {
		return w
	}
	lw := &langWriter{ResponseWriter: w, uiLocales: uiLocales}
	if outer := findLang(w); outer != nil {
		lw.accept = outer.accept
	}
	return lw
}

func findLang(w http.ResponseWriter) *langWriter {
	for w != nil {
		if lw, ok := w.(*langWriter); ok {
			return lw
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return nil
		}
		w = u.Unwrap()
	}
	return nil
}

// language is the page's language for w.
func (r *Renderer) language(w http.ResponseWriter) language.Tag {
	if lw := findLang(w); lw != nil {
		return r.cat.Match(lw.uiLocales, lw.accept)
	}
	return language.English
}

// Locales are the languages the pages are shipped in, as BCP 47 tags
// (for ui_locales_supported in discovery).
func (r *Renderer) Locales() []string {
	var out []string
	for _, t := range r.cat.Languages() {
		out = append(out, t.String())
	}
	return out
}

// msg is one message and its values, e.g. a page's title.
type msg struct {
	id   string
	args []any
}

// printer binds the template functions to one language.
type printer struct {
	p       *i18n.Printer
	tag     language.Tag
	cat     *i18n.Catalog
	product string
	missing func(lang, id string, err error)
}

func (p *printer) text(id string, args ...any) (string, error) {
	s, err := p.p.Text(id, append([]any{"Product", p.product}, args...)...)
	if errors.Is(err, i18n.ErrMissing) {
		// The English text is better than no page; the log says what to add.
		p.missing(p.tag.String(), id, err)
		return s, nil
	}
	return s, err
}

// t formats a message for HTML: the message is trusted markup from the
// catalog, the values are escaped.
func (p *printer) t(id string, args ...any) (template.HTML, error) {
	esc := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case template.HTML:
			esc[i] = v
		case int, int64:
			esc[i] = v
		default:
			esc[i] = html.EscapeString(fmt.Sprint(v))
		}
	}
	s, err := p.text(id, esc...)
	return template.HTML(s), err
}

// msgOrText translates s when it is a message ID (labels and notices the
// provider passes), and shows it as it is otherwise.
func (p *printer) msgOrText(s string) (template.HTML, error) {
	if p.cat.Has(language.English, s) {
		return p.t(s)
	}
	return template.HTML(html.EscapeString(s)), nil
}

// problem is a catalog entry's text for the person: the translation of
// entry name with its values, or the English text the caller gave when
// the entry has no person-facing message or its values are missing.
func (p *printer) problem(name, text string, values map[string]string) template.HTML {
	id := "problem." + name
	if name == "" || !p.cat.Has(language.English, id) {
		return template.HTML(html.EscapeString(text))
	}
	var args []any
	for k, v := range values {
		args = append(args, k, v)
	}
	s, err := p.t(id, args...)
	if err != nil {
		return template.HTML(html.EscapeString(text))
	}
	return s
}

// scope says what granting s lets the application do: a standard scope's
// message, an API's scope's message, or the caller's text.
func (p *printer) scope(s Scope, part, fallback string) (template.HTML, error) {
	if s.API != "" {
		return p.t("scope.api."+part, "API", s.API, "Scope", s.Name)
	}
	id := "scope." + s.Name + "." + part
	if p.cat.Has(language.English, id) {
		return p.t(id)
	}
	return template.HTML(html.EscapeString(fallback)), nil
}

// duration translates a duration the mail package said in English
// ("30 minutes"); anything else is shown as it is.
func (p *printer) duration(s string) template.HTML {
	return template.HTML(html.EscapeString(p.p.Duration(s)))
}

func (p *printer) funcs() template.FuncMap {
	return template.FuncMap{
		"t":                p.t,
		"msg":              p.msgOrText,
		"problem":          p.problem,
		"duration":         p.duration,
		"scopeTitle":       func(s Scope) (template.HTML, error) { return p.scope(s, "title", s.Title) },
		"scopeDescription": func(s Scope) (template.HTML, error) { return p.scope(s, "description", s.Description) },
	}
}

// placeholderFuncs lets the templates parse before a language is bound.
var placeholderFuncs = template.FuncMap{
	"t": func(string, ...any) template.HTML { return "" }, "msg": func(string) template.HTML { return "" },
	"problem":    func(string, string, map[string]string) template.HTML { return "" },
	"duration":   func(string) template.HTML { return "" },
	"scopeTitle": func(Scope) template.HTML { return "" }, "scopeDescription": func(Scope) template.HTML { return "" },
}
