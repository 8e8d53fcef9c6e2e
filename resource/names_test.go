package resource

import (
	"slices"
	"testing"

	"github.com/lucid-auth/lucid/internal/catalog"
)

// lucidOnly are entries of the resource endpoint that only Lucid's own
// checks give: through introspection a third party learns only that a
// token is inactive.
var lucidOnly = []catalog.Name{catalog.AccessTokenRevoked, catalog.AccessTokenDenied, catalog.AccessTokenUnknown}

// TestNamesInStepWithCatalog keeps the exported names and the catalog in
// step: each name is an entry, and each entry of the resource endpoint
// that the library can give has its name.
func TestNamesInStepWithCatalog(t *testing.T) {
	for _, n := range names {
		if _, ok := catalog.Lookup(catalog.Name(n)); !ok {
			t.Errorf("resource names %q, which the catalog does not have", n)
		}
	}
	for _, en := range catalog.All() {
		if slices.Contains(en.Endpoints, catalog.Resource) && !slices.Contains(lucidOnly, en.Name) && !slices.Contains(names, string(en.Name)) {
			t.Errorf("catalog entry %s of the resource endpoint has no exported name in package resource", en.Name)
		}
	}
	for target, ns := range sentinelNames {
		for _, n := range ns {
			if !slices.Contains(names, n) {
				t.Errorf("sentinel %v names %q, which is not exported", target, n)
			}
		}
	}
}
