package config

import (
	"reflect"
	"slices"
	"strings"
)

// testVariables are LUCID_ variables the test suite reads (pgtest, the
// browser tests): not settings, but not mistakes either. Any other
// LUCID_TEST_ variable is left to tests as well.
var testVariables = []string{"LUCID_TEST_POSTGRES", "LUCID_REQUIRE_POSTGRES", "LUCID_SCREENSHOTS"}

const testPrefix = "LUCID_TEST_"

// UnknownVar is a LUCID_ variable of the environment that names no
// setting, with the setting it was probably meant to be ("" if none is
// close).
type UnknownVar struct {
	Name       string
	Suggestion string
}

// EnvNames returns the LUCID_ variable of every setting ApplyEnv reads.
func EnvNames() []string {
	var names []string
	c := Default()
	walkSettings(reflect.ValueOf(&c).Elem(), "", func(key string, _ reflect.Value) {
		names = append(names, envPrefix+strings.ToUpper(strings.ReplaceAll(key, ".", "_")))
	})
	return names
}

// UnknownEnv finds the LUCID_ variables of environ (KEY=VALUE entries, as
// os.Environ returns them) that ApplyEnv ignores because they name no
// setting, a misspelling being the usual reason, so they can be reported
// instead of silently ignored. Prefix case is ignored: lucid_addr is
// reported too. The result is sorted by name.
func UnknownEnv(environ []string) []UnknownVar {
	known := EnvNames()
	var out []UnknownVar
	seen := map[string]bool{}
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		upper := strings.ToUpper(name)
		if !strings.HasPrefix(upper, envPrefix) || seen[name] || slices.Contains(known, name) ||
			slices.Contains(testVariables, name) || strings.HasPrefix(name, testPrefix) {
			continue
		}
		seen[name] = true
		out = append(out, UnknownVar{Name: name, Suggestion: suggest(upper, known)})
	}
	slices.SortFunc(out, func(a, b UnknownVar) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// suggest picks the known name name was most likely meant to be: the
// same name in upper case, the closest within a small edit distance, or
// the only known name that extends it by whole words (LUCID_TLS_CERT for
// LUCID_TLS_CERT_FILE, LUCID_CODE for LUCID_LIFETIMES_CODE) or that it
// extends (LUCID_ADDRESS for LUCID_ADDR).
func suggest(name string, known []string) string {
	if slices.Contains(known, name) {
		return name
	}
	bare := strings.TrimPrefix(name, envPrefix)
	best, bestD := "", 0
	for _, k := range known {
		d := distance(bare, strings.TrimPrefix(k, envPrefix))
		if d <= max(2, len(bare)/5) && (best == "" || d < bestD) {
			best, bestD = k, d
		}
	}
	if best != "" {
		return best
	}
	var words []string
	for _, k := range known {
		kb := strings.TrimPrefix(k, envPrefix)
		if strings.HasPrefix(kb, bare+"_") || strings.HasSuffix(kb, "_"+bare) || len(kb) >= 4 && strings.HasPrefix(bare, kb) {
			words = append(words, k)
		}
	}
	if len(words) == 1 {
		return words[0]
	}
	return ""
}

// distance is the Levenshtein distance of a and b (ASCII names).
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
