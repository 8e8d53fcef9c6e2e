package main

import (
	"context"
	"fmt"
	"strings"
)

func userConsents(ctx context.Context, e *env, args []string) error {
	s, id, err := oneUser(ctx, e, "consents", args, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	l, err := s.svc.Consents(ctx, id)
	if err != nil {
		return err
	}
	if s.json {
		return s.printJSON(map[string]any{"consents": l})
	}
	rows := make([][]string, len(l))
	for i, c := range l {
		rows[i] = []string{c.ClientID, strings.Join(c.Scopes, " "), timeText(c.GrantedAt)}
	}
	return table(s.out, []string{"CLIENT ID", "SCOPES", "GRANTED"}, rows)
}

func userWithdrawConsent(ctx context.Context, e *env, args []string) error {
	s, pos, err := e.command(ctx, "user withdraw-consent", "USER CLIENT_ID", args, 2, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.svc.WithdrawConsent(ctx, pos[0], pos[1]); err != nil {
		return err
	}
	if s.json {
		return s.printJSON(map[string]any{"user": pos[0], "client_id": pos[1], "withdrawn": true})
	}
	fmt.Fprintf(s.out, "Consent of %s for %s withdrawn; the client's tokens for this user are revoked.\n", term(pos[0]), term(pos[1]))
	return nil
}
