package catalog

// resourceLibraryEntries: see entries_mistakes.go.
var resourceLibraryEntries = []Entry{}
