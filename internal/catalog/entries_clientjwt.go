package catalog

// clientJWTEntries: see entries_sender.go.
var clientJWTEntries = []Entry{}
