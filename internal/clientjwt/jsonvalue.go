package clientjwt

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// The members of a client JWT are read one by one from the decoded
// object, and nearly all of them are plain strings and whole numbers, for
// which encoding/json's reflection costs more than the reading. These
// read those values directly and hand anything else to json.Unmarshal,
// so that every value reads, and fails, exactly as it did through it.

// UnmarshalString is json.Unmarshal(raw, dst) for a string destination.
func UnmarshalString(raw []byte, dst *string) error {
	if n := len(raw); n >= 2 && raw[0] == '"' && raw[n-1] == '"' && plainString(raw[1:n-1]) {
		*dst = string(raw[1 : n-1])
		return nil
	}
	return json.Unmarshal(raw, dst)
}

// plainString: JSON string contents that are their own value, with no
// escape, quote or control character and valid UTF-8 (json replaces
// invalid bytes).
func plainString(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c == '"' || c == '\\' {
			return false
		}
	}
	return utf8.Valid(b)
}

// UnmarshalInt64 is json.Unmarshal(raw, dst) for an int64 destination.
func UnmarshalInt64(raw []byte, dst *int64) error {
	if digits(raw) {
		// What json does with a number for an integer: ParseInt, and
		// an error when it does not fit.
		if n, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
			*dst = n
			return nil
		}
	}
	return json.Unmarshal(raw, dst)
}

// unmarshalFloat64 is json.Unmarshal(raw, dst) for a float64 destination.
func unmarshalFloat64(raw []byte, dst *float64) error {
	if digits(raw) {
		// What json does with a number for a float: ParseFloat.
		if f, err := strconv.ParseFloat(string(raw), 64); err == nil {
			*dst = f
			return nil
		}
	}
	return json.Unmarshal(raw, dst)
}

// digits: raw is a JSON number written as a natural number, which
// strconv reads as JSON does (no sign, fraction, exponent or leading 0).
func digits(raw []byte) bool {
	if len(raw) == 0 || len(raw) > 1 && raw[0] == '0' {
		return false
	}
	for _, c := range raw {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// readObject is json.Unmarshal of b into a map[string]json.RawMessage,
// without reflection when b is a valid JSON object whose member names are
// plain: each name to its value's text (a slice of b, not a copy), the
// last of a repeated name. ok is false when that reading does not apply
// (invalid JSON, not an object, an escaped name); json then reads b.
func readObject(b []byte) (m map[string]json.RawMessage, ok bool) {
	if !json.Valid(b) {
		return nil, false
	}
	i := skipSpace(b, 0)
	if b[i] != '{' {
		return nil, false
	}
	m = make(map[string]json.RawMessage, 8)
	if i = skipSpace(b, i+1); b[i] == '}' {
		return m, true
	}
	for {
		end := valueEnd(b, i) // the name, a string
		name := b[i+1 : end-1]
		if !plainString(name) {
			return nil, false
		}
		i = skipSpace(b, skipSpace(b, end)+1) // past the colon
		end = valueEnd(b, i)
		m[string(name)] = b[i:end:end]
		if i = skipSpace(b, end); b[i] == '}' {
			return m, true
		}
		i = skipSpace(b, i+1) // past the comma
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// valueEnd is the end of the valid JSON value that starts at b[i].
func valueEnd(b []byte, i int) int {
	depth, inString := 0, false
	for ; i < len(b); i++ {
		c := b[i]
		if inString {
			switch c {
			case '\\':
				i++
			case '"':
				inString = false
				if depth == 0 {
					return i + 1
				}
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
		case '}', ']':
			if depth--; depth <= 0 {
				// The end of this object or array, or (depth below zero)
				// of the one enclosing a number or literal.
				if depth == 0 {
					return i + 1
				}
				return i
			}
		case ',', ' ', '\t', '\n', '\r':
			if depth == 0 {
				return i // the end of a number or literal
			}
		}
	}
	return i
}
