package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"
)

// The bare-Go baseline: the same load against a net/http server that does
// nothing but answer a fixed JSON body of discovery's size, run as a child
// process so that its CPU is measured the way Lucid's is. Machines of this
// kind differ by a quarter in clock speed and tenancy; Lucid's CPU per
// request reads best next to this figure from the same run.

// baselineScenario is the scenario name of the bare-Go baseline.
const baselineScenario = "baseline"

// baselineEnv, set in a child's environment, makes the loadgen binary
// (or the test binary) serve the baseline instead of generating load.
const baselineEnv = "LOADGEN_BASELINE_SERVER"

// baselineBody is about the size of Lucid's discovery document, so that the
// baseline writes as many bytes per answer as the lightest Lucid scenario.
var baselineBody = []byte(`{"issuer":"http://127.0.0.1","note":"` + strings.Repeat("x", 1400) + `"}`)

// serveBaselineIfAsked serves the baseline forever when this process is a
// baseline child; it returns false in every other process.
func serveBaselineIfAsked() bool {
	if os.Getenv(baselineEnv) != "1" {
		return false
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "baseline:", err)
		os.Exit(1)
	}
	fmt.Println(ln.Addr().String())
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(baselineBody)
	})
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	_ = srv.Serve(ln)
	os.Exit(0)
	return true
}

// baselineServer is a running baseline child.
type baselineServer struct {
	cmd  *exec.Cmd
	addr string
}

// startBaseline starts this binary again as a baseline child on a loopback
// port and waits until it listens. The child ends with stop, or with ctx.
func startBaseline(ctx context.Context) (*baselineServer, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, exe)
	cmd.Env = append(os.Environ(), baselineEnv+"=1")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the baseline server: %w", err)
	}
	addr := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		addr <- strings.TrimSpace(line)
	}()
	b := &baselineServer{cmd: cmd}
	select {
	case b.addr = <-addr:
	case <-time.After(10 * time.Second):
	}
	if _, _, err := net.SplitHostPort(b.addr); err != nil {
		b.stop()
		return nil, fmt.Errorf("the baseline server did not say where it listens (%q)", b.addr)
	}
	return b, nil
}

func (b *baselineServer) stop() {
	_ = b.cmd.Process.Kill()
	_ = b.cmd.Wait()
}

// measureBaseline runs the baseline scenario: the same workers, warm-up and
// duration as every other scenario, against a baseline child.
func (g *generator) measureBaseline(ctx context.Context) (result, error) {
	b, err := startBaseline(ctx)
	if err != nil {
		return result{name: baselineScenario}, err
	}
	defer b.stop()
	raw := newRawClient(b.addr, b.addr, g.o.concurrency, g.o.timeout)
	defer raw.close()
	return g.measure(ctx, baselineScenario, target{pid: b.cmd.Process.Pid, raw: raw}, fixed(request{method: http.MethodGet, path: "/"}, `"issuer"`))
}
