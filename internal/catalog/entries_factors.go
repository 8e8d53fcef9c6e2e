package catalog

// factorEntries are the failures of second factors, passkeys and step-up (TOTP, recovery codes, WebAuthn, acr policy).
var factorEntries = []Entry{}
