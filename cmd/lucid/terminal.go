package main

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Values the CLI prints come from the database, and many of them from
// whoever sent a request or registered a client: a client_id, a path, a
// client name. Printed raw, an escape sequence in one can retitle the
// operator's terminal, rewrite what is on screen or hide text, and a bidi
// override can make one name read as another. So every stored value goes
// through term (or termText) on its way to a terminal, and JSON output
// escapes the same characters (jsonSafe).

// term returns s with every character that could steer a terminal written
// as a visible escape: C0 controls (\n and \t included), DEL and C1
// controls as \xNN, bidi controls and line separators as \uNNNN, and bytes
// that are not UTF-8 as \xNN. Text without such characters is returned as
// it is.
func term(s string) string { return escape(s, false) }

// termText is term for prose of several lines: it keeps \n.
func termText(s string) string { return escape(s, true) }

// termRow applies term to every cell of a table row.
func termRow(row []string) []string {
	out := make([]string, len(row))
	for i, c := range row {
		out[i] = term(c)
	}
	return out
}

func escape(s string, keepNewlines bool) string {
	if clean(s, keepNewlines) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case keepNewlines && r == '\n':
			b.WriteByte('\n')
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case !unsafeRune(r, size):
			b.WriteString(s[i : i+size])
		case r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
		i += size
	}
	return b.String()
}

// clean reports whether s holds nothing that must be escaped (a newline
// passes when keepNewlines): the common case, returned as it is.
func clean(s string, keepNewlines bool) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if unsafeRune(r, size) && !(keepNewlines && r == '\n') {
			return false
		}
		i += size
	}
	return true
}

// unsafeRune reports whether r (decoded from size bytes) must not reach a
// terminal as it is.
func unsafeRune(r rune, size int) bool {
	switch {
	case r == utf8.RuneError && size == 1: // not UTF-8: a lone 0x9b is CSI to some terminals
		return true
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f: // C0, DEL, C1
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, // ALM, LRM, RLM
		r >= 0x202a && r <= 0x202e, // LRE, RLE, PDF, LRO, RLO
		r >= 0x2066 && r <= 0x2069, // LRI, RLI, FSI, PDI
		r == 0x2028, r == 0x2029:   // line and paragraph separators
		return true
	}
	return false
}

// jsonSafe escapes, in encoded JSON, the characters encoding/json leaves
// raw that term escapes (DEL, C1 controls, bidi controls); C0 controls
// are escaped by encoding/json already. They can only occur inside JSON
// strings, so \uNNNN keeps the document's meaning.
func jsonSafe(b []byte) []byte {
	if clean(string(b), true) {
		return b
	}
	var out bytes.Buffer
	out.Grow(len(b) + 16)
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r != '\n' && unsafeRune(r, size) {
			if r == utf8.RuneError && size == 1 {
				r = utf8.RuneError // encoding/json has replaced these already
			}
			fmt.Fprintf(&out, `\u%04x`, r)
		} else {
			out.Write(b[i : i+size])
		}
		i += size
	}
	return out.Bytes()
}
