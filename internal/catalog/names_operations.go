package catalog

// Operating Lucid: telemetry, backups, migrations (entries_operations.go).
const ()
