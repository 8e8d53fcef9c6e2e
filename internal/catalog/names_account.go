package catalog

// The account page (entries_account.go).
const (
	AccountSignInIncomplete   Name = "account_sign_in_incomplete"
	AccountPasswordWrong      Name = "account_current_password_wrong"
	AccountReauthRequired     Name = "account_reauthentication_required"
	AccountPasswordMismatch   Name = "account_password_confirmation_mismatch"
	AccountProfileInvalid     Name = "account_profile_invalid"
	AccountLastSecondFactor   Name = "account_last_second_factor"
	AccountTOTPExists         Name = "account_totp_exists"
	AccountTOTPSetupExpired   Name = "account_totp_setup_expired"
	AccountPasskeyUnknown     Name = "account_passkey_unknown"
	AccountPasskeyNameInvalid Name = "account_passkey_name_invalid"
	AccountSessionUnknown     Name = "account_session_unknown"
	AccountApplicationUnknown Name = "account_application_unknown"
	AccountIdentityUnknown    Name = "account_identity_unknown"
	AccountIdentityLastSignIn Name = "account_identity_last_sign_in"
)
