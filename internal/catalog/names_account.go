package catalog

// The account page (entries_account.go).
const ()
