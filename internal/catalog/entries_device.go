package catalog

// deviceEntries are the failures of the device authorization grant (RFC 8628).
var deviceEntries = []Entry{}
