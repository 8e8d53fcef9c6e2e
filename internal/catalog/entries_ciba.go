package catalog

// cibaEntries are the failures of client-initiated backchannel authentication (OpenID CIBA Core 1.0).
var cibaEntries = []Entry{}
