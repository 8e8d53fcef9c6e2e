package catalog

// Operating Lucid: telemetry, backups, migrations, the web console
// (entries_operations.go).
const (
	ConsoleNotAdmin     Name = "console_not_admin"
	ConsoleFormExpired  Name = "console_form_expired"
	ConsoleSignInFailed Name = "console_sign_in_failed"
)
