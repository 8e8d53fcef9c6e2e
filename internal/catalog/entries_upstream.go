package catalog

// upstreamEntries are the failures of sign-in through upstream OpenID Connect and OAuth providers, directories, just-in-time accounts and linking.
var upstreamEntries = []Entry{}
