package e2e

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/password"
	"github.com/lucid-auth/lucid/internal/store/postgres/pgtest"
)

// Hardening of sign-in (issue 9): a bounded password-hashing pool, argon2id
// parameters upgraded on sign-in, lockout that does not tell which
// usernames exist, and password changes that end a user's grants.

// vmHWM is the peak resident set size of process pid, in KiB.
func vmHWM(t *testing.T, pid int) int64 {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				t.Fatalf("VmHWM %q: %v", v, err)
			}
			return n
		}
	}
	t.Fatalf("no VmHWM in /proc/%d/status", pid)
	return 0
}

// Settings of the flood. The memory bound this test holds the binary to is
// the one password.Pool states: floodBaselineMiB (the idle process, about
// 25 MiB, plus serving the flood's connections and pages) + floodSlots ×
// the default hash's memory (19 MiB).
const (
	floodWorkers     = 64
	floodFor         = 4 * time.Second
	floodSlots       = 2
	floodBaselineMiB = 64
)

// TestSignInFloodMemoryBounded floods the sign-in form of the real binary
// with failed sign-ins (64 at a time, unknown usernames, the per-network
// limit off so that only the hashing pool stands in the way) and holds
// the child's peak RSS (VmHWM) to the stated bound. Some sign-ins must
// have been refused with sign_in_busy (503, Retry-After) before any hash.
// Before the pool, this flood took the binary past 3 GiB.
func TestSignInFloodMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and floods the lucid binary")
	}
	dir := t.TempDir()
	bin := buildLucid(t, dir)
	master := make([]byte, 32)
	_, _ = rand.Read(master)
	dbPath := filepath.Join(dir, "lucid.db")
	c, _ := clientInDatabase(t, dbPath, master, manage.ClientSpec{Name: "Notes", RedirectURIs: []string{clientCB}})

	addr := freeAddr(t)
	issuer := "http://" + addr
	cmd := serveBinary(t, bin, issuer, []string{
		"LUCID_MASTER_KEY=" + base64.StdEncoding.EncodeToString(master),
		"LUCID_LOG_LEVEL=error",
		"LUCID_LOCKOUT_NETWORK_PER_HOUR=0", // off: the pool, not the network limit, is under test
		"LUCID_PASSWORD_HASH_SLOTS=" + strconv.Itoa(floodSlots),
	}, "serve", "--database", "sqlite:"+dbPath, "--addr", addr, "--issuer", issuer)
	idle := vmHWM(t, cmd.Process.Pid)

	authURL := (&oauth2.Config{ClientID: c.ID, RedirectURL: clientCB, Scopes: []string{"openid"},
		Endpoint: oauth2.Endpoint{AuthURL: issuer + "/authorize"}}).
		AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()))
	var (
		failed, busy, other atomic.Int64
		mu                  sync.Mutex
		problems            []string
		wg                  sync.WaitGroup
	)
	problem := func(format string, a ...any) {
		mu.Lock()
		defer mu.Unlock()
		if len(problems) < 5 {
			problems = append(problems, fmt.Sprintf(format, a...))
		}
	}
	stop := time.Now().Add(floodFor)
	for w := range floodWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			jar, _ := cookiejar.New(nil)
			hc := &http.Client{Jar: jar, Timeout: 10 * time.Second,
				CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, err := hc.Get(authURL)
			if err != nil {
				problem("authorize: %v", err)
				return
			}
			loc, _ := resp.Location()
			resp.Body.Close()
			if loc == nil {
				problem("authorize did not redirect to sign-in: %d", resp.StatusCode)
				return
			}
			resp, err = hc.Get(loc.String())
			if err != nil {
				problem("login page: %v", err)
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			f := (&page{body: string(body)}).fields()
			for i := 0; time.Now().Before(stop); i++ {
				form := url.Values{"csrf": {f.Get("csrf")}, "interaction": {f.Get("interaction")},
					"username": {fmt.Sprintf("nobody-%d-%d", w, i)}, "password": {"guess"}}
				resp, err := hc.PostForm(issuer+"/login", form)
				if err != nil {
					problem("sign-in: %v", err)
					return
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				switch {
				case resp.StatusCode == http.StatusUnauthorized:
					failed.Add(1)
				case resp.StatusCode == http.StatusServiceUnavailable:
					busy.Add(1)
					if ra, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || ra < 1 {
						problem("503 with Retry-After %q", resp.Header.Get("Retry-After"))
					}
					if !strings.Contains(string(body), `name="password"`) || !strings.Contains(string(body), "Too many sign-ins are being checked") {
						problem("503 is not the sign-in page with the sign_in_busy text: %.300s", body)
					}
				default:
					other.Add(1)
					problem("unexpected %d: %.200s", resp.StatusCode, body)
				}
			}
		}()
	}
	wg.Wait()
	peak := vmHWM(t, cmd.Process.Pid)
	def := password.DefaultParams()
	boundKiB := int64(floodBaselineMiB)*1024 + floodSlots*int64(def.MemoryKiB)
	t.Logf("flood of %d workers for %s: %d failed (401), %d busy (503), %d other; peak RSS %d MiB (idle %d MiB), bound %d MiB",
		floodWorkers, floodFor, failed.Load(), busy.Load(), other.Load(), peak/1024, idle/1024, boundKiB/1024)
	for _, p := range problems {
		t.Error(p)
	}
	if failed.Load() == 0 {
		t.Error("no sign-in was checked at all")
	}
	if busy.Load() == 0 {
		t.Error("no sign-in was refused as busy: the pool was not exercised")
	}
	if peak > boundKiB {
		t.Errorf("peak RSS %d MiB is over the bound %d MiB", peak/1024, boundKiB/1024)
	}
}

// TestSignInBusy: with one hashing slot and no wait, concurrent sign-ins
// beyond the first are refused with sign_in_busy on the sign-in page (503,
// Retry-After), before their password is checked: an account's failure
// count grows only by the attempts that were answered 401.
func TestSignInBusy(t *testing.T) {
	ctx := context.Background()
	l := start(t, func(c *config.Config) {
		c.Password.HashSlots, c.Password.HashWait = 1, 0
		c.Lockout.NetworkPerHour = 0
		c.Lockout.Threshold = 0 // count failures, never lock
	})
	alice := l.user(t, demoUser)
	c, sec := l.client(t, manage.ClientSpec{Name: "Notes"})
	cfg := l.oauthConfig(c, sec)
	const n = 12
	var busy *page
	wrong := 0
	for round := 0; round < 5 && busy == nil; round++ {
		pages := make([]*page, n)
		forms := make([]url.Values, n)
		browsers := make([]*browser, n)
		for i := range n {
			browsers[i] = l.browser(t)
			p := browsers[i].get(cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
			f := p.fields()
			forms[i] = url.Values{"csrf": {f.Get("csrf")}, "interaction": {f.Get("interaction")}, "username": {demoUser}, "password": {"wrong"}}
		}
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, _ := http.NewRequest(http.MethodPost, l.URL+"/login", strings.NewReader(forms[i].Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				resp, err := browsers[i].client.Do(req)
				if err != nil {
					return
				}
				defer resp.Body.Close()
				body, _ := io.ReadAll(resp.Body)
				pages[i] = &page{status: resp.StatusCode, header: resp.Header, body: string(body)}
			}()
		}
		wg.Wait()
		for i, p := range pages {
			switch {
			case p == nil:
				t.Fatalf("sign-in %d got no answer", i)
			case p.status == http.StatusUnauthorized:
				wrong++
			case p.status == http.StatusServiceUnavailable:
				busy = p
			default:
				t.Fatalf("sign-in %d: %d %.300s", i, p.status, p.body)
			}
		}
	}
	if busy == nil {
		t.Fatalf("no sign-in of %d at once was refused with one slot", n)
	}
	if !busy.isSignIn() || !strings.Contains(busy.body, "Too many sign-ins are being checked right now") {
		t.Fatalf("busy answer is not the sign-in form with the sign_in_busy text: %.600s", busy.body)
	}
	if ra, err := strconv.Atoi(busy.header.Get("Retry-After")); err != nil || ra < 1 || ra > 5 {
		t.Fatalf("Retry-After %q, want a few seconds", busy.header.Get("Retry-After"))
	}
	if busy.header.Get("Cache-Control") != "no-store" || busy.header.Get("X-Trace-Id") == "" {
		t.Fatalf("busy page headers: %v", busy.header)
	}
	u, err := l.Store.GetUser(ctx, alice.ID)
	if err != nil || u.FailedLogins != wrong {
		t.Fatalf("alice has %d failures (%v), want %d, one per 401: a busy refusal must not check the password", u.FailedLogins, err, wrong)
	}
	triggered.add("sign_in_busy")
}

// TestPasswordHashUpgradedOnSignIn: a hash stored with other parameters
// (the old default, m=64 MiB t=3 p=4) still verifies; a failed sign-in
// leaves it alone; the next successful sign-in replaces it with one of
// the default parameters, which then signs in. On both backends.
func TestPasswordHashUpgradedOnSignIn(t *testing.T) {
	old := password.Params{MemoryKiB: 64 * 1024, Time: 3, Threads: 4, SaltLen: 16, KeyLen: 32}
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			l := start(t, func(c *config.Config) {
				if backend == "postgres" {
					c.Database = pgtest.Connect(t).FreshDSN(t)
				}
			})
			svc := *l.Svc
			svc.HashPassword = func(pw string) (string, error) { return password.HashWith(old, pw) }
			u, err := svc.CreateUser(ctx, manage.UserSpec{Username: demoUser, Password: demoPassword})
			if err != nil {
				t.Fatal(err)
			}
			stored := func() string {
				t.Helper()
				u, err := l.Store.GetUser(ctx, u.ID)
				if err != nil {
					t.Fatal(err)
				}
				return u.PasswordHash
			}
			oldHash := stored()
			if !password.NeedsRehash(oldHash) {
				t.Fatalf("fixture hash %q has the default parameters", oldHash)
			}
			c, sec := l.client(t, manage.ClientSpec{Name: "Notes"})
			cfg := l.oauthConfig(c, sec)
			signIn := func(pw string) *page {
				b := l.browser(t)
				return b.signIn(b.get(cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()))), demoUser, pw)
			}

			if p := signIn("wrong"); p.status != http.StatusUnauthorized {
				t.Fatalf("wrong password: %d", p.status)
			}
			if stored() != oldHash {
				t.Fatal("a failed sign-in changed the stored hash")
			}
			if p := signIn(demoPassword); !p.isConsent() {
				t.Fatalf("sign-in with an old-parameter hash: %d %.300s", p.status, p.body)
			}
			newHash := stored()
			if newHash == oldHash || password.NeedsRehash(newHash) {
				t.Fatalf("after a successful sign-in the hash is %q, want one with the default parameters", newHash)
			}
			if ok, err := password.Verify(newHash, demoPassword); !ok || err != nil {
				t.Fatalf("upgraded hash does not verify the password: %v %v", ok, err)
			}
			if p := signIn(demoPassword); !p.isConsent() {
				t.Fatalf("sign-in with the upgraded hash: %d %.300s", p.status, p.body)
			}
			if stored() != newHash {
				t.Fatal("a hash with the default parameters was replaced again")
			}
		})
	}
}

// TestLockoutDoesNotTellWhichUsersExist: the same failed sign-ins for an
// existing account and for a name without one, made in step, give the
// same statuses and the same texts: both lock at the threshold, stay
// locked, and lock longer on the first failure after the lock ends. (The
// time is the same too by construction: checkPassword does the same work
// for both; no timing is asserted here.)
func TestLockoutDoesNotTellWhichUsersExist(t *testing.T) {
	l := start(t)
	l.user(t, demoUser)
	c, sec := l.client(t, manage.ClientSpec{Name: "Notes"})
	cfg := l.oauthConfig(c, sec)
	type answer struct {
		status int
		name   string
		text   string
	}
	type prober struct {
		username string
		b        *browser
		p        *page
	}
	var probers []*prober
	for _, name := range []string{demoUser, "mallory"} {
		b := l.browser(t)
		probers = append(probers, &prober{name, b, b.get(cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))})
	}
	attempt := func(i int) {
		t.Helper()
		want := answer{status: http.StatusUnauthorized, name: "sign_in_failed"}
		if i >= l.cfg.Lockout.Threshold {
			want = answer{status: http.StatusTooManyRequests, name: "account_locked"}
		}
		var got []answer
		for _, pr := range probers {
			r := pr.b.signIn(pr.p, pr.username, "wrong password")
			// Each answer names its entry and shows its own reference
			// (asserted by wantSignInError); all else must be the same.
			got = append(got, answer{r.status, want.name, wantSignInError(t, l, r, want.name, want.status)})
		}
		if got[0] != got[1] {
			t.Fatalf("attempt %d: existing account %+v, unknown name %+v", i, got[0], got[1])
		}
		t.Logf("attempt %d: both %d %q", i, got[0].status, got[0].text)
	}
	for i := range l.cfg.Lockout.Threshold + 2 {
		attempt(i + 1)
	}
	// The first lock ends; the next failure locks both for twice as long.
	l.Clock.Advance(l.cfg.Lockout.Base + time.Second)
	attempt(l.cfg.Lockout.Threshold + 3)
}

// TestPasswordChangeAndDisableEndGrants: after an administrator sets a
// user's password, or disables the user, through the admin API, a refresh
// token issued before is refused as refresh_token_revoked (naming the
// reason), and the browser's session is gone (prompt=none answers
// login_required), also after the user is enabled again. With
// users.keep_grants_on_change both survive a password change.
func TestPasswordChangeAndDisableEndGrants(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name   string
		keep   bool
		change func(t *testing.T, l *lucid, userID string)
		reason string
	}{
		{name: "set password", reason: manage.ReasonPasswordChanged, change: func(t *testing.T, l *lucid, id string) {
			if r := jsonCall(t, l, http.MethodPost, "/admin/users/"+id+"/password", l.cfg.AdminToken, `{"password":"a brand new password"}`); r.status != http.StatusNoContent {
				t.Fatalf("set password: %d %s", r.status, r.body)
			}
		}},
		{name: "disable and enable", reason: manage.ReasonUserDisabled, change: func(t *testing.T, l *lucid, id string) {
			for _, v := range []string{"true", "false"} {
				if r := jsonCall(t, l, http.MethodPatch, "/admin/users/"+id, l.cfg.AdminToken, `{"disabled":`+v+`}`); r.status != http.StatusOK {
					t.Fatalf("disabled=%s: %d %s", v, r.status, r.body)
				}
			}
		}},
		{name: "set password, grants kept", keep: true, change: func(t *testing.T, l *lucid, id string) {
			if r := jsonCall(t, l, http.MethodPost, "/admin/users/"+id+"/password", l.cfg.AdminToken, `{"password":"a brand new password"}`); r.status != http.StatusNoContent {
				t.Fatalf("set password: %d %s", r.status, r.body)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := start(t, func(c *config.Config) { c.Users.KeepGrantsOnChange = tc.keep })
			alice := l.user(t, demoUser)
			c, sec := l.client(t, manage.ClientSpec{Name: "Notes"})
			cfg := l.oauthConfig(c, sec)
			b := l.browser(t)
			tok, _ := login(t, l, b, cfg)
			if tok.RefreshToken == "" {
				t.Fatal("no refresh token issued")
			}
			silent := func() *url.URL {
				t.Helper()
				p := b.get(cfg.AuthCodeURL("quiet", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()), oauth2.SetAuthURLParam("prompt", "none")))
				if p.location == nil {
					t.Fatalf("prompt=none did not redirect: %d %.300s", p.status, p.body)
				}
				return p.location
			}
			codeFrom(t, silent(), "quiet") // control: the session is alive

			tc.change(t, l, alice.ID)

			next, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
			if tc.keep {
				if err != nil {
					t.Fatalf("with keep_grants_on_change the refresh token was refused: %v", err)
				}
				if next.RefreshToken == "" {
					t.Fatal("no new refresh token")
				}
				codeFrom(t, silent(), "quiet")
				return
			}
			body := wantOAuthError(t, err, "refresh_token_revoked", "invalid_grant", http.StatusBadRequest)
			if !strings.Contains(body.Description, tc.reason) {
				t.Fatalf("refusal does not name the reason %q: %s", tc.reason, body.Description)
			}
			wantAuthzError(t, l, silent(), "login_required", "login_required", "quiet")
		})
	}
}

// keepingGrants is the test's management service as it works with
// users.keep_grants_on_change: disabling a user keeps their tokens and
// sessions, so that the protocol's own refusal of a disabled user's grants
// (grant_user_inactive, userinfo_user_inactive) can be seen.
func (l *lucid) keepingGrants() *manage.Service {
	svc := *l.Svc
	svc.KeepGrantsOnChange = true
	return &svc
}
