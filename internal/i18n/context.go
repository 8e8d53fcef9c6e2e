package i18n

import (
	"context"
	"regexp"
	"strconv"
)

type prefKey struct{}

// Preference is what a request says about the person's languages.
type Preference struct {
	UILocales      string // ui_locales, space-separated
	AcceptLanguage string // the Accept-Language header
}

// WithPreference records the request's language preference in ctx, so
// that what the request queues (an e-mail) speaks the person's language.
func WithPreference(ctx context.Context, p Preference) context.Context {
	return context.WithValue(ctx, prefKey{}, p)
}

// PreferenceFrom is the preference WithPreference recorded (zero if none).
func PreferenceFrom(ctx context.Context) Preference {
	p, _ := ctx.Value(prefKey{}).(Preference)
	return p
}

// MatchContext is the language for ctx's preference.
func (c *Catalog) MatchContext(ctx context.Context) *Printer {
	p := PreferenceFrom(ctx)
	return c.Printer(c.Match(p.UILocales, p.AcceptLanguage))
}

var durationWords = regexp.MustCompile(`^(\d+) (minute|hour|day)s?$`)

// Duration says a duration written in English words ("30 minutes", as
// mail.Duration writes it) in the printer's language; other text comes
// back as it is.
func (p *Printer) Duration(s string) string {
	m := durationWords.FindStringSubmatch(s)
	if m == nil {
		return s
	}
	n, _ := strconv.Atoi(m[1])
	out, err := p.Text("duration."+m[2]+"s", "Count", n)
	if err != nil {
		return s
	}
	return out
}
