package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/config"
)

func runErrors(ctx context.Context, e *env, args []string) error {
	return subcommand(ctx, e, "errors", args, []command{
		{"list", "list the error catalog: name, error, status and title", errorsList},
		{"show", "show one catalog entry: what it means, causes, fixes", errorsShow},
	})
}

func errorsList(_ context.Context, e *env, args []string) error {
	fs := newFlags(e, "errors list", "")
	output := fs.String("output", "text", "output format: text or json")
	endpoint := fs.String("endpoint", "", "only the entries of this endpoint ("+endpointNames()+")")
	if _, err := parseFlags(fs, args, 0, 0); err != nil {
		return err
	}
	if err := checkOutput(*output); err != nil {
		return err
	}
	list := catalog.All()
	if *endpoint != "" {
		ep := catalog.Endpoint(*endpoint)
		if !slices.Contains(catalog.Endpoints(), ep) {
			return usagef("--endpoint must be one of %s, not %q", endpointNames(), *endpoint)
		}
		// The catalog's own order within an endpoint groups related failures.
		list = catalog.ByEndpoint()[ep]
	}
	if *output == "json" {
		return writeJSON(e.stdout, struct {
			Errors []*catalog.Entry `json:"errors"`
		}{Errors: nonNilEntries(list)})
	}
	rows := make([][]string, 0, len(list))
	for _, en := range list {
		rows = append(rows, []string{string(en.Name), orDash(en.Error), strconv.Itoa(en.Status), en.Title})
	}
	if err := table(e.stdout, []string{"NAME", "ERROR", "STATUS", "TITLE"}, rows); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "\n%d entries. 'lucid errors show NAME' explains one.\n", len(list))
	return nil
}

func errorsShow(_ context.Context, e *env, args []string) error {
	fs := newFlags(e, "errors show", "NAME")
	output := fs.String("output", "text", "output format: text or json")
	configPath := fs.String("config", "", "YAML configuration `file`, for the issuer in the entry's page address")
	pos, err := parseFlags(fs, args, 1, 1)
	if err != nil {
		return err
	}
	if err := checkOutput(*output); err != nil {
		return err
	}
	en, ok := catalog.Lookup(catalog.Name(strings.ToLower(strings.TrimSpace(pos[0]))))
	if !ok {
		return unknownName(pos[0])
	}
	if *output == "json" {
		return writeJSON(e.stdout, en)
	}
	return printEntry(e.stdout, en, issuerOf(e, *configPath))
}

// unknownName says what a name that is no catalog entry may be instead.
func unknownName(name string) error {
	if _, es := catalog.Explain(name); len(es) > 0 {
		return fmt.Errorf("%q is not a catalog name but a code that %d entries report; 'lucid explain %s' lists them", name, len(es), name)
	}
	return fmt.Errorf("no catalog entry is named %q; 'lucid errors list' shows them all", name)
}

func checkOutput(o string) error {
	if o != "text" && o != "json" {
		return usagef("--output must be text or json, not %q", o)
	}
	return nil
}

func endpointNames() string {
	var out []string
	for _, ep := range catalog.Endpoints() {
		out = append(out, string(ep))
	}
	return strings.Join(out, ", ")
}

func nonNilEntries(es []*catalog.Entry) []*catalog.Entry {
	if es == nil {
		return []*catalog.Entry{}
	}
	return es
}

// issuerOf is the configured issuer (file, then LUCID_ISSUER), for the
// entry's page address; "" when the configuration cannot be read, since an
// explanation should not fail for that.
func issuerOf(e *env, path string) string {
	cfg, err := loadConfig(e, config.Default(), path)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(cfg.Issuer, "/")
}

// writeJSON writes v as indented JSON without HTML escaping: descriptions
// hold text such as <token> that should read as written.
// Stored values may hold characters that steer a terminal; jsonSafe
// escapes those encoding/json leaves raw.
func writeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(jsonSafe(buf.Bytes()))
	return err
}

// textWidth is where explanations wrap: a terminal's usual 80 columns.
const textWidth = 80

// printEntry writes one entry for a person at a terminal.
func printEntry(w io.Writer, en *catalog.Entry, issuer string) error {
	fmt.Fprintf(w, "%s: %s\n\n", en.Name, en.Title)
	eps := make([]string, len(en.Endpoints))
	for i, ep := range en.Endpoints {
		eps[i] = string(ep)
	}
	facts := [][2]string{
		{"  error", orNone(en.Error)},
		{"  status", catalog.StatusText(en.Status)},
		{"  endpoints", strings.Join(eps, ", ")},
		{"  spec", strings.TrimSpace(en.Spec + "  " + en.SpecURL)},
	}
	page := "/errors/" + string(en.Name)
	if issuer != "" {
		page = catalog.New(en.Name).URI(issuer)
	}
	facts = append(facts, [2]string{"  page", page})
	if en.Page {
		facts = append(facts, [2]string{"  shown as", "a page to the person, not sent to the client"})
	}
	if err := fields(w, facts); err != nil {
		return err
	}
	section(w, "What it means ({placeholders} are filled from the failing request):", []string{en.Description}, "")
	section(w, "Likely causes:", en.Causes, "- ")
	section(w, "What the client developer can do:", en.ClientFix, "- ")
	section(w, "What the operator can do:", en.OperatorFix, "- ")
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "(none: the HTTP status alone)"
	}
	return s
}

// section writes a heading and its items, wrapped and indented.
func section(w io.Writer, heading string, items []string, bullet string) {
	if len(items) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s\n", heading)
	for _, it := range items {
		indent := "  " + strings.Repeat(" ", len(bullet))
		for i, line := range wrap(it, textWidth-len(indent)) {
			if i == 0 {
				fmt.Fprintf(w, "  %s%s\n", bullet, line)
			} else {
				fmt.Fprintf(w, "%s%s\n", indent, line)
			}
		}
	}
}

// wrap breaks s into lines of at most width columns at spaces; a word
// longer than width (a URL) gets a line of its own.
func wrap(s string, width int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		switch {
		case line == "":
			line = word
		case len([]rune(line))+1+len([]rune(word)) <= width:
			line += " " + word
		default:
			lines = append(lines, line)
			line = word
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}
