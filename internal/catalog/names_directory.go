package catalog

// Sign-in with a directory password (LDAP, Active Directory) on Lucid's
// form (entries_directory.go). A wrong password and a name the directory
// does not hold are sign_in_failed, as for local accounts.
const (
	DirectoryUnreachable       Name = "directory_unreachable"
	DirectoryTLSFailed         Name = "directory_tls_failed"
	DirectorySearchBindRefused Name = "directory_search_bind_refused"
	DirectorySearchFailed      Name = "directory_search_failed"
	DirectoryUserAmbiguous     Name = "directory_user_ambiguous"
	DirectoryAccountDisabled   Name = "directory_account_disabled"
)
