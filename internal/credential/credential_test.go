package credential

import (
	"encoding/base64"
	"hash/crc32"
	"net/url"
	"strings"
	"testing"
)

func TestNewIsRecognised(t *testing.T) {
	for k := Code; k <= Registration; k++ {
		v := New(k)
		if !strings.HasPrefix(v, k.Prefix()) || len(v) != len(k.Prefix())+bodyLen+checkLen {
			t.Fatalf("%s: %q has not the form", k, v)
		}
		if s := Inspect(v); s.Kind != k || !s.Ours() {
			t.Fatalf("%s: Inspect = %+v", k, s)
		}
		// The check is a plain CRC-32 of the rest: anyone can verify it.
		n := len(v) - checkLen
		var c [checkLen]byte
		putCheck(c[:], crc32.ChecksumIEEE([]byte(v[:n])))
		if string(c[:]) != v[n:] {
			t.Fatalf("%s: check is not the CRC-32 of the rest", k)
		}
	}
	if New(Code) == New(Code) {
		t.Fatal("two codes alike")
	}
}

func TestInspectTellsDamage(t *testing.T) {
	code := New(Code)
	mid := len(code) / 2
	flip := func(c byte) byte {
		if c == 'A' {
			return 'B'
		}
		return 'A'
	}
	changed := code[:mid] + string(flip(code[mid])) + code[mid+1:]
	// A code with + in it cannot come from Lucid; build what a double
	// decode does to one that has a space where a + was.
	cases := []struct {
		name, value string
		kind        Kind
		damage      string // a substring of Shape.Damage; "" means intact
	}{
		{"intact", code, Code, ""},
		{"truncated", code[:len(code)-5], Code, "5 characters are missing"},
		{"appended", code + "&state=xyz", Code, "text was appended"},
		{"longer and wrong", code[:len(code)-6] + "abcdefgh", Code, "longer than any"},
		{"one character changed", changed, Code, "altered"},
		{"quoted", `"` + code + `"`, Code, "quotes"},
		{"newline", code + "\n", Code, "line break"},
		{"encoded twice, decoded once", url.QueryEscape(code[:10] + "=" + code[11:]), Code, "%xx"},
		{"percent escapes", code[:10] + "%2D" + code[11:], Code, "%xx"},
		{"space", code[:10] + " " + code[11:], Code, "URL-decoded twice"},
		{"standard base64", code[:10] + "+" + code[11:], Code, "standard base64"},
		{"refresh token", New(Refresh), Refresh, ""},
		{"legacy, no prefix", base64.RawURLEncoding.EncodeToString(make([]byte, 32)), None, ""},
		{"another provider", "gho_16C7e42F292c6912E7710c838347Ae178B4a", None, ""},
		{"empty", "", None, ""},
		{"prefix only", "lc_ac_", Code, "truncated"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := Inspect(tc.value)
			if s.Kind != tc.kind {
				t.Fatalf("kind = %s, want %s", s.Kind, tc.kind)
			}
			if tc.damage == "" && s.Damage != "" || !strings.Contains(s.Damage, tc.damage) {
				t.Fatalf("damage = %q, want %q", s.Damage, tc.damage)
			}
			if strings.Contains(s.Damage, tc.value) && tc.value != "" {
				t.Fatal("the damage repeats the value")
			}
		})
	}
}

func TestPeekJWT(t *testing.T) {
	seg := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	typ, iss, ok := PeekJWT(seg(`{"alg":"ES256","typ":"at+jwt"}`) + "." + seg(`{"iss":"https://id.example"}`) + ".sig")
	if !ok || typ != "at+jwt" || iss != "https://id.example" {
		t.Fatalf("PeekJWT = %q %q %v", typ, iss, ok)
	}
	for _, v := range []string{"a.b", "abc.def.ghi", "a.b.c.d", New(Access)} {
		if _, _, ok := PeekJWT(v); ok {
			t.Fatalf("PeekJWT(%q) ok", v)
		}
	}
}

func TestInspectAllocatesNothing(t *testing.T) {
	code, legacy := New(Code), strings.Repeat("A", 43)
	if n := testing.AllocsPerRun(100, func() { _ = Inspect(code); _ = Inspect(legacy) }); n != 0 {
		t.Fatalf("Inspect allocates %v times", n)
	}
}

func BenchmarkInspect(b *testing.B) {
	code := New(Code)
	for b.Loop() {
		if !Inspect(code).Ours() {
			b.Fatal("not ours")
		}
	}
}

func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		_ = New(Refresh)
	}
}
