package main

import (
	"context"
	"fmt"
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
	fs := newFlags(e, "api create", "IDENTIFIER")
	var cf commonFlags
	cf.register(fs)
	var (
		spec   manage.APISpec
		scopes listFlag
	)
	fs.StringVar(&spec.Name, "name", "", "display name (default: the identifier)")
	fs.Var(&scopes, "scope", "a scope the API defines (repeatable or space-separated)")
	fs.StringVar(&spec.TokenFormat, "token-format", store.FormatJWT, "access token format: jwt (verified locally) or opaque (introspected)")
	fs.DurationVar(&spec.TokenTTL, "token-ttl", 0, "access token lifetime for this API (default: the server's)")
	rest, err := parseFlags(fs, args, 1, 1)
	if err != nil {
		return err
	}
	spec.ID, spec.Scopes = rest[0], scopes.words()
	s, err := e.open(ctx, &cf)
	if err != nil {
		return err
	}
	defer s.Close()
	a, err := s.svc.CreateAPI(ctx, spec)
	if err != nil {
		return err
	}
	if s.json {
		return s.printJSON(manage.ViewAPI(a))
	}
	fmt.Fprintf(s.out, "API %s registered (%s tokens). Allow it for a client with:\n  lucid client update CLIENT_ID --audience %s\n", a.ID, a.TokenFormat, a.ID)
	return nil
}

func apiList(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "api list", "")
	var cf commonFlags
	cf.register(fs)
	if _, err := parseFlags(fs, args, 0, 0); err != nil {
		return err
	}
	s, err := e.open(ctx, &cf)
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
	fs := newFlags(e, "api delete", "IDENTIFIER")
	var cf commonFlags
	cf.register(fs)
	rest, err := parseFlags(fs, args, 1, 1)
	if err != nil {
		return err
	}
	s, err := e.open(ctx, &cf)
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
	fmt.Fprintf(s.out, "API %s deleted.\n", rest[0])
	return nil
}
