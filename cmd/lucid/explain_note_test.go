package main

import (
	"strings"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/failure"
	"github.com/lucid-auth/lucid/internal/store"
)

// A note (a success that left something out) is told as one: not as a
// failure with a 400 the client never got.
func TestExplainNote(t *testing.T) {
	c := newCLI(t)
	const traceID = "0af7651916cd43dd8448eb211c80319c"
	when := time.Date(2026, 1, 2, 10, 2, 15, 0, time.UTC)
	recordFailure(t, c.db, &store.Failure{
		TraceID: traceID, Time: when, Name: string(catalog.RefreshNotRequested), Endpoint: string(catalog.Token), ClientID: "notes",
		Request: "POST /token form: code code_verifier grant_type redirect_uri",
		Text:    "There is no refresh token to use: client notes gets one only when its authorization request asks for the offline_access scope, and a grant without it has none.",
		Internal: map[string]string{
			failure.Outcome: failure.NoteOutcome, "granted_scope": "openid profile",
		},
		CreatedAt: when,
	})
	out := strings.Join(strings.Fields(c.ok("explain", traceID)), " ")
	en, _ := catalog.Lookup(catalog.RefreshNotRequested)
	for _, want := range []string{
		"Note " + traceID + ": the request succeeded", "outcome: " + failure.NoteOutcome, "client: notes",
		"name: refresh_token_not_requested", "granted_scope: openid profile", en.ClientFix[0],
	} {
		if !strings.Contains(out, strings.Join(strings.Fields(want), " ")) {
			t.Errorf("explain does not say %q:\n%s", want, out)
		}
	}
	for _, not := range []string{"Failure " + traceID, "What the client was told"} {
		if strings.Contains(out, not) {
			t.Errorf("explain tells a note as a failure (%q):\n%s", not, out)
		}
	}
}
