package store

import (
	"regexp"
	"strings"
)

// Schema is where a database's schema stands against the migrations a
// binary knows (`lucid migrate status`). Migrations are forward-only: each
// backend appends to its list and never edits a step that has shipped.
type Schema struct {
	Backend string // "sqlite" or "postgres"
	// Where names the database without secrets: a file path, or the
	// PostgreSQL schema (current_schema()).
	Where string
	// Exists is false when there is no Lucid database there yet; Applied
	// is then 0.
	Exists  bool
	Applied int
	// Steps are the migrations this binary knows, in order: Steps[i]
	// brings the schema from version i to i+1.
	Steps []string
}

// Known is the version this binary brings a database to.
func (s Schema) Known() int { return len(s.Steps) }

// Pending is how many of this binary's migrations the database lacks.
func (s Schema) Pending() int { return max(0, len(s.Steps)-s.Applied) }

// Newer reports whether the database was migrated by a later Lucid: this
// binary refuses it.
func (s Schema) Newer() bool { return s.Applied > len(s.Steps) }

var (
	sqlComment = regexp.MustCompile(`--[^\n]*`)
	sqlSpace   = regexp.MustCompile(`\s+`)
	sqlName    = `"?([A-Za-z_][A-Za-z0-9_]*)"?`
	sqlSteps   = []struct {
		re   *regexp.Regexp
		verb string
	}{
		{regexp.MustCompile(`(?i)^CREATE TABLE (?:IF NOT EXISTS )?` + sqlName), "create table "},
		{regexp.MustCompile(`(?i)^CREATE (?:UNIQUE )?INDEX (?:IF NOT EXISTS )?` + sqlName), "create index "},
		{regexp.MustCompile(`(?i)^ALTER TABLE (?:IF EXISTS )?` + sqlName + ` ADD (?:COLUMN )?(?:IF NOT EXISTS )?` + sqlName), "add column "},
		{regexp.MustCompile(`(?i)^ALTER TABLE (?:IF EXISTS )?` + sqlName), "alter table "},
		{regexp.MustCompile(`(?i)^DROP (TABLE|INDEX|COLUMN) (?:IF EXISTS )?` + sqlName), "drop "},
		{regexp.MustCompile(`(?i)^UPDATE ` + sqlName), "update "},
		{regexp.MustCompile(`(?i)^INSERT INTO ` + sqlName), "insert into "},
		{regexp.MustCompile(`(?i)^DELETE FROM ` + sqlName), "delete from "},
	}
)

// DescribeMigration says in a line what a migration's SQL does ("create
// table clients, create index auth_codes_expires"), read from the SQL
// itself so that the list of migrations stays the only source.
func DescribeMigration(sql string) string {
	var out []string
	for _, stmt := range strings.Split(sqlComment.ReplaceAllString(sql, ""), ";") {
		stmt = strings.TrimSpace(sqlSpace.ReplaceAllString(stmt, " "))
		if stmt == "" {
			continue
		}
		what := ""
		for _, s := range sqlSteps {
			m := s.re.FindStringSubmatch(stmt)
			if m == nil {
				continue
			}
			switch {
			case s.verb == "add column ":
				what = s.verb + m[1] + "." + m[2]
			case s.verb == "drop ":
				what = s.verb + strings.ToLower(m[1]) + " " + m[2]
			default:
				what = s.verb + m[1]
			}
			break
		}
		if what == "" {
			what, _, _ = strings.Cut(stmt, "(")
			what = strings.ToLower(strings.TrimSpace(what))
			if len(what) > 40 {
				what = what[:40] + "…"
			}
		}
		out = append(out, what)
	}
	return strings.Join(out, ", ")
}
