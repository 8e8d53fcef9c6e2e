package catalog

// Health (entries_health.go): what the readiness probe reports.
const (
	ServerDraining Name = "server_draining"
)
