package catalog

// Password reset, e-mail verification, self-registration and the password policy (entries_recovery.go).
const ()
