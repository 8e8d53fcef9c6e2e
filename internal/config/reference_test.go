package config

import (
	"bytes"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite docs/CONFIGURATION.md from the Config struct")

const referencePath = "../../docs/CONFIGURATION.md"

// TestConfigurationDocIsCurrent: docs/CONFIGURATION.md is generated from
// the Config struct (its yaml tags, the doc comments of its fields and
// types in this package's source, Default() and the LUCID_ naming that
// ApplyEnv uses), so the struct stays the one source of truth. It fails
// when the document is stale or a setting has no doc comment.
func TestConfigurationDocIsCurrent(t *testing.T) {
	got, missing, err := reference(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range missing {
		t.Errorf("setting %s has no doc comment: say what it does above its field in internal/config", key)
	}
	if *update {
		if err := os.WriteFile(referencePath, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(referencePath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("docs/CONFIGURATION.md is stale: run `go test ./internal/config -run TestConfigurationDocIsCurrent -update`")
	}
}

// TestReferenceCoversEveryEnvName: every variable ApplyEnv reads is in the
// reference, so the reference and the environment cannot drift apart.
func TestReferenceCoversEveryEnvName(t *testing.T) {
	doc, _, err := reference(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range EnvNames() {
		if name == "LUCID_TRUSTED_ISSUERS" || name == "LUCID_UPSTREAMS" || name == "LUCID_DIRECTORIES" {
			continue // a list of sections: YAML only
		}
		if !bytes.Contains(doc, []byte("`"+name+"`")) {
			t.Errorf("%s is read from the environment but missing from the reference", name)
		}
	}
}

// docs holds the doc comments of this package's types and their fields.
type docs struct {
	fset   *token.FileSet
	types  map[string]string            // type name → doc
	fields map[string]map[string]string // type name → field name → doc
}

func parseDocs(dir string) (*docs, error) {
	fset := token.NewFileSet()
	matches, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	d := &docs{fset: fset, types: map[string]string{}, fields: map[string]map[string]string{}}
	for _, path := range matches {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return nil, err
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, spec := range gd.Specs {
				ts := spec.(*ast.TypeSpec)
				doc := ts.Doc
				if doc == nil && len(gd.Specs) == 1 {
					doc = gd.Doc
				}
				d.types[ts.Name.Name] = text(doc)
				if st, ok := ts.Type.(*ast.StructType); ok {
					d.addFields(ts.Name.Name, st)
				}
			}
		}
	}
	return d, nil
}

// addFields records the docs of st's fields under owner; an anonymous
// struct field (tls) is recorded as its own type, owner.Field.
func (d *docs) addFields(owner string, st *ast.StructType) {
	m := map[string]string{}
	d.fields[owner] = m
	// A field right below a documented one, with no doc of its own, shares
	// its doc ("FailureMaxStories bounds …; FailureMaxUnattributed those …").
	shared, prevEnd := "", -1
	for _, f := range st.Fields.List {
		own := text(f.Doc)
		line := d.fset.Position(f.Pos()).Line
		switch {
		case own != "":
			shared = own
		case line != prevEnd+1:
			shared = ""
		}
		prevEnd = d.fset.Position(f.End()).Line
		doc := strings.TrimSpace(shared + " " + lineComment(f.Comment))
		for _, n := range f.Names {
			m[n.Name] = doc
			if inner, ok := f.Type.(*ast.StructType); ok {
				d.addFields(owner+"."+n.Name, inner)
			}
		}
	}
}

func text(g *ast.CommentGroup) string {
	if g == nil {
		return ""
	}
	return strings.Join(strings.Fields(g.Text()), " ")
}

var (
	commentPart = regexp.MustCompile(`[,;:] `)
	envOrFlag   = regexp.MustCompile(`^(LUCID_[A-Z0-9_]+|--[a-z-]+)$`)
)

// lineComment keeps what a field's line comment says beyond its variable,
// flag and default, which the reference shows from the code itself.
func lineComment(g *ast.CommentGroup) string {
	var keep []string
	for _, part := range commentPart.Split(text(g), -1) {
		part = strings.TrimSpace(part)
		if part == "" || envOrFlag.MatchString(part) || strings.HasPrefix(part, "default ") {
			continue
		}
		keep = append(keep, part)
	}
	s := strings.Join(keep, ", ")
	if s != "" && !strings.HasSuffix(s, ".") {
		s += "."
	}
	if s != "" && !strings.ContainsAny(strings.Fields(s)[0], ":/_.") {
		s = strings.ToUpper(s[:1]) + s[1:]
	}
	return strings.TrimSuffix(s, "….") + map[bool]string{true: "…", false: ""}[strings.HasSuffix(s, "….")]
}

// keyNames writes the Go names of t's settings in doc as their YAML keys,
// the names an operator knows.
// A setting's own name is replaced only where its doc begins ("Secure
// marks cookies Secure").
func keyNames(doc string, t reflect.Type, own string) string {
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" || f.Name == name {
			continue
		}
		if f.Name == own {
			if rest, ok := strings.CutPrefix(doc, own+" "); ok {
				doc = "`" + name + "` " + rest
			}
			continue
		}
		doc = regexp.MustCompile(`\b`+f.Name+`\b`).ReplaceAllString(doc, "`"+name+"`")
	}
	return doc
}

// setting is one row of the reference.
type setting struct {
	key, env, def, kind, doc string
}

// reference renders docs/CONFIGURATION.md and lists settings without docs.
func reference(dir string) ([]byte, []string, error) {
	d, err := parseDocs(dir)
	if err != nil {
		return nil, nil, err
	}
	var sections []string
	bySection := map[string][]setting{}
	sectionDoc := map[string]string{}
	var missing []string
	var walk func(t reflect.Type, v reflect.Value, owner, prefix, section string, envOK bool)
	walk = func(t reflect.Type, v reflect.Value, owner, prefix, section string, envOK bool) {
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if name == "" || name == "-" || !f.IsExported() {
				continue
			}
			doc := keyNames(d.fields[owner][f.Name], t, f.Name)
			key := prefix + name
			ft := f.Type
			sec := section
			if sec == "" {
				sec = "general"
			}
			switch {
			case ft.Kind() == reflect.Struct && ft != reflect.TypeOf(time.Time{}):
				inner := ft.Name()
				if inner == "" {
					inner = owner + "." + f.Name
				}
				if section == "" {
					sec = key
					sections = append(sections, sec)
					sectionDoc[sec] = strings.TrimSpace(d.types[inner] + " " + doc)
				}
				walk(ft, v.Field(i), inner, key+".", sec, envOK)
				continue
			case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
				sec = key
				sections = append(sections, sec)
				sectionDoc[sec] = strings.TrimSpace(doc + " A list; each item has the keys below. Set only in the YAML file.")
				walk(ft.Elem(), reflect.Zero(ft.Elem()), ft.Elem().Name(), key+"[].", sec, false)
				continue
			}
			if doc == "" {
				missing = append(missing, key)
			}
			s := setting{key: key, kind: kindOf(ft), def: defaultOf(v.Field(i)), doc: doc}
			if envOK {
				s.env = envPrefix + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
			}
			if _, ok := bySection[sec]; !ok && sec == "general" {
				sections = append([]string{sec}, sections...)
			}
			bySection[sec] = append(bySection[sec], s)
		}
	}
	c := Default()
	walk(reflect.TypeOf(c), reflect.ValueOf(c), "Config", "", "", true)

	var b bytes.Buffer
	b.WriteString(`# Configuration reference

<!-- Generated from internal/config (the Config struct, its doc comments
and Default()) by ` + "`go test ./internal/config -run TestConfigurationDocIsCurrent -update`" + `.
Do not edit by hand: change the doc comment of the field instead. -->

Lucid reads its settings from, in increasing precedence: the defaults
below, a YAML file (` + "`--config lucid.yaml`" + `), ` + "`LUCID_*`" + ` environment
variables, and the flags of ` + "`lucid serve`" + ` (` + "`--issuer`, `--addr`, `--database`" + `).
A key in the file that Lucid does not know is an error naming it, and a
` + "`LUCID_*`" + ` variable that names no setting is warned about with the likely
name. A setting in a section, such as ` + "`lifetimes.code`" + `, is
` + "`LUCID_LIFETIMES_CODE`" + `; lists are comma-separated in the environment;
durations are Go durations (` + "`60s`, `10m`, `24h`" + `). An empty variable counts
as unset.

`)
	for _, sec := range sections {
		rows := bySection[sec]
		if len(rows) == 0 {
			continue
		}
		fmt.Fprintf(&b, "## %s\n\n", sec)
		if doc := sectionDoc[sec]; doc != "" {
			b.WriteString(wrap(doc) + "\n\n")
		}
		b.WriteString("| key | environment | default | type |\n|---|---|---|---|\n")
		for _, s := range rows {
			env := "YAML only"
			if s.env != "" {
				env = "`" + s.env + "`"
			}
			fmt.Fprintf(&b, "| [`%s`](#%s) | %s | %s | %s |\n", s.key, anchor(s.key), env, s.def, s.kind)
		}
		b.WriteString("\n")
		for _, s := range rows {
			fmt.Fprintf(&b, "### %s\n\n%s\n\n", s.key, wrap(s.doc))
		}
	}
	sort.Strings(missing)
	return b.Bytes(), missing, nil
}

// anchor is the id GitHub gives the heading "### key".
func anchor(key string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(key) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func kindOf(t reflect.Type) string {
	switch {
	case t == reflect.TypeOf(time.Duration(0)):
		return "duration"
	case t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Bool:
		return "boolean (unset: automatic)"
	case t.Kind() == reflect.Bool:
		return "boolean"
	case t.Kind() == reflect.Int:
		return "integer"
	case t.Kind() == reflect.Slice:
		return "list of strings"
	}
	return "string"
}

func defaultOf(v reflect.Value) string {
	switch {
	case v.Type() == reflect.TypeOf(time.Duration(0)):
		return "`" + duration(time.Duration(v.Int())) + "`"
	case v.Kind() == reflect.Pointer || v.Kind() == reflect.Slice:
		if v.IsNil() || v.Kind() == reflect.Slice && v.Len() == 0 {
			return "—"
		}
		if v.Kind() == reflect.Pointer {
			return fmt.Sprintf("`%v`", v.Elem().Interface())
		}
	case v.Kind() == reflect.String && v.String() == "":
		return "—"
	}
	return fmt.Sprintf("`%v`", v.Interface())
}

// duration writes d the way a person would configure it: 720h, 15m, 60s.
func duration(d time.Duration) string {
	switch {
	case d == 0:
		return "0"
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	case d%time.Second == 0:
		return fmt.Sprintf("%ds", d/time.Second)
	}
	return d.String()
}

// wrap breaks prose at 76 columns.
func wrap(s string) string {
	var b strings.Builder
	n := 0
	for i, w := range strings.Fields(s) {
		if i > 0 {
			if n+1+len(w) > 76 {
				b.WriteByte('\n')
				n = 0
			} else {
				b.WriteByte(' ')
				n++
			}
		}
		b.WriteString(w)
		n += len(w)
	}
	return b.String()
}
