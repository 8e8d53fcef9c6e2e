package catalog

import (
	"regexp"
	"strings"
)

var aadstsCode = regexp.MustCompile(`AADSTS(\d{4,8})`)

// EntraCode finds the AADSTS code in an error_description that Microsoft
// Entra ID sent back to Lucid as an upstream, and its row of `lucid
// explain`'s table: what it means, in Lucid's words, for the operator.
func EntraCode(description string) (code string, a Alias, ok bool) {
	m := aadstsCode.FindStringSubmatch(description)
	if m == nil {
		return "", Alias{}, false
	}
	code = "AADSTS" + m[1]
	for _, a := range entraAliases {
		if strings.EqualFold(a.Code, code) {
			return code, a, true
		}
	}
	return code, Alias{}, false
}

// Summary is the alias in one line: its meaning, the Lucid entries it
// corresponds to, or why none does.
func (a Alias) Summary() string {
	var parts []string
	if a.Also != "" {
		parts = append(parts, a.Also)
	}
	if a.Meaning != "" {
		parts = append(parts, a.Meaning)
	}
	if len(a.Names) > 0 {
		names := make([]string, len(a.Names))
		for i, n := range a.Names {
			names[i] = string(n)
		}
		parts = append(parts, "like Lucid's "+strings.Join(names, ", "))
	}
	if a.NotApplicable != "" {
		parts = append(parts, a.NotApplicable)
	}
	return strings.Join(parts, "; ")
}
