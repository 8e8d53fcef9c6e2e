package demo

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/oauth2"

	"github.com/lucid-auth/lucid/internal/ui"
)

// prettyJSON indents a JSON document for display, keeping the key order the
// server sent. Anything that is not JSON is returned as text.
func prettyJSON(b []byte) string {
	var out bytes.Buffer
	if err := json.Indent(&out, bytes.TrimSpace(b), "", "  "); err != nil {
		return string(b)
	}
	return out.String()
}

// jwtSegment decodes one base64url segment of a compact JWS (0 = header,
// 1 = payload). It does not verify anything: the ID token was verified
// before the demo displays it.
func jwtSegment(token string, i int) ([]byte, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("a signed JWT has 3 parts, this one has %d", len(parts))
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[i], "="))
	if err != nil {
		return nil, fmt.Errorf("part %d is not base64url: %w", i+1, err)
	}
	if !json.Valid(b) {
		return nil, errors.New("part is not JSON")
	}
	return b, nil
}

// shorten shows the start and end of a token, so a reader can match it
// against logs without the page carrying the whole credential.
func shorten(tok string) string {
	const head, tail = 16, 6
	n := utf8.RuneCountInString(tok)
	if n <= head+tail+8 {
		return tok
	}
	r := []rune(tok)
	return string(r[:head]) + "…" + string(r[n-tail:]) + " (" + strconv.Itoa(n) + " characters)"
}

// timeClaims lists the NumericDate claims of a claim set in readable form.
func timeClaims(claims []byte) []ui.Field {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(claims, &m); err != nil {
		return nil
	}
	var out []ui.Field
	for _, name := range []string{"iat", "auth_time", "nbf", "exp", "updated_at"} {
		raw, ok := m[name]
		if !ok {
			continue
		}
		var secs json.Number
		if err := json.Unmarshal(raw, &secs); err != nil {
			continue
		}
		f, err := secs.Float64()
		if err != nil {
			continue
		}
		t := time.Unix(int64(f), 0).UTC()
		out = append(out, ui.Field{Name: name, Value: t.Format("2006-01-02 15:04:05 UTC")})
	}
	return out
}

// tokenFields are the members of a token response, with tokens shortened.
func tokenFields(tok *oauth2.Token) []ui.Field {
	var out []ui.Field
	add := func(name, value string) {
		if value != "" {
			out = append(out, ui.Field{Name: name, Value: value})
		}
	}
	add("token_type", tok.TokenType)
	if tok.ExpiresIn > 0 {
		add("expires_in", strconv.FormatInt(tok.ExpiresIn, 10)+" seconds")
	}
	if s, ok := tok.Extra("scope").(string); ok {
		add("scope", s)
	}
	add("access_token", shorten(tok.AccessToken))
	add("refresh_token", shorten(tok.RefreshToken))
	if s, ok := tok.Extra("id_token").(string); ok {
		add("id_token", shorten(s))
	}
	return out
}

// callbackError is the error response Lucid sent to the redirect URI
// (RFC 6749 §4.1.2.1, with Lucid's error_code and trace_id).
func callbackError(q url.Values, issuer string) *ui.DemoError {
	e := &ui.DemoError{
		FromLucid:   true,
		Title:       "Lucid did not sign you in",
		Error:       q.Get("error"),
		Description: q.Get("error_description"),
		Code:        q.Get("error_code"),
		TraceID:     q.Get("trace_id"),
	}
	setErrorURI(e, q.Get("error_uri"), issuer)
	return e
}

// exchangeError describes a failed token request. An OAuth error body
// comes from Lucid; anything else (network, unreadable body) is the demo's.
func exchangeError(err error, issuer string) *ui.DemoError {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.ErrorCode == "" {
		return &ui.DemoError{Title: "The code could not be exchanged for tokens", Description: err.Error()}
	}
	e := &ui.DemoError{
		FromLucid:   true,
		Title:       "Lucid refused to exchange the code for tokens",
		Error:       re.ErrorCode,
		Description: re.ErrorDescription,
	}
	var body struct {
		Code    string `json:"error_code"`
		TraceID string `json:"trace_id"`
	}
	if json.Unmarshal(re.Body, &body) == nil {
		e.Code, e.TraceID = body.Code, body.TraceID
	}
	setErrorURI(e, re.ErrorURI, issuer)
	return e
}

// setErrorURI links error_uri only when it is one of Lucid's own error
// pages: the callback's query can be forged, and the demo must not become
// a way to show a link to anywhere under Lucid's name.
func setErrorURI(e *ui.DemoError, uri, issuer string) {
	if uri == "" {
		return
	}
	if strings.HasPrefix(uri, strings.TrimSuffix(issuer, "/")+"/errors/") && !strings.ContainsAny(uri, "?#\\") && !strings.Contains(uri, "/../") {
		e.URI = uri
		return
	}
	e.Detail = "The response named an error_uri outside Lucid's error catalog, so it is not linked: " + uri
}
