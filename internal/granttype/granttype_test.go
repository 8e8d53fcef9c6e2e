package granttype

import (
	"slices"
	"testing"
)

func TestStringsSortedAndServed(t *testing.T) {
	got := Strings()
	if !slices.IsSorted(got) {
		t.Fatalf("not sorted: %v", got)
	}
	if len(got) != len(served) {
		t.Fatalf("%d strings for %d grants", len(got), len(served))
	}
	for _, s := range got {
		if !Served(s) {
			t.Errorf("%s listed but not served", s)
		}
	}
	for _, s := range []string{"", "password", "implicit", "urn:ietf:params:oauth:grant-type:saml2-bearer"} {
		if Served(s) {
			t.Errorf("%q reported served", s)
		}
	}
}
