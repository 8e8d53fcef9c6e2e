// Package i18n holds the message catalogs of Lucid's end-user pages and
// e-mails, one JSON file per language under locales/, and chooses the
// language for a request: OpenID Connect's ui_locales first, then the
// browser's Accept-Language, then English.
//
// Messages are go-i18n templates with named values ({{.Client}}); a count
// named Count picks the plural form. English is the source: every other
// language must have exactly its keys (the package's tests check this).
package i18n

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/nicksnyder/go-i18n/v2/i18n/template"
	"golang.org/x/text/language"
)

//go:embed locales/*.json
var localeFS embed.FS

// ErrMissing marks a message the chosen language does not have; the text
// returned with it is the English one.
var ErrMissing = errors.New("i18n: message missing")

// strictParser makes a message that names a value nobody passed fail,
// rather than print "<no value>".
var strictParser = &template.TextParser{Option: "missingkey=error"}

// Catalog is the shipped languages' messages. It is safe for concurrent use.
type Catalog struct {
	bundle  *i18n.Bundle
	tags    []language.Tag // English first
	matcher language.Matcher
	keys    map[language.Tag][]string
}

// New loads the embedded catalogs.
func New() (*Catalog, error) {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	c := &Catalog{bundle: b, keys: map[language.Tag][]string{}}
	files, err := fs.Glob(localeFS, "locales/*.json")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		mf, err := b.LoadMessageFileFS(localeFS, f)
		if err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", path.Base(f), err)
		}
		for _, m := range mf.Messages {
			c.keys[mf.Tag] = append(c.keys[mf.Tag], m.ID)
		}
		slices.Sort(c.keys[mf.Tag])
	}
	c.tags = b.LanguageTags()
	if len(c.tags) == 0 || c.tags[0] != language.English {
		return nil, errors.New("i18n: the English catalog is missing")
	}
	c.matcher = language.NewMatcher(c.tags)
	return c, nil
}

// Languages are the shipped languages, English first.
func (c *Catalog) Languages() []language.Tag { return slices.Clone(c.tags) }

// Keys are the message IDs the language's file defines, sorted.
func (c *Catalog) Keys(tag language.Tag) []string { return slices.Clone(c.keys[tag]) }

// Match chooses the language for a person: the first of uiLocales (a
// space-separated list of BCP 47 tags, as in ui_locales) that a shipped
// language serves, else the best match for acceptLanguage (the header),
// else English.
func (c *Catalog) Match(uiLocales, acceptLanguage string) language.Tag {
	for _, s := range strings.Fields(uiLocales) {
		t, err := language.Parse(s)
		if err != nil {
			continue
		}
		if tag, ok := c.match(t); ok {
			return tag
		}
	}
	if tags, _, err := language.ParseAcceptLanguage(acceptLanguage); err == nil && len(tags) > 0 {
		if tag, ok := c.match(tags...); ok {
			return tag
		}
	}
	return c.tags[0]
}

func (c *Catalog) match(want ...language.Tag) (language.Tag, bool) {
	_, i, conf := c.matcher.Match(want...)
	if conf == language.No {
		return language.Und, false
	}
	return c.tags[i], true
}

// Printer formats messages in one language.
type Printer struct {
	tag language.Tag
	loc *i18n.Localizer
}

// Printer is the printer of a shipped language (English for any other).
func (c *Catalog) Printer(tag language.Tag) *Printer {
	if !slices.Contains(c.tags, tag) {
		tag = c.tags[0]
	}
	return &Printer{tag: tag, loc: i18n.NewLocalizer(c.bundle, tag.String())}
}

// Lang is the printer's language as a BCP 47 tag, for <html lang>.
func (p *Printer) Lang() string { return p.tag.String() }

// Text formats the message id with the values of args, given as name,
// value pairs; a value named Count also chooses the plural form. A message
// the language lacks comes back in English with an error wrapping
// ErrMissing; a message naming a value not given is an error.
func (p *Printer) Text(id string, args ...any) (string, error) {
	data := make(map[string]any, len(args)/2)
	for i := 0; i+1 < len(args); i += 2 {
		data[fmt.Sprint(args[i])] = args[i+1]
	}
	lc := &i18n.LocalizeConfig{MessageID: id, TemplateData: data, TemplateParser: strictParser}
	if n, ok := data["Count"]; ok {
		lc.PluralCount = n
	}
	s, err := p.loc.Localize(lc)
	var nf *i18n.MessageNotFoundErr
	if errors.As(err, &nf) {
		return s, fmt.Errorf("%w: %s in %s", ErrMissing, id, p.tag)
	}
	if err != nil {
		return "", fmt.Errorf("i18n: %s in %s: %w", id, p.tag, err)
	}
	return s, nil
}

// Has reports whether the language itself defines id (no fallback).
func (c *Catalog) Has(tag language.Tag, id string) bool {
	_, ok := slices.BinarySearch(c.keys[tag], id)
	return ok
}
