package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
	"time"
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
}

// Templates renders the messages. It is safe for concurrent use.
type Templates struct {
	product string
	text    map[string]*texttemplate.Template
	html    map[string]*htmltemplate.Template
}

// NewTemplates parses the embedded templates; product names the service.
func NewTemplates(product string) (*Templates, error) {
	if product == "" {
		product = "Lucid"
	}
	t := &Templates{product: product, text: map[string]*texttemplate.Template{}, html: map[string]*htmltemplate.Template{}}
	for _, name := range []string{TemplateReset, TemplateVerify, TemplateSignupExists} {
		tt, err := texttemplate.New(name).Option("missingkey=error").ParseFS(templateFS, "templates/"+name+".txt")
		if err != nil {
			return nil, fmt.Errorf("mail: template %s: %w", name, err)
		}
		ht, err := htmltemplate.New(name).Option("missingkey=error").ParseFS(templateFS, "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("mail: template %s: %w", name, err)
		}
		t.text[name], t.html[name] = tt, ht
	}
	return t, nil
}

// Render makes the message named by template for the address to.
func (t *Templates) Render(template, to string, d Data) (Message, error) {
	tt, ok := t.text[template]
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
	if err := t.html[template].ExecuteTemplate(&html, "html", d); err != nil {
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
