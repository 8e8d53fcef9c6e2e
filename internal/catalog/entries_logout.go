package catalog

// logoutEntries are the failures of back- and front-channel logout and the outbox that delivers it.
var logoutEntries = []Entry{}
