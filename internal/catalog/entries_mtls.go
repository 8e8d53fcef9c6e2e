package catalog

// mtlsEntries: see entries_sender.go.
var mtlsEntries = []Entry{}
