package main

import (
	"context"
	"flag"
	"fmt"
)

// Upstream identities: a user's links (user identities, user unlink) and
// blocked upstream subjects (upstream block, unblock, blocks).

func userIdentities(ctx context.Context, e *env, args []string) error {
	s, id, err := oneUser(ctx, e, "identities", args, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	l, err := s.svc.Identities(ctx, id)
	if err != nil {
		return err
	}
	if s.json {
		return s.printJSON(map[string]any{"identities": l})
	}
	rows := make([][]string, len(l))
	for i, x := range l {
		rows[i] = []string{x.UpstreamID, x.Subject, x.Issuer, x.Email, timeText(x.CreatedAt)}
	}
	return table(s.out, []string{"UPSTREAM", "SUBJECT", "ISSUER", "EMAIL", "LINKED"}, rows)
}

func userUnlink(ctx context.Context, e *env, args []string) error {
	s, pos, err := e.command(ctx, "user unlink", "USER UPSTREAM SUBJECT", args, 3, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.svc.Unlink(ctx, pos[0], pos[1], pos[2]); err != nil {
		return err
	}
	if s.json {
		return s.printJSON(map[string]any{"user": pos[0], "upstream": pos[1], "subject": pos[2], "unlinked": true})
	}
	fmt.Fprintf(s.out, "Identity %s at %s unlinked from %s.\n", term(pos[2]), term(pos[1]), term(pos[0]))
	return nil
}

func runUpstream(ctx context.Context, e *env, args []string) error {
	return subcommand(ctx, e, "upstream", args, []command{
		{"blocks", "list blocked upstream subjects", upstreamBlocks},
		{"block", "refuse an upstream subject's sign-ins", upstreamBlock},
		{"unblock", "lift the block of an upstream subject", upstreamUnblock},
	})
}

func upstreamBlocks(ctx context.Context, e *env, args []string) error {
	s, _, err := e.command(ctx, "upstream blocks", "", args, 0, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	l, err := s.svc.Blocks(ctx)
	if err != nil {
		return err
	}
	if s.json {
		return s.printJSON(map[string]any{"blocks": l})
	}
	rows := make([][]string, len(l))
	for i, b := range l {
		rows[i] = []string{b.UpstreamID, b.Subject, b.Reason, timeText(b.CreatedAt)}
	}
	return table(s.out, []string{"UPSTREAM", "SUBJECT", "REASON", "BLOCKED"}, rows)
}

func upstreamBlock(ctx context.Context, e *env, args []string) error {
	var reason string
	s, pos, err := e.command(ctx, "upstream block", "UPSTREAM SUBJECT", args, 2, func(fs *flag.FlagSet) {
		fs.StringVar(&reason, "reason", "", "why, for the operators who read the list")
	})
	if err != nil {
		return err
	}
	defer s.Close()
	b, err := s.svc.Block(ctx, pos[0], pos[1], reason)
	if err != nil {
		return err
	}
	if s.json {
		return s.printJSON(b)
	}
	fmt.Fprintf(s.out, "Subject %s of upstream %s blocked: its sign-ins are refused from now on.\n", term(b.Subject), term(b.UpstreamID))
	return nil
}

func upstreamUnblock(ctx context.Context, e *env, args []string) error {
	s, pos, err := e.command(ctx, "upstream unblock", "UPSTREAM SUBJECT", args, 2, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.svc.Unblock(ctx, pos[0], pos[1]); err != nil {
		return err
	}
	if s.json {
		return s.printJSON(map[string]any{"upstream": pos[0], "subject": pos[1], "unblocked": true})
	}
	fmt.Fprintf(s.out, "Subject %s of upstream %s unblocked.\n", term(pos[1]), term(pos[0]))
	return nil
}
