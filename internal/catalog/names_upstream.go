package catalog

// Sign-in through upstream OpenID Connect and OAuth providers, directories, just-in-time accounts and linking (entries_upstream.go).
const (
	UpstreamUnknown            Name = "upstream_unknown"
	UpstreamStateInvalid       Name = "upstream_state_invalid"
	UpstreamCallbackInvalid    Name = "upstream_callback_invalid"
	UpstreamAccessDenied       Name = "upstream_access_denied"
	UpstreamAuthorizationError Name = "upstream_authorization_error"
	UpstreamDiscoveryFailed    Name = "upstream_discovery_failed"
	UpstreamTokenError         Name = "upstream_token_error"
	UpstreamIDTokenInvalid     Name = "upstream_id_token_invalid"
	UpstreamIDTokenAudience    Name = "upstream_id_token_audience"
	UpstreamIDTokenExpired     Name = "upstream_id_token_expired"
	UpstreamIDTokenClockSkew   Name = "upstream_id_token_clock_skew"
	UpstreamNonceMismatch      Name = "upstream_nonce_mismatch"
	UpstreamUserInfoFailed     Name = "upstream_userinfo_failed"
	UpstreamSubjectMissing     Name = "upstream_subject_missing"
	UpstreamSignUpDisabled     Name = "upstream_signup_disabled"
	UpstreamEmailDomain        Name = "upstream_email_domain_refused"
	UpstreamEmailUnverified    Name = "upstream_email_unverified"
	UpstreamGroupRequired      Name = "upstream_group_required"
	UpstreamClaimRequired      Name = "upstream_claim_required"
	UpstreamSubjectBlocked     Name = "upstream_subject_blocked"
	UpstreamEmailTaken         Name = "upstream_email_taken"
	UpstreamLinkTaken          Name = "upstream_link_taken"
	UpstreamAccountDisabled    Name = "upstream_account_disabled"
	UpstreamLinkNoSession      Name = "upstream_link_no_session"
)
