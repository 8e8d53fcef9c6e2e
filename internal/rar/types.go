package rar

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/store"
)

// Type is a registered authorization details type with its compiled schema.
type Type struct {
	Name        string
	API         string // the identifier of the API that registered it
	Description string
	schema      *jsonschema.Schema
}

// schemaURL names a type's schema inside its own compiler; nothing is
// ever fetched from it.
func schemaURL(name string) string { return "urn:lucid:authorization-details:" + name }

// Compile checks a type registration: a usable name, a description whose
// placeholders are well formed, and a schema that compiles without
// reaching outside itself (no file or network loads). It is what the
// management layer validates with and what the provider caches.
func Compile(api string, dt store.DetailType) (*Type, error) {
	if err := CheckName(dt.Type); err != nil {
		return nil, err
	}
	if err := checkTemplate(dt.Description); err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(dt.Schema)) == 0 {
		return nil, errors.New("a schema is required")
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(dt.Schema))
	if err != nil {
		return nil, fmt.Errorf("the schema is not JSON: %w", err)
	}
	c := jsonschema.NewCompiler()
	// A schema's $ref may name only the schema itself or the drafts'
	// meta-schemas, which the library holds: never a file, never a URL.
	c.UseLoader(jsonschema.SchemeURLLoader{})
	c.DefaultDraft(jsonschema.Draft2020)
	u := schemaURL(dt.Type)
	if err := c.AddResource(u, doc); err != nil {
		return nil, fmt.Errorf("the schema cannot be added: %w", err)
	}
	sch, err := c.Compile(u)
	if err != nil {
		return nil, fmt.Errorf("the schema does not compile: %w", err)
	}
	return &Type{Name: dt.Type, API: api, Description: dt.Description, schema: sch}, nil
}

// CheckName accepts a type name: 1 to 200 characters, no spaces, control
// characters, quotes or backslashes.
func CheckName(name string) error {
	switch {
	case name == "":
		return errors.New("a type name is required")
	case len(name) > 200:
		return errors.New("the type name is longer than 200 characters")
	}
	for _, c := range name {
		if c <= ' ' || c == 0x7f || c == '"' || c == '\\' {
			return fmt.Errorf("the type name %q holds a space, a control character, a quote or a backslash", name)
		}
	}
	return nil
}

// printer words the schema library's messages.
var printer = message.NewPrinter(language.English)

// Validate checks detail n (1-based) against the type's schema.
func (t *Type) Validate(n int, d Detail) *catalog.Error {
	err := t.schema.Validate(d.Value)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return catalog.New(catalog.RARSchemaViolation, "index", n, "type", d.Type, "location", "the detail", "message", "it could not be validated").Wrap(err)
	}
	leaf := firstLeaf(ve)
	loc := "the detail itself"
	if len(leaf.InstanceLocation) > 0 {
		loc = "/" + strings.Join(leaf.InstanceLocation, "/")
	}
	return catalog.New(catalog.RARSchemaViolation, "index", n, "type", d.Type, "location", loc,
		"message", strings.NewReplacer(`"`, "'", `\`, "/").Replace(leaf.ErrorKind.LocalizedString(printer)))
}

// firstLeaf is the first innermost failure: the one that names a field,
// under the summaries ("allOf failed") above it.
func firstLeaf(ve *jsonschema.ValidationError) *jsonschema.ValidationError {
	for len(ve.Causes) > 0 {
		ve = ve.Causes[0]
	}
	return ve
}

// Registry is the set of registered types, by name. It is built from the
// APIs and read concurrently; it never changes once built.
type Registry struct {
	types map[string]*Type
	names []string
}

// NewRegistry holds ts; the first type of a name wins.
func NewRegistry(ts []*Type) *Registry {
	r := &Registry{types: make(map[string]*Type, len(ts))}
	for _, t := range ts {
		if _, dup := r.types[t.Name]; dup {
			continue
		}
		r.types[t.Name] = t
		r.names = append(r.names, t.Name)
	}
	slices.Sort(r.names)
	return r
}

// Names are the registered type names, sorted: discovery's
// authorization_details_types_supported.
func (r *Registry) Names() []string {
	if r == nil {
		return nil
	}
	return r.names
}

// Get returns the type of this name.
func (r *Registry) Get(name string) (*Type, bool) {
	if r == nil {
		return nil, false
	}
	t, ok := r.types[name]
	return t, ok
}

// Check judges parsed details for a client allowed the types in allowed:
// each type registered, allowed, and the detail valid against its schema.
// It returns the APIs the details are for, in order of first mention.
func (r *Registry) Check(ds []Detail, clientID string, allowed []string) ([]string, *catalog.Error) {
	var apis []string
	for i, d := range ds {
		n := i + 1
		t, ok := r.Get(d.Type)
		if !ok {
			return nil, catalog.New(catalog.RARTypeUnknown, "index", n, "type", d.Type, "supported", orNone(strings.Join(r.Names(), ", ")))
		}
		if !slices.Contains(allowed, d.Type) {
			return nil, catalog.New(catalog.RARTypeNotAllowed, "client_id", clientID, "type", d.Type, "index", n, "allowed", orNone(strings.Join(allowed, ", ")))
		}
		if e := t.Validate(n, d); e != nil {
			return nil, e
		}
		if !slices.Contains(apis, t.API) {
			apis = append(apis, t.API)
		}
	}
	return apis, nil
}

// For keeps the details whose type belongs to one of the APIs in aud: an
// access token carries only its audience's details.
func (r *Registry) For(aud []string, ds []Detail) []Detail {
	var out []Detail
	for _, d := range ds {
		if t, ok := r.Get(d.Type); ok && slices.Contains(aud, t.API) {
			out = append(out, d)
		}
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// SchemaJSON is a schema in the compact form it is stored in.
func SchemaJSON(raw json.RawMessage) (json.RawMessage, error) {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
