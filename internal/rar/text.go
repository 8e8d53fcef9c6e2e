package rar

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// maxTemplate bounds a type's description.
const maxTemplate = 500

// checkTemplate accepts a description whose placeholders are closed and
// name a field path: letters, digits, _, - and dots between them.
func checkTemplate(s string) error {
	if len(s) > maxTemplate {
		return fmt.Errorf("the description is longer than %d characters", maxTemplate)
	}
	for rest := s; ; {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			if strings.Contains(rest, "}") {
				return errors.New("the description has a } without its {")
			}
			return nil
		}
		if strings.Contains(rest[:i], "}") {
			return errors.New("the description has a } without its {")
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			return errors.New("the description has a { without its }")
		}
		if !validPath(rest[i+1 : i+j]) {
			return fmt.Errorf("the placeholder {%s} is not a field path such as {creditorName} or {instructedAmount.amount}", rest[i+1:i+j])
		}
		rest = rest[i+j+1:]
	}
}

func validPath(p string) bool {
	if p == "" {
		return false
	}
	for _, part := range strings.Split(p, ".") {
		if part == "" {
			return false
		}
		for _, c := range part {
			if !(c == '_' || c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
				return false
			}
		}
	}
	return true
}

// notGiven stands for a placeholder whose field the detail lacks.
const notGiven = "(not given)"

// Text is a detail in plain words for the consent page: the type's
// description with its placeholders filled, and the detail's fields, one
// line each ("actions: initiate, status"), which are all there is when
// the type has no description.
func (t *Type) Text(d Detail) (sentence string, fields []string) {
	if t != nil && t.Description != "" {
		sentence = fill(t.Description, d.Value)
	}
	return sentence, Fields(d)
}

// fill replaces each {path} of a checked template.
func fill(tmpl string, v map[string]any) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		b.WriteString(tmpl[:i])
		val, ok := lookup(v, tmpl[i+1:i+j])
		if ok {
			b.WriteString(words(val))
		} else {
			b.WriteString(notGiven)
		}
		tmpl = tmpl[i+j+1:]
	}
}

func lookup(v map[string]any, path string) (any, bool) {
	var cur any = v
	for _, part := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[part]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// words is a JSON value as a person reads it: strings as they are,
// numbers as written, lists joined by commas, objects as their fields.
func words(v any) string {
	switch x := v.(type) {
	case nil:
		return notGiven
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		if x {
			return "yes"
		}
		return "no"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = words(e)
		}
		return strings.Join(parts, ", ")
	case map[string]any:
		keys := sortedKeys(x)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + " " + words(x[k])
		}
		return strings.Join(parts, ", ")
	default:
		return fmt.Sprint(x)
	}
}

// Fields lists a detail's fields but its type, one "name: value" line
// each, nested objects flattened with dotted names.
func Fields(d Detail) []string {
	var out []string
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		for _, k := range sortedKeys(m) {
			if prefix == "" && k == "type" {
				continue
			}
			if sub, ok := m[k].(map[string]any); ok && len(sub) > 0 {
				walk(prefix+k+".", sub)
				continue
			}
			out = append(out, prefix+k+": "+words(m[k]))
		}
	}
	walk("", d.Value)
	return out
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
