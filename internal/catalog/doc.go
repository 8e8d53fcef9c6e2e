package catalog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"
)

// endpointDocs gives each endpoint its heading and the way its errors reach
// the caller, in the order the documentation lists them.
var endpointDocs = []struct {
	ep    Endpoint
	title string
	how   string
}{
	{Authorize, "Authorization endpoint", "Errors go back to the client's redirect_uri as error parameters (in the response mode the client asked for), with state and iss. Entries shown as a page are the exception: while the client or its redirect URI cannot be trusted, Lucid shows the error to the person instead of redirecting."},
	{SignIn, "Sign-in and consent pages", "These are Lucid's own pages. Problems with the form are shown to the person on the page; outcomes that end the authorization (denied, cancelled, expired) go back to the client like authorization endpoint errors."},
	{Recovery, "Account recovery and sign-up pages", "These are Lucid's own pages (/forgot, /reset, /verify-email, /signup): a problem with a form is shown on the form, a bad or spent link as an error page. A reset request is answered the same way whether or not the account exists."},
	{Account, "Account page", "This is Lucid's own page (/account) for a signed-in person: a refused change is shown on the page with its trace id as a reference, and nothing is changed."},
	{PAR, "Pushed authorization requests", "Errors are RFC 6749 §5.2 JSON bodies, as at the token endpoint (RFC 9126 §2.3). A pushed request is checked as the authorization endpoint would check it, so the authorization endpoint's entries can be answered here too, as JSON instead of a redirect or a page."},
	{DeviceAuthorization, "Device authorization endpoint", "Errors are RFC 6749 §5.2 JSON bodies, as at the token endpoint (RFC 8628 §3.2). The scope and resource parameters are checked as the authorization endpoint checks them, so its entries can be answered here too, as JSON."},
	{Backchannel, "Backchannel authentication (CIBA)", "Errors are RFC 6749 §5.2 JSON bodies, as at the token endpoint (OpenID CIBA Core §13); invalid_client answers 401 with a WWW-Authenticate challenge."},
	{Token, "Token endpoint", "Errors are RFC 6749 §5.2 JSON bodies (error, error_description starting with the entry name, error_uri, error_code, trace_id, timestamp); invalid_client answers 401 with a WWW-Authenticate challenge in the scheme the client used."},
	{Introspect, "Token introspection", "Errors are RFC 6749 §5.2 JSON bodies (error, error_description starting with the entry name, error_uri, error_code, trace_id, timestamp)."},
	{Revoke, "Token revocation", "Errors are RFC 6749 §5.2 JSON bodies (error, error_description starting with the entry name, error_uri, error_code, trace_id, timestamp)."},
	{UserInfo, "UserInfo endpoint", "Errors are an RFC 6750 WWW-Authenticate challenge plus the JSON body."},
	{Resource, "Resource servers", "Resource servers that verify Lucid's access tokens with its library answer with an RFC 6750 WWW-Authenticate challenge plus the JSON body."},
	{EndSession, "Logout (end session)", "Errors are shown to the person as a page; Lucid does not redirect to a URI it cannot trust."},
	{Register, "Client registration", "Errors are RFC 6749 §5.2 JSON bodies (error, error_description starting with the entry name, error_uri, error_code, trace_id, timestamp)."},
	{Admin, "Admin API", "Errors are JSON bodies in the same format as the token endpoint."},
	{Console, "Web console", "These are the console's own pages under /console/: a refusal is shown as a page with its trace id; a failed action shows the admin API's entry (admin_invalid_input, admin_not_found, …) on the page."},
	{Outbox, "Outbox deliveries", "No client is answered: each failed delivery attempt (a back-channel logout token, …) is logged and kept as a story under a trace id of its own, for `lucid explain` and GET /admin/failures/{trace_id}; GET /admin/outbox lists the items waiting and given up on."},
	{Other, "Other paths", "A path no endpoint serves gets Lucid's not-found page, with a trace id and a link to the error catalog."},
}

// Endpoints returns every endpoint in documentation order.
func Endpoints() []Endpoint {
	out := make([]Endpoint, len(endpointDocs))
	for i, d := range endpointDocs {
		out[i] = d.ep
	}
	return out
}

// Title is the endpoint's human heading, e.g. "Token endpoint".
func (ep Endpoint) Title() string {
	for _, d := range endpointDocs {
		if d.ep == ep {
			return d.title
		}
	}
	return string(ep)
}

// How says how errors at this endpoint reach the caller, for the error
// pages and `lucid errors`.
func (ep Endpoint) How() string { return ep.how() }

func (ep Endpoint) how() string {
	for _, d := range endpointDocs {
		if d.ep == ep {
			return d.how
		}
	}
	return ""
}

// ByEndpoint returns, for every endpoint that has entries, the entries that
// can occur there, in catalog order (which groups related failures). An
// entry with several endpoints appears under each.
func ByEndpoint() map[Endpoint][]*Entry {
	m := make(map[Endpoint][]*Entry)
	for i := range entries {
		e := &entries[i]
		for _, ep := range e.Endpoints {
			m[ep] = append(m[ep], e)
		}
	}
	return m
}

// usedEndpoints lists the endpoints that have entries: the documented order
// first, then any others by name.
func usedEndpoints(by map[Endpoint][]*Entry) []Endpoint {
	var out []Endpoint
	known := map[Endpoint]bool{}
	for _, d := range endpointDocs {
		known[d.ep] = true
		if len(by[d.ep]) > 0 {
			out = append(out, d.ep)
		}
	}
	var rest []Endpoint
	for ep := range by {
		if !known[ep] {
			rest = append(rest, ep)
		}
	}
	sort.Slice(rest, func(i, j int) bool { return rest[i] < rest[j] })
	return append(out, rest...)
}

// jsonEntry is the published form of an Entry. Its field names are a
// contract of /errors.json: never rename them.
type jsonEntry struct {
	Name        Name       `json:"name"`
	Error       string     `json:"error"`
	Status      int        `json:"status"`
	Title       string     `json:"title"`
	Description string     `json:"description"`
	Causes      []string   `json:"causes"`
	ClientFix   []string   `json:"client_fix"`
	OperatorFix []string   `json:"operator_fix"`
	Spec        string     `json:"spec"`
	SpecURL     string     `json:"spec_url"`
	Endpoints   []Endpoint `json:"endpoints"`
	Page        bool       `json:"page"`
}

// nonNil makes empty lists appear as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// nilIfEmpty undoes nonNil so a decoded entry equals the original.
func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}

// MarshalJSON renders the entry with the stable field names of /errors.json.
func (e Entry) MarshalJSON() ([]byte, error) {
	return marshal(jsonEntry{
		Name: e.Name, Error: e.Error, Status: e.Status, Title: e.Title,
		Description: e.Description,
		Causes:      nonNil(e.Causes), ClientFix: nonNil(e.ClientFix), OperatorFix: nonNil(e.OperatorFix),
		Spec: e.Spec, SpecURL: e.SpecURL, Endpoints: nonNil(e.Endpoints), Page: e.Page,
	}, "")
}

// UnmarshalJSON reads the form MarshalJSON writes.
func (e *Entry) UnmarshalJSON(b []byte) error {
	var j jsonEntry
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*e = Entry{
		Name: j.Name, Error: j.Error, Status: j.Status, Title: j.Title,
		Description: j.Description,
		Causes:      nilIfEmpty(j.Causes), ClientFix: nilIfEmpty(j.ClientFix), OperatorFix: nilIfEmpty(j.OperatorFix),
		Spec: j.Spec, SpecURL: j.SpecURL, Endpoints: nilIfEmpty(j.Endpoints), Page: j.Page,
	}
	return nil
}

// JSON renders the whole catalog, sorted by name, for /errors.json.
func JSON() ([]byte, error) {
	return marshal(All(), "  ")
}

// marshal encodes without HTML escaping: descriptions contain text such as
// <token>, which should read as written.
func marshal(v any, indent string) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", indent)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	if indent == "" {
		return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
	}
	return buf.Bytes(), nil
}

// Values of the wire-format examples, fixed so the document is reproducible.
const (
	exampleIssuer = "https://id.example.com"
	exampleTrace  = "4bf92f3577b34da6a3ce929d0e0e4736"
)

var exampleTime = time.Date(2026, 1, 2, 10, 2, 15, 0, time.UTC)

// Markdown renders docs/errors.md from the catalog.
func Markdown() []byte {
	var b bytes.Buffer
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	by := ByEndpoint()
	eps := usedEndpoints(by)

	p("# Lucid error catalog\n\n")
	p("<!-- Generated from internal/catalog. Do not edit by hand; run\n     go test ./internal/catalog -run TestErrorsDocIsCurrent -update -->\n\n")
	p("Every failure that Lucid reports to a client, or shows to a person, is one entry of this catalog: ")
	p("%d entries, listed below by the endpoint where they occur. Each entry has\n\n", len(entries))
	p("- a stable **name** in snake_case. It is sent as `error_code`, starts `error_description`, and is never renamed once shipped, so clients and dashboards can match on it;\n")
	p("- the **RFC error** code (`error`) that OAuth and OpenID Connect clients branch on;\n")
	p("- the HTTP **status**;\n")
	p("- a **description** template, whose `{placeholders}` are filled with values from the failing request;\n")
	p("- the likely **causes**, what the **client developer** can do, and, where the operator can help, what the **operator** can do;\n")
	p("- the **specification** section that defines the behaviour.\n\n")
	p("A running Lucid serves this catalog at `/errors` (one page per entry, `/errors/NAME`, which is also each error's `error_uri`) and as JSON at `/errors.json`. ")
	p("`lucid explain CODE` looks up a Lucid name, an RFC error code, or a code from another provider; see [Codes from other providers and specifications](#codes-from-other-providers-and-specifications).\n\n")

	p("## Disclosure rule\n\n")
	p("A description tells the caller only what the caller already knows or owns: its own code's lifetime and age, the redirect URI it sent, the scopes it asked for, the parameter it got wrong. ")
	p("It never contains a secret, a token, whether a username exists, or another client's data. ")
	p("Everything else that helps to diagnose a failure is recorded for the operator under the request's trace id, in the log and for `lucid explain TRACE_ID`, and is never sent.\n\n")

	p("## Wire format\n\n")
	p("### Token, introspection and revocation endpoints\n\n")
	p("An error is an [RFC 6749 §5.2](%s#section-5.2) JSON body with `Cache-Control: no-store`. ", rfc6749)
	p("`error` is the RFC code clients branch on; `error_description` starts with the catalog name because many client libraries show only `error`, `error_description` and `error_uri`. ")
	p("A redeemed authorization code sent a second time looks like this:\n\n")
	reused := New(CodeReused, "redeemed_at", exampleTime.Add(-4*time.Second))
	body, _ := marshal(reused.Body(exampleIssuer, exampleTrace, exampleTime), "  ") // cannot fail: only string fields
	p("```http\nHTTP/1.1 %s\nContent-Type: application/json\nCache-Control: no-store\n\n%s```\n\n", StatusText(reused.Status()), body)
	p("| member | meaning |\n|---|---|\n")
	p("| `error` | the RFC error code |\n")
	p("| `error_description` | the catalog name, a colon, and the description filled for this request |\n")
	p("| `error_uri` | this entry's page under the issuer, `/errors/NAME` |\n")
	p("| `error_code` | the catalog name alone |\n")
	p("| `trace_id` | the request's trace id, also sent as the `X-Trace-Id` header; the operator looks it up with `lucid explain TRACE_ID` |\n")
	p("| `timestamp` | when the failure happened, RFC 3339 in UTC |\n\n")
	p("A `401` (`invalid_client`) also carries a `WWW-Authenticate` challenge in the scheme the client used, `Basic` unless it said otherwise.\n\n")

	p("### Authorization endpoint\n\n")
	p("Once the client and its redirect URI are trusted, an error goes back to the redirect URI with the same members plus `state` and `iss` ([RFC 9207](https://www.rfc-editor.org/rfc/rfc9207)):\n\n")
	scope := New(ScopeNotAllowed, "client_id", "notes", "scope", "admin", "allowed", "openid profile email")
	p("```\nhttps://notes.example.com/cb?%s\n```\n\n", scope.RedirectParams(exampleIssuer, "af0ifjsldkj", exampleTrace).Encode())
	p("Until then (entries marked *shown as a page*), Lucid does not redirect: it shows the error to the person, because sending it to an unverified URI could leak it to an attacker.\n\n")

	p("### UserInfo and resource servers\n\n")
	p("An error is an [RFC 6750 §3](%s#section-3) challenge in the scheme the client used, followed by the JSON body:\n\n", rfc6750)
	expired := New(AccessTokenExpired, "expired_at", exampleTime.Add(-5*time.Minute), "ago", 5*time.Minute)
	p("```http\nHTTP/1.1 %s\nWWW-Authenticate: %s\n```\n\n", StatusText(expired.Status()), expired.ChallengeHeader("Bearer", exampleIssuer))
	p("The JSON body has the same members as at the token endpoint. A request with no token at all gets only `WWW-Authenticate: Bearer realm=\"…\"` and no body, as RFC 6750 §3.1 asks.\n\n")

	p("## Contents\n\n")
	for _, ep := range eps {
		p("- [%s](#%s) (%d)\n", ep.Title(), slug(ep.Title()), len(by[ep]))
	}
	p("- [Codes from other providers and specifications](#codes-from-other-providers-and-specifications)\n\n")

	for _, ep := range eps {
		p("## %s\n\n", ep.Title())
		if how := ep.how(); how != "" {
			p("%s\n\n", how)
		}
		p("| name | error | status | title |\n|---|---|---|---|\n")
		for _, e := range by[ep] {
			p("| [%s](#%s) | %s | %d | %s |\n", e.Name, e.Name, code(orNone(e.Error)), e.Status, cell(e.Title))
		}
		p("\n")
		for _, e := range by[ep] {
			if e.Endpoints[0] == ep {
				writeEntry(&b, e)
			}
		}
	}

	p("## Codes from other providers and specifications\n\n")
	p("`lucid explain` accepts these codes and phrases (case does not matter), alone or inside what a person pastes: a `CODE: message` line, ")
	p("a whole JSON error body, a redirect URL or query string with `error=`, or a `WWW-Authenticate` header. ")
	p("For an RFC error code it lists every Lucid entry with that `error`. ")
	p("A code marked *not applicable* belongs to a feature Lucid does not have; the note says which. ")
	p("Meanings are summaries; the other provider's own documentation is authoritative for its codes.\n\n")
	p("| code | source | meaning | Lucid entries |\n|---|---|---|---|\n")
	for _, a := range aliasTable {
		var links []string
		for _, e := range aliasEntries(a) {
			links = append(links, fmt.Sprintf("[%s](#%s)", e.Name, e.Name))
		}
		list := strings.Join(links, ", ")
		if list == "" {
			list = "none"
		}
		p("| %s | %s | %s | %s |\n", code(a.Code), cell(a.Source), cell(a.Note()), list)
	}
	return b.Bytes()
}

// Note is what an alias says beside its code: its other spelling, its
// meaning, and why Lucid has no entry for it. It may be empty when the
// entries it leads to say it all.
func (a Alias) Note() string {
	var parts []string
	if a.Also != "" {
		parts = append(parts, "Also "+a.Also+".")
	}
	if a.Meaning != "" {
		parts = append(parts, a.Meaning)
	}
	if a.NotApplicable != "" {
		parts = append(parts, "Not applicable to Lucid: "+a.NotApplicable)
	}
	return strings.Join(parts, " ")
}

func writeEntry(b *bytes.Buffer, e *Entry) {
	p := func(format string, a ...any) { fmt.Fprintf(b, format, a...) }
	p("### %s\n\n", e.Name)
	p("**%s**\n\n", text(e.Title))
	eps := make([]string, len(e.Endpoints))
	for i, ep := range e.Endpoints {
		eps[i] = string(ep)
	}
	p("- error: %s\n", code(orNone(e.Error)))
	p("- status: %d %s\n", e.Status, http.StatusText(e.Status))
	p("- endpoints: %s\n", strings.Join(eps, ", "))
	p("- spec: [%s](%s)\n", text(e.Spec), e.SpecURL)
	if e.Page {
		p("- shown as a page: the person sees this error; Lucid does not redirect to the client\n")
	}
	p("\nDescription: %s\n\n", code(e.Description))
	list := func(heading string, items []string) {
		if len(items) == 0 {
			return
		}
		p("%s\n\n", heading)
		for _, s := range items {
			p("- %s\n", text(s))
		}
		p("\n")
	}
	list("Likely causes:", e.Causes)
	list("What the client developer can do:", e.ClientFix)
	list("What the operator can do:", e.OperatorFix)
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// code renders s as a Markdown code span.
func code(s string) string {
	if strings.Contains(s, "`") {
		return "`` " + s + " ``"
	}
	return "`" + s + "`"
}

// text escapes what Markdown would read as HTML, outside code spans.
func text(s string) string {
	var b strings.Builder
	inCode := false
	for _, r := range s {
		switch {
		case r == '`':
			inCode = !inCode
			b.WriteRune(r)
		case !inCode && r == '<':
			b.WriteString("&lt;")
		case !inCode && r == '>':
			b.WriteString("&gt;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// cell is text that is safe inside a table cell.
func cell(s string) string {
	return strings.ReplaceAll(text(s), "|", `\|`)
}

// slug is the anchor GitHub gives a heading.
func slug(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_', r == '-':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	return b.String()
}
