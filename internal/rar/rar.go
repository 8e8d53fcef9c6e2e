// Package rar reads rich authorization requests (RFC 9396): the
// authorization_details parameter, checked for its shape, against the types
// the APIs register (each with a JSON Schema) and against the types a
// client may use; details in a canonical form, so that a grant, a consent
// and a narrowing request compare them byte for byte; and the plain words
// a detail is shown in on the consent page.
package rar

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/lucid-auth/lucid/internal/catalog"
)

// Limits of one authorization_details parameter: enough for any real
// transaction, small enough that validating and storing it stays cheap.
const (
	MaxDetails = 16
	MaxBytes   = 16 << 10
)

// Detail is one authorization detail in canonical form.
type Detail struct {
	Type string
	// Raw is the object as JSON with its keys sorted and numbers as the
	// client wrote them: equal details have equal Raw.
	Raw json.RawMessage
	// Value is the object decoded with json.Number numbers, as the schema
	// validator takes it.
	Value map[string]any
}

// commonArrays are the RFC 9396 §2.2 fields every type shares that are
// arrays of strings; identifier is the one string.
var commonArrays = []string{"locations", "actions", "datatypes", "privileges"}

// Parse reads an authorization_details parameter: a non-empty JSON array
// of objects, each with a type string and well-formed common fields. It
// knows nothing of registered types; Registry.Check does.
func Parse(param string) ([]Detail, *catalog.Error) {
	if len(param) > MaxBytes {
		return nil, tooLarge(fmt.Sprintf("is %d bytes long", len(param)))
	}
	var v any
	if err := decode([]byte(param), &v); err != nil {
		return nil, catalog.New(catalog.RARNotJSON, "reason", jsonReason(err))
	}
	list, ok := v.([]any)
	switch {
	case !ok:
		return nil, catalog.New(catalog.RARNotArray, "reason", "it is "+kindOf(v))
	case len(list) == 0:
		return nil, catalog.New(catalog.RARNotArray, "reason", "it is an empty array (leave the parameter out when there are no details)")
	case len(list) > MaxDetails:
		return nil, tooLarge(fmt.Sprintf("holds %d details", len(list)))
	}
	out := make([]Detail, 0, len(list))
	for i, item := range list {
		n := i + 1
		obj, ok := item.(map[string]any)
		if !ok {
			return nil, catalog.New(catalog.RARNotArray, "reason", fmt.Sprintf("element %d is %s", n, kindOf(item)))
		}
		d, e := newDetail(n, obj)
		if e != nil {
			return nil, e
		}
		out = append(out, d)
	}
	return out, nil
}

func tooLarge(reason string) *catalog.Error {
	return catalog.New(catalog.RARTooLarge, "reason", reason, "max_details", MaxDetails, "max_bytes", MaxBytes)
}

// newDetail checks the type and the common fields of detail n and puts it
// in canonical form.
func newDetail(n int, obj map[string]any) (Detail, *catalog.Error) {
	t, has := obj["type"]
	typ, isString := t.(string)
	switch {
	case !has:
		return Detail{}, catalog.New(catalog.RARTypeMissing, "index", n, "reason", "no type field")
	case !isString:
		return Detail{}, catalog.New(catalog.RARTypeMissing, "index", n, "reason", "a type that is "+kindOf(t)+", not a string")
	case strings.TrimSpace(typ) == "":
		return Detail{}, catalog.New(catalog.RARTypeMissing, "index", n, "reason", "an empty type")
	}
	for _, f := range commonArrays {
		if v, ok := obj[f]; ok && !stringArray(v) {
			return Detail{}, catalog.New(catalog.RARCommonFieldInvalid, "index", n, "type", typ, "field", f, "want", "an array of strings")
		}
	}
	if v, ok := obj["identifier"]; ok {
		if _, s := v.(string); !s {
			return Detail{}, catalog.New(catalog.RARCommonFieldInvalid, "index", n, "type", typ, "field", "identifier", "want", "a string")
		}
	}
	raw, err := json.Marshal(obj) // map keys come out sorted
	if err != nil {
		// Decoded JSON always encodes again; keep the contract anyway.
		return Detail{}, catalog.New(catalog.RARNotJSON, "reason", "detail "+strconv.Itoa(n)+" cannot be encoded again")
	}
	return Detail{Type: typ, Raw: raw, Value: obj}, nil
}

func stringArray(v any) bool {
	l, ok := v.([]any)
	if !ok {
		return false
	}
	for _, s := range l {
		if _, ok := s.(string); !ok {
			return false
		}
	}
	return true
}

// decode reads JSON with numbers kept as written, and refuses trailing data.
func decode(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return errTrailing
	}
	if _, err := d.Token(); err == nil {
		return errTrailing
	}
	return nil
}

var errTrailing = errors.New("data follows the JSON value")

// jsonReason says where the JSON went wrong without echoing the value.
func jsonReason(err error) string {
	var syn *json.SyntaxError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("%s (at byte %d)", syn.Error(), syn.Offset)
	case errors.Is(err, errTrailing):
		return "more data follows the first JSON value"
	case errors.Is(err, io.EOF):
		return "the value is empty"
	default:
		return "it ends too early or holds a value JSON cannot have"
	}
}

// kindOf names a decoded JSON value's kind for a message.
func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "a JSON object"
	default:
		return "an unexpected value"
	}
}

// Encode is the stored form of details: a JSON array of their canonical
// objects; nil for none.
func Encode(ds []Detail) json.RawMessage {
	if len(ds) == 0 {
		return nil
	}
	var b bytes.Buffer
	b.WriteByte('[')
	for i, d := range ds {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(d.Raw)
	}
	b.WriteByte(']')
	return b.Bytes()
}

// Decode reads details stored by Encode (or any JSON array of detail
// objects) back into canonical form.
func Decode(raw json.RawMessage) ([]Detail, error) {
	if len(bytes.TrimSpace(raw)) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var list []map[string]any
	if err := decode(raw, &list); err != nil {
		return nil, fmt.Errorf("stored authorization details: %w", err)
	}
	out := make([]Detail, 0, len(list))
	for i, obj := range list {
		d, e := newDetail(i+1, obj)
		if e != nil {
			return nil, fmt.Errorf("stored authorization detail %d: %s", i+1, e.Name())
		}
		out = append(out, d)
	}
	return out, nil
}

// Contains reports whether list holds a detail equal to d.
func Contains(list []Detail, d Detail) bool {
	return slices.ContainsFunc(list, func(x Detail) bool { return bytes.Equal(x.Raw, d.Raw) })
}

// Missing returns the details of want that have holds not.
func Missing(want, have []Detail) []Detail {
	var out []Detail
	for _, d := range want {
		if !Contains(have, d) {
			out = append(out, d)
		}
	}
	return out
}

// Union is a followed by the details of b it does not hold.
func Union(a, b []Detail) []Detail {
	out := slices.Clone(a)
	for _, d := range b {
		if !Contains(out, d) {
			out = append(out, d)
		}
	}
	return out
}
