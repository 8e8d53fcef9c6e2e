package catalog

// corsEntries: see entries_mistakes.go.
var corsEntries = []Entry{}
