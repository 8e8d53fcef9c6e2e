// Command loadgen puts bounded load on a running Lucid on this machine and
// reports, per scenario, throughput, latency percentiles, errors, and the
// CPU time and memory the Lucid process spent. It opens Lucid's database
// (with the same master key) to create its fixtures: clients, APIs, a user,
// authorization codes and refresh tokens written straight to the store, so
// that the measured requests are only the ones under test.
//
//	go run ./cmd/loadgen --url http://127.0.0.1:8080 --database sqlite:lucid.db \
//	    [--duration 10s] [--concurrency 64] [--scenario all|cc-basic|…]
//
// The first scenario, "baseline", puts the same load on a bare net/http
// server (a child process answering a fixed body) so that Lucid's CPU per
// request can be read against what Go's HTTP stack alone costs on the
// same machine in the same run ("server cpu/req" is the child's there).
//
// It talks to loopback addresses only, and every scenario ends after
// --duration or --max-requests, whichever comes first. docs/PERFORMANCE.md
// has the whole procedure.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/lucid-auth/lucid/internal/config"
)

func main() {
	if serveBaselineIfAsked() {
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		var ue usageError
		if errors.As(err, &ue) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// Bounds that keep a mistyped flag from turning into an endless run.
const (
	maxDuration    = 10 * time.Minute
	maxConcurrency = 4096
)

// The default pool of single-use items covers poolRate requests a second,
// above what any single-use scenario reaches on two cores, up to maxPool
// (minting takes about 0.1 ms of CPU per item, and a signed assertion
// form about 700 bytes). Longer runs than that covers end early, marked.
const (
	poolRate = 12_000
	maxPool  = 250_000
)

// options are the parsed flags.
type options struct {
	url         *url.URL
	database    string
	keyFile     string
	duration    time.Duration
	warmup      time.Duration
	concurrency int
	maxRequests int
	pool        int
	scenarios   []string
	pid         int
	timeout     time.Duration
	backoff     time.Duration
}

func parseOptions(args []string, stderr io.Writer) (*options, error) {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	var rawURL, scenario string
	fs.StringVar(&rawURL, "url", "http://127.0.0.1:8080", "base URL of the running Lucid (loopback only)")
	fs.StringVar(&o.database, "database", "", "Lucid's database: sqlite:PATH or postgres://… (default LUCID_DATABASE)")
	fs.StringVar(&o.keyFile, "master-key-file", "", "file holding Lucid's master key (default LUCID_MASTER_KEY or LUCID_MASTER_KEY_FILE)")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "measured time per scenario")
	fs.DurationVar(&o.warmup, "warmup", time.Second, "unmeasured load before each scenario (connections, caches)")
	fs.IntVar(&o.concurrency, "concurrency", 64, "concurrent requests (and keep-alive connections)")
	fs.IntVar(&o.maxRequests, "max-requests", 2_000_000, "upper bound on measured requests per scenario")
	fs.IntVar(&o.pool, "pool", 0, "pre-minted single-use items (codes, assertions) per scenario; the scenario ends early when they run out (default: enough for 12,000 requests/s over warm-up and duration)")
	fs.StringVar(&scenario, "scenario", "all", "all, or a comma-separated list of: "+strings.Join(scenarioNames(), ", "))
	fs.IntVar(&o.pid, "pid", 0, "pid of the Lucid process (default: the process listening on the URL's port)")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Second, "timeout of one request")
	fs.DurationVar(&o.backoff, "backoff", 0, "after a shed answer (503 server_overloaded), wait this long before the connection's next request, as a client honouring Retry-After does (Lucid sends 1s); 0 sends at once")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return nil, usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	u, err := loopbackURL(rawURL)
	if err != nil {
		return nil, usageError{err.Error()}
	}
	o.url = u
	switch {
	case o.duration <= 0 || o.duration > maxDuration:
		return nil, usageError{fmt.Sprintf("--duration must be in (0, %s]", maxDuration)}
	case o.warmup < 0 || o.warmup > maxDuration:
		return nil, usageError{fmt.Sprintf("--warmup must be in [0, %s]", maxDuration)}
	case o.concurrency < 1 || o.concurrency > maxConcurrency:
		return nil, usageError{fmt.Sprintf("--concurrency must be 1 to %d", maxConcurrency)}
	case o.maxRequests < 1:
		return nil, usageError{"--max-requests must be at least 1"}
	case o.pool < 0:
		return nil, usageError{"--pool must be 0 (sized to the run) or more"}
	case o.backoff < 0 || o.backoff > time.Minute:
		return nil, usageError{"--backoff must be in [0, 1m]"}
	case o.pid < 0:
		return nil, usageError{"--pid must be positive"}
	}
	if o.pool == 0 {
		o.pool = int(min(poolRate*(o.warmup+o.duration).Seconds(), maxPool))
	}
	if o.scenarios, err = pickScenarios(scenario); err != nil {
		return nil, usageError{err.Error()}
	}
	return &o, nil
}

// loopbackURL accepts http(s) URLs whose host is a loopback address or
// localhost: load is for this machine, never someone else's.
func loopbackURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSuffix(raw, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("--url %q is not an http(s) URL", raw)
	}
	if u.Path != "" || u.RawQuery != "" {
		return nil, fmt.Errorf("--url %q must be the server's base URL, without a path", raw)
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); !(host == "localhost" || ip != nil && ip.IsLoopback()) {
		return nil, fmt.Errorf("--url %q: loadgen only loads loopback addresses (127.0.0.0/8, ::1, localhost)", raw)
	}
	return u, nil
}

func pickScenarios(list string) ([]string, error) {
	if list == "all" {
		return scenarioNames(), nil
	}
	var out []string
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if _, ok := scenarioByName(name); !ok {
			return nil, fmt.Errorf("unknown scenario %q; known: all, %s", name, strings.Join(scenarioNames(), ", "))
		}
		out = append(out, name)
	}
	return out, nil
}

// masterKey finds Lucid's master key the way the lucid CLI does: the
// environment, then --master-key-file, then the demo key file next to an
// SQLite database.
func masterKey(o *options, getenv func(string) string) (database string, key []byte, err error) {
	cfg := config.Default()
	cfg.Database = ""
	if err := cfg.ApplyEnv(getenv); err != nil {
		return "", nil, fmt.Errorf("environment: %w", err)
	}
	if o.database != "" {
		cfg.Database = o.database
	}
	if cfg.Database == "" {
		return "", nil, usageError{"--database (or LUCID_DATABASE) is required: loadgen writes its fixtures to Lucid's database"}
	}
	if o.keyFile != "" {
		cfg.MasterKey, cfg.MasterKeyFile = "", o.keyFile
	}
	cfg.UseDemoKeyFile()
	key, err = cfg.MasterKeyBytes()
	if errors.Is(err, config.ErrNoMasterKey) {
		return "", nil, usageError{"loadgen needs Lucid's master key to register clients: set LUCID_MASTER_KEY or --master-key-file"}
	}
	return cfg.Database, key, err
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	o, err := parseOptions(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	database, key, err := masterKey(o, getenv)
	if err != nil {
		return err
	}
	pid := o.pid
	if pid == 0 {
		if pid, err = listenerPID(o.url); err != nil {
			return fmt.Errorf("finding the Lucid process: %w; pass --pid", err)
		}
	}
	if _, err := readProc(pid); err != nil {
		return fmt.Errorf("reading /proc of pid %d: %w", pid, err)
	}
	g, err := newGenerator(ctx, o, database, key)
	if err != nil {
		return err
	}
	defer g.close(context.WithoutCancel(ctx))
	fmt.Fprintf(stdout, "Lucid pid %d at %s (issuer %s); concurrency %d, %s per scenario after %s warm-up\n\n",
		pid, o.url, g.issuer, o.concurrency, o.duration, o.warmup)
	var results []result
	for _, name := range o.scenarios {
		if ctx.Err() != nil {
			break
		}
		if name == baselineScenario {
			fmt.Fprintf(stderr, "loadgen: %s: running a bare net/http server\n", name)
			res, err := g.measureBaseline(ctx)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			results = append(results, res)
			continue
		}
		sc, _ := scenarioByName(name)
		fmt.Fprintf(stderr, "loadgen: %s: preparing\n", name)
		newJob, err := sc.prepare(ctx, g)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		fmt.Fprintf(stderr, "loadgen: %s: running\n", name)
		res, err := g.measure(ctx, name, target{pid: pid, raw: g.raw}, newJob)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		results = append(results, res)
	}
	printResults(stdout, results)
	return ctx.Err()
}
