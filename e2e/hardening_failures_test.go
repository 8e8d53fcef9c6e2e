package e2e

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/server"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/trace"
)

// gatedStore holds every write of failure stories while closed, as a
// database that is slow or stuck would: a request that waited on its
// story would wait here.
type gatedStore struct {
	store.Store
	gate sync.RWMutex
}

func (g *gatedStore) RecordFailure(ctx context.Context, f *store.Failure) error {
	g.gate.RLock()
	defer g.gate.RUnlock()
	return g.Store.RecordFailure(ctx, f)
}

func (g *gatedStore) RecordFailures(ctx context.Context, fs []*store.Failure) error {
	g.gate.RLock()
	defer g.gate.RUnlock()
	return g.Store.RecordFailures(ctx, fs)
}

// countingWriter counts the bytes of log written.
type countingWriter struct{ n atomic.Int64 }

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n.Add(int64(len(p)))
	return len(p), nil
}

// dbBytes is the size of a SQLite database with its write-ahead log.
func dbBytes(t *testing.T, path string) int64 {
	t.Helper()
	var n int64
	for _, p := range []string{path, path + "-wal"} {
		if fi, err := os.Stat(p); err == nil {
			n += fi.Size()
		}
	}
	return n
}

// floodSeconds is how long TestFailureFlood floods: 3 s by default,
// LUCID_FLOOD_SECONDS (at most 10) for the measurement in the notes.
func floodSeconds() time.Duration {
	if n, err := strconv.Atoi(os.Getenv("LUCID_FLOOD_SECONDS")); err == nil && n > 0 && n <= 10 {
		return time.Duration(n) * time.Second
	}
	return 3 * time.Second
}

// TestFailureFlood reproduces the flood of issue 9: GET /authorize with a
// client_id of 30,000 characters (a new one each time) and 404s with long
// paths, as fast as four connections go, against a real Lucid on
// loopback, with the story writes held back the whole time. Before, each
// failure wrote its values whole to a row and a log line (10 s wrote
// 500 MB to each). Now every request is answered without waiting on its
// story, the log and the table stay within fixed bounds, and the story of
// a registered client recorded before the flood is still there.
func TestFailureFlood(t *testing.T) {
	ctx := context.Background()
	dbPath := filepath.Join(t.TempDir(), "lucid.db")
	var st *gatedStore
	logged := &countingWriter{}
	l := startWith(t, startOpts{
		Wrap: func(inner store.Store) store.Store {
			st = &gatedStore{Store: inner}
			return st
		},
		// As `lucid serve` runs: the wall clock, its header limit, and its
		// default log (text, level info).
		Server:         []server.Option{server.WithClock(time.Now)},
		Log:            logged,
		MaxHeaderBytes: 32 << 10,
	}, func(c *config.Config) {
		c.Database = "sqlite:" + dbPath
		c.FailureMaxUnattributed = 20
	})
	inner, s, cfg := st.Store, l.Server, l.cfg

	// A registered client's failure, recorded before the flood.
	if err := l.Store.CreateClient(ctx, &store.Client{ID: "notes", Name: "Notes", RedirectURIs: []string{"https://notes.example/cb"},
		Scopes: []string{"openid"}, TokenEndpointAuthMethod: "none", RequirePKCE: true, CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	r := send(t, http.MethodGet, cfg.Issuer+"/authorize?response_type=code&client_id=notes&redirect_uri=https%3A%2F%2Fevil.example%2Fcb", nil, nil)
	before := r.header.Get(trace.Header)
	if err := s.FlushFailures(ctx); err != nil {
		t.Fatal(err)
	}
	if f, err := inner.GetFailure(ctx, before); err != nil || f.Unattributed || f.ClientID != "notes" {
		t.Fatalf("story of the registered client: %+v, %v", f, err)
	}

	// The flood, from one address, then the same from addresses
	// all over 127.0.0.0/8: each a network of its own to the sampler, so
	// only its global bound and the table's bound per class hold them.
	db, err := sql.Open("sqlite", "file:"+dbPath+"?_query_only=1")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, phase := range []struct {
		name          string
		source        func() net.Addr
		maxLog, maxDB int64
	}{
		// (PerNetwork+1)·Burst = 33 failures a minute in full from one
		// network, each line and story a few KiB at most.
		{"one network", func() net.Addr { return nil }, 256 << 10, 1 << 20},
		// (MaxKeys+1)·Burst = 3003 failures a minute in full, at most
		// 2 KiB a line; the table keeps its 20 (+10%) unattributed rows
		// and SQLite's write-ahead log grows by at most its checkpoint
		// size (1000 pages).
		{"many networks", func() net.Addr {
			var b [3]byte
			_, _ = rand.Read(b[:])
			return &net.TCPAddr{IP: net.IPv4(127, b[0], b[1], b[2]|1)}
		}, 3003 * 2 << 10, 8 << 20},
	} {
		logBefore, dbBefore := logged.n.Load(), dbBytes(t, dbPath)
		st.gate.Lock() // the story writes are held back the whole flood
		sent, answered, urlBytes, errs := flood(cfg.Issuer, phase.source)
		for _, err := range errs {
			t.Errorf("%s, while the story writes were held: %v", phase.name, err)
		}
		if answered != sent {
			t.Fatalf("%s: %d of %d requests answered while the story writes were held", phase.name, answered, sent)
		}
		st.gate.Unlock()
		if err := s.FlushFailures(ctx); err != nil {
			t.Fatal(err)
		}
		// The writer trims a class after each tenth of its bound written;
		// the stories written since the last trim are within that tenth.
		logBytes, dbGrowth := logged.n.Load()-logBefore, dbBytes(t, dbPath)-dbBefore
		var rows, unattributed, stored int64
		if err := db.QueryRow(`SELECT count(*), COALESCE(sum(unattributed), 0), COALESCE(sum(length(data)), 0) FROM failures`).Scan(&rows, &unattributed, &stored); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s, flood of %s: %d requests (%d MB of URLs); log %d bytes; failures table %d rows (%d unattributed), %d bytes of stories; database file grew %d bytes",
			phase.name, floodSeconds(), sent, urlBytes>>20, logBytes, rows, unattributed, stored, dbGrowth)
		if logBytes > phase.maxLog {
			t.Errorf("%s: the flood wrote %d bytes of log, want at most %d", phase.name, logBytes, phase.maxLog)
		}
		if max := int64(cfg.FailureMaxUnattributed) * 12 / 10; unattributed > max {
			t.Errorf("%s: %d unattributed stories, want at most %d", phase.name, unattributed, max)
		}
		if stored > 64<<10 {
			t.Errorf("%s: %d bytes of stories stored, want at most %d", phase.name, stored, 64<<10)
		}
		if dbGrowth > phase.maxDB {
			t.Errorf("%s: the database grew by %d bytes, want at most %d", phase.name, dbGrowth, phase.maxDB)
		}
		if f, err := inner.GetFailure(ctx, before); err != nil || f.ClientID != "notes" {
			t.Errorf("%s: the registered client's story was pushed out by the flood: %v", phase.name, err)
		}
	}
	// Every failure was counted, and the stories not kept are counted too.
	m := send(t, http.MethodGet, cfg.Issuer+"/admin/metrics", nil, func(req *http.Request) {
		req.Header.Set("Authorization", "Bearer "+cfg.AdminToken)
	})
	if body := string(m.body); !strings.Contains(body, `lucid_failure_stories_dropped_total{reason="repeated"}`) {
		t.Errorf("metrics do not count the dropped stories:\n%.2000s", body)
	}
}

// flood sends, from four connections until floodSeconds have passed, GET
// /authorize with a new client_id of 30,000 characters each time and 404s
// with 5,000-character paths, each from the address source gives (nil:
// any). It returns how many requests were sent and answered as expected,
// the bytes of their URLs, and what went wrong.
func flood(issuer string, source func() net.Addr) (sent, answered, urlBytes int64, errs []error) {
	deadline := time.Now().Add(floodSeconds())
	var mu sync.Mutex
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
				DisableKeepAlives: source() != nil, // a new source address each time
				DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
					return (&net.Dialer{LocalAddr: source()}).DialContext(ctx, network, addr)
				},
			}}
			defer client.CloseIdleConnections()
			junk := make([]byte, 22500)
			for i := 0; time.Now().Before(deadline); i++ {
				_, _ = rand.Read(junk)
				long := base64.RawURLEncoding.EncodeToString(junk) // 30,000 characters
				u := issuer + "/authorize?response_type=code&client_id=" + long
				want := http.StatusBadRequest
				if (i+g)%2 == 1 {
					u = issuer + "/" + long[:5000]
					want = http.StatusNotFound
				}
				resp, err := client.Get(u)
				mu.Lock()
				sent++
				urlBytes += int64(len(u))
				mu.Unlock()
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != want {
						err = fmt.Errorf("GET %.60s...: %d, want %d", u, resp.StatusCode, want)
					}
				}
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				} else {
					answered++
				}
				mu.Unlock()
				if err != nil {
					return
				}
			}
		}()
	}
	wg.Wait()
	return sent, answered, urlBytes, errs
}

// TestFailureStoryAttribution: the story of a failure is there as soon as
// the answer is, though it is written in the background; a 404 is
// recorded at endpoint "other" (it was "sign_in") as unattributed noise,
// with its long path clipped and marked; a registered client's failure is
// attributed to it.
func TestFailureStoryAttribution(t *testing.T) {
	l := start(t)
	c, _ := l.client(t, manage.ClientSpec{Name: "Notes"})
	tests := []struct {
		name         string
		path         string
		status       int
		endpoint     string
		client       string
		unattributed bool
		request      string
	}{
		{"404", "/" + strings.Repeat("p", 1000), http.StatusNotFound, "other", "", true, "GET /" + strings.Repeat("p", 199) + "...(+801 bytes)"},
		{"unknown client", "/authorize?response_type=code&client_id=" + strings.Repeat("c", 300), http.StatusBadRequest, "authorize", strings.Repeat("c", 128) + "...(+172 bytes)", true, "GET /authorize query: client_id response_type"},
		{"registered client", "/authorize?response_type=code&client_id=" + c.ID + "&redirect_uri=https%3A%2F%2Fevil.example%2Fcb", http.StatusBadRequest, "authorize", c.ID, false, "GET /authorize query: client_id redirect_uri response_type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := send(t, http.MethodGet, l.URL+tt.path, nil, nil)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d", r.status, tt.status)
			}
			v := jsonCall(t, l, http.MethodGet, "/admin/failures/"+r.header.Get(trace.Header), l.cfg.AdminToken, "")
			if v.status != http.StatusOK {
				t.Fatalf("the story is not there right after the answer: %d %s", v.status, v.body)
			}
			var got struct{ Failure store.Failure }
			if err := json.Unmarshal(v.body, &got); err != nil {
				t.Fatal(err)
			}
			f := got.Failure
			if f.Endpoint != tt.endpoint || f.ClientID != tt.client || f.Unattributed != tt.unattributed || f.Request != tt.request {
				t.Errorf("story %+v\nwant endpoint %q, client %q, unattributed %v, request %q", f, tt.endpoint, tt.client, tt.unattributed, tt.request)
			}
		})
	}
}
