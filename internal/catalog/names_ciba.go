package catalog

// Client-initiated backchannel authentication (OpenID CIBA Core 1.0).
const (
	// The backchannel authentication endpoint.
	CIBAPublicClient               Name = "ciba_public_client"
	CIBAGrantNotAllowed            Name = "ciba_grant_not_allowed"
	CIBAOpenIDMissing              Name = "ciba_openid_scope_missing"
	CIBAScopeNotAllowed            Name = "ciba_scope_not_allowed"
	CIBAHintMissing                Name = "ciba_hint_missing"
	CIBAHintsMultiple              Name = "ciba_hints_multiple"
	CIBAUnknownUser                Name = "ciba_unknown_user"
	CIBAIDTokenHintInvalid         Name = "ciba_id_token_hint_invalid"
	CIBALoginHintTokenUnsupported  Name = "ciba_login_hint_token_unsupported"
	CIBALoginHintTokenInvalid      Name = "ciba_login_hint_token_invalid"
	CIBALoginHintTokenExpired      Name = "ciba_login_hint_token_expired"
	CIBABindingMessageInvalid      Name = "ciba_binding_message_invalid"
	CIBAUserCodeUnsupported        Name = "ciba_user_code_unsupported"
	CIBAUserCodeMissing            Name = "ciba_user_code_missing"
	CIBAUserCodeInvalid            Name = "ciba_user_code_invalid"
	CIBAUserCodeLocked             Name = "ciba_user_code_locked"
	CIBARequestedExpiryInvalid     Name = "ciba_requested_expiry_invalid"
	CIBANotificationTokenMissing   Name = "ciba_notification_token_missing"
	CIBANotificationTokenMalformed Name = "ciba_notification_token_malformed"
	CIBASignedRequestRequired      Name = "ciba_signed_request_required"
	CIBASignedRequestNotRegistered Name = "ciba_signed_request_not_registered"

	// The token endpoint's CIBA grant.
	CIBAAuthReqIDUnknown     Name = "ciba_auth_req_id_unknown"
	CIBAAuthReqIDOtherClient Name = "ciba_auth_req_id_other_client"
	CIBAAuthReqIDUsed        Name = "ciba_auth_req_id_used"
	CIBAAuthorizationPending Name = "ciba_authorization_pending"
	CIBASlowDown             Name = "ciba_slow_down"
	CIBAExpired              Name = "ciba_expired"
	CIBAAccessDenied         Name = "ciba_access_denied"
	CIBATransactionFailed    Name = "ciba_transaction_failed"

	// The approval page and the admin API's decisions.
	CIBAApprovalUnknown   Name = "ciba_approval_unknown"
	CIBARequestNotPending Name = "ciba_request_not_pending"
)
