package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/store"
)

func runAPI(ctx context.Context, e *env, args []string) error {
	return subcommand(ctx, e, "api", args, []command{
		{"create", "register an API (resource server); its identifier is the tokens' audience", apiCreate},
		{"list", "list APIs", apiList},
		{"delete", "delete an API", apiDelete},
	})
}

func apiCreate(ctx context.Context, e *env, args []string) error {
	var (
		spec        manage.APISpec
		scopes      listFlag
		detailsFile string
	)
	s, rest, err := e.command(ctx, "api create", "IDENTIFIER", args, 1, func(fs *flag.FlagSet) {
		fs.StringVar(&spec.Name, "name", "", "display name (default: the identifier)")
		fs.Var(&scopes, "scope", "a scope the API defines (repeatable or space-separated)")
		fs.StringVar(&spec.TokenFormat, "token-format", store.FormatJWT, "access token format: jwt (verified locally) or opaque (introspected)")
		fs.DurationVar(&spec.TokenTTL, "token-ttl", 0, "access token lifetime for this API (default: the server's)")
		fs.StringVar(&detailsFile, "authorization-details", "", "authorization details types (RFC 9396) the API serves: a JSON array of {type, description, schema} (`FILE`, - for stdin)")
	})
	if err != nil {
		return err
	}
	if detailsFile != "" {
		if spec.DetailTypes, err = readDetailTypes(e, detailsFile); err != nil {
			s.Close()
			return err
		}
	}
	spec.ID, spec.Scopes = rest[0], scopes.words()
	defer s.Close()
	a, err := s.svc.CreateAPI(ctx, spec)
	if err != nil {
		return err
	}
	if s.json {
		return s.printJSON(manage.ViewAPI(a))
	}
	fmt.Fprintf(s.out, "API %s registered (%s tokens). Allow it for a client with:\n  lucid client update CLIENT_ID --audience %s\n", term(a.ID), a.TokenFormat, term(a.ID))
	return nil
}

func apiList(ctx context.Context, e *env, args []string) error {
	s, _, err := e.command(ctx, "api list", "", args, 0, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	l, err := s.svc.ListAPIs(ctx)
	if err != nil {
		return err
	}
	views := make([]manage.APIView, len(l))
	rows := make([][]string, len(l))
	for i, a := range l {
		views[i] = manage.ViewAPI(a)
		rows[i] = []string{a.ID, a.Name, a.TokenFormat, orDash(views[i].TokenTTL), strings.Join(a.Scopes, " ")}
	}
	if s.json {
		return s.printJSON(map[string]any{"apis": views})
	}
	return table(s.out, []string{"IDENTIFIER", "NAME", "FORMAT", "TTL", "SCOPES"}, rows)
}

func apiDelete(ctx context.Context, e *env, args []string) error {
	s, rest, err := e.command(ctx, "api delete", "IDENTIFIER", args, 1, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.svc.DeleteAPI(ctx, rest[0]); err != nil {
		return err
	}
	if s.json {
		return s.printJSON(map[string]any{"id": rest[0], "deleted": true})
	}
	fmt.Fprintf(s.out, "API %s deleted.\n", term(rest[0]))
	return nil
}

// readDetailTypes reads --authorization-details: a JSON array of
// {type, description, schema}, as the admin API takes it.
func readDetailTypes(e *env, path string) ([]store.DetailType, error) {
	var (
		b   []byte
		err error
	)
	if path == "-" {
		b, err = io.ReadAll(io.LimitReader(e.stdin, 1<<20))
	} else {
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("read --authorization-details: %w", err)
	}
	var dts []store.DetailType
	if err := json.Unmarshal(b, &dts); err != nil {
		return nil, usagef("--authorization-details: not a JSON array of {type, description, schema}: %v", err)
	}
	return dts, nil
}
