package catalog

// Encrypted JARM responses and request objects signed with the client secret.
const (
	JARMEncryptionKeyMissing      Name = "jarm_encryption_key_missing"
	JARMEncryptionKeysUnreachable Name = "jarm_encryption_keys_unreachable"
	RequestObjectSecretUnusable   Name = "request_object_secret_unusable"
	RequestObjectSecretTooShort   Name = "request_object_secret_too_short"
	// Encrypted ID tokens (OpenID Connect Core §10.2).
	IDTokenEncryptionUnsupported     Name = "id_token_encryption_unsupported"
	IDTokenEncryptionKeyMissing      Name = "id_token_encryption_key_missing"
	IDTokenEncryptionKeysUnreachable Name = "id_token_encryption_keys_unreachable"
	// Signed and encrypted userinfo answers (OpenID Connect Core §5.3.2).
	UserInfoEncryptionUnsupported     Name = "userinfo_encryption_unsupported"
	UserInfoEncryptionKeyMissing      Name = "userinfo_encryption_key_missing"
	UserInfoEncryptionKeysUnreachable Name = "userinfo_encryption_keys_unreachable"
)
