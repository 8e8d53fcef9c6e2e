// Package credential gives the credentials Lucid mints for clients a form
// that can be recognised on sight: a short prefix per kind, 32 random
// bytes, and a check of the two (CRC-32, as GitHub's tokens carry). The
// check is plain, not keyed: it tells a damaged value from an intact one,
// not Lucid's from a forger's; only the stored hash ever grants anything.
//
// So a value sent in the wrong place can be told apart, in nanoseconds and
// before any database read: not one of Lucid's, one of Lucid's but damaged
// on the way (truncated, extended, wrapped in quotes or whitespace,
// encoded once too often), or one of Lucid's of another kind. Values
// without a prefix were minted before this form existed; callers look
// them up as before.
package credential

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"strconv"
	"strings"
)

// Kind is what a credential is for.
type Kind uint8

// The kinds Lucid mints. None is a value without any of their prefixes.
const (
	None Kind = iota
	Code
	Refresh
	Access
	Registration
)

// prefixes, by kind; no prefix is the start of another.
var prefixes = [...]string{
	Code:         "lc_ac_",
	Refresh:      "lc_rt_",
	Access:       "lc_at_",
	Registration: "lc_rat_",
}

var names = [...]string{
	None:         "value of unknown form",
	Code:         "authorization code",
	Refresh:      "refresh token",
	Access:       "opaque access token",
	Registration: "registration access token",
}

// String names the kind for a person: "refresh token".
func (k Kind) String() string {
	if int(k) < len(names) {
		return names[k]
	}
	return "kind " + strconv.Itoa(int(k))
}

// Prefix is the start of every credential of kind k.
func (k Kind) Prefix() string {
	if k == None || int(k) >= len(prefixes) {
		return ""
	}
	return prefixes[k]
}

const (
	randomBytes = 32
	bodyLen     = 43 // base64url of randomBytes, unpadded
	checkLen    = 6  // base64url of a CRC-32, unpadded
)

// New mints a credential of kind k.
func New(k Kind) string {
	var raw [randomBytes]byte
	_, _ = rand.Read(raw[:])
	p := k.Prefix()
	b := make([]byte, len(p)+bodyLen+checkLen)
	copy(b, p)
	base64.RawURLEncoding.Encode(b[len(p):], raw[:])
	n := len(p) + bodyLen
	putCheck(b[n:], crc32.ChecksumIEEE(b[:n]))
	return string(b)
}

func putCheck(dst []byte, sum uint32) {
	var c [4]byte
	binary.BigEndian.PutUint32(c[:], sum)
	base64.RawURLEncoding.Encode(dst, c[:])
}

// Shape is what Inspect recognised in a value. It never holds the value.
type Shape struct {
	Kind Kind
	// Damage, when not empty, says how a value that starts like one of
	// Lucid's credentials differs from any Lucid mints.
	Damage string
}

// Ours says the value is an intact credential of Lucid's form.
func (s Shape) Ours() bool { return s.Kind != None && s.Damage == "" }

// Damaged says the value is one of Lucid's forms but altered.
func (s Shape) Damaged() bool { return s.Damage != "" }

// Inspect recognises the form of v. An intact credential costs a prefix
// comparison and a CRC-32 of about 50 bytes, and allocates nothing.
func Inspect(v string) Shape {
	k := kindOf(v)
	if k == None {
		// Quotes or whitespace around a credential hide its prefix.
		t := strings.Trim(v, " \t\r\n\"'")
		if t != v && t != "" {
			if inner := Inspect(t); inner.Kind != None {
				if inner.Damage == "" {
					inner.Damage = "it is wrapped in quotes or whitespace"
				}
				return inner
			}
		}
		return Shape{}
	}
	return Shape{Kind: k, Damage: damage(v, k)}
}

func kindOf(v string) Kind {
	if len(v) < 6 || v[0] != 'l' || v[1] != 'c' || v[2] != '_' {
		return None
	}
	for k := Code; k <= Registration; k++ {
		if strings.HasPrefix(v, prefixes[k]) {
			return k
		}
	}
	return None
}

// damage describes how v, whose prefix is k's, differs from a credential
// of Lucid's form; "" when it does not.
func damage(v string, k Kind) string {
	p := k.Prefix()
	want := len(p) + bodyLen + checkLen
	if t := strings.Trim(v, " \t\r\n\"'"); t != v && len(t) == want && checkOK(t, len(p)) {
		return "it has quotes, whitespace or a line break around it"
	}
	if len(v) > want && foreignChars(v[len(p):want]) == "" && checkOK(v[:want], len(p)) {
		return "text was appended to it: " + strconv.Itoa(len(v)-want) + " characters follow its end"
	}
	if bad := foreignChars(v[len(p):]); bad != "" {
		return bad
	}
	switch {
	case len(v) < want:
		return "it is truncated: " + strconv.Itoa(want-len(v)) + " characters are missing at its end"
	case len(v) > want:
		return "it is " + strconv.Itoa(len(v)-want) + " characters longer than any Lucid issues, and its check characters do not match"
	}
	if !checkOK(v, len(p)) {
		return "it was altered: its check characters do not match the rest (a character was changed)"
	}
	return ""
}

// checkOK verifies the last checkLen characters of v against a CRC-32 of
// the rest, without allocating.
func checkOK(v string, prefixLen int) bool {
	n := len(v) - checkLen
	if n < prefixLen {
		return false
	}
	var c [checkLen]byte
	putCheck(c[:], crcString(v[:n]))
	return string(c[:]) == v[n:]
}

// crcString is crc32.ChecksumIEEE of s without copying s to a []byte,
// which would allocate (about 100 ns for a credential).
func crcString(s string) uint32 {
	crc := ^uint32(0)
	for i := 0; i < len(s); i++ {
		crc = crc32.IEEETable[byte(crc)^s[i]] ^ (crc >> 8)
	}
	return ^crc
}

// foreignChars names the characters outside base64url that s holds, as
// the way they most likely got there; "" when there are none.
func foreignChars(s string) string {
	var space, pct, std, quote, other bool
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_':
		case c == ' ':
			space = true
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			pct = true
		case c == '+', c == '/', c == '=':
			std = true
		case c == '"', c == '\'':
			quote = true
		default:
			other = true
		}
	}
	switch {
	case pct:
		return "it holds %xx escapes: it was URL-encoded once more than it was decoded"
	case space:
		return "it holds spaces, which Lucid never puts in a credential: a + becomes a space when a value is URL-decoded twice"
	case std:
		return "it holds +, / or =, which Lucid never puts in a credential: it was converted to standard base64 or re-encoded"
	case quote:
		return "it holds quotes: it was stored or sent as a quoted string"
	case other:
		return "it holds characters Lucid never puts in a credential (Lucid uses only letters, digits, - and _)"
	}
	return ""
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// PeekJWT reads, without verifying anything, the typ header and the iss
// claim of a compact JWS: enough to name what a misplaced token is, never
// enough to trust it. ok is false when v is not a compact JWS.
func PeekJWT(v string) (typ, iss string, ok bool) {
	h, rest, found := strings.Cut(v, ".")
	p, _, found2 := strings.Cut(rest, ".")
	if !found || !found2 || strings.Count(v, ".") != 2 {
		return "", "", false
	}
	var header struct {
		Typ string `json:"typ"`
	}
	var claims struct {
		Iss any `json:"iss"`
	}
	if !decodeSegment(h, &header) || !decodeSegment(p, &claims) {
		return "", "", false
	}
	iss, _ = claims.Iss.(string)
	return header.Typ, iss, true
}

func decodeSegment(seg string, v any) bool {
	if len(seg) > 64<<10 {
		return false
	}
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return false
	}
	return json.Unmarshal(b, v) == nil
}
