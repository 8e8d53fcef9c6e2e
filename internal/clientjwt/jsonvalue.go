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
