package e2e

// The refresh reuse grace (lifetimes.refresh_reuse_grace), on both
// backends: two tabs refreshing with one token at once both get the same
// successor with the grace on, and end the grant with it off (the default).

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/postgres/pgtest"
)

// rotationBarrier holds every RotateRefreshToken until `want` of them have
// arrived (or a second has passed), so that racing refreshes all read the
// old token unrotated, all mint, and then all try to spend it at once: the
// race that two tabs can lose, made certain instead of likely.
type rotationBarrier struct {
	store.Store
	mu      sync.Mutex
	want    int
	arrived int
	open    chan struct{}
	// late counts rotations that gave up waiting: a race not staged.
	late int
}

// staged reports whether every rotation so far met the others at the
// barrier.
func (b *rotationBarrier) staged() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.late == 0
}

// expect arms the barrier for the next n rotations.
func (b *rotationBarrier) expect(n int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.want, b.arrived, b.open = n, 0, make(chan struct{})
}

func (b *rotationBarrier) RotateRefreshToken(ctx context.Context, oldHash string, next store.Issued, now time.Time) (*store.RefreshToken, error) {
	b.mu.Lock()
	open := b.open
	if b.want > 0 {
		if b.arrived++; b.arrived == b.want {
			b.want = 0
			close(open)
		}
	}
	b.mu.Unlock()
	if open != nil {
		select {
		case <-open:
		case <-time.After(5 * time.Second):
			b.mu.Lock()
			b.late++
			b.mu.Unlock()
		}
	}
	return b.Store.RotateRefreshToken(ctx, oldHash, next, now)
}

// startWithBarrier runs Lucid on loopback over the named backend (a fresh
// SQLite file or a fresh PostgreSQL schema), with the rotation barrier in
// front of its store.
func startWithBarrier(t *testing.T, backend string, adjust func(*config.Config)) (*lucid, *rotationBarrier) {
	t.Helper()
	var barrier *rotationBarrier
	wrap := func(st store.Store) store.Store {
		barrier = &rotationBarrier{Store: st}
		return barrier
	}
	onBackend := func(c *config.Config) {
		if backend == "postgres" {
			c.Database = pgtest.Connect(t).FreshDSN(t)
		}
	}
	return startWith(t, startOpts{Wrap: wrap}, onBackend, adjust), barrier
}

// tokenAnswer is a token endpoint answer, success or error.
type tokenAnswer struct {
	status int
	header http.Header
	body   []byte
	tok    struct {
		AccessToken  string `json:"access_token"`
		ExpiresIn    int64  `json:"expires_in"`
		RefreshToken string `json:"refresh_token"`
		IDToken      string `json:"id_token"`
		Scope        string `json:"scope"`
	}
}

// refreshAll sends n refresh requests with the same form at once, as n
// tabs would, and returns their answers; errors are returned, not fatal,
// since they happen off the test's goroutine.
func refreshAll(l *lucid, id, sec string, form url.Values, n int) ([]*tokenAnswer, error) {
	out := make([]*tokenAnswer, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			req, err := http.NewRequest(http.MethodPost, l.URL+"/token", strings.NewReader(form.Encode()))
			if err != nil {
				errs[i] = err
				return
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(sec))
			<-start
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				errs[i] = err
				return
			}
			defer resp.Body.Close()
			a := &tokenAnswer{status: resp.StatusCode, header: resp.Header}
			if a.body, err = io.ReadAll(resp.Body); err != nil {
				errs[i] = err
				return
			}
			if a.status == http.StatusOK {
				errs[i] = json.Unmarshal(a.body, &a.tok)
			}
			out[i] = a
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("refresh %d: %w", i, err)
		}
	}
	return out, nil
}

// refreshOnce sends one refresh request.
func refreshOnce(t *testing.T, l *lucid, id, sec string, form url.Values) *tokenAnswer {
	t.Helper()
	a, err := refreshAll(l, id, sec, form, 1)
	if err != nil {
		t.Fatal(err)
	}
	return a[0]
}

func refreshForm(rt string, kv ...string) url.Values {
	f := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}
	for i := 0; i+1 < len(kv); i += 2 {
		f.Add(kv[i], kv[i+1])
	}
	return f
}

// wantTokens asserts a 200 with a new refresh token and returns it.
func wantTokens(t *testing.T, a *tokenAnswer, what string) *tokenAnswer {
	t.Helper()
	if a.status != http.StatusOK || a.tok.RefreshToken == "" || a.tok.AccessToken == "" {
		t.Fatalf("%s: HTTP %d, want new tokens: %.300s", what, a.status, a.body)
	}
	return a
}

// wantRefreshError asserts a catalogued error answer of the refresh grant.
func wantRefreshError(t *testing.T, l *lucid, a *tokenAnswer, name string) oauthErr {
	t.Helper()
	return wantJSONError(t, l, &reply{status: a.status, header: a.header, body: a.body}, name, "invalid_grant", http.StatusBadRequest)
}

const graceRacers = 6

func TestRefreshReuseGrace(t *testing.T) {
	const grace = 10 * time.Second
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			l, barrier := startWithBarrier(t, backend, func(c *config.Config) { c.Lifetimes.RefreshReuseGrace = grace })
			l.user(t, demoUser)
			c, sec := l.client(t, manage.ClientSpec{Name: "Two tabs"})
			cfg := l.oauthConfig(c, sec)
			newGrant := func(t *testing.T) string {
				tok, _ := login(t, l, l.browser(t), cfg)
				return tok.RefreshToken
			}

			t.Run("concurrent refreshes get one successor", func(t *testing.T) {
				rt := newGrant(t)
				barrier.expect(graceRacers)
				answers, err := refreshAll(l, c.ID, sec, refreshForm(rt), graceRacers)
				if err != nil {
					t.Fatal(err)
				}
				if !barrier.staged() {
					t.Fatal("the racers did not all reach the rotation together")
				}
				first := wantTokens(t, answers[0], "racer 0")
				if first.tok.RefreshToken == rt {
					t.Fatal("refresh token was not rotated")
				}
				for i, a := range answers[1:] {
					wantTokens(t, a, fmt.Sprintf("racer %d", i+1))
					if a.tok.RefreshToken != first.tok.RefreshToken || a.tok.AccessToken != first.tok.AccessToken || a.tok.IDToken != first.tok.IDToken {
						t.Fatalf("racer %d got other tokens than racer 0: every tab must get the one successor", i+1)
					}
				}
				if resp := userinfo(t, l, first.tok.AccessToken); resp.StatusCode != http.StatusOK {
					t.Fatalf("the shared access token does not work: %d", resp.StatusCode)
				}
				// The one successor continues the grant.
				next := wantTokens(t, refreshOnce(t, l, c.ID, sec, refreshForm(first.tok.RefreshToken)), "refresh with the successor")
				if next.tok.RefreshToken == first.tok.RefreshToken {
					t.Fatal("successor was not rotated")
				}
			})

			t.Run("a repeat within the grace gets the same successor", func(t *testing.T) {
				rt := newGrant(t)
				first := wantTokens(t, refreshOnce(t, l, c.ID, sec, refreshForm(rt)), "refresh")
				l.Clock.Advance(grace / 2)
				again := wantTokens(t, refreshOnce(t, l, c.ID, sec, refreshForm(rt)), "repeat within the grace")
				if again.tok.RefreshToken != first.tok.RefreshToken || again.tok.AccessToken != first.tok.AccessToken {
					t.Fatal("repeat within the grace got other tokens than the rotation")
				}
				if want := first.tok.ExpiresIn - int64((grace / 2).Seconds()); again.tok.ExpiresIn > want || again.tok.ExpiresIn < want-2 {
					t.Errorf("expires_in of the repeat = %d, want about %d (the same token, older)", again.tok.ExpiresIn, want)
				}
				wantTokens(t, refreshOnce(t, l, c.ID, sec, refreshForm(first.tok.RefreshToken)), "refresh with the successor")
			})

			// Each of these is reuse as without the grace: the answer is
			// refresh_token_reused and the successor dies with the family.
			for _, tc := range []struct {
				name   string
				before func(t *testing.T, successor string)
				form   []string
			}{
				{name: "a repeat after the grace", before: func(t *testing.T, _ string) { l.Clock.Advance(grace + time.Second) }},
				{name: "a repeat at the end of the grace", before: func(t *testing.T, _ string) { l.Clock.Advance(grace) }},
				{name: "a repeat with another scope", form: []string{"scope", "openid"}},
				{name: "a repeat with a resource", form: []string{"resource", cfg.Endpoint.TokenURL}},
				{name: "a repeat after the successor was used", before: func(t *testing.T, successor string) {
					wantTokens(t, refreshOnce(t, l, c.ID, sec, refreshForm(successor)), "refresh with the successor")
				}},
			} {
				t.Run(tc.name+" is reuse", func(t *testing.T) {
					rt := newGrant(t)
					first := wantTokens(t, refreshOnce(t, l, c.ID, sec, refreshForm(rt)), "refresh")
					if tc.before != nil {
						tc.before(t, first.tok.RefreshToken)
					}
					wantRefreshError(t, l, refreshOnce(t, l, c.ID, sec, refreshForm(rt, tc.form...)), "refresh_token_reused")
					body := wantRefreshError(t, l, refreshOnce(t, l, c.ID, sec, refreshForm(first.tok.RefreshToken)), "refresh_token_revoked")
					if !strings.Contains(body.Description, "rotated refresh token reused") {
						t.Errorf("revocation reason not explained: %s", body.Description)
					}
					if resp := userinfo(t, l, first.tok.AccessToken); resp.StatusCode != http.StatusUnauthorized {
						t.Fatalf("access token of the revoked family still works: %d", resp.StatusCode)
					}
				})
			}

			t.Run("another client's repeat is refused and ends nothing", func(t *testing.T) {
				other, otherSec := l.client(t, manage.ClientSpec{Name: "Other"})
				rt := newGrant(t)
				first := wantTokens(t, refreshOnce(t, l, c.ID, sec, refreshForm(rt)), "refresh")
				wantRefreshError(t, l, refreshOnce(t, l, other.ID, otherSec, refreshForm(rt)), "refresh_token_other_client")
				wantTokens(t, refreshOnce(t, l, c.ID, sec, refreshForm(first.tok.RefreshToken)), "refresh with the successor")
			})
		})
	}
}

// TestRefreshReuseGraceOff: without the grace (the default) two tabs that
// refresh at once end the grant, as before.
func TestRefreshReuseGraceOff(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			l, barrier := startWithBarrier(t, backend, func(*config.Config) {})
			if l.cfg.Lifetimes.RefreshReuseGrace != 0 {
				t.Fatalf("refresh_reuse_grace defaults to %s, want off", l.cfg.Lifetimes.RefreshReuseGrace)
			}
			l.user(t, demoUser)
			c, sec := l.client(t, manage.ClientSpec{Name: "Two tabs"})
			tok, _ := login(t, l, l.browser(t), l.oauthConfig(c, sec))

			barrier.expect(graceRacers)
			answers, err := refreshAll(l, c.ID, sec, refreshForm(tok.RefreshToken), graceRacers)
			if err != nil {
				t.Fatal(err)
			}
			if !barrier.staged() {
				t.Fatal("the racers did not all reach the rotation together")
			}
			var winner *tokenAnswer
			for i, a := range answers {
				if a.status == http.StatusOK {
					if winner != nil {
						t.Fatalf("racer %d succeeded too: one rotation only", i)
					}
					winner = a
					continue
				}
				wantRefreshError(t, l, a, "refresh_token_reused")
			}
			if winner == nil {
				t.Fatal("no racer succeeded")
			}
			wantRefreshError(t, l, refreshOnce(t, l, c.ID, sec, refreshForm(winner.tok.RefreshToken)), "refresh_token_revoked")
		})
	}
}

// TestRefreshReuseGraceClient: golang.org/x/oauth2 token sources in two
// tabs, each holding the same expired token, refresh at once; both keep
// working, and reuse after the grace is still caught.
func TestRefreshReuseGraceClient(t *testing.T) {
	const grace = 5 * time.Second
	ctx := context.Background()
	l, barrier := startWithBarrier(t, "sqlite", func(c *config.Config) { c.Lifetimes.RefreshReuseGrace = grace })
	l.user(t, demoUser)
	c, sec := l.client(t, manage.ClientSpec{Name: "Two tabs"})
	cfg := l.oauthConfig(c, sec)
	tok, _ := login(t, l, l.browser(t), cfg)
	stale := &oauth2.Token{RefreshToken: tok.RefreshToken, Expiry: time.Now().Add(-time.Minute)}

	barrier.expect(2)
	var got [2]*oauth2.Token
	var errs [2]error
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Go(func() {
			got[i], errs[i] = cfg.TokenSource(ctx, stale).Token()
		})
	}
	wg.Wait()
	if !barrier.staged() {
		t.Fatal("the tabs did not reach the rotation together")
	}
	for i, err := range errs {
		if err != nil {
			t.Fatalf("tab %d: %v", i, err)
		}
	}
	if got[0].RefreshToken != got[1].RefreshToken || got[0].AccessToken != got[1].AccessToken {
		t.Fatal("the two tabs got different tokens")
	}
	l.Clock.Advance(grace + time.Second)
	_, err := cfg.TokenSource(ctx, stale).Token()
	wantOAuthError(t, err, "refresh_token_reused", "invalid_grant", 400)
	_, err = cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: got[0].RefreshToken}).Token()
	wantOAuthError(t, err, "refresh_token_revoked", "invalid_grant", 400)
}
