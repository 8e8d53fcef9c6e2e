package password

import (
	"strings"
	"testing"

	"github.com/lucid-auth/lucid/internal/catalog"
)

func TestPolicy(t *testing.T) {
	for _, tc := range []struct {
		name        string
		min         int
		pw          string
		user, email string
		want        catalog.Name // "" accepts
	}{
		{"long enough", 0, "purple monkey dishwasher", "alice", "alice@example.com", ""},
		{"one short of the default", 0, strings.Repeat("x", DefaultMinLength-1) + "y"[:0], "", "", catalog.PasswordTooShort},
		{"default counts characters not bytes", 0, strings.Repeat("é", DefaultMinLength), "", "", ""},
		{"configured minimum", 8, "zq8#kd2!", "", "", ""},
		{"below configured minimum", 16, "fifteen chars!!", "", "", catalog.PasswordTooShort},
		{"at the maximum", 0, strings.Repeat("a", MaxLength-1) + "b", "", "", ""},
		{"over the maximum", 0, strings.Repeat("ab", MaxLength), "", "", catalog.PasswordTooLong},
		{"common, any case", 8, "BaseBall", "", "", catalog.PasswordCommon},
		{"common and long", 8, "contortionist", "", "", catalog.PasswordCommon},
		{"username", 0, "Alice-Liddell-1865", "alice-liddell-1865", "", catalog.PasswordMatchesAccount},
		{"e-mail", 0, "ALICE@example.com", "alice", "alice@example.com", catalog.PasswordMatchesAccount},
		{"not UTF-8", 0, strings.Repeat("\xff", 20), "", "", catalog.PasswordTooShort},
		{"no composition rule", 0, "aaaaaaaaaaaaaaaaaaaaz", "", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := Policy{MinLength: tc.min}.Check(tc.pw, tc.user, tc.email)
			switch {
			case tc.want == "" && e != nil:
				t.Fatalf("refused with %s: %s", e.Name(), e.Text())
			case tc.want != "" && (e == nil || e.Name() != tc.want):
				t.Fatalf("got %v, want %s", e, tc.want)
			case e != nil && strings.Contains(e.Text(), tc.pw):
				t.Fatalf("the answer repeats the password: %s", e.Text())
			}
		})
	}
}

func TestCommonListIsLoaded(t *testing.T) {
	if len(common) != 10_000 {
		t.Fatalf("%d common passwords, want 10000", len(common))
	}
	for _, pw := range []string{"password", "123456", "qwerty", "letmein"} {
		if !IsCommon(pw) {
			t.Errorf("%q is not on the list", pw)
		}
	}
}
