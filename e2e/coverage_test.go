package e2e

import (
	"flag"
	"fmt"
	"os"
	"sort"
	"testing"

	"github.com/lucid-auth/lucid/internal/catalog"
)

// TestMain runs the package and then checks catalog coverage: every entry
// must have been triggered over HTTP by some test, and asserted. The check
// runs only when the whole package ran (no -run filter), since a filtered
// run triggers a subset by design.
func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if code == 0 && flag.Lookup("test.run").Value.String() == "" {
		code = checkCoverage()
	}
	os.Exit(code)
}

func checkCoverage() int {
	var missing, stale []string
	all := catalog.All()
	for _, e := range all {
		name := string(e.Name)
		switch {
		case !triggered.has(name) && !untested[name]:
			missing = append(missing, name)
		case triggered.has(name) && untested[name]:
			stale = append(stale, name)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	fmt.Printf("catalog coverage: %d of %d entries triggered by end-to-end tests\n", len(all)-len(untested)-len(missing)+len(stale), len(all))
	if len(missing) > 0 {
		fmt.Printf("FAIL: catalog entries no test triggers: %v\n", missing)
	}
	if len(stale) > 0 {
		fmt.Printf("FAIL: entries listed as untested but triggered now; remove them from untested: %v\n", stale)
	}
	if len(missing)+len(stale) > 0 {
		return 1
	}
	return 0
}

// untested lists the entries that no end-to-end test triggers yet. It may
// only shrink: a new entry comes with its test.
var untested = map[string]bool{}
