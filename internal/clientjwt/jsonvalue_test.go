package clientjwt

import (
	"encoding/json"
	"testing"
)

// FuzzUnmarshalValues: the direct readers give what json.Unmarshal gives,
// value and failure alike. Its seeds run with go test.
func FuzzUnmarshalValues(f *testing.F) {
	for _, s := range []string{
		`"abc"`, `""`, `"a\"b"`, `"a\u0062"`, `"\u00e9"`, `"é"`, "\"\xff\"", "\"a\x01\"", `"a"b"`, `"`, ` "a"`, `"a" `,
		`null`, `true`, `1`, `0`, `01`, `-1`, `1.5`, `1e3`, `1E3`, `12345678901234567890`, `9223372036854775807`,
		`9223372036854775808`, `1700000000`, `[1]`, `{}`, ``, `1 `, `0x10`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var s1, s2 string
		e1, e2 := UnmarshalString(raw, &s1), json.Unmarshal(raw, &s2)
		if (e1 == nil) != (e2 == nil) || s1 != s2 {
			t.Errorf("string %q: %q, %v; json %q, %v", raw, s1, e1, s2, e2)
		}
		var i1, i2 int64
		e1, e2 = UnmarshalInt64(raw, &i1), json.Unmarshal(raw, &i2)
		if (e1 == nil) != (e2 == nil) || i1 != i2 {
			t.Errorf("int64 %q: %d, %v; json %d, %v", raw, i1, e1, i2, e2)
		}
		var f1, f2 float64
		e1, e2 = unmarshalFloat64(raw, &f1), json.Unmarshal(raw, &f2)
		if (e1 == nil) != (e2 == nil) || f1 != f2 {
			t.Errorf("float64 %q: %v, %v; json %v, %v", raw, f1, e1, f2, e2)
		}
	})
}

// FuzzReadObject: where readObject reads an object, json.Unmarshal reads
// the same members and values. Its seeds run with go test.
func FuzzReadObject(f *testing.F) {
	for _, s := range []string{
		`{}`, ` { } `, `{"a":1}`, `{"a":1,"a":2}`, `{"a" : "x" , "b":[1, {"c":"}"}] ,"d":{"e":null}}`,
		`{"alg":"ES256","typ":"dpop+jwt","jwk":{"kty":"EC","crv":"P-256","x":"a","y":"b"}}`,
		`{"jti":"j","iat":1700000000,"htu":"https://x/token","s":"a\"b\\"}`, `{"\u0061":1}`, "{\"\xff\":1}",
		`{"a":true,"b":false,"c":-1.5e3}`, `{"a":1}}`, `[]`, `null`, `"x"`, `{"a":1} {}`, `{"a":"\u00e9"}`, "{\"a\":\"\xff\"}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, ok := readObject(b)
		if !ok {
			return
		}
		var want map[string]json.RawMessage
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatalf("%q: read, json says %v", b, err)
		}
		if len(got) != len(want) {
			t.Fatalf("%q: %d members, json %d", b, len(got), len(want))
		}
		for k, v := range want {
			if string(got[k]) != string(v) {
				t.Fatalf("%q: %q is %q, json %q", b, k, got[k], v)
			}
		}
	})
}
