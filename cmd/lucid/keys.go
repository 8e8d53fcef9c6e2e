package main

import (
	"context"
	"fmt"
	"time"

	"github.com/lucid-auth/lucid/internal/keys"
)

func runKeys(ctx context.Context, e *env, args []string) error {
	return subcommand(ctx, e, "keys", args, []command{
		{"list", "list the signing keys", keysList},
		{"rotate", "make new signing keys; the old ones stay published for key_publish", keysRotate},
	})
}

func keysList(ctx context.Context, e *env, args []string) error {
	s, _, err := e.command(ctx, "keys list", "", args, 0, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	return s.printKeys(ctx)
}

func (s *session) printKeys(ctx context.Context) error {
	ks, err := keys.List(ctx, s.st, time.Now())
	if err != nil {
		return err
	}
	if s.json {
		return s.printJSON(map[string]any{"keys": ks})
	}
	rows := make([][]string, len(ks))
	for i, k := range ks {
		rows[i] = []string{k.Kid, k.Alg, k.State, yesNo(k.Signing), timeText(k.Created), timePtrText(k.Retired), timePtrText(k.Expires)}
	}
	return table(s.out, []string{"KID", "ALG", "STATE", "SIGNING", "CREATED", "RETIRED", "UNPUBLISHED AT"}, rows)
}

func keysRotate(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "keys rotate", "")
	var cf commonFlags
	cf.register(fs)
	var publish time.Duration
	fs.DurationVar(&publish, "publish-for", 0, "how long the retired keys stay published (default lifetimes.key_publish)")
	if _, err := parseFlags(fs, args, 0, 0); err != nil {
		return err
	}
	if publish < 0 {
		return usagef("--publish-for must not be negative")
	}
	s, err := e.open(ctx, &cf)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.needKey("rotating signing keys"); err != nil {
		return err
	}
	if publish == 0 {
		publish = s.svc.PublishFor()
	}
	if longest := max(s.cfg.Lifetimes.AccessToken, s.cfg.Lifetimes.IDToken); publish < longest {
		return usagef("--publish-for %s is shorter than the longest token lifetime %s; tokens signed before the rotation would stop verifying", publish, longest)
	}
	km, err := keys.NewManager(ctx, s.st, s.sk, s.log)
	if err != nil {
		return err
	}
	if err := km.Rotate(ctx, time.Now(), publish); err != nil {
		return err
	}
	if !s.json {
		fmt.Fprintf(s.out, "Signing keys rotated; the old keys stay published until %s. Running servers pick up the new keys within a minute.\n\n",
			timeText(time.Now().Add(publish)))
	}
	return s.printKeys(ctx)
}
