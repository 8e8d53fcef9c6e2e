package catalog

// The names of every catalog entry. Code refers to entries only through
// these constants; TestEveryNameHasEntry keeps them and entries in step.
const (
	// Request shape.
	ParameterMissing     Name = "parameter_missing"
	ParameterDuplicated  Name = "parameter_duplicated"
	ParameterMalformed   Name = "parameter_malformed"
	MethodNotAllowed     Name = "method_not_allowed"
	ContentTypeInvalid   Name = "content_type_invalid"
	SecretInQuery        Name = "secret_in_query"
	BodyTooLarge         Name = "body_too_large"
	GrantTypeMissing     Name = "grant_type_missing"
	GrantTypeUnsupported Name = "grant_type_unsupported"
	GrantTypeNotAllowed  Name = "grant_type_not_allowed"
	MaxAgeInvalid        Name = "max_age_invalid"
	PromptUnknown        Name = "prompt_unknown"
	PromptNoneCombined   Name = "prompt_none_combined"
	ResponseModeUnknown  Name = "response_mode_unknown"
	RequestObjectUnsupp  Name = "request_object_unsupported"
	RequestURIUnsupp     Name = "request_uri_unsupported"

	// Client identity and authentication.
	ClientUnknown               Name = "client_unknown"
	ClientDisabled              Name = "client_disabled"
	ClientCredentialsMissing    Name = "client_credentials_missing"
	ClientCredentialsTwice      Name = "client_credentials_twice"
	ClientBasicMalformed        Name = "client_basic_header_malformed"
	ClientSecretWrong           Name = "client_secret_wrong"
	ClientSecretExpired         Name = "client_secret_expired"
	ClientAuthMethodMismatch    Name = "client_auth_method_mismatch"
	ClientPublicSecret          Name = "client_public_presented_secret"
	ClientIDMismatch            Name = "client_id_mismatch"
	AssertionTypeInvalid        Name = "client_assertion_type_invalid"
	AssertionMalformed          Name = "client_assertion_malformed"
	AssertionIssuerMismatch     Name = "client_assertion_issuer_mismatch"
	AssertionAudienceInvalid    Name = "client_assertion_audience_invalid"
	AssertionExpiryMissing      Name = "client_assertion_expiry_missing"
	AssertionExpired            Name = "client_assertion_expired"
	AssertionLifetimeTooLong    Name = "client_assertion_lifetime_too_long"
	AssertionIssuedInFuture     Name = "client_assertion_issued_in_future"
	AssertionReplayed           Name = "client_assertion_replayed"
	AssertionAlgNotAllowed      Name = "client_assertion_alg_not_allowed"
	AssertionKeyUnknown         Name = "client_assertion_key_unknown"
	AssertionSignatureInvalid   Name = "client_assertion_signature_invalid"
	AssertionJTIMissing         Name = "client_assertion_jti_missing"
	ClientJWKSMissing           Name = "client_jwks_missing"
	ClientJWKSUnreachable       Name = "client_jwks_uri_unreachable"
	AuthorizeClientUnknown      Name = "authorize_client_unknown"
	AuthorizeClientDisabled     Name = "authorize_client_disabled"
	AuthorizeClientIDMissing    Name = "authorize_client_id_missing"
	RedirectURINotRegistered    Name = "redirect_uri_not_registered"
	RedirectURIMalformed        Name = "redirect_uri_malformed"
	RedirectURIRequired         Name = "redirect_uri_required"
	ResponseTypeUnsupported     Name = "response_type_unsupported"
	ResponseTypeNotAllowed      Name = "response_type_not_allowed"
	PKCEChallengeMissing        Name = "pkce_challenge_missing"
	PKCEMethodUnsupported       Name = "pkce_method_unsupported"
	PKCEChallengeMalformed      Name = "pkce_challenge_malformed"
	ScopeUnknown                Name = "scope_unknown"
	ScopeNotAllowed             Name = "scope_not_allowed"
	NonceRequired               Name = "nonce_required"
	LoginRequired               Name = "login_required"
	LoginRequiredMaxAge         Name = "login_required_max_age"
	ConsentRequired             Name = "consent_required"
	IDTokenHintInvalid          Name = "id_token_hint_invalid"
	IDTokenHintOtherUser        Name = "id_token_hint_other_user"
	ConsentDenied               Name = "consent_denied"
	SignInCancelled             Name = "sign_in_cancelled"
	AuthorizationRequestExpired Name = "authorization_request_expired"

	// Sign-in and consent pages.
	SignInFailed        Name = "sign_in_failed"
	AccountLocked       Name = "account_locked"
	CSRFTokenInvalid    Name = "csrf_token_invalid"
	InteractionUnknown  Name = "interaction_unknown"
	SessionCookieAbsent Name = "session_cookie_absent"

	// Authorization code grant.
	CodeUnknown            Name = "authorization_code_unknown"
	CodeExpired            Name = "authorization_code_expired"
	CodeReused             Name = "authorization_code_reused"
	CodeInvalidated        Name = "authorization_code_invalidated"
	CodeOtherClient        Name = "authorization_code_other_client"
	RedirectURIMissingCode Name = "redirect_uri_missing_at_exchange"
	RedirectURIMismatch    Name = "redirect_uri_mismatch_at_exchange"
	VerifierMissing        Name = "code_verifier_missing"
	VerifierUnexpected     Name = "code_verifier_unexpected"
	VerifierMalformed      Name = "code_verifier_malformed"
	VerifierMismatch       Name = "code_verifier_mismatch"
	GrantUserInactive      Name = "grant_user_inactive"

	// Refresh token grant.
	RefreshUnknown          Name = "refresh_token_unknown"
	RefreshExpired          Name = "refresh_token_expired"
	RefreshIdleExpired      Name = "refresh_token_idle_expired"
	RefreshRevoked          Name = "refresh_token_revoked"
	RefreshReused           Name = "refresh_token_reused"
	RefreshOtherClient      Name = "refresh_token_other_client"
	RefreshScopeWidened     Name = "refresh_scope_widened"
	RefreshConsentWithdrawn Name = "refresh_consent_withdrawn"

	// Resource and userinfo.
	BearerMissing         Name = "bearer_token_missing"
	BearerInQuery         Name = "bearer_token_in_query"
	BearerTwice           Name = "bearer_token_twice"
	AccessTokenMalformed  Name = "access_token_malformed"
	AccessTokenSignature  Name = "access_token_signature_invalid"
	AccessTokenExpired    Name = "access_token_expired"
	AccessTokenRevoked    Name = "access_token_revoked"
	AccessTokenIssuer     Name = "access_token_wrong_issuer"
	AccessTokenAudience   Name = "access_token_wrong_audience"
	AccessTokenNotYet     Name = "access_token_not_yet_valid"
	InsufficientScope     Name = "insufficient_scope"
	UserInfoOpenIDMissing Name = "userinfo_openid_scope_missing"
	UserInfoUserInactive  Name = "userinfo_user_inactive"

	// RP-initiated logout.
	PostLogoutURINotRegistered Name = "post_logout_redirect_uri_not_registered"
	LogoutHintInvalid          Name = "logout_id_token_hint_invalid"
	LogoutClientMismatch       Name = "logout_client_mismatch"

	// Admin API.
	AdminUnauthorized Name = "admin_unauthorized"
	AdminNotFound     Name = "admin_not_found"
	AdminInvalid      Name = "admin_invalid_input"
	AdminConflict     Name = "admin_conflict"

	// Server side.
	ServerError        Name = "server_error"
	StorageUnavailable Name = "storage_unavailable"
	SigningKeyMissing  Name = "signing_key_unavailable"
	PageNotFound       Name = "page_not_found"
)

// Client authentication (added with internal/clientauth).
const (
	ClientNotIdentified   Name = "client_not_identified"
	ClientJWKSInvalid     Name = "client_jwks_invalid"
	AssertionKeyNotChosen Name = "client_assertion_key_not_chosen"
)

// Admin API (added with internal/admin).
const (
	AdminDisabled Name = "admin_api_disabled"

	// Machine to machine.
	ScopeNeedsUser             Name = "scope_needs_user"
	ResourceInvalid            Name = "resource_invalid"
	ResourceNotAllowed         Name = "resource_not_allowed"
	ResourceNoneAllowed        Name = "resource_none_allowed"
	ConfidentialClientRequired Name = "confidential_client_required"
	TokenParamMissing          Name = "token_parameter_missing"
	RevokeOtherClient          Name = "revocation_token_other_client"
	AccessTokenDenied          Name = "access_token_revoked_by_client"
	AccessTokenUnknown         Name = "access_token_unknown"
	AccessTokenInactive        Name = "access_token_inactive"
	AssertionSecretTooShort    Name = "client_assertion_secret_too_short"
)
