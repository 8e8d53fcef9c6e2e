package catalog

// Second factors, passkeys and step-up (TOTP, recovery codes, WebAuthn, acr policy) (entries_factors.go).
const (
	SecondFactorCodeWrong      Name = "second_factor_code_wrong"
	SecondFactorCodeReused     Name = "second_factor_code_reused"
	SecondFactorLocked         Name = "second_factor_locked"
	SecondFactorNotEnrolled    Name = "second_factor_not_enrolled"
	RecoveryCodeWrong          Name = "recovery_code_wrong"
	RecoveryCodeUsed           Name = "recovery_code_used"
	ACRUnmet                   Name = "acr_unmet"
	ACRValuesUnsupported       Name = "acr_values_unsupported"
	PasskeyCeremonyExpired     Name = "passkey_ceremony_expired"
	PasskeyAssertionInvalid    Name = "passkey_assertion_invalid"
	PasskeyUnknown             Name = "passkey_unknown"
	PasskeyRegistrationInvalid Name = "passkey_registration_invalid"
)
