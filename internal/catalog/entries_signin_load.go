package catalog

// signInLoadEntries: see entries_hardening.go.
var signInLoadEntries = []Entry{}
