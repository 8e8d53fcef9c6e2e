package catalog

// operationsEntries are the failures of operating Lucid: telemetry, backups, migrations.
var operationsEntries = []Entry{}
