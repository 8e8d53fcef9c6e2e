package catalog

// jarmEntries: see entries_sender.go.
var jarmEntries = []Entry{}
