package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/lucid-auth/lucid/internal/catalog"
)

// TestExplainPastes: `lucid explain` answers what people paste, not only
// bare codes, and the wrong answers of issue 10 stay fixed.
func TestExplainPastes(t *testing.T) {
	c := newCLI(t)
	c.env["LUCID_ISSUER"] = "https://id.example.com"
	const traceID = "0123456789abcdef0123456789abcdef"
	lucidBody := `HTTP/1.1 400 Bad Request
Content-Type: application/json
X-Trace-Id: ` + traceID + `

{"error":"invalid_grant","error_description":"authorization_code_reused: The authorization code was already redeemed.","error_uri":"https://id.example.com/errors/authorization_code_reused","error_code":"authorization_code_reused","trace_id":"` + traceID + `","timestamp":"2026-01-02T10:02:15Z"}`
	tests := []struct {
		name  string
		args  []string
		stdin string
		code  int
		want  []string // in stdout
		not   []string // not in stdout
		errs  []string // in stderr
	}{
		{name: "Keycloak's unauthorized_client is a secret problem",
			args: []string{"explain", "unauthorized_client: Invalid client or Invalid client credentials"},
			want: []string{"(Keycloak)", string(catalog.ClientSecretWrong), string(catalog.ClientSecretExpired)},
			not:  []string{string(catalog.GrantTypeNotAllowed), string(catalog.ResponseTypeNotAllowed)}},
		{name: "an unquoted paste", args: []string{"explain", "unauthorized_client:", "Invalid", "client", "or", "Invalid", "client", "credentials"},
			want: []string{string(catalog.ClientSecretWrong)}},
		{name: "invalid_target lists its entries and does not deny them", args: []string{"explain", "invalid_target"},
			want: []string{"invalid_target (RFC 8707)", string(catalog.ResourceNotAllowed), string(catalog.ExchangeAudienceNotAllowed)},
			not:  []string{"no catalog entry", "No Lucid entry"}},
		{name: "login_required shows its siblings", args: []string{"explain", "login_required"},
			want: []string{"login_required: Sign-in required", "What the client developer can do:", "login_required (OpenID Connect Core)",
				string(catalog.LoginRequiredMaxAge), string(catalog.IDTokenHintOtherUser)}},
		{name: "server_error shows its siblings", args: []string{"explain", "server_error"},
			want: []string{"server_error: ", string(catalog.SigningKeyMissing)}},
		{name: "insufficient_scope shows its siblings", args: []string{"explain", "insufficient_scope"},
			want: []string{"insufficient_scope (RFC 6750)", string(catalog.UserInfoOpenIDMissing)}},
		{name: "a name that is no RFC code shows no siblings", args: []string{"explain", string(catalog.CodeReused)},
			want: []string{"authorization_code_reused: "}, not: []string{string(catalog.CodeExpired)}},
		{name: "a whole Lucid response from standard input", args: []string{"explain", "-"}, stdin: lucidBody,
			want: []string{"authorization_code_reused: ", "trace id " + traceID, "'lucid explain " + traceID + "'"},
			not:  []string{string(catalog.CodeExpired)}},
		{name: "an Entra body", args: []string{"explain", `{"error":"invalid_client","error_description":"AADSTS7000222: The provided client secret keys for app 'x' are expired.","error_codes":[7000222]}`},
			want: []string{"AADSTS7000222 (Microsoft Entra ID", string(catalog.ClientSecretExpired)}, not: []string{string(catalog.ClientUnknown)}},
		{name: "a redirect URL", args: []string{"explain", "https://app.example.com/cb?error=access_denied&error_description=consent_denied%3A+The+user+denied&state=s"},
			want: []string{"consent_denied: "}},
		{name: "a WWW-Authenticate header", args: []string{"explain", `WWW-Authenticate: Bearer realm="https://id.example.com", error="invalid_token", error_description="access_token_expired: The access token expired 5m0s ago"`},
			want: []string{"access_token_expired: "}},
		{name: "a challenge from another server", args: []string{"explain", `Bearer error="insufficient_scope", scope="orders:read"`},
			want: []string{"insufficient_scope (RFC 6750)", string(catalog.InsufficientScope), string(catalog.UserInfoOpenIDMissing)}},
		{name: "an Entra condition name", args: []string{"explain", "IdsLocked"}, want: []string{"AADSTS50053 (Microsoft Entra ID, also IdsLocked)", string(catalog.AccountLocked)}},
		{name: "a code of a feature Lucid lacks", args: []string{"explain", "AADSTS53003"},
			want: []string{"also BlockedByConditionalAccess", "Not applicable to Lucid:", "conditional access", "No Lucid entry reports AADSTS53003."}},
		{name: "an Okta condition", args: []string{"explain", "pkce_missing_verifier"}, want: []string{"pkce_missing_verifier (Okta)", string(catalog.VerifierMissing)}},
		{name: "an unknown AADSTS code beside a known error", args: []string{"explain", "invalid_grant: AADSTS99999999: something new"},
			want: []string{"AADSTS99999999 is not in Lucid's table", "invalid_grant (RFC 6749)"}},
		{name: "a paste with terminal controls is not echoed raw", args: []string{"explain", "nothing\x1b[31m here"}, code: 1,
			errs: []string{"is not a catalog name"}},
		{name: "too much on standard input", args: []string{"explain", "-"}, stdin: strings.Repeat("x", 64<<10+1), code: 1,
			errs: []string{"longer than"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.runIn(tt.stdin, tt.args...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, tt.code, r.stdout, r.stderr)
			}
			out := squash(r.stdout)
			for _, w := range tt.want {
				if !strings.Contains(out, squash(w)) {
					t.Errorf("stdout lacks %q\n%s", w, r.stdout)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(out, w) {
					t.Errorf("stdout has %q\n%s", w, r.stdout)
				}
			}
			for _, w := range tt.errs {
				if !strings.Contains(squash(r.stderr), w) {
					t.Errorf("stderr lacks %q\n%s", w, r.stderr)
				}
			}
			if strings.Contains(r.stdout+r.stderr, "\x1b") {
				t.Errorf("raw escape in the output")
			}
		})
	}

	// JSON: a name equal to its RFC code is an entry with siblings.
	var x struct {
		Kind     string
		Entry    catalog.Entry
		Siblings []catalog.Entry
		Aliases  []struct{ Code, Source, NotApplicable string }
	}
	r := c.runIn("", "explain", "login_required", "--output", "json")
	if err := json.Unmarshal([]byte(r.stdout), &x); err != nil || x.Kind != "entry" || x.Entry.Name != catalog.LoginRequired || len(x.Siblings) < 2 || len(x.Aliases) == 0 {
		t.Errorf("%s: %+v %v", r.stdout, x, err)
	}
	var y struct {
		Kind    string
		Aliases []struct {
			Code, Also, Source string
			NotApplicable      string `json:"not_applicable"`
		}
		Entries []catalog.Entry
	}
	r = c.runIn("", "explain", "ConditionalAccessFailed", "--output", "json")
	if err := json.Unmarshal([]byte(r.stdout), &y); err != nil || y.Kind != "code" || len(y.Aliases) != 1 || y.Aliases[0].Code != "AADSTS50131" || y.Aliases[0].NotApplicable == "" || len(y.Entries) != 0 {
		t.Errorf("%s: %+v %v", r.stdout, y, err)
	}
}
