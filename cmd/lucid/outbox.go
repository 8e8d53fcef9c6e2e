package main

import (
	"context"
	"fmt"
	"strconv"
)

func runOutbox(ctx context.Context, e *env, args []string) error {
	return subcommand(ctx, e, "outbox", args, []command{
		{"retry", "put a dead outbox item back to pending, due now, its attempts reset", outboxRetry},
	})
}

func outboxRetry(ctx context.Context, e *env, args []string) error {
	s, pos, err := e.command(ctx, "outbox retry", "ITEM_ID", args, 1, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	it, err := s.svc.RetryOutbox(ctx, pos[0])
	if err != nil {
		return err
	}
	if s.json {
		return s.printJSON(map[string]any{"id": it.ID, "kind": it.Kind, "target": it.Target, "state": it.State, "attempts": it.Attempts, "next_attempt": it.NextAttempt})
	}
	fmt.Fprintf(s.out, "Outbox item %s (%s to %s) is pending again with %s attempts; a running server delivers it at its next poll.\n",
		term(it.ID), term(it.Kind), term(it.Target), strconv.Itoa(it.Attempts))
	return nil
}
