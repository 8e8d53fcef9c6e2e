package catalog

import "slices"

// peopleEntries are the failures people meet around their own account:
// second factors and passkeys, recovery and registration, the account page;
// federationEntries those of signing in through other identity sources;
// operationsEntries those an operator meets running Lucid. One slice (and
// one names_*.go file) per area.
var (
	peopleEntries     = slices.Concat(factorEntries, recoveryEntries, accountEntries)
	federationEntries = slices.Concat(upstreamEntries, directoryEntries)
)
