package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/server"
	"github.com/lucid-auth/lucid/internal/store/sqlite"
)

// startLucid runs a real Lucid in this process on a loopback port and
// returns its URL, database DSN and master key.
func startLucid(t *testing.T) (string, string, string) {
	t.Helper()
	ctx := context.Background()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	master := make([]byte, 32)
	_, _ = rand.Read(master)
	path := filepath.Join(t.TempDir(), "lucid.db")
	cfg := config.Default()
	cfg.Issuer = "http://" + ln.Addr().String()
	cfg.Addr = ln.Addr().String()
	cfg.Database = "sqlite:" + path
	cfg.MasterKey = base64.StdEncoding.EncodeToString(master)
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := server.New(ctx, &cfg, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		_ = srv.Close()
		_ = st.Close()
	})
	return cfg.Issuer, cfg.Database, cfg.MasterKey
}

// TestRunAllScenarios puts a fraction of a second of load of every kind on
// a real Lucid and checks that every scenario made requests, none failed,
// and the fixtures were removed afterwards.
func TestRunAllScenarios(t *testing.T) {
	if testing.Short() {
		t.Skip("runs load for a few seconds")
	}
	lucidURL, dsn, key := startLucid(t)
	getenv := func(k string) string {
		if k == "LUCID_MASTER_KEY" {
			return key
		}
		return ""
	}
	var out, errs bytes.Buffer
	// No --pid: the listener lookup must find this very process.
	err := run(context.Background(), []string{
		"--url", lucidURL, "--database", dsn, "--duration", "250ms", "--warmup", "50ms",
		"--concurrency", "4", "--pool", "400", "--scenario", "all",
	}, &out, &errs, getenv)
	if err != nil {
		t.Fatalf("run: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errs.String())
	}
	text := out.String()
	if !strings.Contains(text, "Lucid pid "+strconv.Itoa(os.Getpid())+" ") {
		t.Errorf("did not find this process as the listener:\n%s", text)
	}
	rows := map[string][]string{}
	for line := range strings.Lines(text) {
		f := strings.Fields(line)
		if len(f) == 12 && f[0] != "scenario" {
			rows[strings.TrimSuffix(f[0], "*")] = f
		}
	}
	for _, name := range scenarioNames() {
		f, ok := rows[name]
		if !ok {
			t.Errorf("no result row for %s:\n%s", name, text)
			continue
		}
		if n, err := strconv.Atoi(f[1]); err != nil || n == 0 {
			t.Errorf("%s: requests = %q, want > 0", name, f[1])
		}
		if f[2] != "0" || f[3] != "0" {
			t.Errorf("%s: %s errors, %s shed:\n%s", name, f[2], f[3], text)
		}
		if !strings.HasSuffix(f[10], "MiB") || f[10] == "0.0MiB" {
			t.Errorf("%s: rss before = %q, want a size", name, f[10])
		}
	}

	st, err := sqlite.Open(context.Background(), strings.TrimPrefix(dsn, "sqlite:"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	clients, err := st.ListClients(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range clients {
		if strings.HasPrefix(c.ID, "loadgen-") {
			t.Errorf("fixture client %s left behind", c.ID)
		}
	}
}

func TestOptions(t *testing.T) {
	base := []string{"--database", "sqlite:x.db"}
	for _, tc := range []struct {
		name string
		args []string
		want string // substring of the error; "" for success
	}{
		{"defaults", nil, ""},
		{"ipv6 loopback", []string{"--url", "http://[::1]:9"}, ""},
		{"localhost", []string{"--url", "http://localhost:9"}, ""},
		{"remote host", []string{"--url", "http://192.0.2.1:8080"}, "loopback"},
		{"remote name", []string{"--url", "https://id.example.com"}, "loopback"},
		{"path", []string{"--url", "http://127.0.0.1:9/token"}, "without a path"},
		{"not http", []string{"--url", "ftp://127.0.0.1"}, "not an http"},
		{"endless", []string{"--duration", "24h"}, "--duration"},
		{"no concurrency", []string{"--concurrency", "0"}, "--concurrency"},
		{"negative pool", []string{"--pool", "-1"}, "--pool"},
		{"negative pid", []string{"--pid", "-5"}, "--pid"},
		{"unknown scenario", []string{"--scenario", "cc-basic,bogus"}, `unknown scenario "bogus"`},
		{"stray argument", []string{"now"}, "unexpected argument"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			_, err := parseOptions(append(append([]string{}, base...), tc.args...), &stderr)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestDefaultPool: without --pool, the single-use material covers the
// whole run at poolRate, within maxPool.
func TestDefaultPool(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want int
	}{
		{nil, 11 * poolRate}, // 1 s warm-up + 10 s
		{[]string{"--duration", "2s", "--warmup", "0s"}, 2 * poolRate},
		{[]string{"--duration", "10m"}, maxPool},
		{[]string{"--pool", "7"}, 7},
	} {
		o, err := parseOptions(append([]string{"--database", "sqlite:x.db"}, tc.args...), io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if o.pool != tc.want {
			t.Errorf("%v: pool %d, want %d", tc.args, o.pool, tc.want)
		}
	}
}

func TestMasterKeySources(t *testing.T) {
	dir := t.TempDir()
	key := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	keyFile := filepath.Join(dir, "master.key")
	if err := os.WriteFile(keyFile, []byte(key+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	demoDB := filepath.Join(dir, "demo.db")
	if err := os.WriteFile(demoDB+".key", []byte(key), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		database string
		keyFile  string
		env      map[string]string
		wantErr  string
	}{
		{"environment", "sqlite:x.db", "", map[string]string{"LUCID_MASTER_KEY": key}, ""},
		{"flag file", "sqlite:x.db", keyFile, nil, ""},
		{"flag beats environment", "sqlite:x.db", keyFile, map[string]string{"LUCID_MASTER_KEY": "not a key"}, ""},
		{"demo key file", "sqlite:" + demoDB, "", nil, ""},
		{"database from environment", "", "", map[string]string{"LUCID_DATABASE": "sqlite:x.db", "LUCID_MASTER_KEY": key}, ""},
		{"no key", "sqlite:x.db", "", nil, "master key"},
		{"no database", "", keyFile, nil, "--database"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := &options{database: tc.database, keyFile: tc.keyFile}
			_, got, err := masterKey(o, func(k string) string { return tc.env[k] })
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, bytes.Repeat([]byte{7}, 32)) {
				t.Fatalf("key = %x", got)
			}
		})
	}
}

func TestProcParsing(t *testing.T) {
	// The command name may contain spaces and parentheses.
	stat := "4242 (lucid (x) y) S 1 4242 4242 0 -1 4194560 1000 0 0 0 150 25 0 0 20 0 12 0 100 123456 789 18446744073709551615"
	cpu, err := parseStatCPU(stat)
	if err != nil || cpu != 1750*time.Millisecond {
		t.Fatalf("cpu = %v, %v; want 1.75s", cpu, err)
	}
	if _, err := parseStatCPU("4242 lucid S 1"); err == nil {
		t.Error("a stat line without a command name was accepted")
	}
	for _, tc := range []struct {
		status string
		want   int64
		ok     bool
	}{
		{"Name:\tlucid\nVmRSS:\t   20480 kB\nThreads: 9\n", 20 << 20, true},
		{"Name:\tkthreadd\nThreads: 1\n", 0, false},
		{"VmRSS:\t12 MB\n", 0, false},
	} {
		got, err := parseVmRSS(tc.status)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseVmRSS(%q) = %d, %v; want %d ok=%v", tc.status, got, err, tc.want, tc.ok)
		}
	}
	// This process's own sample is live data, so check it is plausible.
	s, err := readProc(os.Getpid())
	if err != nil || s.rss < 1<<20 {
		t.Fatalf("own /proc sample %+v, %v", s, err)
	}
}

func TestListenerPID(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse("http://" + ln.Addr().String())
	pid, err := listenerPID(u)
	if err != nil || pid != os.Getpid() {
		t.Fatalf("listenerPID = %d, %v; want %d", pid, err, os.Getpid())
	}
	_ = ln.Close()
	if pid, err := listenerPID(u); err == nil {
		t.Fatalf("found pid %d on a closed port", pid)
	}
}

func TestPercentile(t *testing.T) {
	ms := func(n ...int) []time.Duration {
		out := make([]time.Duration, len(n))
		for i, v := range n {
			out[i] = time.Duration(v) * time.Millisecond
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = i + 1
	}
	for _, tc := range []struct {
		in   []time.Duration
		p    float64
		want time.Duration
	}{
		{nil, 0.5, 0},
		{ms(7), 0.99, 7 * time.Millisecond},
		{ms(1, 2, 3, 4), 0.5, 2 * time.Millisecond},
		{ms(hundred...), 0.99, 99 * time.Millisecond},
		{ms(hundred...), 0.5, 50 * time.Millisecond},
		{ms(hundred...), 1, 100 * time.Millisecond},
	} {
		if got := percentile(tc.in, tc.p); got != tc.want {
			t.Errorf("percentile(%d values, %v) = %v, want %v", len(tc.in), tc.p, got, tc.want)
		}
	}
}
