package catalog

// recoveryEntries are the failures of password reset, e-mail verification, self-registration and the password policy.
var recoveryEntries = []Entry{}
