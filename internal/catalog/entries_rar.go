package catalog

// rarEntries are the failures of rich authorization requests (RFC 9396).
var rarEntries = []Entry{}
