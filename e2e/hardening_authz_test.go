package e2e

import (
	"github.com/lucid-auth/lucid/internal/config"
)

// withLocalKeySets lets Lucid fetch key sets from loopback over http, as
// the tests' key servers need; production refuses both.
func withLocalKeySets(c *config.Config) { c.KeyFetch.AllowLocal = true }
