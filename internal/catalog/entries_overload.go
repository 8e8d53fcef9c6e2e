package catalog

// overloadEntries: see entries_hardening.go.
var overloadEntries = []Entry{}
