package catalog

import "testing"

// TestEntraCode finds the AADSTS code in an upstream's error_description
// and its row of the explain table.
func TestEntraCode(t *testing.T) {
	tests := []struct {
		desc, code string
		found      bool
	}{
		{"AADSTS50105: Your administrator has configured the application to block users.", "AADSTS50105", true},
		{"AADSTS50011: The redirect URI specified in the request does not match.", "AADSTS50011", true},
		{"AADSTS99999999: unheard of", "AADSTS99999999", false},
		{"The user declined.", "", false},
	}
	for _, tc := range tests {
		code, a, ok := EntraCode(tc.desc)
		if code != tc.code || ok != tc.found || (ok && a.Summary() == "") {
			t.Errorf("EntraCode(%q) = %q, %+v, %v", tc.desc, code, a, ok)
		}
	}
}
