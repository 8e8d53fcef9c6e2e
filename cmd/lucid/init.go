package main

import (
	"context"
	"fmt"
)

// runInit creates the database, or migrates an existing one, and records
// the master key check, so that every later command and server can tell a
// wrong key. Management commands refuse a missing database; this is the
// explicit way to make one (besides serve, demo and --create).
func runInit(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "init", "")
	var cf commonFlags
	cf.register(fs)
	if _, err := parseFlags(fs, args, 0, 0); err != nil {
		return err
	}
	if err := cf.check(); err != nil {
		return err
	}
	s, err := e.open(ctx, &cf)
	if err != nil {
		return err
	}
	defer s.Close()
	db := dbLabel(s.cfg.Database)
	if s.json {
		return s.printJSON(map[string]any{"database": db, "created": s.created})
	}
	if s.created {
		fmt.Fprintf(s.out, "Created the database %s.\n", db)
	} else {
		fmt.Fprintf(s.out, "The database %s exists; its schema is up to date.\n", db)
	}
	fmt.Fprintln(s.out, "It is bound to the configured master key: commands and servers with another key are refused.")
	return nil
}
