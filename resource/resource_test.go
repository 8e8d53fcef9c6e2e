package resource_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/resource"
)

const api = "https://orders.example.com"

// clock is a settable time for the Verifier.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func setup(t *testing.T) (*issuer, *resource.Verifier, *clock) {
	t.Helper()
	is := newIssuer()
	t.Cleanup(is.Close)
	clk := &clock{t: time.Now()}
	v, err := resource.New(context.Background(), is.URL, api, resource.WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	return is, v, clk
}

// TestVerify: each kind of bad token gets its own name, and errors.Is
// matches the sentinels an API branches on.
func TestVerify(t *testing.T) {
	is, v, clk := setup(t)
	other := newIssuer()
	defer other.Close()
	now := clk.Now()
	good := is.token(is.claims(api, now))
	parts := strings.Split(good, ".")
	jsonJWS, _ := json.Marshal(map[string]string{"protected": parts[0], "payload": parts[1], "signature": parts[2]})
	// Signed with this issuer's key, under an issuer name it no longer has.
	renamed := is.token(is.claims(api, now, "iss", "http://old.example.com"))

	cases := []struct {
		name  string
		token string
		want  string
		is    []error
	}{
		{"expired", is.token(is.claims(api, now, "exp", now.Add(-time.Minute).Unix())), resource.NameTokenExpired, []error{resource.ErrTokenExpired, resource.ErrInvalidToken}},
		{"not yet valid", is.token(is.claims(api, now, "iat", now.Add(10*time.Minute).Unix())), resource.NameTokenNotYetValid, []error{resource.ErrTokenNotYetValid, resource.ErrInvalidToken}},
		{"another audience", is.token(is.claims("https://payroll.example.com", now)), resource.NameTokenWrongAudience, []error{resource.ErrWrongAudience}},
		{"another issuer", other.token(other.claims(api, now)), resource.NameTokenForeignIssuer, []error{resource.ErrWrongIssuer, resource.ErrInvalidToken}},
		{"no issuer", other.token(other.claims(api, now, "iss", nil)), resource.NameTokenForeignIssuer, []error{resource.ErrWrongIssuer}},
		{"issuer renamed", renamed, resource.NameTokenWrongIssuer, []error{resource.ErrWrongIssuer}},
		{"signature", parts[0] + "." + parts[1] + "." + strings.Split(renamed, ".")[2], resource.NameTokenSignature, []error{resource.ErrInvalidToken}},
		{"JSON serialization", string(jsonJWS), resource.NameTokenMalformed, []error{resource.ErrInvalidToken}},
		{"ID token", is.token(is.claims(api, now), "JWT"), resource.NameTokenMalformed, nil},
		{"no exp", is.token(is.claims(api, now, "exp", nil)), resource.NameTokenMalformed, nil},
		{"garbage", "a.b", resource.NameTokenMalformed, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := v.Verify(context.Background(), tc.token)
			var e *resource.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T) is not a *resource.Error", err, err)
			}
			if e.Name != tc.want || e.Status != http.StatusUnauthorized || !strings.HasPrefix(e.Description, tc.want+": ") {
				t.Fatalf("got %s %d %q, want %s 401", e.Name, e.Status, e.Description, tc.want)
			}
			for _, s := range tc.is {
				if !errors.Is(err, s) {
					t.Errorf("errors.Is(err, %v) = false", s)
				}
			}
			if errors.Is(err, resource.ErrUnavailable) || errors.Is(err, resource.ErrTokenMissing) {
				t.Errorf("%s matches a sentinel of another failure", e.Name)
			}
		})
	}
	c, err := v.Verify(context.Background(), good)
	if err != nil || c.Subject != "alice" || !c.HasScope("orders:read") || c.Audience[0] != api {
		t.Fatalf("good token: %+v %v", c, err)
	}
}

// TestForeignIssuerMakesNoFetch: a token naming another issuer is told
// apart before its kid is looked up, so it cannot make the API fetch keys.
func TestForeignIssuerMakesNoFetch(t *testing.T) {
	is, v, clk := setup(t)
	other := newIssuer()
	defer other.Close()
	clk.Advance(time.Minute)
	before := is.fetches.Load()
	for range 3 {
		if _, err := v.Verify(context.Background(), other.token(other.claims(api, clk.Now()))); !errors.Is(err, resource.ErrWrongIssuer) {
			t.Fatal(err)
		}
	}
	if n := is.fetches.Load() - before; n != 0 {
		t.Fatalf("%d key set fetches for tokens of another issuer", n)
	}
}

// TestKeyRotation: a token under a new key makes one refetch; an unknown
// kid refetches at most every ten seconds; a key set that cannot be
// fetched is ErrUnavailable for a new kid, while cached keys keep working.
func TestKeyRotation(t *testing.T) {
	is, v, clk := setup(t)
	ctx := context.Background()
	old := is.token(is.claims(api, clk.Now()))
	start := is.fetches.Load()

	is.rotate()
	clk.Advance(11 * time.Second)
	fresh := is.token(is.claims(api, clk.Now()))
	if _, err := v.Verify(ctx, fresh); err != nil {
		t.Fatalf("token under the new key: %v", err)
	}
	if _, err := v.Verify(ctx, old); err != nil {
		t.Fatalf("token under the old, still published key: %v", err)
	}
	if n := is.fetches.Load() - start; n != 1 {
		t.Fatalf("%d fetches for one rotation, want 1", n)
	}

	// A second rotation right after a fetch waits for the refresh interval.
	is.rotate()
	newer := is.token(is.claims(api, clk.Now()))
	if _, err := v.Verify(ctx, newer); !errors.Is(err, resource.ErrInvalidToken) {
		t.Fatalf("unknown kid within the refresh interval: %v", err)
	}
	if n := is.fetches.Load() - start; n != 1 {
		t.Fatalf("unknown kid refetched within the interval: %d fetches", n)
	}

	// The key set is down: the new kid cannot be judged, cached ones can.
	is.fail.Store(true)
	clk.Advance(11 * time.Second)
	_, err := v.Verify(ctx, newer)
	var e *resource.Error
	if !errors.Is(err, resource.ErrUnavailable) || !errors.As(err, &e) || e.Name != resource.NameKeysUnavailable || e.Status != http.StatusServiceUnavailable || e.RetryAfter <= 0 {
		t.Fatalf("new kid with the key set down: %v", err)
	}
	if _, err := v.Verify(ctx, fresh); err != nil {
		t.Fatalf("cached key with the key set down: %v", err)
	}
	// Stale keys stay in use while the refresh fails.
	clk.Advance(6 * time.Minute)
	if _, err := v.Verify(ctx, fresh); err != nil {
		t.Fatalf("stale cached key with the key set down: %v", err)
	}
	is.fail.Store(false)
	clk.Advance(11 * time.Second)
	if _, err := v.Verify(ctx, is.token(is.claims(api, clk.Now()))); err != nil {
		t.Fatalf("after the key set came back: %v", err)
	}
}

// TestOneRefreshAtATime: while a refresh of stale keys hangs, requests
// whose key is cached are answered at once, and all requests needing the
// new key share one fetch.
func TestOneRefreshAtATime(t *testing.T) {
	is, v, clk := setup(t)
	ctx := context.Background()
	clk.Advance(6 * time.Minute) // the cached set is stale
	cached := is.token(is.claims(api, clk.Now()))
	is.rotate()
	fresh := is.token(is.claims(api, clk.Now()))
	start := is.fetches.Load()

	hold := make(chan struct{})
	is.hold.Store(&hold)
	var wg sync.WaitGroup
	const waiting = 8
	errs := make(chan error, waiting)
	for range waiting {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := v.Verify(ctx, fresh)
			errs <- err
		}()
	}
	// The first of them fetches and hangs; cached keys still answer.
	for is.fetches.Load() == start {
		time.Sleep(time.Millisecond)
	}
	for range 20 {
		if _, err := v.Verify(ctx, cached); err != nil {
			t.Fatalf("cached key while a refresh hangs: %v", err)
		}
	}
	close(hold)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("waiting for the new key: %v", err)
		}
	}
	if n := is.fetches.Load() - start; n != 1 {
		t.Fatalf("%d concurrent fetches, want 1", n)
	}
}

// TestNewUnavailable: a key set that cannot be fetched at start is an
// error matching ErrUnavailable.
func TestNewUnavailable(t *testing.T) {
	is := newIssuer()
	defer is.Close()
	is.fail.Store(true)
	_, err := resource.New(context.Background(), is.URL, api)
	if !errors.Is(err, resource.ErrUnavailable) {
		t.Fatalf("New: %v, want ErrUnavailable", err)
	}
}
