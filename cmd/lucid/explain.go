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
// three answers it is: "entry" (a catalog name), "code" (an RFC error code
// or another provider's code) or "failure" (a recorded trace id).
type explanation struct {
	Kind    string           `json:"kind"`
	Code    string           `json:"code,omitempty"`
	Aliases []aliasJSON      `json:"aliases,omitempty"`
	Entries []*catalog.Entry `json:"entries,omitempty"`
	Entry   *catalog.Entry   `json:"entry,omitempty"`
	Failure *store.Failure   `json:"failure,omitempty"`
}

type aliasJSON struct {
	Code    string         `json:"code"`
	Source  string         `json:"source"`
	Meaning string         `json:"meaning"`
	Names   []catalog.Name `json:"names"`
}

func runExplain(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "explain", "NAME|CODE|TRACE_ID")
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintln(w, "Usage: lucid explain [FLAGS] NAME|CODE|TRACE_ID")
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Explains a catalog name (authorization_code_expired), an error code from")
		fmt.Fprintln(w, "OAuth or another provider (AADSTS70008), or a trace id from an error")
		fmt.Fprintln(w, "response or page: what happened in that request, as recorded in the database.")
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Flags:")
		fs.PrintDefaults()
	}
	var cf commonFlags
	cf.register(fs)
	pos, err := parseFlags(fs, args, 1, 1)
	if err != nil {
		return err
	}
	if err := cf.check(); err != nil {
		return err
	}
	arg := strings.TrimSpace(pos[0])
	asJSON := cf.output == "json"

	if en, ok := catalog.Lookup(catalog.Name(strings.ToLower(arg))); ok {
		if asJSON {
			return writeJSON(e.stdout, explanation{Kind: "entry", Entry: en})
		}
		return printEntry(e.stdout, en, issuerOf(e, cf.config))
	}
	if aliases, entries := catalog.Explain(arg); len(aliases) > 0 || len(entries) > 0 {
		if asJSON {
			x := explanation{Kind: "code", Code: arg, Entries: entries}
			for _, a := range aliases {
				x.Aliases = append(x.Aliases, aliasJSON{Code: a.Code, Source: a.Source, Meaning: a.Meaning, Names: nonNilNames(a.Names)})
			}
			return writeJSON(e.stdout, x)
		}
		return printCode(e.stdout, arg, aliases, entries)
	}
	traceID := strings.ToLower(arg)
	if !isTraceID(traceID) {
		return fmt.Errorf("%q is not a catalog name, a known error code, or a trace id (32 hexadecimal digits); 'lucid errors list' shows the catalog", arg)
	}
	s, err := e.open(ctx, &cf)
	if err != nil {
		return err
	}
	defer s.Close()
	f, err := s.st.GetFailure(ctx, traceID)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no failure with trace id %s is recorded in %s; failures are kept for %s (failure_retention), at most %d of registered clients (failure_max_stories) and %d others (failure_max_unattributed), and only where the server that answered keeps them; "+
			"of many alike from one network only the first few are kept, and the server's log counts the rest (\"request failures summarised\")",
			traceID, dbLabel(s.cfg.Database), s.cfg.FailureRetention, s.cfg.FailureMaxStories, s.cfg.FailureMaxUnattributed)
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
	for _, a := range aliases {
		fmt.Fprintf(w, "%s (%s)\n", a.Code, a.Source)
		for _, line := range wrap(a.Meaning, textWidth-2) {
			fmt.Fprintf(w, "  %s\n", line)
		}
		fmt.Fprintln(w)
	}
	if len(entries) == 0 {
		fmt.Fprintf(w, "No Lucid entry reports %s.\n", term(code))
		return nil
	}
	fmt.Fprintf(w, "Lucid entries for %s:\n\n", term(code))
	rows := make([][]string, 0, len(entries))
	for _, en := range entries {
		rows = append(rows, []string{string(en.Name), orDash(en.Error), fmt.Sprint(en.Status), en.Title})
	}
	if err := table(w, []string{"NAME", "ERROR", "STATUS", "TITLE"}, rows); err != nil {
		return err
	}
	if len(entries) == 1 {
		fmt.Fprintln(w)
		return printEntry(w, entries[0], "")
	}
	fmt.Fprintln(w, "\n'lucid explain NAME' explains one; the error_code or the start of error_description of a response names it.")
	return nil
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
	} else {
		keys := make([]string, 0, len(f.Internal))
		for k := range f.Internal {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		kv := make([][2]string, len(keys))
		for i, k := range keys {
			kv[i] = [2]string{"  " + k, f.Internal[k]}
		}
		if err := fields(w, kv); err != nil {
			return err
		}
	}
	fmt.Fprintln(w)
	if en == nil {
		fmt.Fprintf(w, "The catalog of this lucid has no entry %q; the failure was recorded by another version.\n", f.Name)
		return nil
	}
	return printEntry(w, en, issuer)
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
