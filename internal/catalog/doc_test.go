package catalog

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode"
)

var update = flag.Bool("update", false, "rewrite docs/errors.md from the catalog")

const errorsDoc = "../../docs/errors.md"

func TestErrorsDocIsCurrent(t *testing.T) {
	want := Markdown()
	if *update {
		if err := os.MkdirAll(filepath.Dir(errorsDoc), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(errorsDoc, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(errorsDoc)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("docs/errors.md is stale: run `go test ./internal/catalog -run TestErrorsDocIsCurrent -update`")
	}
}

// TestEveryEntryExplainsItself holds the prose to the shape the docs,
// the error pages and `lucid explain` rely on.
func TestEveryEntryExplainsItself(t *testing.T) {
	lists := []struct {
		field    string
		get      func(*Entry) []string
		min, max int
	}{
		{"Causes", func(e *Entry) []string { return e.Causes }, 1, 4},
		{"ClientFix", func(e *Entry) []string { return e.ClientFix }, 1, 3},
		{"OperatorFix", func(e *Entry) []string { return e.OperatorFix }, 0, 3},
	}
	for _, e := range All() {
		t.Run(string(e.Name), func(t *testing.T) {
			for _, l := range lists {
				items := l.get(e)
				if len(items) < l.min || len(items) > l.max {
					t.Errorf("%s has %d items, want %d to %d", l.field, len(items), l.min, l.max)
				}
				for _, s := range items {
					if !sentence(s) {
						t.Errorf("%s item %q is not a sentence: it must start with a capital letter, a digit or a code span and end with a full stop", l.field, s)
					}
					if placeholder.MatchString(s) {
						t.Errorf("%s item %q has a {placeholder}; only descriptions are filled per request", l.field, s)
					}
					if strings.Count(s, "`")%2 != 0 {
						t.Errorf("%s item %q has an unbalanced code span", l.field, s)
					}
					// Causes and client fixes also appear on error pages read by
					// end users; commands and settings belong to OperatorFix.
					if l.field != "OperatorFix" && strings.Contains(s, "`") {
						t.Errorf("%s item %q has a code span; keep commands and settings in OperatorFix", l.field, s)
					}
				}
			}
		})
	}
}

func sentence(s string) bool {
	if s == "" || !strings.HasSuffix(s, ".") {
		return false
	}
	r := []rune(s)[0]
	return unicode.IsUpper(r) || unicode.IsDigit(r) || r == '`' || unicode.IsLower(r) && strings.ContainsRune(strings.Fields(s)[0], '_')
}

func TestJSONRoundTrips(t *testing.T) {
	b, err := JSON()
	if err != nil {
		t.Fatal(err)
	}
	var decoded []Entry
	if err := json.Unmarshal(b, &decoded); err != nil {
		t.Fatal(err)
	}
	all := All()
	if len(decoded) != len(all) {
		t.Fatalf("decoded %d entries, want %d", len(decoded), len(all))
	}
	for i, e := range all {
		if !reflect.DeepEqual(decoded[i], *e) {
			t.Errorf("entry %s changed in the round trip:\n got %+v\nwant %+v", e.Name, decoded[i], *e)
		}
	}

	// The field names are a published contract.
	var raw []map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	want := []string{"causes", "client_fix", "description", "endpoints", "error", "name", "operator_fix", "page", "spec", "spec_url", "status", "title"}
	for _, m := range raw {
		var keys []string
		for k, v := range m {
			keys = append(keys, k)
			if string(v) == "null" {
				t.Errorf("%s: %s is null; empty lists must be []", m["name"], k)
			}
		}
		slices.Sort(keys)
		if !slices.Equal(keys, want) {
			t.Fatalf("%s has fields %v, want %v", m["name"], keys, want)
		}
	}
	if !bytes.Contains(b, []byte("<token>")) {
		t.Error("JSON escaped < and >; descriptions must read as written")
	}
}

func TestByEndpoint(t *testing.T) {
	by := ByEndpoint()
	for _, e := range All() {
		for _, ep := range e.Endpoints {
			if !slices.Contains(by[ep], e) {
				t.Errorf("%s is not listed under its endpoint %s", e.Name, ep)
			}
		}
	}
	known := Endpoints()
	for ep, list := range by {
		if !slices.Contains(known, ep) {
			t.Errorf("endpoint %q has no heading in endpointDocs", ep)
		}
		for _, e := range list {
			if !slices.Contains(e.Endpoints, ep) {
				t.Errorf("%s is listed under %s, which it does not name", e.Name, ep)
			}
		}
	}
	// Catalog order keeps related failures together.
	token := by[Token]
	if i, j := slices.Index(token, index[CodeExpired]), slices.Index(token, index[CodeReused]); i < 0 || j != i+1 {
		t.Errorf("token entries are not in catalog order: code_expired at %d, code_reused at %d", i, j)
	}
}

func TestMarkdown(t *testing.T) {
	md := string(Markdown())
	for _, e := range All() {
		if strings.Count(md, "\n### "+string(e.Name)+"\n") != 1 {
			t.Errorf("%s does not have exactly one heading (its anchor)", e.Name)
		}
		for _, ep := range e.Endpoints {
			section := md[strings.Index(md, "\n## "+ep.Title()+"\n"):]
			section = section[:strings.Index(section[1:], "\n## ")+1]
			if !strings.Contains(section, "| ["+string(e.Name)+"](#"+string(e.Name)+") |") {
				t.Errorf("%s is missing from the %s table", e.Name, ep)
			}
		}
		for _, s := range slices.Concat(e.Causes, e.ClientFix, e.OperatorFix) {
			if !strings.Contains(md, "- "+text(s)+"\n") {
				t.Errorf("%s: %q is missing", e.Name, s)
			}
		}
	}
	for _, a := range Aliases() {
		if !strings.Contains(md, "| "+code(a.Code)+" | "+a.Source+" |") {
			t.Errorf("alias %s (%s) is missing", a.Code, a.Source)
		}
	}
	for _, want := range []string{
		"## Disclosure rule",
		`"error": "invalid_grant"`,
		`"error_description": "authorization_code_reused: The authorization code was already redeemed at`,
		`"error_uri": "https://id.example.com/errors/authorization_code_reused"`,
		`"error_code": "authorization_code_reused"`,
		`"trace_id": "` + exampleTrace + `"`,
		`"timestamp": "2026-01-02T10:02:15Z"`,
		"error_code=scope_not_allowed",
		`WWW-Authenticate: Bearer realm="https://id.example.com", error="invalid_token"`,
	} {
		if !strings.Contains(md, want) {
			t.Errorf("docs lack %s", want)
		}
	}
}

func TestSlug(t *testing.T) {
	cases := map[string]string{
		"Token endpoint":       "token-endpoint",
		"Logout (end session)": "logout-end-session",
		"Codes from other providers and specifications": "codes-from-other-providers-and-specifications",
	}
	for in, want := range cases {
		if got := slug(in); got != want {
			t.Errorf("slug(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestText(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Send Authorization Bearer <token>.", "Send Authorization Bearer &lt;token&gt;."},
		{"Run `a <b>` now.", "Run `a <b>` now."},
	}
	for _, tc := range cases {
		if got := text(tc.in); got != tc.want {
			t.Errorf("text(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
