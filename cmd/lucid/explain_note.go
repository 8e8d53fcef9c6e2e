package main

import (
	"fmt"
	"io"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/failure"
	"github.com/lucid-auth/lucid/internal/store"
)

// printNote tells the story of a request that succeeded with a note (a
// token response without a refresh token, say): what came in, what it
// left out and why, and the catalog entry a later request that trips over
// it gets.
func printNote(w io.Writer, f *store.Failure, en *catalog.Entry, issuer string) error {
	fmt.Fprintf(w, "Note %s: the request succeeded\n\n", term(f.TraceID))
	facts := [][2]string{
		{"  time", f.Time.UTC().Format(time.RFC3339) + " (" + ago(time.Since(f.Time)) + ")"},
		{"  endpoint", f.Endpoint},
		{"  client", orDash(f.ClientID)},
		{"  request", f.Request},
		{"  outcome", f.Internal[failure.Outcome]},
	}
	if err := fields(w, facts); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nThe note (the response named it; a later request that needs what was left out fails with it):")
	if err := fields(w, [][2]string{{"  name", f.Name}, {"  says", f.Name + ": " + f.Text}}); err != nil {
		return err
	}
	others := len(f.Internal)
	if _, ok := f.Internal[failure.Outcome]; ok {
		others--
	}
	if others > 0 {
		fmt.Fprintln(w, "\nInternal details (recorded for the operator, never sent):")
		if err := internalFields(w, f.Internal, failure.Outcome); err != nil {
			return err
		}
	}
	fmt.Fprintln(w)
	if en == nil {
		fmt.Fprintf(w, "The catalog of this lucid has no entry %q; the note was recorded by another version.\n", f.Name)
		return nil
	}
	return printEntry(w, en, issuer)
}

func isNote(f *store.Failure) bool { return failure.IsNote(f) }
