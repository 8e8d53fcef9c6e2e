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
	SignInThrottled     Name = "sign_in_rate_limited"
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
	RevokeTokenTypeUnsupported Name = "revocation_token_type_unsupported"
	ResourceNotGranted         Name = "resource_not_granted"
)

// Dynamic client registration (RFC 7591) and management (RFC 7592).
const (
	RegistrationDisabled             Name = "registration_disabled"
	RegistrationInitialTokenMissing  Name = "registration_initial_token_missing"
	RegistrationInitialTokenInvalid  Name = "registration_initial_token_invalid"
	RegistrationRateLimited          Name = "registration_rate_limited"
	RegistrationTokenMissing         Name = "registration_access_token_missing"
	RegistrationTokenInvalid         Name = "registration_access_token_invalid"
	RegistrationRequestMalformed     Name = "registration_request_malformed"
	RegistrationMetadataInvalid      Name = "registration_metadata_invalid"
	RegistrationTypesInconsistent    Name = "registration_grant_response_types_inconsistent"
	RegistrationJWKSConflict         Name = "registration_jwks_and_jwks_uri"
	RegistrationClientIDMismatch     Name = "registration_client_id_mismatch"
	RegistrationSecretMismatch       Name = "registration_client_secret_mismatch"
	RegistrationStatementInvalid     Name = "registration_software_statement_invalid"
	RegistrationStatementUnsupported Name = "registration_software_statement_unsupported"
	RegistrationRedirectMissing      Name = "registration_redirect_uri_missing"
	RegistrationRedirectMalformed    Name = "registration_redirect_uri_malformed"
	RegistrationRedirectNotAbsolute  Name = "registration_redirect_uri_not_absolute"
	RegistrationRedirectFragment     Name = "registration_redirect_uri_fragment"
	RegistrationRedirectWildcard     Name = "registration_redirect_uri_wildcard"
	RegistrationRedirectUserInfo     Name = "registration_redirect_uri_userinfo"
	RegistrationRedirectHTTP         Name = "registration_redirect_uri_http_not_loopback"
	RegistrationRedirectScheme       Name = "registration_redirect_uri_scheme_unsupported"
)

// Token exchange (RFC 8693) and the JWT bearer authorization grant
// (RFC 7523 §2.1).
const (
	ExchangeTokenTypeUnsupported     Name = "exchange_token_type_unsupported"
	ExchangeRequestedTypeUnsupported Name = "exchange_requested_token_type_unsupported"
	ExchangeActorTypeAlone           Name = "exchange_actor_token_type_without_token"
	ExchangeTokenInvalid             Name = "exchange_token_invalid"
	ExchangeTokenTypeMismatch        Name = "exchange_token_type_mismatch"
	ExchangeTokenExpired             Name = "exchange_token_expired"
	ExchangeTokenRevoked             Name = "exchange_token_revoked"
	ExchangeTokenOtherClient         Name = "exchange_token_other_client"
	ExchangeImpersonationNotAllowed  Name = "exchange_impersonation_not_allowed"
	ExchangeDelegationNotAllowed     Name = "exchange_delegation_not_allowed"
	ExchangeDelegationTooDeep        Name = "exchange_delegation_too_deep"
	ExchangeAudienceNotAllowed       Name = "exchange_audience_not_allowed"
	ExchangeAudienceMissing          Name = "exchange_audience_missing"
	ExchangeTargetNotApplicable      Name = "exchange_target_not_applicable"
	ExchangeScopeWidened             Name = "exchange_scope_widened"
	ExchangeNeedsUser                Name = "exchange_needs_user"
	ExchangeIDTokenNeedsOpenID       Name = "exchange_id_token_needs_openid"
	ExchangeRefreshNotAllowed        Name = "exchange_refresh_not_allowed"
	ExchangeRefreshWithActor         Name = "exchange_refresh_with_actor"

	JWTBearerMalformed         Name = "jwt_bearer_malformed"
	JWTBearerAlgNotAllowed     Name = "jwt_bearer_alg_not_allowed"
	JWTBearerIssuerUntrusted   Name = "jwt_bearer_issuer_untrusted"
	JWTBearerIssuerNotAllowed  Name = "jwt_bearer_issuer_not_allowed"
	JWTBearerKeysUnavailable   Name = "jwt_bearer_keys_unavailable"
	JWTBearerKeyUnknown        Name = "jwt_bearer_key_unknown"
	JWTBearerKeyNotChosen      Name = "jwt_bearer_key_not_chosen"
	JWTBearerSignatureInvalid  Name = "jwt_bearer_signature_invalid"
	JWTBearerAudienceInvalid   Name = "jwt_bearer_audience_invalid"
	JWTBearerExpiryMissing     Name = "jwt_bearer_expiry_missing"
	JWTBearerExpired           Name = "jwt_bearer_expired"
	JWTBearerNotYetValid       Name = "jwt_bearer_not_yet_valid"
	JWTBearerLifetimeTooLong   Name = "jwt_bearer_lifetime_too_long"
	JWTBearerSubjectMissing    Name = "jwt_bearer_subject_missing"
	JWTBearerSubjectNotAllowed Name = "jwt_bearer_subject_not_allowed"
	JWTBearerJTIMissing        Name = "jwt_bearer_jti_missing"
	JWTBearerReplayed          Name = "jwt_bearer_replayed"
)

// Hardening (entries_signin_load.go): password hashing under load, sign-in.
const (
	SignInBusy Name = "sign_in_busy"
)

// Hardening (entries_failure_recording.go): recording failures.
const ()

// Hardening (entries_overload.go): overload, database deadlines.
const (
	ServerOverloaded         Name = "server_overloaded"
	IntrospectionUnavailable Name = "introspection_unavailable"
)

// Hardening (entries_authz_hardening.go): SSRF, assertions, audiences.
const (
	AssertionAudienceMultiple  Name = "client_assertion_audience_multiple"
	JWTBearerAudienceMultiple  Name = "jwt_bearer_audience_multiple"
	RegistrationJWKSURIRefused Name = "registration_jwks_uri_refused"
	ScopeNotInAudience         Name = "scope_not_in_audience"
)

// Hardening (entries_operator.go): the CLI, configuration, start-up.
const ()

// Mistakes (entries_credential_kind.go): Lucid's credentials told apart by kind.
const (
	CodeDamaged            Name = "authorization_code_damaged"
	CodeIsRefreshToken     Name = "authorization_code_is_refresh_token"
	CodeIsToken            Name = "authorization_code_is_token"
	RefreshDamaged         Name = "refresh_token_damaged"
	RefreshIsCode          Name = "refresh_token_is_code"
	RefreshIsToken         Name = "refresh_token_is_token"
	RefreshNotRequested    Name = "refresh_token_not_requested"
	RefreshScopeNotAllowed Name = "refresh_token_scope_not_allowed"
	AccessTokenDamaged     Name = "access_token_damaged"
	AccessTokenIsIDToken   Name = "access_token_is_id_token"
	AccessTokenWrongKind   Name = "access_token_wrong_kind"
)

// Mistakes (entries_cors.go): browser apps and allowed web origins.
const (
	CORSOriginNotAllowed Name = "cors_origin_not_allowed"
)

// Mistakes (entries_client_secret_mistakes.go): client secrets, assertions' clocks.
const (
	ClientSecretIDSent       Name = "client_secret_id_sent"
	ClientSecretRetired      Name = "client_secret_retired"
	ClientSecretWhitespace   Name = "client_secret_whitespace"
	ClientSecretForKeyClient Name = "client_secret_for_key_client"
)

// Mistakes (entries_signin_report.go): sign-in pages, authorization requests.
const (
	SignInAccountDisabled         Name = "sign_in_account_disabled"
	ScopeNeedsResource            Name = "scope_needs_resource"
	AuthorizeClientNoRedirectURIs Name = "authorize_client_no_redirect_uris"
	AuthorizePostParamsInQuery    Name = "authorize_post_params_in_query"
	ResourceUnknown               Name = "resource_unknown"
)

// Mistakes (entries_resource_library.go): the resource library's own failures.
const (
	BearerEmpty                  Name = "bearer_token_empty"
	AccessTokenForeignIssuer     Name = "access_token_foreign_issuer"
	ResourceKeysUnavailable      Name = "resource_keys_unavailable"
	ResourceIntrospectionRefused Name = "resource_introspection_refused"
)

// Sender constraints (entries_clientjwt.go): JWTs made by clients, request objects (JAR).
const (
	RequestAndRequestURI          Name = "request_and_request_uri"
	RequestObjectMalformed        Name = "request_object_malformed"
	RequestObjectNested           Name = "request_object_nested"
	RequestObjectAlgNotAllowed    Name = "request_object_alg_not_allowed"
	RequestObjectAlgNotRegistered Name = "request_object_alg_not_registered"
	RequestObjectUnsigned         Name = "request_object_unsigned"
	RequestObjectTypInvalid       Name = "request_object_typ_invalid"
	RequestObjectKeysMissing      Name = "request_object_keys_missing"
	RequestObjectKeysInvalid      Name = "request_object_keys_invalid"
	RequestObjectKeysUnreachable  Name = "request_object_keys_unreachable"
	RequestObjectKeyUnknown       Name = "request_object_key_unknown"
	RequestObjectKeyNotChosen     Name = "request_object_key_not_chosen"
	RequestObjectSignatureInvalid Name = "request_object_signature_invalid"
	RequestObjectIssuerMismatch   Name = "request_object_issuer_mismatch"
	RequestObjectClientIDMismatch Name = "request_object_client_id_mismatch"
	RequestObjectAudienceInvalid  Name = "request_object_audience_invalid"
	RequestObjectAudienceMultiple Name = "request_object_audience_multiple"
	RequestObjectExpiryMissing    Name = "request_object_expiry_missing"
	RequestObjectExpired          Name = "request_object_expired"
	RequestObjectNotYetValid      Name = "request_object_not_yet_valid"
	RequestObjectLifetimeTooLong  Name = "request_object_lifetime_too_long"
	RequestObjectJTIMissing       Name = "request_object_jti_missing"
	RequestObjectReplayed         Name = "request_object_replayed"
)

// Sender constraints (entries_dpop.go): DPoP proofs and DPoP-bound tokens.
const (
	DPoPProofMissing        Name = "dpop_proof_missing"
	DPoPProofRepeated       Name = "dpop_proof_repeated"
	DPoPProofMalformed      Name = "dpop_proof_malformed"
	DPoPProofType           Name = "dpop_proof_type"
	DPoPProofAlgorithm      Name = "dpop_proof_algorithm"
	DPoPProofKey            Name = "dpop_proof_key"
	DPoPProofSignature      Name = "dpop_proof_signature"
	DPoPProofClaims         Name = "dpop_proof_claims"
	DPoPProofMethod         Name = "dpop_proof_method"
	DPoPProofURL            Name = "dpop_proof_url"
	DPoPProofFuture         Name = "dpop_proof_future"
	DPoPProofTooOld         Name = "dpop_proof_too_old"
	DPoPProofReused         Name = "dpop_proof_reused"
	DPoPNonceRequired       Name = "dpop_nonce_required"
	DPoPNonceStale          Name = "dpop_nonce_stale"
	DPoPProofATHMissing     Name = "dpop_proof_ath_missing"
	DPoPProofATHMismatch    Name = "dpop_proof_ath_mismatch"
	DPoPTokenKeyMismatch    Name = "dpop_token_key_mismatch"
	DPoPTokenAsBearer       Name = "dpop_token_as_bearer"
	DPoPTokenNotBound       Name = "dpop_token_not_bound"
	DPoPRefreshKeyMismatch  Name = "dpop_refresh_key_mismatch"
	DPoPRefreshProofMissing Name = "dpop_refresh_proof_missing"
	DPoPCodeKeyMismatch     Name = "dpop_code_key_mismatch"
	DPoPJKTMalformed        Name = "dpop_jkt_malformed"
	DPoPJKTProofMismatch    Name = "dpop_jkt_proof_mismatch"
)

// Sender constraints (entries_par.go): pushed authorization requests.
const (
	PARRequestURIUnknown     Name = "par_request_uri_unknown"
	PARRequestURIExpired     Name = "par_request_uri_expired"
	PARRequestURIUsed        Name = "par_request_uri_used"
	PARRequestURIOtherClient Name = "par_request_uri_other_client"
	PARRequiredByClient      Name = "par_required_by_client"
	PARRequiredByServer      Name = "par_required_by_server"
	PARRequestURIPushed      Name = "par_request_uri_in_push"
)

// Sender constraints (entries_jarm.go): JWT-secured authorization responses.
const (
	JARMSigningAlgUnsupported Name = "jarm_signing_alg_unsupported"
	JARMEncryptionUnsupported Name = "jarm_encryption_unsupported"
	JARMClientAlgUnavailable  Name = "jarm_client_alg_unavailable"
)

// Sender constraints (entries_mtls.go): mutual-TLS client authentication and bound tokens.
const (
	MTLSCertificateMissing      Name = "mtls_certificate_missing"
	MTLSCertificateUntrusted    Name = "mtls_certificate_untrusted"
	MTLSSubjectMismatch         Name = "mtls_subject_mismatch"
	MTLSCertificateUnregistered Name = "mtls_certificate_not_registered"
	MTLSProxyHeaderUntrusted    Name = "mtls_proxy_header_untrusted"
	MTLSProxyHeaderMalformed    Name = "mtls_proxy_header_malformed"
	MTLSBindingNoCertificate    Name = "mtls_binding_without_certificate"
	BoundTokenNoCertificate     Name = "bound_token_certificate_missing"
	BoundTokenOtherCertificate  Name = "bound_token_certificate_mismatch"
	RefreshCertificateMismatch  Name = "refresh_token_certificate_mismatch"
)
