package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/store"
)

// explanation is the JSON of `lucid explain`. Kind says which of the
// three answers it is: "entry" (a catalog name, or a Lucid response that
// names its entry), "code" (an RFC error code or another provider's code)
// or "failure" (a recorded trace id).
type explanation struct {
	Kind    string           `json:"kind"`
	Code    string           `json:"code,omitempty"`
	Aliases []aliasJSON      `json:"aliases,omitempty"`
	Entries []*catalog.Entry `json:"entries,omitempty"`
	Entry   *catalog.Entry   `json:"entry,omitempty"`
	// Siblings are the other entries with the entry's RFC error, given
	// when the entry's name is that error code (login_required...).
	Siblings []*catalog.Entry `json:"siblings,omitempty"`
	Failure  *store.Failure   `json:"failure,omitempty"`
	// TraceID is the trace id of a pasted response, Unknown the codes of a
	// known shape that Lucid's tables lack.
	TraceID string   `json:"trace_id,omitempty"`
	Unknown []string `json:"unknown,omitempty"`
}

type aliasJSON struct {
	Code          string         `json:"code"`
	Also          string         `json:"also,omitempty"`
	Source        string         `json:"source"`
	Meaning       string         `json:"meaning,omitempty"`
	NotApplicable string         `json:"not_applicable,omitempty"`
	Names         []catalog.Name `json:"names"`
}

// maxPaste bounds what `lucid explain -` reads from standard input.
const maxPaste = 64 << 10

func runExplain(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "explain", "NAME|CODE|TRACE_ID|PASTE")
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintln(w, "Usage: lucid explain [FLAGS] NAME|CODE|TRACE_ID|PASTE|-")
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Explains a catalog name (authorization_code_expired), an error code from")
		fmt.Fprintln(w, "OAuth or another provider (AADSTS70008, IdsLocked, invalid_client_secret),")
		fmt.Fprintln(w, "or a trace id from an error response or page: what happened in that request,")
		fmt.Fprintln(w, "as recorded in the database. A pasted error also works: an \"error: description\"")
		fmt.Fprintln(w, "line, a whole JSON error body, a redirect URL with error=, or a")
		fmt.Fprintln(w, "WWW-Authenticate header. With -, the paste is read from standard input.")
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Flags:")
		fs.PrintDefaults()
	}
	var cf commonFlags
	cf.register(fs)
	pos, err := parseFlags(fs, args, 1, -1)
	if err != nil {
		return err
	}
	if err := cf.check(); err != nil {
		return err
	}
	// An unquoted paste arrives as several arguments.
	arg := strings.TrimSpace(strings.Join(pos, " "))
	if arg == "-" {
		b, err := io.ReadAll(io.LimitReader(e.stdin, maxPaste+1))
		if err != nil {
			return fmt.Errorf("read standard input: %w", err)
		}
		if len(b) > maxPaste {
			return fmt.Errorf("standard input is longer than %d bytes; paste only the error response", maxPaste)
		}
		arg = strings.TrimSpace(string(b))
	}
	asJSON := cf.output == "json"

	if traceID := strings.ToLower(arg); isTraceID(traceID) {
		return explainFailure(ctx, e, &cf, traceID, asJSON)
	}
	x := catalog.ExplainText(arg)
	if x.Empty() {
		return fmt.Errorf("%q is not a catalog name, a known error code, an error response, or a trace id (32 hexadecimal digits); 'lucid errors list' shows the catalog", clip(arg))
	}
	if asJSON {
		out := explanation{Kind: "code", Code: x.Code, Entries: x.Entries, TraceID: x.TraceID, Unknown: x.Unknown}
		if x.Entry != nil {
			out = explanation{Kind: "entry", Entry: x.Entry, Siblings: x.Entries, TraceID: x.TraceID}
		}
		for _, a := range x.Aliases {
			out.Aliases = append(out.Aliases, aliasJSON{Code: a.Code, Also: a.Also, Source: a.Source, Meaning: a.Meaning, NotApplicable: a.NotApplicable, Names: nonNilNames(a.Names)})
		}
		return writeJSON(e.stdout, out)
	}
	if x.Entry != nil {
		if err := printEntry(e.stdout, x.Entry, issuerOf(e, cf.config)); err != nil {
			return err
		}
		if len(x.Entries) > 0 {
			// The name is also an RFC error code, which other entries send too.
			fmt.Fprintf(e.stdout, "\n%s is also an error code, and other Lucid entries send it.\n\n", x.Entry.Error)
			printAliases(e.stdout, x.Aliases)
			if err := entriesTable(e.stdout, x.Entries); err != nil {
				return err
			}
			fmt.Fprintln(e.stdout, "\n'lucid explain NAME' explains one.")
		}
	} else if err := printCode(e.stdout, x.Code, x.Aliases, x.Entries); err != nil {
		return err
	}
	for _, u := range x.Unknown {
		fmt.Fprintf(e.stdout, "\n%s is not in Lucid's table of that provider's codes.\n", term(u))
	}
	if isTraceID(strings.ToLower(x.TraceID)) {
		fmt.Fprintf(e.stdout, "\nThe response carries trace id %s: 'lucid explain %s' shows what the server recorded for that request.\n", term(x.TraceID), term(strings.ToLower(x.TraceID)))
	}
	return nil
}

// clip shortens a paste for an error message.
func clip(s string) string {
	const most = 80
	if r := []rune(s); len(r) > most {
		return string(r[:most]) + "..."
	}
	return s
}

// explainFailure tells the recorded story of one trace id.
func explainFailure(ctx context.Context, e *env, cf *commonFlags, traceID string, asJSON bool) error {
	s, err := e.open(ctx, cf)
	if err != nil {
		return err
	}
	defer s.Close()
	f, err := s.st.GetFailure(ctx, traceID)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no failure with trace id %s is recorded in %s.\n"+
			"If the trace id came from an API that checks Lucid's tokens with the resource library, it is that API's own: "+
			"look in the API's log for \"request failed\" with trace_id=%s (a failed introspection there names Lucid's trace id as lucid_trace_id).\n"+
			"If it came from Lucid, the story may not have been kept: failures are kept for %s (failure_retention), at most %d of registered clients (failure_max_stories) and %d others (failure_max_unattributed); "+
			"of many alike from one network only the first few are kept and Lucid's log counts the rest (\"request failures summarised\"); "+
			"a story the recording queue could not hold is counted, not kept; a missing token (no error code) and the database not answering are not recorded",
			traceID, dbLabel(s.cfg.Database), traceID, s.cfg.FailureRetention, s.cfg.FailureMaxStories, s.cfg.FailureMaxUnattributed)
	}
	if err != nil {
		return fmt.Errorf("read failure %s: %w", traceID, err)
	}
	en, _ := catalog.Lookup(catalog.Name(f.Name))
	if asJSON {
		return s.printJSON(explanation{Kind: "failure", Failure: f, Entry: en})
	}
	if isNote(f) {
		return printNote(s.out, f, en, strings.TrimSuffix(s.cfg.Issuer, "/"))
	}
	return printFailure(s.out, f, en, strings.TrimSuffix(s.cfg.Issuer, "/"))
}

func nonNilNames(ns []catalog.Name) []catalog.Name {
	if ns == nil {
		return []catalog.Name{}
	}
	return ns
}

// isTraceID accepts the form trace.New makes: 128 bits in hex.
func isTraceID(s string) bool {
	if len(s) != 32 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// dbLabel names the database for a message without its password.
func dbLabel(dsn string) string {
	if strings.HasPrefix(dsn, "sqlite:") {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" {
		return "the configured database"
	}
	return u.Redacted()
}

// printCode answers a code: what it usually means, and the Lucid entries
// that report the same failure.
func printCode(w io.Writer, code string, aliases []catalog.Alias, entries []*catalog.Entry) error {
	printAliases(w, aliases)
	if len(entries) == 0 {
		fmt.Fprintf(w, "No Lucid entry reports %s.\n", term(code))
		return nil
	}
	fmt.Fprintf(w, "Lucid entries for %s:\n\n", term(code))
	if err := entriesTable(w, entries); err != nil {
		return err
	}
	if len(entries) == 1 {
		fmt.Fprintln(w)
		return printEntry(w, entries[0], "")
	}
	fmt.Fprintln(w, "\n'lucid explain NAME' explains one; the error_code or the start of error_description of a response names it.")
	return nil
}

// printAliases says what each matching code means, or why Lucid has no
// entry for it.
func printAliases(w io.Writer, aliases []catalog.Alias) {
	for _, a := range aliases {
		if a.Also != "" {
			fmt.Fprintf(w, "%s (%s, also %s)\n", a.Code, a.Source, a.Also)
		} else {
			fmt.Fprintf(w, "%s (%s)\n", a.Code, a.Source)
		}
		for _, line := range wrap(a.Meaning, textWidth-2) {
			fmt.Fprintf(w, "  %s\n", line)
		}
		if a.NotApplicable != "" {
			for _, line := range wrap("Not applicable to Lucid: "+a.NotApplicable, textWidth-2) {
				fmt.Fprintf(w, "  %s\n", line)
			}
		}
		fmt.Fprintln(w)
	}
}

func entriesTable(w io.Writer, entries []*catalog.Entry) error {
	rows := make([][]string, 0, len(entries))
	for _, en := range entries {
		rows = append(rows, []string{string(en.Name), orDash(en.Error), fmt.Sprint(en.Status), en.Title})
	}
	return table(w, []string{"NAME", "ERROR", "STATUS", "TITLE"}, rows)
}

// printFailure tells the story of one failed request: what came in, what
// the client was told, what Lucid compared, and the catalog entry.
func printFailure(w io.Writer, f *store.Failure, en *catalog.Entry, issuer string) error {
	fmt.Fprintf(w, "Failure %s\n\n", term(f.TraceID))
	facts := [][2]string{
		{"  time", f.Time.UTC().Format(time.RFC3339) + " (" + ago(time.Since(f.Time)) + ")"},
		{"  endpoint", f.Endpoint},
		{"  client", orDash(f.ClientID)},
		{"  request", f.Request},
	}
	if err := fields(w, facts); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nWhat the client was told:")
	told := [][2]string{}
	if en != nil {
		told = append(told, [2]string{"  status", catalog.StatusText(en.Status)}, [2]string{"  error", orNone(en.Error)})
	}
	told = append(told, [2]string{"  error_code", f.Name}, [2]string{"  description", f.Name + ": " + f.Text})
	if en != nil && issuer != "" {
		told = append(told, [2]string{"  error_uri", catalog.New(en.Name).URI(issuer)})
	}
	if err := fields(w, told); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nInternal details (recorded for the operator, never sent):")
	if len(f.Internal) == 0 {
		fmt.Fprintln(w, "  (none recorded)")
	} else if err := internalFields(w, f.Internal, ""); err != nil {
		return err
	}
	fmt.Fprintln(w)
	if en == nil {
		fmt.Fprintf(w, "The catalog of this lucid has no entry %q; the failure was recorded by another version.\n", f.Name)
		return nil
	}
	return printEntry(w, en, issuer)
}

// internalFields prints a story's operator-only details, sorted by key,
// leaving out skip.
func internalFields(w io.Writer, internal map[string]string, skip string) error {
	keys := make([]string, 0, len(internal))
	for k := range internal {
		if k != skip {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	kv := make([][2]string, len(keys))
	for i, k := range keys {
		kv[i] = [2]string{"  " + k, internal[k]}
	}
	return fields(w, kv)
}

// ago is a duration for a person: whole units, no fractions of seconds.
func ago(d time.Duration) string {
	switch {
	case d < 0:
		return "in the future"
	case d < time.Minute:
		return d.Round(time.Second).String() + " ago"
	case d < 48*time.Hour:
		return d.Round(time.Minute).String() + " ago"
	default:
		return fmt.Sprintf("%d days ago", int(d/(24*time.Hour)))
	}
}
