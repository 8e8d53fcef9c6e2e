package catalog

// operatorEntries: see entries_hardening.go.
var operatorEntries = []Entry{}
