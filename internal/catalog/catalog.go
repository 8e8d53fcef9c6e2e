// Package catalog is the single source of truth for every failure Lucid can
// report: its stable name, the RFC error code clients branch on, the HTTP
// status, the text a developer reads and the fix. Code never builds an OAuth
// error from a bare string; it calls New with a Name from this package.
//
// Disclosure rule: a description may contain only what the caller already
// knows or owns (its own code's lifetime and age, the redirect URI it sent,
// the scopes it asked for, the parameter it got wrong). It never contains a
// secret, a token, whether a username exists, or another client's data.
// Anything else that helps an operator goes into Internal, which is logged
// and recorded under the trace id but never sent.
package catalog

import (
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Name is the stable, snake_case identity of one catalog entry. Once shipped
// a name is never renamed: clients and dashboards match on it.
type Name string

// Endpoint names a place where an error can occur.
type Endpoint string

// The endpoints of Lucid. The values appear in the published catalog.
const (
	Authorize Endpoint = "authorize"
	Token     Endpoint = "token"
	// PAR is the pushed authorization request endpoint (RFC 9126).
	PAR        Endpoint = "par"
	UserInfo   Endpoint = "userinfo"
	Resource   Endpoint = "resource"
	Introspect Endpoint = "introspect"
	Revoke     Endpoint = "revoke"
	EndSession Endpoint = "end_session"
	SignIn     Endpoint = "sign_in"
	Admin      Endpoint = "admin"
	Register   Endpoint = "register"
	// Other is every path no endpoint serves (the not-found page).
	Other Endpoint = "other"
)

// Entry is one catalogued failure.
type Entry struct {
	Name   Name
	Error  string // the RFC error code; clients branch on it
	Status int    // HTTP status; for Authorize entries that redirect, the status of the error page
	Title  string
	// Description is a template; {key} is replaced by the value given to New.
	Description string
	Causes      []string
	ClientFix   []string
	OperatorFix []string
	Spec        string // e.g. "RFC 6749 §5.2"
	SpecURL     string
	Endpoints   []Endpoint
	// Page marks authorization-endpoint failures shown to the person as an
	// HTML page because the client or redirect URI cannot be trusted.
	Page bool
}

// Lookup returns the entry with this name.
func Lookup(n Name) (*Entry, bool) {
	e, ok := index[n]
	return e, ok
}

// All returns every entry, sorted by name.
func All() []*Entry {
	out := make([]*Entry, 0, len(entries))
	for i := range entries {
		out = append(out, &entries[i])
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

var index = func() map[Name]*Entry {
	m := make(map[Name]*Entry, len(entries))
	for i := range entries {
		m[entries[i].Name] = &entries[i]
	}
	return m
}()

// Error is one occurrence of a catalogued failure in one request.
type Error struct {
	Entry    *Entry
	public   []attr
	internal []attr
	cause    error
	// Challenge is the HTTP authentication scheme the client used ("Basic",
	// "Bearer", "DPoP"); a 401 echoes it in WWW-Authenticate.
	Challenge string
	// Scope, for insufficient_scope, is the scope the resource needs.
	Scope string
	// Algs, in a DPoP challenge, are the proof algorithms accepted (RFC
	// 9449 §7.1).
	Algs string
	// RetryAfter is how long the client should wait before trying again;
	// every 503 carries one (DefaultRetryAfter when none was set).
	RetryAfter time.Duration
}

// DefaultRetryAfter is the wait a 503 announces when its cause does not
// know better: long enough for a database hiccup or a burst to pass.
const DefaultRetryAfter = 5 * time.Second

type attr struct {
	key   string
	value string
}

// New returns an occurrence of the named entry. keyvals are alternating
// keys and values that fill the entry's description template; they are sent
// to the client, so they must obey the disclosure rule.
func New(n Name, keyvals ...any) *Error {
	e, ok := index[n]
	if !ok {
		// An unknown name is a programming error caught by the catalog tests;
		// degrade to server_error rather than panic in a handler.
		e = index[ServerError]
		keyvals = []any{"detail", "unknown catalog entry " + string(n)}
	}
	err := &Error{Entry: e}
	err.public = appendAttrs(err.public, keyvals)
	return err
}

// Bounds of what one occurrence carries. Values often come from the
// request (a client_id, a redirect_uri, a parameter), so an attacker
// chooses their length; every copy of them (the answer, the log line, the
// stored story) stays bounded, with a visible marker where it was cut.
const (
	// MaxValue bounds each value given to New or Internal.
	MaxValue = 512
	// MaxCause bounds the text of a wrapped error in the log and story.
	MaxCause = 1024
	// maxAttrs bounds how many values one occurrence keeps.
	maxAttrs = 16
)

func appendAttrs(dst []attr, keyvals []any) []attr {
	for i := 0; i+1 < len(keyvals); i += 2 {
		if len(dst) >= maxAttrs {
			break
		}
		dst = append(dst, attr{key: Clip(fmt.Sprint(keyvals[i]), 64), value: Clip(format(keyvals[i+1]), MaxValue)})
	}
	return dst
}

// Clip returns s cut to at most about n bytes (at a character boundary)
// followed by a marker naming how much was left out, or s itself when it
// is short enough.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "...(+" + strconv.Itoa(len(s)-cut) + " bytes)"
}

func format(v any) string {
	switch t := v.(type) {
	case time.Duration:
		return t.Round(time.Second).String()
	case time.Time:
		return t.UTC().Format(time.RFC3339)
	case []string:
		return strings.Join(t, " ")
	default:
		return fmt.Sprint(v)
	}
}

// Internal adds operator-only detail: logged and recorded, never sent.
func (e *Error) Internal(keyvals ...any) *Error {
	e.internal = appendAttrs(e.internal, keyvals)
	return e
}

// Wrap records the underlying error for the operator.
func (e *Error) Wrap(err error) *Error {
	e.cause = err
	return e
}

// WithChallenge sets the authentication scheme echoed on a 401.
func (e *Error) WithChallenge(scheme string) *Error {
	e.Challenge = scheme
	return e
}

// WithRetryAfter sets the wait announced in the Retry-After header.
func (e *Error) WithRetryAfter(d time.Duration) *Error {
	e.RetryAfter = d
	return e
}

// SetRetryAfter writes the Retry-After header (RFC 9110 §10.2.3) in whole
// seconds, rounded up: always on a 503, and on any answer given a wait.
func (e *Error) SetRetryAfter(h http.Header) {
	d := e.RetryAfter
	if d <= 0 {
		if e.Entry.Status != http.StatusServiceUnavailable {
			return
		}
		d = DefaultRetryAfter
	}
	h.Set("Retry-After", strconv.FormatInt(int64(math.Ceil(d.Seconds())), 10))
}

// Name is the entry's stable name.
func (e *Error) Name() Name { return e.Entry.Name }

// Code is the RFC error code.
func (e *Error) Code() string { return e.Entry.Error }

// Status is the HTTP status.
func (e *Error) Status() int { return e.Entry.Status }

// Text is the request-specific sentence without the name prefix.
func (e *Error) Text() string {
	s := e.Entry.Description
	for _, a := range e.public {
		s = strings.ReplaceAll(s, "{"+a.key+"}", a.value)
	}
	return s
}

// Description is what goes into error_description: the catalog name first,
// because many client libraries surface only error and error_description.
func (e *Error) Description() string {
	return sanitize(string(e.Entry.Name) + ": " + e.Text())
}

// Value returns a public value given to New, for renderers and tests.
func (e *Error) Value(key string) string {
	for _, a := range e.public {
		if a.key == key {
			return a.value
		}
	}
	return ""
}

// URI is the entry's documentation page under base (the issuer URL).
func (e *Error) URI(base string) string {
	return strings.TrimSuffix(base, "/") + "/errors/" + string(e.Entry.Name)
}

func (e *Error) Error() string {
	s := e.Description()
	if e.cause != nil {
		s += ": " + e.cause.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.cause }

// LogAttrs are the attributes an operator sees for this failure.
func (e *Error) LogAttrs() []slog.Attr {
	attrs := []slog.Attr{
		slog.String("error_code", string(e.Entry.Name)),
		slog.String("error", e.Entry.Error),
		slog.Int("status", e.Entry.Status),
		slog.String("description", e.Text()),
	}
	for _, a := range e.internal {
		attrs = append(attrs, slog.String(a.key, a.value))
	}
	if e.cause != nil {
		attrs = append(attrs, slog.String("cause", Clip(e.cause.Error(), MaxCause)))
	}
	return attrs
}

// InternalValues returns the operator-only details as ordered key/value pairs.
func (e *Error) InternalValues() [][2]string {
	out := make([][2]string, 0, len(e.internal)+1)
	for _, a := range e.internal {
		out = append(out, [2]string{a.key, a.value})
	}
	if e.cause != nil {
		out = append(out, [2]string{"cause", Clip(e.cause.Error(), MaxCause)})
	}
	return out
}

// sanitize keeps a description within the RFC 6749 error_description
// character set (%x20-21 / %x23-5B / %x5D-7E).
func sanitize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteByte('\'')
		case r == '\\':
			b.WriteByte('/')
		case r < 0x20 || r > 0x7e:
			b.WriteByte('?')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Values are the public values given to New, by name, for a page that
// says the entry's text in the person's language.
func (e *Error) Values() map[string]string {
	m := make(map[string]string, len(e.public))
	for _, a := range e.public {
		m[a.key] = a.value
	}
	return m
}
