package errorpages

import (
	"reflect"
	"strings"
	"testing"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/ui"
)

func TestErrorPagesSplit(t *testing.T) {
	txt := func(s string) ui.TemplatePart { return ui.TemplatePart{Text: s} }
	ph := func(s string) ui.TemplatePart { return ui.TemplatePart{Text: s, Placeholder: true} }
	tests := []struct {
		in   string
		want []ui.TemplatePart
	}{
		{"", nil},
		{"No braces.", []ui.TemplatePart{txt("No braces.")}},
		{"The {parameter} parameter", []ui.TemplatePart{txt("The "), ph("parameter"), txt(" parameter")}},
		{"{a}{b_2}", []ui.TemplatePart{ph("a"), ph("b_2")}},
		{"Send {not a key} as is", []ui.TemplatePart{txt("Send {not a key} as is")}},
		{"JSON {} and {Key}", []ui.TemplatePart{txt("JSON {} and {Key}")}},
		{"open {brace", []ui.TemplatePart{txt("open {brace")}},
		{"}{x} then {{y}}", []ui.TemplatePart{txt("}"), ph("x"), txt(" then {"), ph("y"), txt("}")}},
	}
	for _, tt := range tests {
		if got := Split(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Split(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

// Every description survives the split: joined again, the parts are the
// template, so the page shows all of it.
func TestErrorPagesSplitKeepsEveryDescription(t *testing.T) {
	for _, e := range catalog.All() {
		var b strings.Builder
		for _, p := range Split(e.Description) {
			if p.Placeholder {
				b.WriteString("{" + p.Text + "}")
			} else {
				b.WriteString(p.Text)
			}
		}
		if b.String() != e.Description {
			t.Errorf("%s: rejoined %q, want %q", e.Name, b.String(), e.Description)
		}
	}
}

func TestErrorPagesMatches(t *testing.T) {
	text := searchText("authorization_code_expired", "invalid_grant", "400", "Authorization code expired", "AADSTS70008")
	tests := []struct {
		q    string
		want bool
	}{
		{"", true},
		{"   ", true},
		{"expired", true},
		{"EXPIRED", true},
		{"code expired", true},
		{"expired   code", true},
		{"aadsts70008", true},
		{"code_expired", true},
		{"expired refresh", false},
		{"401", false},
	}
	for _, tt := range tests {
		if got := matches(text, terms(tt.q)); got != tt.want {
			t.Errorf("matches(%q) = %v, want %v", tt.q, got, tt.want)
		}
	}
}
