package catalog

import (
	"slices"
	"strings"
	"testing"
)

func TestAliasesResolve(t *testing.T) {
	seen := map[string]bool{}
	for _, a := range Aliases() {
		key := strings.ToLower(a.Code) + "|" + a.Source
		if seen[key] {
			t.Errorf("alias %s from %s is listed twice", a.Code, a.Source)
		}
		seen[key] = true
		if a.Code == "" || a.Source == "" || a.Meaning == "" {
			t.Errorf("alias %+v lacks a code, source or meaning", a)
		}
		for _, n := range a.Names {
			if _, ok := Lookup(n); !ok {
				t.Errorf("alias %s names %q, which is not a catalog entry", a.Code, n)
			}
		}
		if len(aliasEntries(a)) == 0 && !strings.Contains(a.Meaning, "Lucid") {
			t.Errorf("alias %s maps to no entry and its meaning does not say why", a.Code)
		}
	}
}

// Every RFC error the catalog uses must be explainable with its meaning.
func TestEveryErrorCodeHasAlias(t *testing.T) {
	for _, e := range All() {
		if e.Error == "" {
			continue
		}
		as, _ := Explain(e.Error)
		if !slices.ContainsFunc(as, func(a Alias) bool { return a.Code == e.Error }) {
			t.Errorf("error code %s (used by %s) has no alias explaining it", e.Error, e.Name)
		}
	}
}

func TestExplain(t *testing.T) {
	byError := func(code string) []Name {
		var out []Name
		for _, e := range All() {
			if e.Error == code {
				out = append(out, e.Name)
			}
		}
		return out
	}
	cases := []struct {
		in         string
		wantSource string // an alias from this source must be returned; "" for none
		want       []Name // must all be returned
		only       bool   // and nothing else
	}{
		{"invalid_grant", "RFC 6749", byError("invalid_grant"), true},
		{"INVALID_CLIENT", "RFC 6749", byError("invalid_client"), true},
		{"AADSTS70008", srcEntra, []Name{CodeExpired, RefreshExpired, RefreshIdleExpired}, false},
		{"aadsts70008", srcEntra, []Name{CodeExpired, RefreshExpired, RefreshIdleExpired}, false},
		{"AADSTS70008: The provided authorization code or refresh token has expired", srcEntra, []Name{CodeExpired, RefreshIdleExpired}, false},
		{"70008", srcEntra, []Name{CodeExpired}, false},
		{"AADSTS54005", srcEntra, []Name{CodeReused}, true},
		{"AADSTS50148", srcEntra, []Name{VerifierMismatch}, true},
		{"AADSTS500021", srcEntra, nil, true},
		{"E0000069", srcOkta, []Name{AccountLocked}, true},
		{"code not valid", srcKeycloak, []Name{CodeUnknown, CodeExpired, CodeReused}, false},
		{"Invalid parameter: redirect_uri", srcKeycloak, []Name{RedirectURINotRegistered}, false},
		{"authorization_code_reused", "", []Name{CodeReused}, true},
		{"  `authorization_code_reused` ", "", []Name{CodeReused}, true},
		{"login_required", "OpenID Connect Core", slices.Concat([]Name{LoginRequired}, byError("login_required")), true},
		{"no_such_code", "", nil, true},
		{"", "", nil, true},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			as, es := Explain(tc.in)
			if tc.wantSource == "" && len(as) != 0 {
				t.Errorf("got aliases %+v, want none", as)
			}
			if tc.wantSource != "" && !slices.ContainsFunc(as, func(a Alias) bool { return a.Source == tc.wantSource }) {
				t.Errorf("got aliases %+v, want one from %s", as, tc.wantSource)
			}
			var got []Name
			for _, e := range es {
				if slices.Contains(got, e.Name) {
					t.Errorf("%s returned twice", e.Name)
				}
				got = append(got, e.Name)
			}
			for _, n := range tc.want {
				if !slices.Contains(got, n) {
					t.Errorf("entries %v lack %s", got, n)
				}
			}
			if tc.only {
				for _, n := range got {
					if !slices.Contains(tc.want, n) {
						t.Errorf("unexpected entry %s", n)
					}
				}
			}
		})
	}
}

func TestAliasesReturnsACopy(t *testing.T) {
	a := Aliases()
	for i := range a {
		if len(a[i].Names) > 0 {
			a[i].Names[0] = "changed"
			break
		}
	}
	for _, b := range Aliases() {
		if slices.Contains(b.Names, "changed") {
			t.Fatal("Aliases exposes the table's Names slices")
		}
	}
}
