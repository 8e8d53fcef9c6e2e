package upstream

import (
	"encoding/json"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/config"
)

// lookup follows a dotted path ("organization.login") through nested
// JSON objects; a key may itself contain no dot.
func lookup(v any, p string) (any, bool) {
	if p == "" {
		return nil, false
	}
	for _, k := range strings.Split(p, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[k]; !ok {
			return nil, false
		}
	}
	return v, true
}

// scalar renders a JSON scalar as text: numbers as written (GitHub's
// numeric ids), booleans as true/false.
func scalar(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	return ""
}

func lookupString(claims map[string]any, p string) string {
	v, _ := lookup(claims, p)
	return strings.TrimSpace(scalar(v))
}

func lookupBool(claims map[string]any, p string) bool {
	v, _ := lookup(claims, p)
	switch x := v.(type) {
	case bool:
		return x
	case string:
		// Some providers (older Cognito, some OAuth APIs) send "true".
		return x == "true"
	}
	return false
}

// lookupStrings reads a list of names, or one name.
func lookupStrings(claims map[string]any, p string) []string {
	v, ok := lookup(claims, p)
	if !ok {
		return nil
	}
	var out []string
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			add(scalar(e))
		}
	default:
		add(scalar(x))
	}
	return out
}

var placeholder = regexp.MustCompile(`\{([A-Za-z0-9_.]+)\}`)

// format fills "{organization.login}/{slug}" from one element of a groups
// answer; "" when a placeholder has no value.
func format(item any, f string) string {
	if f == "" {
		return scalar(item)
	}
	missing := false
	out := placeholder.ReplaceAllStringFunc(f, func(m string) string {
		v, _ := lookup(item, m[1:len(m)-1])
		s := scalar(v)
		if s == "" {
			missing = true
		}
		return s
	})
	if missing {
		return ""
	}
	return out
}

func (c *Connector) mapGroups(groups []string) []string { return MapGroups(c.cfg.GroupMapping, groups) }

// MapGroups turns upstream (or directory) group names into Lucid's by m:
// without a mapping every group passes unchanged; with one only mapped
// groups pass, and "*" lets every unlisted group through as it is.
func MapGroups(m map[string]string, groups []string) []string {
	if len(m) == 0 {
		return slices.Clone(groups)
	}
	var out []string
	for _, g := range groups {
		to, ok := m[g]
		if !ok {
			if _, all := m["*"]; !all {
				continue
			}
			to = g
		}
		if to != "" && !slices.Contains(out, to) {
			out = append(out, to)
		}
	}
	return out
}

// Check applies the upstream's rules to an identity: required claims
// (hd, tid), e-mail domains (only for a verified address) and required
// groups. They apply at every sign-in, not only the first, so that
// someone who left the organisation stops signing in.
func (c *Connector) Check(id *Identity) *catalog.Error {
	return CheckRules(c.cfg.ID, c.cfg.Name, c.cfg.Rules, id)
}

// CheckRules applies rules r to an identity of the source (an upstream
// or a directory) with this id and name; Connector.Check says how.
func CheckRules(sourceID, sourceName string, r config.UpstreamRules, id *Identity) *catalog.Error {
	keys := make([]string, 0, len(r.RequiredClaims))
	for k := range r.RequiredClaims {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		want := r.RequiredClaims[k]
		if got := lookupString(id.Claims, k); got != want {
			shown := got
			if shown == "" {
				shown = "none"
			}
			return catalog.New(catalog.UpstreamClaimRequired, "upstream", sourceName, "claim", k, "want", want, "got", shown).
				Internal("upstream_id", sourceID, "subject", id.Subject)
		}
	}
	if len(r.EmailDomains) > 0 {
		if id.Email == "" || !id.EmailVerified {
			return catalog.New(catalog.UpstreamEmailUnverified, "upstream", sourceName).
				Internal("upstream_id", sourceID, "subject", id.Subject, "email_present", id.Email != "")
		}
		_, domain, _ := strings.Cut(strings.ToLower(id.Email), "@")
		if !slices.ContainsFunc(r.EmailDomains, func(d string) bool { return strings.EqualFold(d, domain) }) {
			return catalog.New(catalog.UpstreamEmailDomain, "upstream", sourceName, "allowed", strings.Join(r.EmailDomains, ", "), "domain", domain).
				Internal("upstream_id", sourceID, "subject", id.Subject)
		}
	}
	if len(r.RequiredGroups) > 0 {
		ok := false
		for _, want := range r.RequiredGroups {
			for _, g := range id.Groups {
				if m, _ := path.Match(want, g); m || want == g {
					ok = true
				}
			}
		}
		if !ok {
			return catalog.New(catalog.UpstreamGroupRequired, "upstream", sourceName, "required", strings.Join(r.RequiredGroups, ", ")).
				Internal("upstream_id", sourceID, "subject", id.Subject, "groups", strings.Join(id.Groups, ","))
		}
	}
	return nil
}
