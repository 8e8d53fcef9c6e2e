package catalog

// signInReportEntries: see entries_mistakes.go.
var signInReportEntries = []Entry{}
