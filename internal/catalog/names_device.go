package catalog

// The device authorization grant (RFC 8628).
const (
	DeviceGrantNotAllowed       Name = "device_grant_not_allowed"
	DeviceCodeUnknown           Name = "device_code_unknown"
	DeviceCodeExpired           Name = "device_code_expired"
	DeviceCodeUsed              Name = "device_code_used"
	DeviceCodeOtherClient       Name = "device_code_other_client"
	DeviceAuthorizationPending  Name = "device_authorization_pending"
	DeviceSlowDown              Name = "device_slow_down"
	DeviceAccessDenied          Name = "device_access_denied"
	DeviceUserCodeMalformed     Name = "device_user_code_malformed"
	DeviceUserCodeUnknown       Name = "device_user_code_unknown"
	DeviceUserCodeExpired       Name = "device_user_code_expired"
	DeviceUserCodeUsed          Name = "device_user_code_used"
	DeviceUserCodeThrottled     Name = "device_user_code_rate_limited"
	DeviceUserCodeServerLimited Name = "device_user_code_rate_limited_server"
)
