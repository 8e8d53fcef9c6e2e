// Command lucid is the Lucid authorization server and its management tool.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"

	"github.com/lucid-auth/lucid/internal/buildinfo"
	"github.com/lucid-auth/lucid/internal/catalog"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	e := &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, environ: os.Environ}
	code := e.run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

// env is what a command may touch of the outside world; tests give their own.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	// environ lists the whole environment, to find misspelled LUCID_
	// variables; nil skips that check.
	environ func() []string
}

// command is one top-level command. A command returns a *usageError for
// bad invocations (exit 2) and any other error for failures (exit 1).
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

// commands is the dispatch table.
func commands() []command {
	return []command{
		{"serve", "run the server", runServe},
		{"demo", "run a local demo with a demo user and client", runDemo},
		{"init", "create a new database, or bring an existing one's schema up to date", runInit},
		{"migrate", "show or apply schema migrations (status, up)", runMigrate},
		{"backup", "copy the SQLite database to a file while Lucid runs (PostgreSQL: pg_dump)", runBackup},
		{"restore", "restore a SQLite backup into a new path, or over a stopped Lucid's database", runRestore},
		{"client", "manage OAuth clients (create, list, show, update, delete, secrets)", runClient},
		{"user", "manage users (create, list, show, set-password, disable, enable, unlock, delete, set-ciba-code)", runUser},
		{"upstream", "blocked subjects of upstream identity providers (blocks, block, unblock)", runUpstream},
		{"keys", "list or rotate the signing keys", runKeys},
		{"outbox", "retry a dead outbox delivery", runOutbox},
		{"api", "manage APIs (resource servers): create, list, delete", runAPI},
		{"errors", "browse the error catalog (list, show)", runErrors},
		{"explain", "explain a catalog name, an error code, or a failed request by its trace id", runExplain},
		{"version", "print the version", runVersion},
	}
}

// run runs one command line with the environment getenv reads.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv}
	return e.run(ctx, args)
}

func (e *env) run(ctx context.Context, args []string) int {
	stdout, stderr := e.stdout, e.stderr
	if len(args) == 0 {
		topUsage(stderr)
		return exitUsage
	}
	name := args[0]
	if name == "-h" || name == "--help" || name == "help" {
		topUsage(stdout)
		return exitOK
	}
	for _, c := range commands() {
		if c.name == name {
			return e.exit(name, c.run(ctx, e, args[1:]))
		}
	}
	fmt.Fprintf(stderr, "lucid: unknown command %q\n\n", name)
	topUsage(stderr)
	return exitUsage
}

func topUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: lucid COMMAND [ARGS]")
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range commands() {
		fmt.Fprintf(tw, "  %s\t%s\n", c.name, c.summary)
	}
	_ = tw.Flush()
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'lucid COMMAND -h' for the flags of a command.")
}

// usageError is a bad invocation: exit code 2.
type usageError struct{ msg string }

func (u *usageError) Error() string { return u.msg }

func usagef(format string, a ...any) error { return &usageError{msg: fmt.Sprintf(format, a...)} }

// errHelpShown: -h was asked for and the usage printed; exit 0.
var errHelpShown = errors.New("help shown")

// namedError carries the full command name (`client create`) for messages.
type namedError struct {
	name string
	err  error
}

func (n *namedError) Error() string { return n.err.Error() }
func (n *namedError) Unwrap() error { return n.err }

// exit prints err for the person at the terminal and picks the exit code.
func (e *env) exit(name string, err error) int {
	var ue *usageError
	var ce *catalog.Error
	var ne *namedError
	if errors.As(err, &ne) {
		name = ne.name
	}
	switch {
	case err == nil, errors.Is(err, errHelpShown):
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(e.stderr, "lucid %s: %s\n", name, termText(ue.msg))
		return exitUsage
	case errors.As(err, &ce):
		fmt.Fprintf(e.stderr, "lucid %s: %s [%s]\n", name, termText(ce.Text()), ce.Name())
		return exitFailure
	default:
		fmt.Fprintf(e.stderr, "lucid %s: %s\n", name, termText(err.Error()))
		return exitFailure
	}
}

// subcommand dispatches a command group such as `lucid client create`.
func subcommand(ctx context.Context, e *env, group string, args []string, subs []command) error {
	usage := func(w io.Writer) {
		fmt.Fprintf(w, "Usage: lucid %s SUBCOMMAND [FLAGS] [ARGS]\n\n", group)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, c := range subs {
			fmt.Fprintf(tw, "  %s\t%s\n", c.name, c.summary)
		}
		_ = tw.Flush()
	}
	if len(args) == 0 {
		usage(e.stderr)
		return usagef("missing subcommand")
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(e.stdout)
		return errHelpShown
	}
	for _, c := range subs {
		if c.name == args[0] {
			if err := c.run(ctx, e, args[1:]); err != nil {
				return &namedError{name: group + " " + c.name, err: err}
			}
			return nil
		}
	}
	usage(e.stderr)
	return usagef("unknown subcommand %q", args[0])
}

// newFlags makes a flag set that reports errors instead of exiting.
func newFlags(e *env, name, argsUsage string) *flag.FlagSet {
	fs := flag.NewFlagSet("lucid "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: lucid %s [FLAGS] %s\n\nFlags:\n", name, argsUsage)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses flags and positional arguments in any order, so
// `lucid client show ID --output json` works, and checks the count of
// positional arguments. It returns them.
func parseFlags(fs *flag.FlagSet, args []string, minArgs, maxArgs int) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(io.Discard) // printed already
				return nil, errHelpShown
			}
			return nil, &usageError{msg: err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	switch {
	case len(pos) < minArgs:
		fs.Usage()
		return nil, usagef("missing argument")
	case maxArgs >= 0 && len(pos) > maxArgs:
		return nil, usagef("unexpected argument %q", pos[maxArgs])
	}
	return pos, nil
}

// setFlags returns the names of the flags given on the command line.
func setFlags(fs *flag.FlagSet) map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, " ") }
func (l *listFlag) Set(v string) error {
	*l = append(*l, v)
	return nil
}

// words splits repeated values that may each hold several space-separated
// words (--scope "openid profile" --scope email).
func (l listFlag) words() []string {
	var out []string
	for _, v := range l {
		out = append(out, strings.Fields(v)...)
	}
	return out
}

func runVersion(_ context.Context, e *env, args []string) error {
	fs := newFlags(e, "version", "")
	if _, err := parseFlags(fs, args, 0, 0); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, versionString())
	return nil
}

func versionString() string { return buildinfo.Read().String() }
