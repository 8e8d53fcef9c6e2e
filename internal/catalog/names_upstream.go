package catalog

// Sign-in through upstream OpenID Connect and OAuth providers, directories, just-in-time accounts and linking (entries_upstream.go).
const ()
