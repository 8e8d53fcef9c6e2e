package i18n

import (
	"strings"
	"testing"

	"golang.org/x/text/language"
)

func newCatalog(t *testing.T) *Catalog {
	t.Helper()
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestEveryLanguageHasEnglishKeys: a language ships complete or not at
// all; a key only a translation has is a typo or a leftover.
func TestEveryLanguageHasEnglishKeys(t *testing.T) {
	c := newCatalog(t)
	if len(c.Languages()) < 2 {
		t.Fatalf("languages = %v; English and at least one more ship", c.Languages())
	}
	en := c.Keys(language.English)
	for _, tag := range c.Languages()[1:] {
		got := c.Keys(tag)
		for _, k := range en {
			if !c.Has(tag, k) {
				t.Errorf("%s lacks %s", tag, k)
			}
		}
		for _, k := range got {
			if !c.Has(language.English, k) {
				t.Errorf("%s has %s, which English does not", tag, k)
			}
		}
	}
}

// TestTranslationsUseTheSameValues: a translation names exactly the values
// its English message names, so no value is dropped or invented.
func TestTranslationsUseTheSameValues(t *testing.T) {
	c := newCatalog(t)
	en := c.Printer(language.English)
	for _, tag := range c.Languages()[1:] {
		p := c.Printer(tag)
		for _, id := range c.Keys(language.English) {
			args := []any{"Count", 2}
			// Fill every value a message may name with a marker.
			for _, name := range []string{"Product", "Client", "User", "Upstream", "API", "Scope", "Host", "Status", "Message", "In", "ACR", "Code", "ClientID", "Valid", "Email",
				"Name", "Username", "Link", "until", "user_code", "ago", "length", "alphabet", "got", "limit", "retry_after", "username", "lifetime",
				"Since", "Started", "Used", "error", "window", "field", "reason", "factor", "max", "client_id", "upstream", "directory", "min"} {
				args = append(args, name, "«"+name+"»")
			}
			want, err := en.Text(id, args...)
			if err != nil {
				t.Fatalf("en %s: %v", id, err)
			}
			got, err := p.Text(id, args...)
			if err != nil {
				t.Errorf("%s %s: %v", tag, id, err)
				continue
			}
			if markers(want) != markers(got) {
				t.Errorf("%s %s names %q, English %q", tag, id, markers(got), markers(want))
			}
		}
	}
}

func markers(s string) string {
	var out []string
	for _, part := range strings.Split(s, "«")[1:] {
		out = append(out, part[:strings.Index(part, "»")])
	}
	// Word order differs between languages; the set is what matters.
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return strings.Join(out, ",")
}

func TestMatch(t *testing.T) {
	c := newCatalog(t)
	for _, tc := range []struct {
		name, uiLocales, accept, want string
	}{
		{"nothing asked", "", "", "en"},
		{"ui_locales wins over the browser", "de", "en-US,en;q=0.9", "de"},
		{"first served ui_locales", "fr-CA de-AT en", "", "de"},
		{"regional German", "de-CH", "", "de"},
		{"unserved ui_locales falls to Accept-Language", "ja", "de-DE,de;q=0.9", "de"},
		{"Accept-Language order", "", "fr;q=0.9,de;q=0.8,en;q=0.5", "de"},
		{"Accept-Language prefers English", "", "en-GB,de;q=0.5", "en"},
		{"nothing served", "ja", "zh-CN", "en"},
		{"malformed input", "!!! <x>", "%%%,;;", "en"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := c.Match(tc.uiLocales, tc.accept).String(); got != tc.want {
				t.Errorf("Match(%q, %q) = %s, want %s", tc.uiLocales, tc.accept, got, tc.want)
			}
		})
	}
}

func TestText(t *testing.T) {
	c := newCatalog(t)
	de := c.Printer(language.German)
	for _, tc := range []struct {
		id   string
		args []any
		want string
	}{
		{"duration.minutes", []any{"Count", 1}, "1 Minute"},
		{"duration.minutes", []any{"Count", 30}, "30 Minuten"},
		{"title.signin_client", []any{"Client", "Notizen"}, "Bei Notizen anmelden"},
	} {
		got, err := de.Text(tc.id, tc.args...)
		if err != nil || got != tc.want {
			t.Errorf("%s %v = %q, %v; want %q", tc.id, tc.args, got, err, tc.want)
		}
	}
	if _, err := de.Text("title.signin_client"); err == nil {
		t.Error("a message whose value is not given must fail, not print <no value>")
	}
	if _, err := de.Text("no.such.key"); err == nil {
		t.Error("an unknown key must fail")
	}
}
