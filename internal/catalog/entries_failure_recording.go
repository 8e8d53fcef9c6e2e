package catalog

// failureRecordingEntries: see entries_hardening.go.
var failureRecordingEntries = []Entry{}
