package catalog

// Password reset, e-mail verification, self-registration and the password policy (entries_recovery.go).
const (
	// Forgotten password.
	PasswordResetUnavailable Name = "password_reset_unavailable"
	PasswordResetThrottled   Name = "password_reset_rate_limited"
	PasswordResetLinkUnknown Name = "password_reset_link_unknown"
	PasswordResetLinkExpired Name = "password_reset_link_expired"
	PasswordResetLinkUsed    Name = "password_reset_link_used"

	// E-mail verification.
	EmailVerificationLinkUnknown Name = "email_verification_link_unknown"
	EmailVerificationLinkExpired Name = "email_verification_link_expired"
	EmailVerificationLinkUsed    Name = "email_verification_link_used"
	EmailVerificationStale       Name = "email_verification_stale"

	// Self-registration.
	SignupDisabled      Name = "signup_disabled"
	SignupThrottled     Name = "signup_rate_limited"
	SignupUsernameTaken Name = "signup_username_taken"
	SignupInvalid       Name = "signup_invalid"

	// The password policy, wherever a password is set.
	PasswordTooShort       Name = "password_too_short"
	PasswordTooLong        Name = "password_too_long"
	PasswordCommon         Name = "password_common"
	PasswordMatchesAccount Name = "password_matches_account"
	PasswordMismatch       Name = "password_confirmation_mismatch"

	// Outgoing mail (outbox deliveries of kind mail).
	MailRejected       Name = "mail_rejected"
	MailDeliveryFailed Name = "mail_delivery_failed"
)
