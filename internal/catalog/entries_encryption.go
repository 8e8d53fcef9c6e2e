package catalog

// encryptionEntries are the failures of encrypted JWT responses and symmetric request objects.
var encryptionEntries = []Entry{}
