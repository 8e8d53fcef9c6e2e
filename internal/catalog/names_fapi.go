package catalog

// Names of the FAPI 2.0 Security Profile mode (entries_fapi.go).
const (
	FAPIClientAuthMethod        Name = "fapi_client_auth_method"
	FAPIClientAssertionAlg      Name = "fapi_client_assertion_alg"
	FAPIClientAssertionAudience Name = "fapi_client_assertion_audience"
	FAPIRequestObjectAlg        Name = "fapi_request_object_alg"
	FAPIDPoPProofAlg            Name = "fapi_dpop_proof_alg"
	FAPISenderConstraint        Name = "fapi_sender_constraint_required"
	FAPIPARRequired             Name = "fapi_par_required"
	FAPIRedirectURIMissing      Name = "fapi_redirect_uri_missing"
	FAPIPKCERequired            Name = "fapi_pkce_required"
	FAPIMetadataAuthMethod      Name = "fapi_client_metadata_auth_method"
	FAPIMetadataAlg             Name = "fapi_client_metadata_alg"
	FAPIMetadataKeySize         Name = "fapi_client_metadata_key_size"
	FAPIClientAssertionKeySize  Name = "fapi_client_assertion_key_size"
	FAPIRequestObjectKeySize    Name = "fapi_request_object_key_size"
	FAPIDPoPKeySize             Name = "fapi_dpop_key_size"
	FAPIJWTBearerAlg            Name = "fapi_jwt_bearer_alg"
	FAPIJWTBearerKeySize        Name = "fapi_jwt_bearer_key_size"
)
