package catalog

// fapiEntries are the failures of the FAPI 2.0 Security Profile mode.
var fapiEntries = []Entry{}
