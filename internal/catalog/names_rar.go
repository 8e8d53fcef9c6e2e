package catalog

// Rich authorization requests (RFC 9396): the authorization_details
// parameter at the authorization, pushed authorization and token endpoints.
const (
	RARNotJSON            Name = "authorization_details_not_json"
	RARNotArray           Name = "authorization_details_not_array"
	RARTooLarge           Name = "authorization_details_too_large"
	RARTypeMissing        Name = "authorization_details_type_missing"
	RARCommonFieldInvalid Name = "authorization_details_field_invalid"
	RARTypeUnknown        Name = "authorization_details_type_unknown"
	RARTypeNotAllowed     Name = "authorization_details_type_not_allowed"
	RARSchemaViolation    Name = "authorization_details_schema_violation"
	RARNotGranted         Name = "authorization_details_not_granted"
	RARGrantUnsupported   Name = "authorization_details_grant_unsupported"
	RARNotInSubject       Name = "authorization_details_not_in_subject_token"
	RARExchangeNoDetails  Name = "authorization_details_token_type_unsupported"
)
