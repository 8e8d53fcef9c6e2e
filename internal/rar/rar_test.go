package rar

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/store"
)

func TestParseCanonical(t *testing.T) {
	a, e := Parse(`[{"type":"t","b":1.50,"a":["x"]}]`)
	if e != nil {
		t.Fatal(e)
	}
	b, e := Parse(` [ {"a":["x"], "b":1.50, "type":"t"} ] `)
	if e != nil {
		t.Fatal(e)
	}
	if string(a[0].Raw) != `{"a":["x"],"b":1.50,"type":"t"}` || !Contains(b, a[0]) {
		t.Fatalf("canonical forms differ: %s / %s", a[0].Raw, b[0].Raw)
	}
	// Numbers are compared as written: 1.5 is another detail than 1.50.
	c, _ := Parse(`[{"type":"t","b":1.5,"a":["x"]}]`)
	if Contains(a, c[0]) {
		t.Fatal("1.5 and 1.50 compared equal")
	}
	back, err := Decode(Encode(a))
	if err != nil || len(back) != 1 || string(back[0].Raw) != string(a[0].Raw) {
		t.Fatalf("Encode/Decode: %v %v", back, err)
	}
	if len(Missing(Union(a, c), a)) != 1 {
		t.Fatal("Union/Missing")
	}
}

func TestParseRefuses(t *testing.T) {
	for in, want := range map[string]catalog.Name{
		``:                                catalog.RARNotJSON,
		`[{}] x`:                          catalog.RARNotJSON,
		`"t"`:                             catalog.RARNotArray,
		`[null]`:                          catalog.RARNotArray,
		`[{"type":""}]`:                   catalog.RARTypeMissing,
		`[{"type":"t","identifier":1}]`:   catalog.RARCommonFieldInvalid,
		`[{"type":"t","privileges":[1]}]`: catalog.RARCommonFieldInvalid,
		`[` + strings.Repeat(`{"type":"t"},`, MaxDetails) + `{"type":"t"}]`: catalog.RARTooLarge,
		`"` + strings.Repeat("x", MaxBytes) + `"`:                           catalog.RARTooLarge,
	} {
		if _, e := Parse(in); e == nil || e.Name() != want {
			t.Errorf("%.40s: got %v, want %s", in, e, want)
		}
	}
}

func TestCompileStaysInside(t *testing.T) {
	for name, schema := range map[string]string{
		"file":     `{"$ref":"file:///etc/passwd"}`,
		"http":     `{"$ref":"https://example.com/s.json"}`,
		"invalid":  `{"type":"nonsense"}`,
		"not json": `{`,
	} {
		if _, err := Compile("https://a", store.DetailType{Type: "t", Schema: json.RawMessage(schema)}); err == nil {
			t.Errorf("%s: schema accepted", name)
		}
	}
	if _, err := Compile("https://a", store.DetailType{Type: "t", Description: "x {a.b", Schema: json.RawMessage(`{}`)}); err == nil {
		t.Error("unclosed placeholder accepted")
	}
}

func TestTextAndValidate(t *testing.T) {
	typ, err := Compile("https://pay", store.DetailType{Type: "pay", Description: "Pay {amount.value} {amount.currency} to {to} ({memo})",
		Schema: json.RawMessage(`{"type":"object","properties":{"amount":{"type":"object","required":["value"]}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	ds, _ := Parse(`[{"type":"pay","amount":{"value":"5.00","currency":"EUR"},"to":"Ann","actions":["a","b"]}]`)
	sentence, fields := typ.Text(ds[0])
	if sentence != "Pay 5.00 EUR to Ann ((not given))" {
		t.Errorf("sentence %q", sentence)
	}
	if want := []string{"actions: a, b", "amount.currency: EUR", "amount.value: 5.00", "to: Ann"}; !slices.Equal(fields, want) {
		t.Errorf("fields %q, want %q", fields, want)
	}
	bad, _ := Parse(`[{"type":"pay","amount":{"currency":"EUR"}}]`)
	e := typ.Validate(1, bad[0])
	if e == nil || !strings.Contains(e.Description(), "at /amount, missing property 'value'") {
		t.Fatalf("schema violation: %v", e)
	}
}
