package catalog

// dpopEntries: see entries_sender.go.
var dpopEntries = []Entry{}
