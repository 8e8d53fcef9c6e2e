package password

import (
	_ "embed"
	"strings"
	"unicode/utf8"

	"github.com/lucid-auth/lucid/internal/catalog"
)

// The password policy follows NIST SP 800-63B-4 §3.1.1.2: a minimum
// length, a generous maximum, no composition rules (no "one digit, one
// symbol"), no periodic change, and a refusal of passwords that are
// commonly used or that repeat the account's own name. It is applied
// wherever a password is set (reset, sign-up, the CLI, the admin API),
// never at sign-in: an existing password keeps working.

// Bounds of the minimum length an operator may configure.
const (
	// DefaultMinLength is 12: OWASP ASVS 4.0 §2.1.1's minimum, between
	// NIST's 8 for a password that is one of several factors and its 15
	// for a password that is the only one. Operators whose users sign in
	// with a password alone and want NIST's single-factor rule set 15.
	DefaultMinLength = 12
	MinMinLength     = 8
	MaxMinLength     = 64
	// MaxLength bounds a password in characters (NIST asks for at least
	// 64 to be allowed); at most 4 bytes each, so at most 1 KiB is hashed.
	MaxLength = 256
)

// Policy is the rule a new password must meet.
type Policy struct {
	// MinLength in characters (Unicode code points); 0 is DefaultMinLength.
	MinLength int
}

//go:embed common.txt
var commonList string

// common holds the shipped list, in lower case.
var common = func() map[string]struct{} {
	m := make(map[string]struct{}, 10_000)
	for line := range strings.Lines(commonList) {
		line = strings.TrimRight(line, "\r\n")
		if line == "" || strings.HasPrefix(line, "# ") {
			continue
		}
		m[line] = struct{}{}
	}
	return m
}()

// IsCommon reports whether pw is on the list of the most common
// passwords, compared without regard to case.
func IsCommon(pw string) bool {
	_, ok := common[strings.ToLower(pw)]
	return ok
}

// Min is the effective minimum length.
func (p Policy) Min() int {
	if p.MinLength <= 0 {
		return DefaultMinLength
	}
	return p.MinLength
}

// Check judges a new password for the account named by username and
// email ("" when none). The error never contains the password.
func (p Policy) Check(pw, username, email string) *catalog.Error {
	if !utf8.ValidString(pw) {
		// Forms and JSON carry text; invalid UTF-8 is refused as too
		// short a text to count, with its byte length only.
		return catalog.New(catalog.PasswordTooShort, "length", 0, "min", p.Min()).Internal("reason", "not valid UTF-8")
	}
	n := utf8.RuneCountInString(pw)
	switch {
	case n < p.Min():
		return catalog.New(catalog.PasswordTooShort, "length", n, "min", p.Min())
	case n > MaxLength:
		return catalog.New(catalog.PasswordTooLong, "max", MaxLength).Internal("length", n)
	case username != "" && strings.EqualFold(pw, username):
		return catalog.New(catalog.PasswordMatchesAccount, "field", "username")
	case email != "" && strings.EqualFold(pw, email):
		return catalog.New(catalog.PasswordMatchesAccount, "field", "e-mail address")
	case IsCommon(pw):
		return catalog.New(catalog.PasswordCommon)
	}
	return nil
}
