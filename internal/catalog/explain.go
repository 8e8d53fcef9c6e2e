package catalog

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// maxPaste bounds the text Explain reads; a pasted response is far shorter.
const maxPaste = 64 << 10

// Explanation is what Explain makes of a pasted text.
type Explanation struct {
	// Code is the code or phrase the answer is about.
	Code string
	// Entry is the catalog entry the text names: a Lucid name, or a
	// Lucid response's error_code, error_description or error_uri.
	Entry *Entry
	// Aliases are the matching codes of specifications and other
	// providers, the most specific reading of the text first.
	Aliases []Alias
	// Entries report the same failure. With Entry, they are its siblings:
	// the other entries with the same RFC error, listed when the entry's
	// name is itself that error code (login_required, server_error...).
	Entries []*Entry
	// TraceID is a trace id read from a pasted response.
	TraceID string
	// Unknown lists codes of a known shape (AADSTS numbers) that no table
	// of Lucid's knows; the answer then rests on the rest of the text.
	Unknown []string
}

// Empty reports whether nothing in the text was recognised.
func (x Explanation) Empty() bool {
	return x.Entry == nil && len(x.Aliases) == 0 && len(x.Entries) == 0
}

// Explain answers `lucid explain`, the /errors search and the 404 page's
// related entries: the aliases that match text, and the entries they lead
// to (the entry text names first). See ExplainText.
func Explain(text string) (aliases []Alias, entries []*Entry) {
	x := ExplainText(text)
	if x.Entry != nil {
		entries = append(entries, x.Entry)
	}
	return x.Aliases, append(entries, x.Entries...)
}

// ExplainText reads what a person pastes: a catalog name, a bare code (an
// RFC error, an AADSTS code or number, another provider's condition name),
// an "error: description" line, a whole JSON error body, a redirect URL or
// query string with error=, or a WWW-Authenticate header. It tries the
// most specific reading first: a Lucid entry named by the text, then the
// other providers' codes in it, then their known phrases in the
// description, then the RFC error code. Matching ignores case.
func ExplainText(text string) Explanation {
	t := strings.TrimSpace(text)
	if len(t) > maxPaste {
		t = t[:maxPaste]
	}
	t = strings.TrimSpace(strings.Trim(t, "\"'`"))
	if t == "" {
		return Explanation{}
	}
	p := readPaste(t)
	x := Explanation{TraceID: p.fields["trace_id"]}

	// 1. A Lucid entry, named outright or by a Lucid response.
	for _, c := range p.names() {
		if e, ok := index[Name(strings.ToLower(c))]; ok {
			x.Code, x.Entry = string(e.Name), e
			if e.Error != "" && strings.EqualFold(e.Error, string(e.Name)) {
				x.Aliases = matchAliases(e.Error)
				for _, s := range entriesWithError(e.Error) {
					if s != e {
						x.Entries = append(x.Entries, s)
					}
				}
			}
			return x
		}
	}

	// 2. Codes of other providers and specifications: the whole text, the
	// codes a response carries, AADSTS codes anywhere in it.
	for _, c := range p.codes() {
		if as := matchAliases(c); len(as) > 0 {
			x.Code, x.Aliases = c, append(x.Aliases, as...)
		} else if aadsts.MatchString(c) {
			x.Unknown = appendNew(x.Unknown, strings.ToUpper(c))
		}
	}
	if len(x.Aliases) > 0 {
		return x.withEntries()
	}

	// 3. A known phrase in the description (Keycloak says what failed only
	// there, with a misleading error code).
	if as := matchPhrases(p.description()); len(as) > 0 {
		x.Code, x.Aliases = as[0].Code, as
		return x.withEntries()
	}

	// 4. The RFC error code alone.
	if c := p.error(); c != "" {
		if as := matchAliases(c); len(as) > 0 {
			x.Code, x.Aliases = c, as
			return x.withEntries()
		}
		if es := entriesWithError(c); len(es) > 0 {
			x.Code, x.Entries = c, es
		}
	}
	return x
}

// withEntries fills Entries from the aliases, in their order.
func (x Explanation) withEntries() Explanation {
	seen := map[Name]bool{}
	for _, a := range x.Aliases {
		for _, e := range aliasEntries(a) {
			if !seen[e.Name] {
				seen[e.Name] = true
				x.Entries = append(x.Entries, e)
			}
		}
	}
	return x
}

var (
	aadsts   = regexp.MustCompile(`(?i)^AADSTS[0-9]+$`)
	aadstsIn = regexp.MustCompile(`(?i)\bAADSTS[0-9]+`)
	oktaIn   = regexp.MustCompile(`\bE0[0-9]{6}\b`)
)

// matchAliases returns the aliases whose code or other spelling is c.
func matchAliases(c string) []Alias {
	c = strings.TrimSpace(c)
	if c == "" {
		return nil
	}
	if strings.Trim(c, "0123456789") == "" {
		c = "AADSTS" + c // Entra's error_codes and its error page give the bare number
	}
	var out []Alias
	for _, i := range aliasByCode[strings.ToLower(c)] {
		a := aliasTable[i]
		a.Names = append([]Name(nil), a.Names...)
		out = append(out, a)
	}
	return out
}

// matchPhrases returns the phrase aliases (codes with a space, such as
// Keycloak's descriptions) that desc contains, the longest first.
func matchPhrases(desc string) []Alias {
	d := strings.ToLower(desc)
	if d == "" {
		return nil
	}
	var out []Alias
	longest := 0
	for _, a := range aliasTable {
		if !strings.Contains(a.Code, " ") || !strings.Contains(d, strings.ToLower(a.Code)) {
			continue
		}
		switch {
		case len(a.Code) > longest:
			longest, out = len(a.Code), []Alias{a}
		case len(a.Code) == longest:
			out = append(out, a)
		}
	}
	for i := range out {
		out[i].Names = append([]Name(nil), out[i].Names...)
	}
	return out
}

func entriesWithError(code string) []*Entry {
	return slices.Clone(byError[strings.ToLower(code)])
}

func appendNew(list []string, s string) []string {
	for _, v := range list {
		if v == s {
			return list
		}
	}
	return append(list, s)
}

// paste is a pasted text and the error fields read from it.
type paste struct {
	text       string
	structured bool              // a JSON body, a query string or a challenge was found
	fields     map[string]string // error, error_description, error_code, error_uri, trace_id
	extra      []string          // provider codes the response carries
}

func readPaste(t string) paste {
	p := paste{text: t, fields: map[string]string{}}
	p.readJSON()
	p.readChallenge()
	p.readQuery()
	p.readJARM()
	return p
}

// set keeps the first value found for a field.
func (p *paste) set(k, v string) {
	v = strings.TrimSpace(v)
	if v != "" && p.fields[k] == "" {
		p.fields[k] = v
		p.structured = true
	}
}

// readJSON reads a JSON object starting at the first brace: an RFC 6749
// error body (Lucid's adds error_code and trace_id), Entra's (error_codes),
// Okta's API errors (errorCode, errorSummary) or an entry of Okta's list
// (internalErrorCode).
func (p *paste) readJSON() {
	i := strings.IndexByte(p.text, '{')
	if i < 0 {
		return
	}
	var m map[string]any
	if err := json.NewDecoder(strings.NewReader(p.text[i:])).Decode(&m); err != nil {
		return
	}
	str := func(k string) string {
		if s, ok := m[k].(string); ok {
			return s
		}
		return ""
	}
	if e, ok := m["error"].(map[string]any); ok { // {"error": {"code": ..., "message": ...}}
		if c, ok := e["code"].(string); ok {
			p.extra = append(p.extra, c)
		}
		if d, ok := e["message"].(string); ok {
			p.set("error_description", d)
		}
	}
	p.set("error", str("error"))
	p.set("error_description", str("error_description"))
	p.set("error_code", str("error_code"))
	p.set("error_uri", str("error_uri"))
	p.set("trace_id", str("trace_id"))
	p.set("error_description", str("errorSummary"))
	for _, k := range []string{"errorCode", "internalErrorCode"} {
		if c := str(k); c != "" {
			p.extra = append(p.extra, c)
			p.structured = true
		}
	}
	if codes, ok := m["error_codes"].([]any); ok {
		for _, c := range codes {
			if n, ok := c.(float64); ok && n > 0 && n == float64(int64(n)) {
				p.extra = append(p.extra, fmt.Sprintf("AADSTS%d", int64(n)))
				p.structured = true
			}
		}
	}
}

// readChallenge reads a WWW-Authenticate header (RFC 6750 §3): a line
// "WWW-Authenticate: Bearer error=...", or the challenge alone.
func (p *paste) readChallenge() {
	for _, line := range strings.Split(p.text, "\n") {
		line = strings.TrimSpace(line)
		if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(strings.TrimSpace(k), "WWW-Authenticate") {
			p.readParams(v)
			continue
		}
		if line == p.text || strings.HasPrefix(p.text, line) {
			scheme, _, _ := strings.Cut(line, " ")
			switch strings.ToLower(scheme) {
			case "bearer", "dpop", "basic":
				p.readParams(line)
			}
		}
	}
}

// readParams reads the auth-params of one challenge: after the scheme,
// key=token or key="quoted string" pairs separated by commas.
func (p *paste) readParams(s string) {
	s = strings.TrimSpace(s)
	if _, rest, ok := strings.Cut(s, " "); ok && !strings.Contains(s[:len(s)-len(rest)], "=") {
		s = rest // skip the scheme
	}
	for s != "" {
		s = strings.TrimLeft(s, " \t,")
		k, rest, ok := strings.Cut(s, "=")
		if !ok {
			return
		}
		k = strings.ToLower(strings.TrimSpace(k))
		rest = strings.TrimLeft(rest, " \t")
		var v string
		if strings.HasPrefix(rest, `"`) {
			var b strings.Builder
			i := 1
			for ; i < len(rest) && rest[i] != '"'; i++ {
				if rest[i] == '\\' && i+1 < len(rest) {
					i++
				}
				b.WriteByte(rest[i])
			}
			v, s = b.String(), rest[min(i+1, len(rest)):]
		} else {
			v, s, _ = strings.Cut(rest, ",")
		}
		switch k {
		case "error", "error_description", "error_uri", "error_code", "trace_id":
			p.set(k, v)
		}
	}
}

// readQuery reads error= from a redirect URL, its fragment, or a bare
// query string.
func (p *paste) readQuery() {
	if p.fields["error"] != "" {
		return
	}
	for _, word := range strings.Fields(p.text) {
		i := strings.Index(strings.ToLower(word), "error=")
		if i < 0 || i > 0 && !strings.ContainsRune("?&#;", rune(word[i-1])) {
			continue
		}
		q := word
		if j := strings.LastIndexAny(word[:i], "?#"); j >= 0 {
			q = word[j+1:]
		}
		q = strings.ReplaceAll(q, "#", "&")
		v, _ := url.ParseQuery(q) // a bad escape loses only that pair
		for _, k := range []string{"error", "error_description", "error_uri", "error_code", "trace_id"} {
			p.set(k, v.Get(k))
		}
		return
	}
}

// names are the readings of the paste that may be a Lucid entry name.
func (p paste) names() []string {
	var out []string
	if c := p.fields["error_code"]; c != "" {
		out = append(out, c)
	}
	if d := p.fields["error_description"]; d != "" {
		if head, _, ok := strings.Cut(d, ":"); ok {
			out = append(out, strings.TrimSpace(head))
		}
	}
	if u := p.fields["error_uri"]; u != "" {
		if _, name, ok := strings.Cut(u, "/errors/"); ok {
			out = append(out, name)
		}
	}
	if !p.structured {
		out = append(out, p.text)
		if head, _, ok := strings.Cut(p.text, ":"); ok {
			out = append(out, strings.TrimSpace(head))
		}
	}
	return out
}

// codes are the readings that may be another provider's code.
func (p paste) codes() []string {
	var out []string
	if !p.structured {
		out = append(out, p.text)
	}
	out = append(out, p.extra...)
	for _, c := range aadstsIn.FindAllString(p.text, -1) {
		out = append(out, c)
	}
	out = append(out, oktaIn.FindAllString(p.text, -1)...)
	if !p.structured {
		// "IdsLocked: The account is locked", "AADSTS50011 - The redirect URI..."
		for _, sep := range []string{":", " - "} {
			if head, _, ok := strings.Cut(p.text, sep); ok && !isRFCCode(strings.TrimSpace(head)) {
				out = append(out, strings.TrimSpace(head))
			}
		}
	}
	seen := map[string]bool{}
	uniq := out[:0]
	for _, c := range out {
		if k := strings.ToLower(c); c != "" && !seen[k] {
			seen[k] = true
			uniq = append(uniq, c)
		}
	}
	return uniq
}

// isRFCCode reports whether c is an error code of a specification: read as
// the error, after any more specific reading of the rest of the text.
func isRFCCode(c string) bool {
	for _, a := range specAliases {
		if strings.EqualFold(a.Code, c) {
			return true
		}
	}
	return false
}

// description is the text that may hold another provider's phrase.
func (p paste) description() string {
	if d := p.fields["error_description"]; d != "" {
		return d
	}
	if p.structured {
		return ""
	}
	return p.text
}

// error is the RFC error code the paste carries.
func (p paste) error() string {
	if e := p.fields["error"]; e != "" {
		return e
	}
	if p.structured {
		return ""
	}
	if head, _, ok := strings.Cut(p.text, ":"); ok {
		return strings.TrimSpace(head)
	}
	return ""
}
