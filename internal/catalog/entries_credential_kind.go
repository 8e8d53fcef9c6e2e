package catalog

// credentialKindEntries: see entries_mistakes.go.
var credentialKindEntries = []Entry{}
