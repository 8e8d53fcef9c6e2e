package catalog

// clientSecretMistakeEntries: see entries_mistakes.go.
var clientSecretMistakeEntries = []Entry{}
