package catalog

// parEntries: see entries_sender.go.
var parEntries = []Entry{}
