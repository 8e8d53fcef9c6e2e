package admin

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/store"
)

func TestFailures(t *testing.T) {
	f := start(t, token)
	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	when := time.Date(2026, 1, 2, 10, 2, 15, 0, time.UTC)
	if err := f.st.RecordFailure(context.Background(), &store.Failure{
		TraceID: traceID, Time: when, Name: string(catalog.VerifierMismatch), Endpoint: string(catalog.Token), ClientID: "notes",
		Request:   "POST /token form: grant_type code code_verifier",
		Text:      "The S256 hash of code_verifier does not match the code_challenge of the authorization request.",
		Internal:  map[string]string{"challenge": "E9Melhoa2Owv", "verifier_hash": "Xk4Fz0"},
		CreatedAt: when,
	}); err != nil {
		t.Fatal(err)
	}
	mismatch, _ := catalog.Lookup(catalog.VerifierMismatch)

	type view struct {
		Failure store.Failure  `json:"failure"`
		Entry   *catalog.Entry `json:"entry"`
	}
	decode := func(t *testing.T, r reply) view {
		t.Helper()
		var v view
		if err := json.Unmarshal([]byte(r.raw), &v); err != nil {
			t.Fatalf("%v: %s", err, r.raw)
		}
		return v
	}
	var notFoundTrace string
	steps := []struct {
		name   string
		method string
		path   string
		auth   bool
		status int
		code   catalog.Name
		desc   []string
		check  func(t *testing.T, r reply)
	}{
		{name: "recorded failure", method: "GET", path: "/admin/failures/" + traceID, auth: true, status: 200, check: func(t *testing.T, r reply) {
			v := decode(t, r)
			fl := v.Failure
			if fl.TraceID != traceID || fl.Name != string(catalog.VerifierMismatch) || fl.Endpoint != "token" || fl.ClientID != "notes" ||
				fl.Request != "POST /token form: grant_type code code_verifier" || !fl.Time.Equal(when) ||
				fl.Internal["challenge"] != "E9Melhoa2Owv" || fl.Internal["verifier_hash"] != "Xk4Fz0" || !strings.HasPrefix(fl.Text, "The S256 hash") {
				t.Errorf("failure %+v", fl)
			}
			if v.Entry == nil || v.Entry.Name != catalog.VerifierMismatch || v.Entry.Error != mismatch.Error || len(v.Entry.ClientFix) != len(mismatch.ClientFix) {
				t.Errorf("entry %+v", v.Entry)
			}
			// The published field names of the catalog entry, as in /errors.json.
			if !strings.Contains(r.raw, `"client_fix"`) || !strings.Contains(r.raw, `"operator_fix"`) || !strings.Contains(r.raw, `"description"`) {
				t.Errorf("entry lacks the published field names: %s", r.raw)
			}
			if r.header.Get("Cache-Control") != "no-store" || r.header.Get("Content-Type") != "application/json" {
				t.Errorf("headers %v", r.header)
			}
		}},
		{name: "trace id in capitals", method: "GET", path: "/admin/failures/" + strings.ToUpper(traceID), auth: true, status: 200, check: func(t *testing.T, r reply) {
			if v := decode(t, r); v.Failure.TraceID != traceID {
				t.Errorf("got %+v", v.Failure)
			}
		}},
		{name: "unknown trace id", method: "GET", path: "/admin/failures/00000000000000000000000000000000", auth: true, status: 404,
			code: catalog.AdminNotFound, desc: []string{"failure", "00000000000000000000000000000000"}},
		{name: "a failed admin request is itself recorded", method: "GET", path: "/admin/failures/{previous}", auth: true, status: 200, check: func(t *testing.T, r reply) {
			v := decode(t, r)
			if v.Failure.Name != string(catalog.AdminNotFound) || v.Failure.Endpoint != "admin" || v.Failure.Request != "GET /admin/failures/00000000000000000000000000000000" {
				t.Errorf("failure %+v", v.Failure)
			}
			if v.Entry == nil || v.Entry.Name != catalog.AdminNotFound {
				t.Errorf("entry %+v", v.Entry)
			}
		}},
		{name: "only GET", method: "DELETE", path: "/admin/failures/" + traceID, auth: true, status: 405, code: catalog.MethodNotAllowed, desc: []string{"GET", "DELETE"}},
		{name: "needs the admin token", method: "GET", path: "/admin/failures/" + traceID, status: 401, code: catalog.AdminUnauthorized},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			auth := ""
			if s.auth {
				auth = "Bearer " + token
			}
			r := f.do(t, s.method, strings.ReplaceAll(s.path, "{previous}", notFoundTrace), "", auth)
			if s.code == catalog.AdminNotFound {
				notFoundTrace, _ = r.body["trace_id"].(string)
			}
			if s.code != "" {
				wantError(t, r, s.status, s.code, s.desc...)
				if strings.Contains(r.raw, "E9Melhoa2Owv") {
					t.Error("an error response shows a recorded internal value")
				}
				return
			}
			if r.status != s.status {
				t.Fatalf("got %d %s, want %d", r.status, r.raw, s.status)
			}
			if s.check != nil {
				s.check(t, r)
			}
		})
	}
}
