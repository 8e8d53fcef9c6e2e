package catalog

// Grants (entries_grants.go): what every user-bound grant checks alike.
const (
	GrantScopeWidened Name = "grant_scope_widened"
)
