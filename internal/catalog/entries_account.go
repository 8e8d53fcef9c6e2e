package catalog

// accountEntries are the failures of the account page.
var accountEntries = []Entry{}
