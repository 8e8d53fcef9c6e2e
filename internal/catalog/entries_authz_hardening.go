package catalog

// authzHardeningEntries: see entries_hardening.go.
var authzHardeningEntries = []Entry{}
