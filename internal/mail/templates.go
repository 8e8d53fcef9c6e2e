package mail

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"html"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/lucid-auth/lucid/internal/i18n"
	"golang.org/x/text/language"
)

// The messages Lucid sends, each a text template (subject and text part)
// and an HTML template (html/template, so that every value is escaped).
const (
	TemplateReset        = "password_reset"
	TemplateVerify       = "verify_email"
	TemplateSignupExists = "signup_exists"
)

//go:embed templates/*.txt templates/*.html
var templateFS embed.FS

// Data fills a message's template.
type Data struct {
	Product  string // the service's name (mail.product_name)
	Name     string // how to greet the person: their name, else username
	Username string
	Email    string
	Link     string
	// Valid is how long the link works, in words ("30 minutes").
	Valid string
	// Lang is the message's language (BCP 47); Mailer.Send fills it from
	// the request that queued the message, "" is English.
	Lang string
}

// Templates renders the messages in every shipped language (the
// message catalogs of internal/i18n). It is safe for concurrent use.
type Templates struct {
	product string
	cat     *i18n.Catalog
	text    map[language.Tag]map[string]*texttemplate.Template
	html    map[language.Tag]map[string]*htmltemplate.Template
}

// NewTemplates parses the embedded templates; product names the service
// (branding.product_name).
func NewTemplates(product string) (*Templates, error) {
	if product == "" {
		product = "Lucid"
	}
	cat, err := i18n.New()
	if err != nil {
		return nil, err
	}
	t := &Templates{product: product, cat: cat, text: map[language.Tag]map[string]*texttemplate.Template{}, html: map[language.Tag]map[string]*htmltemplate.Template{}}
	for _, tag := range cat.Languages() {
		p := cat.Printer(tag)
		say := func(id string, args ...any) (string, error) {
			return p.Text(id, append([]any{"Product", product}, args...)...)
		}
		// In HTML the message is the catalog's markup, the values escaped.
		sayHTML := func(id string, args ...any) (htmltemplate.HTML, error) {
			for i := 1; i < len(args); i += 2 {
				args[i] = html.EscapeString(fmt.Sprint(args[i]))
			}
			s, err := say(id, args...)
			return htmltemplate.HTML(s), err
		}
		lang := func() string { return tag.String() }
		t.text[tag], t.html[tag] = map[string]*texttemplate.Template{}, map[string]*htmltemplate.Template{}
		for _, name := range []string{TemplateReset, TemplateVerify, TemplateSignupExists} {
			tt, err := texttemplate.New(name).Option("missingkey=error").Funcs(texttemplate.FuncMap{"t": say, "duration": p.Duration, "lang": lang}).ParseFS(templateFS, "templates/"+name+".txt")
			if err != nil {
				return nil, fmt.Errorf("mail: template %s: %w", name, err)
			}
			ht, err := htmltemplate.New(name).Option("missingkey=error").Funcs(htmltemplate.FuncMap{"t": sayHTML, "duration": p.Duration, "lang": lang}).ParseFS(templateFS, "templates/"+name+".html")
			if err != nil {
				return nil, fmt.Errorf("mail: template %s: %w", name, err)
			}
			t.text[tag][name], t.html[tag][name] = tt, ht
		}
	}
	return t, nil
}

// Languages are the languages messages can be written in.
func (t *Templates) Languages() []language.Tag { return t.cat.Languages() }

// LanguageFor is the language of a message queued by a request with ctx:
// its ui_locales, then its Accept-Language (i18n.WithPreference).
func (t *Templates) LanguageFor(ctx context.Context) string {
	p := i18n.PreferenceFrom(ctx)
	return t.cat.Match(p.UILocales, p.AcceptLanguage).String()
}

// Render makes the message named by template for the address to, in
// d.Lang.
func (t *Templates) Render(template, to string, d Data) (Message, error) {
	tag := t.cat.Match(d.Lang, "")
	tt, ok := t.text[tag][template]
	if !ok {
		return Message{}, fmt.Errorf("mail: no template %q", template)
	}
	d.Product = t.product
	if d.Name == "" {
		d.Name = d.Username
	}
	var subject, text, html bytes.Buffer
	if err := tt.ExecuteTemplate(&subject, "subject", d); err != nil {
		return Message{}, err
	}
	if err := tt.ExecuteTemplate(&text, "text", d); err != nil {
		return Message{}, err
	}
	if err := t.html[tag][template].ExecuteTemplate(&html, "html", d); err != nil {
		return Message{}, err
	}
	// A name with a line break must not add a header.
	s := strings.Join(strings.Fields(subject.String()), " ")
	return Message{To: to, Subject: s, Text: strings.TrimLeft(text.String(), "\n"), HTML: html.String()}, nil
}

// Duration says d in words for a message: "30 minutes", "3 days".
func Duration(d time.Duration) string {
	plural := func(n int64, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return fmt.Sprintf("%d %ss", n, unit)
	}
	switch {
	case d >= 48*time.Hour && d%(24*time.Hour) == 0:
		return plural(int64(d/(24*time.Hour)), "day")
	case d >= time.Hour && d%time.Hour == 0:
		return plural(int64(d/time.Hour), "hour")
	default:
		return plural(int64((d+time.Minute-1)/time.Minute), "minute")
	}
}
