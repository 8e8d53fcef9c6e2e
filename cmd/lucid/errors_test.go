package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/sqlite"
)

// squash collapses white space, so wrapped terminal text can be compared
// with the catalog's sentences.
func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

func names(es []*catalog.Entry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = string(e.Name)
	}
	return out
}

// recordFailure stores a failure as the server does after a failed token
// request, in the CLI's database.
func recordFailure(t *testing.T, db string, f *store.Failure) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.RecordFailure(context.Background(), f); err != nil {
		t.Fatal(err)
	}
}

func TestErrorsAndExplain(t *testing.T) {
	c := newCLI(t)
	c.env["LUCID_ISSUER"] = "https://id.example.com"
	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	when := time.Date(2026, 1, 2, 10, 2, 15, 0, time.UTC)
	recordFailure(t, c.db, &store.Failure{
		TraceID: traceID, Time: when, Name: string(catalog.CodeExpired), Endpoint: string(catalog.Token), ClientID: "notes",
		Request: "POST /token form: grant_type code redirect_uri",
		Text:    "The authorization code expired 1m30s ago; codes live 1m0s. Exchange the code right after the redirect.",
		Internal: map[string]string{
			"issued_at": "2026-01-02T10:00:45Z", "expired_at": "2026-01-02T10:01:45Z",
		},
		CreatedAt: when,
	})

	expired, _ := catalog.Lookup(catalog.CodeExpired)
	admin := catalog.ByEndpoint()[catalog.Admin]
	_, aadsts := catalog.Explain("AADSTS70008")
	_, dpop := catalog.Explain("invalid_dpop_proof")
	dpopWant := "No Lucid entry reports invalid_dpop_proof."
	if len(dpop) > 0 {
		dpopWant = "Lucid entries for invalid_dpop_proof:"
	}

	tests := []struct {
		name    string
		args    []string
		env     map[string]string // changes to the environment; "" removes
		code    int
		stdout  []string // in stdout, white space collapsed
		stderr  []string
		not     []string // in neither
		checkFn func(t *testing.T, stdout string)
	}{
		{name: "list", args: []string{"errors", "list"},
			stdout: []string{"NAME ERROR STATUS TITLE", "authorization_code_expired invalid_grant 400 Authorization code expired", "entries."},
			checkFn: func(t *testing.T, out string) {
				// One row per entry, sorted by name, between header and footer.
				lines := strings.Split(strings.TrimSpace(out), "\n")
				all := catalog.All()
				if len(lines) != len(all)+3 {
					t.Fatalf("%d lines for %d entries", len(lines), len(all))
				}
				for i, e := range all {
					if f := strings.Fields(lines[i+1]); f[0] != string(e.Name) {
						t.Errorf("row %d is %s, want %s", i, f[0], e.Name)
					}
				}
			}},
		{name: "list as JSON", args: []string{"errors", "list", "--output", "json"},
			checkFn: func(t *testing.T, out string) {
				var got struct{ Errors []catalog.Entry }
				if err := json.Unmarshal([]byte(out), &got); err != nil {
					t.Fatal(err)
				}
				all := catalog.All()
				if len(got.Errors) != len(all) || got.Errors[0].Name != all[0].Name || len(got.Errors[0].Causes) == 0 {
					t.Errorf("%d entries, first %+v", len(got.Errors), got.Errors[0])
				}
			}},
		{name: "list one endpoint", args: []string{"errors", "list", "--endpoint", "admin"},
			stdout: names(admin),
			not:    []string{string(catalog.CodeExpired)},
			checkFn: func(t *testing.T, out string) {
				if n := len(strings.Split(strings.TrimSpace(out), "\n")); n != len(admin)+3 {
					t.Errorf("%d lines for %d admin entries", n, len(admin))
				}
			}},
		{name: "list unknown endpoint", args: []string{"errors", "list", "--endpoint", "nowhere"}, code: 2, stderr: []string{"--endpoint must be one of", "token"}},
		{name: "show", args: []string{"errors", "show", string(catalog.CodeExpired)},
			stdout: append([]string{
				"authorization_code_expired: Authorization code expired", "error: invalid_grant", "status: 400 Bad Request",
				"endpoints: token", "spec: " + expired.Spec + " " + expired.SpecURL,
				"page: https://id.example.com/errors/authorization_code_expired",
				expired.Description, "Likely causes:", "What the client developer can do:", "What the operator can do:",
			}, append(append(expired.Causes, expired.ClientFix...), expired.OperatorFix...)...)},
		{name: "show ignores case", args: []string{"errors", "show", "Authorization_Code_Expired"}, stdout: []string{expired.Title}},
		{name: "show as JSON", args: []string{"errors", "show", string(catalog.CodeExpired), "--output", "json"},
			checkFn: func(t *testing.T, out string) {
				var got catalog.Entry
				if err := json.Unmarshal([]byte(out), &got); err != nil || got.Name != catalog.CodeExpired || got.Description != expired.Description {
					t.Errorf("%+v, %v", got, err)
				}
				if !strings.Contains(out, `"client_fix"`) {
					t.Error("not the published field names")
				}
			}},
		{name: "show an RFC code", args: []string{"errors", "show", "invalid_grant"}, code: 1, stderr: []string{"not a catalog name", "lucid explain invalid_grant"}},
		{name: "show unknown", args: []string{"errors", "show", "nope"}, code: 1, stderr: []string{`no catalog entry is named "nope"`}},
		{name: "show without name", args: []string{"errors", "show"}, code: 2, stderr: []string{"missing argument"}},
		{name: "show bad output", args: []string{"errors", "show", "x", "--output", "xml"}, code: 2, stderr: []string{"--output must be text or json"}},
		{name: "errors without subcommand", args: []string{"errors"}, code: 2, stderr: []string{"missing subcommand", "list", "show"}},

		{name: "explain a name", args: []string{"explain", string(catalog.CodeExpired)}, stdout: []string{"What the client developer can do:", expired.ClientFix[0]}},
		{name: "explain a foreign code", args: []string{"explain", "AADSTS70008"},
			stdout: append([]string{"AADSTS70008 (Microsoft Entra ID, also ExpiredOrRevokedGrant)", "Lucid entries for AADSTS70008:"}, names(aadsts)...)},
		{name: "explain a pasted line", args: []string{"explain", "AADSTS50011: The redirect URI specified in the request does not match"},
			stdout: []string{"AADSTS50011 (Microsoft Entra ID, also InvalidReplyTo)", string(catalog.RedirectURINotRegistered)}},
		{name: "explain an RFC code", args: []string{"explain", "invalid_grant"}, stdout: []string{"invalid_grant (RFC 6749)", string(catalog.CodeExpired), string(catalog.VerifierMismatch)}},
		{name: "explain a code without entries", args: []string{"explain", "invalid_dpop_proof"}, stdout: []string{"invalid_dpop_proof (RFC 9449)", dpopWant}},
		{name: "explain a code as JSON", args: []string{"explain", "AADSTS70008", "--output", "json"},
			checkFn: func(t *testing.T, out string) {
				var got struct {
					Kind    string
					Aliases []struct{ Code, Source string }
					Entries []catalog.Entry
				}
				if err := json.Unmarshal([]byte(out), &got); err != nil || got.Kind != "code" || len(got.Aliases) != 1 || got.Aliases[0].Code != "AADSTS70008" || len(got.Entries) != len(aadsts) {
					t.Errorf("%+v, %v", got, err)
				}
			}},
		{name: "explain a trace id", args: []string{"explain", traceID},
			stdout: []string{
				"Failure " + traceID, "time: 2026-01-02T10:02:15Z", "endpoint: token", "client: notes",
				"request: POST /token form: grant_type code redirect_uri",
				"What the client was told:", "status: 400 Bad Request", "error: invalid_grant", "error_code: authorization_code_expired",
				"description: authorization_code_expired: The authorization code expired 1m30s ago; codes live 1m0s.",
				"error_uri: https://id.example.com/errors/authorization_code_expired",
				"Internal details (recorded for the operator, never sent):",
				"expired_at: 2026-01-02T10:01:45Z", "issued_at: 2026-01-02T10:00:45Z",
				"What the operator can do:", expired.OperatorFix[0],
			}},
		{name: "explain a trace id in capitals", args: []string{"explain", strings.ToUpper(traceID)}, stdout: []string{"Failure " + traceID}},
		{name: "explain a trace id with --database", args: []string{"explain", traceID, "--database", "sqlite:" + c.db},
			env: map[string]string{"LUCID_DATABASE": ""}, stdout: []string{"client: notes"}},
		{name: "explain a trace id as JSON", args: []string{"explain", traceID, "--output", "json"},
			checkFn: func(t *testing.T, out string) {
				var got struct {
					Kind    string
					Failure store.Failure
					Entry   catalog.Entry
				}
				if err := json.Unmarshal([]byte(out), &got); err != nil || got.Kind != "failure" {
					t.Fatalf("%s: %v", out, err)
				}
				if got.Failure.TraceID != traceID || got.Failure.ClientID != "notes" || got.Failure.Internal["expired_at"] != "2026-01-02T10:01:45Z" || !got.Failure.Time.Equal(when) {
					t.Errorf("failure %+v", got.Failure)
				}
				if got.Entry.Name != catalog.CodeExpired || len(got.Entry.OperatorFix) == 0 {
					t.Errorf("entry %+v", got.Entry)
				}
			}},
		{name: "explain an unknown trace id", args: []string{"explain", "00000000000000000000000000000000"}, code: 1,
			stderr: []string{"no failure with trace id 00000000000000000000000000000000", "sqlite:" + c.db, "168h",
				"API that checks Lucid's tokens with the resource library", `"request failed" with trace_id=00000000000000000000000000000000`}},
		{name: "explain an unknown trace id hides the database password", args: []string{"explain", "00000000000000000000000000000001", "--database", "postgres://lucid:s3cret@127.0.0.1:1/lucid?connect_timeout=1"},
			code: 1, not: []string{"s3cret"}},
		{name: "explain nonsense", args: []string{"explain", "no-such-thing"}, code: 1, stderr: []string{`"no-such-thing" is not a catalog name, a known error code, an error response, or a trace id`}},
		{name: "explain without argument", args: []string{"explain"}, code: 2, stderr: []string{"missing argument"}},
		{name: "explain help", args: []string{"explain", "-h"}, code: 0, stderr: []string{"NAME|CODE|TRACE_ID", "-database"}},
		{name: "explain bad output", args: []string{"explain", traceID, "--output", "yaml"}, code: 2, stderr: []string{"--output must be text or json"}},
		{name: "top-level help lists both", args: []string{"help"}, stdout: []string{"errors", "explain"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			saved := map[string]string{}
			for k, v := range tt.env {
				saved[k] = c.env[k]
				c.env[k] = v
			}
			defer func() {
				for k, v := range saved {
					c.env[k] = v
				}
			}()
			r := c.runIn("", tt.args...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, tt.code, r.stdout, r.stderr)
			}
			out, errOut := squash(r.stdout), squash(r.stderr)
			for _, w := range tt.stdout {
				if !strings.Contains(out, squash(w)) {
					t.Errorf("stdout lacks %q\n%s", w, r.stdout)
				}
			}
			for _, w := range tt.stderr {
				if !strings.Contains(errOut, squash(w)) {
					t.Errorf("stderr lacks %q\n%s", w, r.stderr)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(r.stdout+r.stderr, w) {
					t.Errorf("output has %q\nstdout: %s\nstderr: %s", w, r.stdout, r.stderr)
				}
			}
			if tt.checkFn != nil {
				tt.checkFn(t, r.stdout)
			}
		})
	}
}

func TestWrap(t *testing.T) {
	tests := []struct {
		in    string
		width int
		want  []string
	}{
		{"", 10, nil},
		{"one two three", 80, []string{"one two three"}},
		{"one two three", 7, []string{"one two", "three"}},
		{"a https://example.com/very/long b", 10, []string{"a", "https://example.com/very/long", "b"}},
		{"  spaced   out  ", 80, []string{"spaced out"}},
		{"§ §§ §", 4, []string{"§ §§", "§"}},
	}
	for _, tt := range tests {
		got := wrap(tt.in, tt.width)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("wrap(%q, %d) = %q, want %q", tt.in, tt.width, got, tt.want)
		}
	}
}
