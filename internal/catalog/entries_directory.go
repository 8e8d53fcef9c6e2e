package catalog

import "net/http"

const (
	rfc4511 = "https://www.rfc-editor.org/rfc/rfc4511"
	rfc4513 = "https://www.rfc-editor.org/rfc/rfc4513"
)

// directoryEntries are the failures of signing in with a directory
// password. The person sees them on the sign-in form; what the directory
// answered (its result code and diagnostic message) is kept in the
// operator's story. A wrong password and an unknown name are both
// sign_in_failed, so the form tells nobody which names the directory has.
var directoryEntries = []Entry{
	{Name: DirectoryUnreachable, Error: "temporarily_unavailable", Status: http.StatusServiceUnavailable, Title: "The directory cannot be reached",
		Description: "Lucid could not reach directory {directory} to check your password; nothing was checked. Try again in a moment.",
		Causes: []string{
			"The directory server is down, restarting, or unreachable from Lucid's network (firewall, DNS).",
			"The directory did not answer within the configured timeout.",
			"The configured URL names the wrong host or port.",
		},
		ClientFix: []string{"Try again later; if it lasts, tell the operator the reference."},
		OperatorFix: []string{
			"The story names the address and the network error; check the directory with `ldapsearch -H URL -D BIND_DN -W -b BASE_DN` from Lucid's host.",
			"Raise `directories[].timeout` only if the directory is slow rather than down.",
		},
		Spec: "RFC 4511 §5", SpecURL: rfc4511 + "#section-5", Endpoints: []Endpoint{SignIn}},
	{Name: DirectoryTLSFailed, Error: "server_error", Status: http.StatusBadGateway, Title: "No secure connection to the directory",
		Description: "Lucid could not set up TLS with directory {directory} ({reason}), so it sent no password.",
		Causes: []string{
			"The directory's certificate is not signed by a trusted CA, has expired, or names another host.",
			"The directory does not offer StartTLS, or the URL is ldaps:// on a port that speaks plain LDAP (or the reverse).",
		},
		ClientFix: []string{"Nothing you can change; tell the operator the reference."},
		OperatorFix: []string{
			"Check `url`, `start_tls`, `ca_file` and `server_name` of the directory; `openssl s_client -connect HOST:636` (or `-starttls ldap`) shows the certificate chain.",
		},
		Spec: "RFC 4513 §3", SpecURL: rfc4513 + "#section-3", Endpoints: []Endpoint{SignIn}},
	{Name: DirectorySearchBindRefused, Error: "server_error", Status: http.StatusBadGateway, Title: "Lucid cannot search the directory",
		Description: "Directory {directory} refused Lucid's own credentials ({bind_dn}), so it could not look up your account.",
		Causes: []string{
			"The service account's configured password is wrong or has expired.",
			"The service account was renamed, disabled or deleted in the directory.",
		},
		ClientFix: []string{"Nothing you can change; tell the operator the reference."},
		OperatorFix: []string{
			"The story keeps the directory's result code and message; fix `bind_dn` and `bind_password` (or `bind_password_env`) and restart Lucid.",
		},
		Spec: "RFC 4513 §5.1.3", SpecURL: rfc4513 + "#section-5.1.3", Endpoints: []Endpoint{SignIn}},
	{Name: DirectorySearchFailed, Error: "server_error", Status: http.StatusBadGateway, Title: "The directory search failed",
		Description: "Directory {directory} refused the search for your account ({reason}).",
		Causes: []string{
			"The configured base DN (of people or of groups) names an entry the directory does not hold.",
			"A configured filter (of people, disabled entries or groups) is not a valid LDAP filter.",
			"The service account may not read the people or groups it searches.",
		},
		ClientFix: []string{"Nothing you can change; tell the operator the reference."},
		OperatorFix: []string{
			"The story keeps the directory's result code and message; run the same search with `ldapsearch` as the service account.",
		},
		Spec: "RFC 4511 §4.5", SpecURL: rfc4511 + "#section-4.5", Endpoints: []Endpoint{SignIn}},
	{Name: DirectoryUserAmbiguous, Error: "server_error", Status: http.StatusInternalServerError, Title: "Your directory account is not unique",
		Description: "More than one entry of directory {directory} matches the name you typed, so Lucid cannot tell which is yours.",
		Causes: []string{
			"The user filter matches an attribute that is not unique in the directory (two people share it, or a person has entries in two branches).",
		},
		ClientFix: []string{"Tell the operator the reference; signing in with another form of your name (an e-mail) may work meanwhile."},
		OperatorFix: []string{
			"The story lists the matching DNs; narrow `base_dn` or `user_filter` (add an objectClass) so that one entry matches, or make the attribute unique.",
		},
		Spec: "Lucid", SpecURL: rfc4511 + "#section-4.5", Endpoints: []Endpoint{SignIn}},
	{Name: DirectoryAccountDisabled, Error: "access_denied", Status: http.StatusForbidden, Page: true, Title: "Your directory account is disabled",
		Description: "Your password is right, but directory {directory} marks your account as disabled or locked ({reason}).",
		Causes: []string{
			"An administrator disabled the account in the directory (Active Directory's userAccountControl, or the entry matches the configured disabled filter).",
			"The directory's password policy locked the account (OpenLDAP ppolicy's pwdAccountLockedTime, Active Directory's lockout).",
		},
		ClientFix: []string{"Ask your directory administrator to enable or unlock the account."},
		OperatorFix: []string{
			"Enable or unlock the entry in the directory; Lucid shows this only after the password verified, so it tells a stranger nothing.",
		},
		Spec: "Lucid", SpecURL: rfc4513 + "#section-5.1.3", Endpoints: []Endpoint{SignIn}},
}
