package catalog

// Second factors, passkeys and step-up (TOTP, recovery codes, WebAuthn, acr policy) (entries_factors.go).
const ()
