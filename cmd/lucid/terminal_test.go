package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/sqlite"
)

func TestTerm(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text, 名前 ✓", "plain text, 名前 ✓"},
		{"\x1b]0;pwned\x07title", `\x1b]0;pwned\x07title`},
		{"tab\tnew\nline\r", `tab\x09new\x0aline\x0d`},
		{"del\x7f c1\u009b[2J", `del\x7f c1\x9b[2J`},
		{"evil\u202egnp.exe", `evil\u202egnp.exe`},
		{"\u2066isolate\u2069 \u200fmark", `\u2066isolate\u2069 \u200fmark`},
		{"bad \x9b byte", `bad \x9b byte`},
	}
	for _, tt := range tests {
		if got := term(tt.in); got != tt.want {
			t.Errorf("term(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := termText("two\nlines\x1b[31m"); got != "two\nlines\\x1b[31m" {
		t.Errorf("termText kept or lost the wrong characters: %q", got)
	}
}

// hostile holds what an attacker put into stored values: a terminal title
// change (OSC 0), a screen clear through a C1 CSI, DEL, and a bidi
// override that makes a name read backwards.
const hostile = "\x1b]0;owned\x07\u009b2J\x7f\u202eevil"

// rawControl reports the first character of out a terminal would act on,
// or "" when there is none (\n and the table's spaces aside).
func rawControl(out string) string {
	for i := 0; i < len(out); {
		r, size := utf8.DecodeRuneInString(out[i:])
		if r != '\n' && unsafeRune(r, size) {
			return out[i : i+size]
		}
		i += size
	}
	return ""
}

// TestStoredValuesAreEscaped: `lucid explain`, `lucid client list` and
// `lucid client show` print stored values chosen by whoever made the
// request or registered the client; none may reach the terminal raw, in
// text or in JSON, and JSON still decodes to the stored value.
func TestStoredValuesAreEscaped(t *testing.T) {
	c := newCLI(t)
	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	when := time.Now().UTC()
	st, err := sqlite.Open(context.Background(), c.db)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.RecordFailure(context.Background(), &store.Failure{
		TraceID: traceID, Time: when, CreatedAt: when, Name: string(catalog.AuthorizeClientUnknown), Endpoint: string(catalog.Authorize),
		ClientID: hostile, Request: "GET /authorize" + hostile + " query: client_id" + hostile,
		Text: "No client " + hostile + " is registered.", Internal: map[string]string{"seen" + hostile: hostile},
	}); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateClient(context.Background(), &store.Client{ID: "app" + hostile, Name: "Name" + hostile,
		RedirectURIs: []string{"https://app.example/cb" + hostile}, CreatedAt: when}); err != nil {
		t.Fatal(err)
	}
	_ = st.Close()

	for _, args := range [][]string{
		{"explain", traceID},
		{"client", "list"},
		{"client", "show", "app" + hostile},
	} {
		out := c.ok(args...)
		if raw := rawControl(out); raw != "" {
			t.Errorf("lucid %s printed %q raw:\n%s", args[0], raw, out)
		}
		if !strings.Contains(out, `\x1b]0;owned\x07\x9b2J\x7f\u202eevil`) {
			t.Errorf("lucid %s does not show the escaped value:\n%s", strings.Join(args, " "), out)
		}
		out = c.ok(append(args, "--output", "json")...)
		if raw := rawControl(out); raw != "" {
			t.Errorf("lucid %s --output json printed %q raw:\n%s", args[0], raw, out)
		}
		if !json.Valid([]byte(out)) || !strings.Contains(out, `\u202eevil`) {
			t.Errorf("lucid %s --output json:\n%s", strings.Join(args, " "), out)
		}
	}
	var x explanation
	c.json(&x, "explain", traceID, "--output", "json")
	if x.Failure == nil || x.Failure.ClientID != hostile {
		t.Errorf("JSON does not decode to the stored value: %+v", x.Failure)
	}
}
