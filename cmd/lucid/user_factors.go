package main

import (
	"context"
	"fmt"
	"time"

	"github.com/lucid-auth/lucid/internal/manage"
)

func userFactors(ctx context.Context, e *env, args []string) error {
	s, id, err := oneUser(ctx, e, "factors", args, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	v, err := s.svc.Factors(ctx, id)
	if err != nil {
		return err
	}
	if s.json {
		return s.printJSON(v)
	}
	printFactors(s, v)
	return nil
}

func userResetFactors(ctx context.Context, e *env, args []string) error {
	s, id, err := oneUser(ctx, e, "reset-factors", args, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	v, err := s.svc.ResetFactors(ctx, id)
	if err != nil {
		return err
	}
	if s.json {
		return s.printJSON(v)
	}
	app := "no authenticator app"
	if v.TOTP != nil {
		app = "the authenticator app"
	}
	fmt.Fprintf(s.out, "Removed %s, %d recovery codes and %d passkeys of %s.\n", app, v.RecoveryCodes, len(v.Passkeys), term(v.Username))
	fmt.Fprintln(s.out, "They set up a second factor again at their next sign-in that asks for one.")
	return nil
}

func printFactors(s *session, v *manage.FactorsView) {
	fmt.Fprintf(s.out, "Second factors of %s\n", term(v.Username))
	app := "none"
	if v.TOTP != nil {
		app = "set up " + v.TOTP.UTC().Format(time.RFC3339)
	}
	fmt.Fprintf(s.out, "  Authenticator app: %s\n", app)
	fmt.Fprintf(s.out, "  Recovery codes left: %d\n", v.RecoveryCodes)
	if len(v.Passkeys) == 0 {
		fmt.Fprintln(s.out, "  Passkeys: none")
		return
	}
	fmt.Fprintln(s.out, "  Passkeys:")
	for _, k := range v.Passkeys {
		used := "never used"
		if k.LastUsedAt != nil {
			used = "last used " + k.LastUsedAt.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(s.out, "    %s  %s  added %s, %s\n", term(k.ID), term(k.Name), k.CreatedAt.UTC().Format(time.RFC3339), used)
	}
}
