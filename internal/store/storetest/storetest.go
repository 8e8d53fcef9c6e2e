// Package storetest is the conformance suite of store.Store. Every backend
// runs Run against a fresh, empty database per test.
//
// Beyond the comments of store.Store, the suite settles these points, which
// every backend must share:
//   - Times come back in UTC and equal what was stored once both are
//     truncated to microseconds (PostgreSQL's precision).
//   - Nil and empty slices and maps are not told apart: either may come
//     back for the other. A pointer to a zero value is not nil.
//   - Get, Update and Delete of a missing row return ErrNotFound; Update
//     then does not call fn. Update keeps the row's key even if fn changes
//     the ID field. fn runs inside the backend's write transaction and
//     must not call the store.
//   - ListClients, ListUsers and ListSigningKeys return creation order
//     (CreatedAt, then ID); ListConsents orders by client id.
//   - Usernames are unique case-insensitively, as are non-empty emails. A
//     lookup that matches one user's username and another's email returns
//     the username match.
//   - RedeemAuthCode whose family id or issued token hash exists, and
//     RotateRefreshToken whose next hash exists, return ErrConflict and
//     change nothing. A refused redemption or rotation stores none of the
//     issued tokens. RotateRefreshToken returns the old token as rotated;
//     a successful RedeemAuthCode returns no code.
//   - InvalidateAuthCode of a redeemed code returns ErrAlreadyUsed, of an
//     invalidated code ErrInvalidated (the first reason stays), of a missing
//     one ErrNotFound. RevokeTokenFamily of a missing family: ErrNotFound.
//   - RecordFailure of a trace id already recorded returns ErrConflict;
//     RecordFailures skips it and stores the rest.
//     DeleteExpired keeps failures whose CreatedAt is within keepFailures.
//   - A call whose context has ended returns an error for which
//     errors.Is(err, ctx.Err()) holds; a writer waiting behind another
//     writer gives up when its context does; reads are not blocked by a
//     writer.
package storetest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
)

// Run runs the suite. newStore must return a new, empty store on each
// call; Run closes it when the subtest ends (after which newStore's own
// t.Cleanup functions run).
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		run  func(*testing.T, store.Store)
	}{
		{"Records", testRecords},
		{"Updates", testUpdates},
		{"Lists", testLists},
		{"Users", testUsers},
		{"RedeemAuthCode", testRedeem},
		{"RedeemAuthCodeRefused", testRedeemRefused},
		{"RedeemAuthCodeConcurrent", testRedeemConcurrent},
		{"CreateTokenFamily", testCreateFamily},
		{"InvalidateAuthCode", testInvalidate},
		{"RotateRefreshToken", testRotate},
		{"RotateRefreshTokenConcurrent", testRotateConcurrent},
		{"RenewRefreshToken", testRenewRefresh},
		{"RotateRefreshTokenSuccessor", testRotateSuccessor},
		{"RotateRefreshTokenSuccessorConcurrent", testRotateSuccessorConcurrent},
		{"DeleteExpiredSuccessor", testDeleteExpiredSuccessor},
		{"RevokeFamilies", testRevoke},
		{"RevokeFamiliesDescendants", testRevokeDescendants},
		{"Consents", testConsents},
		{"DeleteSessionsFor", testDeleteSessionsFor},
		{"SessionByID", testSessionByID},
		{"WebOrigins", testWebOrigins},
		{"CertBinding", testCertBinding},
		{"DPoPBindings", testDPoPBindings},
		{"RequestObjectAlg", testRequestObjectAlg},
		{"UseJTI", testJTI},
		{"RevokeAccessToken", testRevokeAccess},
		{"DenyJTI", testDenyJTI},
		{"RecentRevocations", testRecentRevocations},
		{"Throttles", testThrottles},
		{"UseJTIConcurrent", testJTIConcurrent},
		{"DeleteExpired", testDeleteExpired},
		{"FailureBounds", testFailureBounds},
		{"ListFailures", testListFailures},
		{"UserAdmin", testUserAdmin},
		{"ConcurrentWrites", testConcurrentWrites},
		{"Context", testContext},
		{"Ping", testPing},
		{"KeyCheck", testKeyCheck},
		{"RetiredSecrets", testRetiredSecrets},
		{"PushedRequests", testPushedRequests},
		{"PushedRequestsConcurrent", testPushedConcurrent},
		{"AuthorizationDetails", testAuthorizationDetails},
		{"Outbox", testOutbox},
		{"OutboxConcurrent", testOutboxConcurrent},
		{"LogoutReads", testLogoutReads},
		{"DeviceCodes", testDeviceCodes},
		{"DeviceCodesConcurrent", testDeviceConcurrent},
		{"BackchannelRequests", testBackchannelRequests},
		{"BackchannelRequestsConcurrent", testBackchannelConcurrent},
		{"BackchannelOutbox", testBackchannelOutbox},
		{"OutboxRequeue", testOutboxRequeue},
		{"UserTokens", testUserTokens},
		{"UserTokensConcurrent", testUserTokensConcurrent},
		{"IdentityLinks", testIdentityLinks},
		{"IdentityLinksConcurrent", testIdentityLinksConcurrent},
		{"SubjectBlocks", testSubjectBlocks},
		{"Factors", testFactors},
		{"FactorsConcurrent", testFactorsConcurrent},
		{"SignIns", testSignIns},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			tc.run(t, s)
		})
	}
}

var errBoom = errors.New("storetest: boom")

func must(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func wantErr(t *testing.T, err, target error, what string) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: error %v, want %v", what, err, target)
	}
}

func same(t *testing.T, want, got any, what string) {
	t.Helper()
	if d := diff(want, got); d != "" {
		t.Errorf("%s: %s", what, d)
	}
}

// kind adapts one keyed record type to the generic record tests.
type kind struct {
	name   string
	make   func(key string) any
	create func(context.Context, store.Store, any) error
	get    func(context.Context, store.Store, string) (any, error)
	del    func(context.Context, store.Store, string) error                         // nil: no Delete method
	update func(context.Context, store.Store, string, func(any) error) (any, error) // nil: no Update method
	mutate func(v any, n int)                                                       // the n-th change an update makes
	setKey func(v any, key string)
}

// result drops a typed nil so that callers can compare with nil.
func result[T any](v *T, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return v, nil
}

func kinds() []kind {
	later := t0.Add(time.Hour)
	return []kind{
		{
			name:   "Client",
			make:   func(k string) any { return newClient(k) },
			create: func(ctx context.Context, s store.Store, v any) error { return s.CreateClient(ctx, v.(*store.Client)) },
			get:    func(ctx context.Context, s store.Store, k string) (any, error) { return result(s.GetClient(ctx, k)) },
			del:    func(ctx context.Context, s store.Store, k string) error { return s.DeleteClient(ctx, k) },
			update: func(ctx context.Context, s store.Store, k string, fn func(any) error) (any, error) {
				return result(s.UpdateClient(ctx, k, func(c *store.Client) error { return fn(c) }))
			},
			mutate: func(v any, n int) {
				c := v.(*store.Client)
				c.Name = fmt.Sprintf("renamed %d", n)
				c.RedirectURIs = append(c.RedirectURIs, fmt.Sprintf("https://%d.example/cb", n))
				c.Secrets = []store.ClientSecret{{ID: fmt.Sprintf("s%d", 10+n), Hash: fmt.Sprintf("cc%d", n), CreatedAt: t0}}
				c.Disabled = true
				c.UpdatedAt = t0.Add(time.Duration(n) * time.Hour)
			},
			setKey: func(v any, k string) { v.(*store.Client).ID = k },
		},
		{
			name:   "User",
			make:   func(k string) any { return newUser(k, "user-"+k, k+"@example.com") },
			create: func(ctx context.Context, s store.Store, v any) error { return s.CreateUser(ctx, v.(*store.User)) },
			get:    func(ctx context.Context, s store.Store, k string) (any, error) { return result(s.GetUser(ctx, k)) },
			del:    func(ctx context.Context, s store.Store, k string) error { return s.DeleteUser(ctx, k) },
			update: func(ctx context.Context, s store.Store, k string, fn func(any) error) (any, error) {
				return result(s.UpdateUser(ctx, k, func(u *store.User) error { return fn(u) }))
			},
			mutate: func(v any, n int) {
				u := v.(*store.User)
				u.Name = fmt.Sprintf("renamed %d", n)
				u.Address = nil
				u.FailedLogins = 0
				u.LockedUntil = time.Time{}
				u.Disabled = true
				u.UpdatedAt = t0.Add(time.Duration(n) * time.Hour)
			},
			setKey: func(v any, k string) { v.(*store.User).ID = k },
		},
		{
			name: "SigningKey",
			make: func(k string) any { return newSigningKey(k, t0) },
			create: func(ctx context.Context, s store.Store, v any) error {
				return s.CreateSigningKey(ctx, v.(*store.SigningKey))
			},
			get: func(ctx context.Context, s store.Store, k string) (any, error) {
				keys, err := s.ListSigningKeys(ctx)
				if err != nil {
					return nil, err
				}
				for _, key := range keys {
					if key.ID == k {
						return key, nil
					}
				}
				return nil, store.ErrNotFound
			},
			update: func(ctx context.Context, s store.Store, k string, fn func(any) error) (any, error) {
				return result(s.UpdateSigningKey(ctx, k, func(key *store.SigningKey) error { return fn(key) }))
			},
			mutate: func(v any, n int) {
				key := v.(*store.SigningKey)
				key.RetiredAt = ptr(t0.Add(time.Duration(n) * time.Hour))
				key.ExpiresAt = ptr(t0.Add(time.Duration(n) * 24 * time.Hour))
			},
			setKey: func(v any, k string) { v.(*store.SigningKey).ID = k },
		},
		{
			name: "AuthRequest",
			make: func(k string) any { return newAuthRequest(k, later) },
			create: func(ctx context.Context, s store.Store, v any) error {
				return s.CreateAuthRequest(ctx, v.(*store.AuthRequest))
			},
			get: func(ctx context.Context, s store.Store, k string) (any, error) {
				return result(s.GetAuthRequest(ctx, k))
			},
			del: func(ctx context.Context, s store.Store, k string) error { return s.DeleteAuthRequest(ctx, k) },
			update: func(ctx context.Context, s store.Store, k string, fn func(any) error) (any, error) {
				return result(s.UpdateAuthRequest(ctx, k, func(r *store.AuthRequest) error { return fn(r) }))
			},
			mutate: func(v any, n int) {
				r := v.(*store.AuthRequest)
				r.UserID = fmt.Sprintf("user-%d", n)
				r.SessionID = "sid"
				r.AuthTime = t0.Add(time.Duration(n) * time.Minute)
				r.AMR = []string{"pwd"}
				r.MaxAge = nil
				r.Prompt = nil
			},
			setKey: func(v any, k string) { v.(*store.AuthRequest).ID = k },
		},
		{
			name: "AuthCode",
			make: func(k string) any { return newAuthCode(k, later) },
			create: func(ctx context.Context, s store.Store, v any) error {
				return s.CreateAuthCode(ctx, v.(*store.AuthCode))
			},
			get: func(ctx context.Context, s store.Store, k string) (any, error) { return result(s.GetAuthCode(ctx, k)) },
		},
		{
			name: "RefreshToken",
			make: func(k string) any { return newRefreshToken(k, "fam", later, t0.Add(30*time.Minute)) },
			create: func(ctx context.Context, s store.Store, v any) error {
				return s.CreateRefreshToken(ctx, v.(*store.RefreshToken))
			},
			get: func(ctx context.Context, s store.Store, k string) (any, error) {
				return result(s.GetRefreshToken(ctx, k))
			},
		},
		{
			name:   "Session",
			make:   func(k string) any { return newSession(k, later) },
			create: func(ctx context.Context, s store.Store, v any) error { return s.CreateSession(ctx, v.(*store.Session)) },
			get:    func(ctx context.Context, s store.Store, k string) (any, error) { return result(s.GetSession(ctx, k)) },
			del:    func(ctx context.Context, s store.Store, k string) error { return s.DeleteSession(ctx, k) },
		},
		{
			name:   "API",
			make:   func(k string) any { return newAPI(k) },
			create: func(ctx context.Context, s store.Store, v any) error { return s.CreateAPI(ctx, v.(*store.API)) },
			get:    func(ctx context.Context, s store.Store, k string) (any, error) { return result(s.GetAPI(ctx, k)) },
			del:    func(ctx context.Context, s store.Store, k string) error { return s.DeleteAPI(ctx, k) },
			update: func(ctx context.Context, s store.Store, k string, fn func(any) error) (any, error) {
				return result(s.UpdateAPI(ctx, k, func(a *store.API) error { return fn(a) }))
			},
			mutate: func(v any, n int) {
				a := v.(*store.API)
				a.Name = fmt.Sprintf("renamed %d", n)
				a.Scopes = []string{fmt.Sprintf("scope:%d", n)}
				a.TokenFormat = store.FormatOpaque
				a.TokenTTL = time.Duration(n) * time.Minute
				a.UpdatedAt = t0.Add(time.Duration(n) * time.Hour)
			},
			setKey: func(v any, k string) { v.(*store.API).ID = k },
		},
		{
			name: "AccessToken",
			make: func(k string) any { return newAccessToken(k, later) },
			create: func(ctx context.Context, s store.Store, v any) error {
				return s.CreateAccessToken(ctx, v.(*store.AccessToken))
			},
			get: func(ctx context.Context, s store.Store, k string) (any, error) {
				return result(s.GetAccessToken(ctx, k))
			},
		},
		{
			name:   "Failure",
			make:   func(k string) any { return newFailure(k, t0) },
			create: func(ctx context.Context, s store.Store, v any) error { return s.RecordFailure(ctx, v.(*store.Failure)) },
			get:    func(ctx context.Context, s store.Store, k string) (any, error) { return result(s.GetFailure(ctx, k)) },
		},
	}
}

// testRecords: create, read back, conflict, not found, delete.
func testRecords(t *testing.T, s store.Store) {
	ctx := context.Background()
	for _, k := range kinds() {
		t.Run(k.name, func(t *testing.T) {
			v := k.make("a")
			must(t, k.create(ctx, s, v), "create")
			if !reflect.DeepEqual(k.make("a"), v) {
				t.Errorf("create changed the caller's value to %+v", v)
			}
			got, err := k.get(ctx, s, "a")
			must(t, err, "get")
			same(t, k.make("a"), got, "read back")

			wantErr(t, k.create(ctx, s, k.make("a")), store.ErrConflict, "create twice")
			_, err = k.get(ctx, s, "missing")
			wantErr(t, err, store.ErrNotFound, "get missing")

			// Another key is another row.
			must(t, k.create(ctx, s, k.make("b")), "create b")
			if got, err := k.get(ctx, s, "b"); err != nil || diff(k.make("b"), got) != "" {
				t.Errorf("get b: %v %s", err, diff(k.make("b"), got))
			}

			if k.del == nil {
				return
			}
			must(t, k.del(ctx, s, "a"), "delete")
			_, err = k.get(ctx, s, "a")
			wantErr(t, err, store.ErrNotFound, "get after delete")
			wantErr(t, k.del(ctx, s, "a"), store.ErrNotFound, "delete twice")
			if _, err := k.get(ctx, s, "b"); err != nil {
				t.Errorf("delete a removed b: %v", err)
			}
		})
	}
}

// testUpdates: the Update closures.
func testUpdates(t *testing.T, s store.Store) {
	ctx := context.Background()
	for _, k := range kinds() {
		if k.update == nil {
			continue
		}
		t.Run(k.name, func(t *testing.T) {
			must(t, k.create(ctx, s, k.make("u")), "create")
			want := k.make("u")
			k.mutate(want, 1)

			got, err := k.update(ctx, s, "u", func(v any) error {
				same(t, k.make("u"), v, "fn sees the stored value")
				k.mutate(v, 1)
				return nil
			})
			must(t, err, "update")
			same(t, want, got, "update result")
			stored, err := k.get(ctx, s, "u")
			must(t, err, "get after update")
			same(t, want, stored, "update persisted")

			_, err = k.update(ctx, s, "u", func(v any) error {
				k.mutate(v, 2)
				return errBoom
			})
			if err != errBoom { //nolint:errorlint // the very error fn returned
				t.Errorf("fn error came back as %v, want it unchanged", err)
			}
			stored, err = k.get(ctx, s, "u")
			must(t, err, "get after failed update")
			same(t, want, stored, "failed update left no trace")

			called := false
			_, err = k.update(ctx, s, "missing", func(any) error { called = true; return nil })
			wantErr(t, err, store.ErrNotFound, "update missing")
			if called {
				t.Error("update of a missing row called fn")
			}

			_, err = k.update(ctx, s, "u", func(v any) error { k.setKey(v, "moved"); return nil })
			must(t, err, "update that changes the key field")
			stored, err = k.get(ctx, s, "u")
			must(t, err, "row keeps its key")
			same(t, want, stored, "row after key change")
			_, err = k.get(ctx, s, "moved")
			wantErr(t, err, store.ErrNotFound, "no row under the changed key")
		})
	}
}

// testLists: creation order, then id.
func testLists(t *testing.T, s store.Store) {
	ctx := context.Background()
	// Created out of order; a and b share a creation time.
	created := []struct {
		id string
		at time.Time
	}{{"c", t0.Add(2 * time.Hour)}, {"b", t0.Add(time.Hour)}, {"a", t0.Add(time.Hour)}, {"d", t0}}
	want := []string{"d", "a", "b", "c"}

	lists := []struct {
		name   string
		create func(id string, at time.Time) error
		list   func() ([]string, error)
	}{
		{"Clients", func(id string, at time.Time) error {
			c := newClient(id)
			c.CreatedAt = at
			return s.CreateClient(ctx, c)
		}, func() ([]string, error) {
			l, err := s.ListClients(ctx)
			return ids(l, func(c *store.Client) string { return c.ID }), err
		}},
		{"Users", func(id string, at time.Time) error {
			u := newUser(id, id, "")
			u.CreatedAt = at
			return s.CreateUser(ctx, u)
		}, func() ([]string, error) {
			l, err := s.ListUsers(ctx)
			return ids(l, func(u *store.User) string { return u.ID }), err
		}},
		{"APIs", func(id string, at time.Time) error {
			a := newAPI(id)
			a.CreatedAt = at
			return s.CreateAPI(ctx, a)
		}, func() ([]string, error) {
			l, err := s.ListAPIs(ctx)
			return ids(l, func(a *store.API) string { return a.ID }), err
		}},
		{"SigningKeys", func(id string, at time.Time) error {
			return s.CreateSigningKey(ctx, newSigningKey(id, at))
		}, func() ([]string, error) {
			l, err := s.ListSigningKeys(ctx)
			return ids(l, func(k *store.SigningKey) string { return k.ID }), err
		}},
	}
	for _, l := range lists {
		t.Run(l.name, func(t *testing.T) {
			got, err := l.list()
			must(t, err, "list empty")
			if len(got) != 0 {
				t.Fatalf("empty store lists %v", got)
			}
			for _, c := range created {
				must(t, l.create(c.id, c.at), "create "+c.id)
			}
			got, err = l.list()
			must(t, err, "list")
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("listed %v, want %v", got, want)
			}
		})
	}
}

func ids[T any](l []*T, id func(*T) string) []string {
	out := make([]string, len(l))
	for i, v := range l {
		out[i] = id(v)
	}
	return out
}

// testUsers: lookup by username or email, uniqueness.
func testUsers(t *testing.T, s store.Store) {
	ctx := context.Background()
	users := []*store.User{
		newUser("u-alice", "Alice", "Alice@Example.COM"),
		newUser("u-bob", "bob", ""),
		newUser("u-carol", "carol", ""),  // a second empty email is fine
		newUser("u-dave", "dave", "BOB"), // an email equal to bob's username
	}
	for _, u := range users {
		must(t, s.CreateUser(ctx, u), "create "+u.ID)
	}

	lookups := []struct {
		name, query, want string // want "" means ErrNotFound
	}{
		{"username as stored", "Alice", "u-alice"},
		{"username lower case", "alice", "u-alice"},
		{"username upper case", "ALICE", "u-alice"},
		{"email", "alice@example.com", "u-alice"},
		{"email other case", "ALICE@EXAMPLE.com", "u-alice"},
		{"username wins over an email", "Bob", "u-bob"},
		{"plain username", "carol", "u-carol"},
		{"empty", "", ""},
		{"unknown", "nobody", ""},
		{"prefix of an email", "alice@example", ""},
		{"pattern characters", "ali%", ""},
		{"underscore", "_ob", ""},
	}
	for _, l := range lookups {
		t.Run("lookup "+l.name, func(t *testing.T) {
			u, err := s.GetUserByUsername(ctx, l.query)
			if l.want == "" {
				wantErr(t, err, store.ErrNotFound, l.query)
				return
			}
			must(t, err, l.query)
			if u.ID != l.want {
				t.Errorf("%q found %s, want %s", l.query, u.ID, l.want)
			}
		})
	}
	alice, err := s.GetUserByUsername(ctx, "alice")
	must(t, err, "lookup alice")
	same(t, users[0], alice, "looked-up user")

	conflicts := []struct {
		name string
		user *store.User
	}{
		{"same username", newUser("x1", "Alice", "x1@example.com")},
		{"username in another case", newUser("x2", "aLiCe", "x2@example.com")},
		{"same email in another case", newUser("x3", "x3", "alice@EXAMPLE.com")},
		{"same id", newUser("u-alice", "x4", "x4@example.com")},
	}
	for _, c := range conflicts {
		t.Run("conflict "+c.name, func(t *testing.T) {
			wantErr(t, s.CreateUser(ctx, c.user), store.ErrConflict, "create")
			if _, err := s.GetUser(ctx, c.user.ID); c.user.ID != "u-alice" && !errors.Is(err, store.ErrNotFound) {
				t.Errorf("refused user %s was stored: %v", c.user.ID, err)
			}
		})
	}

	updates := []struct {
		name   string
		id     string
		change func(*store.User)
	}{
		{"username taken", "u-bob", func(u *store.User) { u.Username = "ALICE" }},
		{"email taken", "u-bob", func(u *store.User) { u.Email = "alice@example.com" }},
	}
	for _, c := range updates {
		t.Run("update conflict "+c.name, func(t *testing.T) {
			before, err := s.GetUser(ctx, c.id)
			must(t, err, "get")
			_, err = s.UpdateUser(ctx, c.id, func(u *store.User) error { c.change(u); return nil })
			wantErr(t, err, store.ErrConflict, "update")
			after, err := s.GetUser(ctx, c.id)
			must(t, err, "get after")
			same(t, before, after, "refused update left no trace")
		})
	}

	// Renaming moves the lookup keys with the user.
	_, err = s.UpdateUser(ctx, "u-alice", func(u *store.User) error {
		u.Username, u.Email = "alicia", "alicia@example.com"
		return nil
	})
	must(t, err, "rename alice")
	for q, want := range map[string]string{"alice": "", "alice@example.com": "", "ALICIA": "u-alice", "Alicia@Example.com": "u-alice"} {
		u, err := s.GetUserByUsername(ctx, q)
		switch {
		case want == "":
			wantErr(t, err, store.ErrNotFound, "after rename "+q)
		case err != nil || u.ID != want:
			t.Errorf("after rename %q: %v %v", q, u, err)
		}
	}
	// The freed username and email are free again.
	must(t, s.CreateUser(ctx, newUser("u-alice2", "alice", "alice@example.com")), "reuse a freed username")
	// Deleting frees them too.
	must(t, s.DeleteUser(ctx, "u-carol"), "delete carol")
	must(t, s.CreateUser(ctx, newUser("u-carol2", "Carol", "")), "reuse a deleted user's username")
}

// mustFamily creates a token family the only way the contract offers: by
// redeeming a code.
func mustFamily(t *testing.T, s store.Store, id, userID, clientID string) *store.TokenFamily {
	t.Helper()
	ctx := context.Background()
	must(t, s.CreateAuthCode(ctx, newAuthCode("code-"+id, t0.Add(time.Hour))), "create code for family "+id)
	f := newFamily(id, userID, clientID)
	_, err := s.RedeemAuthCode(ctx, "code-"+id, f, store.Issued{}, t0)
	must(t, err, "redeem code for family "+id)
	return f
}

func testRedeem(t *testing.T, s store.Store) {
	ctx := context.Background()
	code := newAuthCode("h1", t0.Add(10*time.Minute))
	must(t, s.CreateAuthCode(ctx, code), "create code")
	now := t0.Add(time.Minute)
	fam := newFamily("f1", "user-1", "client-1")

	access := newAccessToken("h1-at", t0.Add(time.Hour))
	access.FamilyID = "f1"
	refresh := newRefreshToken("h1-rt", "f1", t0.Add(24*time.Hour), t0.Add(2*time.Hour))
	got, err := s.RedeemAuthCode(ctx, "h1", fam, store.Issued{Access: access, Refresh: refresh}, now)
	must(t, err, "redeem")
	if got != nil {
		t.Errorf("successful redemption returned a code: %+v", got)
	}
	want := newAuthCode("h1", t0.Add(10*time.Minute))
	want.RedeemedAt, want.FamilyID = &now, "f1"
	stored, err := s.GetAuthCode(ctx, "h1")
	must(t, err, "get redeemed code")
	same(t, want, stored, "stored redeemed code")
	f, err := s.GetTokenFamily(ctx, "f1")
	must(t, err, "family created with the redemption")
	same(t, newFamily("f1", "user-1", "client-1"), f, "family")
	at, err := s.GetAccessToken(ctx, "h1-at")
	must(t, err, "access token stored with the redemption")
	same(t, access, at, "access token")
	rt, err := s.GetRefreshToken(ctx, "h1-rt")
	must(t, err, "refresh token stored with the redemption")
	same(t, refresh, rt, "refresh token")

	// Without issued tokens, only the code and the family change.
	must(t, s.CreateAuthCode(ctx, newAuthCode("h2", t0.Add(10*time.Minute))), "create code")
	_, err = s.RedeemAuthCode(ctx, "h2", newFamily("f2", "user-1", "client-1"), store.Issued{}, now)
	must(t, err, "redeem without tokens")
	_, err = s.GetTokenFamily(ctx, "f2")
	must(t, err, "family of a redemption without tokens")
}

func testRedeemRefused(t *testing.T, s store.Store) {
	ctx := context.Background()
	first, invalidAt := t0.Add(time.Minute), t0.Add(2*time.Minute)
	mustFamily(t, s, "taken", "user-1", "client-1")
	must(t, s.CreateAccessToken(ctx, newAccessToken("taken-at", t0.Add(time.Hour))), "create an access token")
	must(t, s.CreateRefreshToken(ctx, newRefreshToken("taken-rt", "taken", t0.Add(time.Hour), t0.Add(time.Hour))), "create a refresh token")
	cases := []struct {
		name    string
		setup   func(t *testing.T, hash string) // nil: the code does not exist
		family  string
		access  string // hash of the issued access token; "": hash-at
		refresh string // hash of the issued refresh token; "": hash-rt
		wantErr error
		want    func(hash string) *store.AuthCode // the stored code returned with the error; nil: none
	}{
		{
			name: "unknown code", family: "f-unknown", wantErr: store.ErrNotFound,
		},
		{
			name: "already redeemed", family: "f-second", wantErr: store.ErrAlreadyUsed,
			setup: func(t *testing.T, hash string) {
				must(t, s.CreateAuthCode(ctx, newAuthCode(hash, t0.Add(time.Hour))), "create")
				_, err := s.RedeemAuthCode(ctx, hash, newFamily("f-first", "user-1", "client-1"), store.Issued{}, first)
				must(t, err, "first redemption")
			},
			want: func(hash string) *store.AuthCode {
				c := newAuthCode(hash, t0.Add(time.Hour))
				c.RedeemedAt, c.FamilyID = &first, "f-first"
				return c
			},
		},
		{
			name: "invalidated", family: "f-invalid", wantErr: store.ErrInvalidated,
			setup: func(t *testing.T, hash string) {
				must(t, s.CreateAuthCode(ctx, newAuthCode(hash, t0.Add(time.Hour))), "create")
				must(t, s.InvalidateAuthCode(ctx, hash, "pkce_mismatch", invalidAt), "invalidate")
			},
			want: func(hash string) *store.AuthCode {
				c := newAuthCode(hash, t0.Add(time.Hour))
				c.InvalidatedAt, c.InvalidReason = &invalidAt, "pkce_mismatch"
				return c
			},
		},
		{
			name: "family id taken", family: "taken", wantErr: store.ErrConflict,
			setup: func(t *testing.T, hash string) {
				must(t, s.CreateAuthCode(ctx, newAuthCode(hash, t0.Add(time.Hour))), "create")
			},
		},
		{
			name: "access token hash taken", family: "f-access-taken", access: "taken-at", wantErr: store.ErrConflict,
			setup: func(t *testing.T, hash string) {
				must(t, s.CreateAuthCode(ctx, newAuthCode(hash, t0.Add(time.Hour))), "create")
			},
		},
		{
			name: "refresh token hash taken", family: "f-refresh-taken", refresh: "taken-rt", wantErr: store.ErrConflict,
			setup: func(t *testing.T, hash string) {
				must(t, s.CreateAuthCode(ctx, newAuthCode(hash, t0.Add(time.Hour))), "create")
			},
		},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hash := fmt.Sprintf("refused-%d", i)
			if c.setup != nil {
				c.setup(t, hash)
			}
			before, beforeErr := s.GetAuthCode(ctx, hash)
			access, refresh := cmp.Or(c.access, hash+"-at"), cmp.Or(c.refresh, hash+"-rt")
			issued := store.Issued{
				Access:  newAccessToken(access, t0.Add(time.Hour)),
				Refresh: newRefreshToken(refresh, c.family, t0.Add(time.Hour), t0.Add(time.Hour)),
			}
			got, err := s.RedeemAuthCode(ctx, hash, newFamily(c.family, "user-2", "client-2"), issued, t0.Add(5*time.Minute))
			wantErr(t, err, c.wantErr, "redeem")
			if c.access == "" {
				_, err := s.GetAccessToken(ctx, access)
				wantErr(t, err, store.ErrNotFound, "access token of a refused redemption")
			}
			if c.refresh == "" {
				_, err := s.GetRefreshToken(ctx, refresh)
				wantErr(t, err, store.ErrNotFound, "refresh token of a refused redemption")
			}
			if c.want != nil {
				same(t, c.want(hash), got, "code returned with the error")
			}
			after, afterErr := s.GetAuthCode(ctx, hash)
			if !errors.Is(afterErr, beforeErr) || diff(before, after) != "" {
				t.Errorf("refused redemption changed the code: %v %s", afterErr, diff(before, after))
			}
			f, err := s.GetTokenFamily(ctx, c.family)
			if c.family == "taken" {
				if rt, err := s.GetRefreshToken(ctx, "taken-rt"); err != nil || rt.FamilyID != "taken" {
					t.Errorf("existing refresh token changed: %+v %v", rt, err)
				}
				if err != nil || f.UserID != "user-1" {
					t.Errorf("existing family changed: %+v %v", f, err)
				}
			} else {
				wantErr(t, err, store.ErrNotFound, "family of a refused redemption")
			}
		})
	}
	// The codes refused for a conflict are still redeemable.
	for _, hash := range []string{"refused-3", "refused-4", "refused-5"} {
		_, err := s.RedeemAuthCode(ctx, hash, newFamily("f-retry-"+hash, "user-1", "client-1"), store.Issued{}, t0.Add(6*time.Minute))
		must(t, err, "redeem after a conflict: "+hash)
	}
}

// testCreateFamily: a family no code starts (token exchange) is created
// with its tokens, or, on a conflict, nothing is.
func testCreateFamily(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustFamily(t, s, "parent", "user-1", "client-1")
	f := newFamily("exchanged", "user-1", "client-2")
	f.ParentID = "parent"
	access := newAccessToken("exchanged-at", t0.Add(time.Hour))
	refresh := newRefreshToken("exchanged-rt", "exchanged", t0.Add(24*time.Hour), t0.Add(time.Hour))
	must(t, s.CreateTokenFamily(ctx, f, store.Issued{Access: access, Refresh: refresh}), "create")
	got, err := s.GetTokenFamily(ctx, "exchanged")
	must(t, err, "get")
	same(t, f, got, "family")
	at, err := s.GetAccessToken(ctx, "exchanged-at")
	must(t, err, "access token created with the family")
	same(t, access, at, "access token")
	rt, err := s.GetRefreshToken(ctx, "exchanged-rt")
	must(t, err, "refresh token created with the family")
	same(t, refresh, rt, "refresh token")

	// A taken family id: neither the family nor its tokens change.
	again := newFamily("exchanged", "user-9", "client-9")
	wantErr(t, s.CreateTokenFamily(ctx, again, store.Issued{Refresh: newRefreshToken("again-rt", "exchanged", t0.Add(time.Hour), t0.Add(time.Hour))}),
		store.ErrConflict, "create with a taken id")
	_, err = s.GetRefreshToken(ctx, "again-rt")
	wantErr(t, err, store.ErrNotFound, "token of a conflicting family")
	// A taken token hash: the family is not created.
	wantErr(t, s.CreateTokenFamily(ctx, newFamily("other", "user-1", "client-2"), store.Issued{Refresh: newRefreshToken("exchanged-rt", "other", t0.Add(time.Hour), t0.Add(time.Hour))}),
		store.ErrConflict, "create with a taken token hash")
	_, err = s.GetTokenFamily(ctx, "other")
	wantErr(t, err, store.ErrNotFound, "family whose token conflicted")
}

// race runs n calls at once and returns their errors.
func race(n int, call func(i int) error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = call(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

const racers = 16

// soleWinner checks that exactly one racer succeeded and every other got
// ErrAlreadyUsed, and returns the winner.
func soleWinner(t *testing.T, what string, errs []error) int {
	t.Helper()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Fatalf("%s: racers %d and %d both succeeded", what, winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, store.ErrAlreadyUsed):
			t.Errorf("%s: racer %d: %v, want ErrAlreadyUsed", what, i, err)
		}
	}
	if winner < 0 {
		t.Fatalf("%s: no racer succeeded", what)
	}
	return winner
}

func testRedeemConcurrent(t *testing.T, s store.Store) {
	ctx := context.Background()
	for round := range 3 {
		hash := fmt.Sprintf("race-%d", round)
		must(t, s.CreateAuthCode(ctx, newAuthCode(hash, t0.Add(time.Hour))), "create code")
		got := make([]*store.AuthCode, racers)
		errs := race(racers, func(i int) error {
			var err error
			fam := fmt.Sprintf("%s-f%d", hash, i)
			got[i], err = s.RedeemAuthCode(ctx, hash, newFamily(fam, "user-1", "client-1"),
				store.Issued{Refresh: newRefreshToken(fam+"-rt", fam, t0.Add(time.Hour), t0.Add(time.Hour))},
				t0.Add(time.Duration(i+1)*time.Second))
			return err
		})
		winner := soleWinner(t, fmt.Sprintf("round %d: redeem", round), errs)
		winFamily, winAt := fmt.Sprintf("%s-f%d", hash, winner), t0.Add(time.Duration(winner+1)*time.Second)
		for i, c := range got {
			if i == winner {
				if c != nil {
					t.Errorf("round %d: the winner got a code back: %+v", round, c)
				}
				continue
			}
			if c == nil || c.FamilyID != winFamily || c.RedeemedAt == nil || !c.RedeemedAt.Equal(winAt.Truncate(time.Microsecond)) {
				t.Errorf("round %d: racer %d saw %+v, want the winner's redemption (%s)", round, i, c, winFamily)
			}
		}
		for i := range racers {
			fam := fmt.Sprintf("%s-f%d", hash, i)
			_, ferr := s.GetTokenFamily(ctx, fam)
			_, rerr := s.GetRefreshToken(ctx, fam+"-rt")
			if i == winner && (ferr != nil || rerr != nil) {
				t.Errorf("round %d: winner's family and refresh token: %v, %v", round, ferr, rerr)
			}
			if i != winner && (!errors.Is(ferr, store.ErrNotFound) || !errors.Is(rerr, store.ErrNotFound)) {
				t.Errorf("round %d: loser %d's family or refresh token exists: %v, %v", round, i, ferr, rerr)
			}
		}
	}
}

func testInvalidate(t *testing.T, s store.Store) {
	ctx := context.Background()
	at, later := t0.Add(time.Minute), t0.Add(time.Hour)
	must(t, s.CreateAuthCode(ctx, newAuthCode("inv", later)), "create")
	must(t, s.InvalidateAuthCode(ctx, "inv", "pkce_mismatch", at), "invalidate")
	want := newAuthCode("inv", later)
	want.InvalidatedAt, want.InvalidReason = &at, "pkce_mismatch"
	got, err := s.GetAuthCode(ctx, "inv")
	must(t, err, "get")
	same(t, want, got, "invalidated code")

	wantErr(t, s.InvalidateAuthCode(ctx, "inv", "redirect_uri", later), store.ErrInvalidated, "invalidate twice")
	got, err = s.GetAuthCode(ctx, "inv")
	must(t, err, "get")
	same(t, want, got, "second invalidation keeps the first")

	must(t, s.CreateAuthCode(ctx, newAuthCode("red", later)), "create")
	_, err = s.RedeemAuthCode(ctx, "red", newFamily("f-red", "user-1", "client-1"), store.Issued{}, at)
	must(t, err, "redeem")
	wantErr(t, s.InvalidateAuthCode(ctx, "red", "late", later), store.ErrAlreadyUsed, "invalidate a redeemed code")
	got, err = s.GetAuthCode(ctx, "red")
	must(t, err, "get")
	if got.InvalidatedAt != nil || got.InvalidReason != "" {
		t.Errorf("redeemed code got invalidated: %+v", got)
	}

	wantErr(t, s.InvalidateAuthCode(ctx, "missing", "x", at), store.ErrNotFound, "invalidate missing")
}

// testRenewRefresh: a token kept without rotation gets its new idle
// expiry and the access token issued with it, stays usable and
// rotatable; a rotated or missing token is not renewed, and then the
// access token is not stored either.
func testRenewRefresh(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustFamily(t, s, "fam", "user-1", "client-1")
	exp, idle := t0.Add(24*time.Hour), t0.Add(time.Hour)
	must(t, s.CreateRefreshToken(ctx, newRefreshToken("k1", "fam", exp, idle)), "create k1")

	renewed := newRefreshToken("k1", "fam", exp, idle.Add(30*time.Minute))
	access := newAccessToken("k1-at", t0.Add(time.Hour))
	must(t, s.RenewRefreshToken(ctx, renewed, access), "renew")
	got, err := s.GetRefreshToken(ctx, "k1")
	must(t, err, "get renewed")
	same(t, renewed, got, "renewed token")
	at, err := s.GetAccessToken(ctx, "k1-at")
	must(t, err, "access token stored with the renewal")
	same(t, access, at, "access token")
	// Renewed again, without an access token (a JWT was issued).
	again := newRefreshToken("k1", "fam", exp, idle.Add(time.Hour))
	must(t, s.RenewRefreshToken(ctx, again, nil), "renew again")
	got, err = s.GetRefreshToken(ctx, "k1")
	must(t, err, "get renewed again")
	same(t, again, got, "renewed twice")
	// An access token hash that exists: nothing changes.
	wantErr(t, s.RenewRefreshToken(ctx, newRefreshToken("k1", "fam", exp, exp), newAccessToken("k1-at", t0.Add(time.Hour))), store.ErrConflict, "renew with an existing access token hash")
	got, err = s.GetRefreshToken(ctx, "k1")
	must(t, err, "get after a conflict")
	same(t, again, got, "token after a conflicting renewal")

	// Still an ordinary token: it rotates, and is then never renewed.
	now := t0.Add(time.Minute)
	_, err = s.RotateRefreshToken(ctx, "k1", store.Issued{Refresh: newRefreshToken("k2", "fam", exp, idle)}, now)
	must(t, err, "rotate a renewed token")
	wantErr(t, s.RenewRefreshToken(ctx, again, newAccessToken("k1-late", t0.Add(time.Hour))), store.ErrAlreadyUsed, "renew a rotated token")
	_, err = s.GetAccessToken(ctx, "k1-late")
	wantErr(t, err, store.ErrNotFound, "access token of a refused renewal")
	got, err = s.GetRefreshToken(ctx, "k1")
	must(t, err, "get rotated")
	if got.RotatedAt == nil || !got.IdleExpiresAt.Equal(again.IdleExpiresAt.Truncate(time.Microsecond)) {
		t.Errorf("a refused renewal changed the rotated token: %+v", got)
	}
	wantErr(t, s.RenewRefreshToken(ctx, newRefreshToken("missing", "fam", exp, idle), nil), store.ErrNotFound, "renew missing")
}

func testRotate(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustFamily(t, s, "fam", "user-1", "client-1")
	exp, idle := t0.Add(24*time.Hour), t0.Add(time.Hour)
	must(t, s.CreateRefreshToken(ctx, newRefreshToken("r1", "fam", exp, idle)), "create r1")

	now := t0.Add(time.Minute)
	access := newAccessToken("r2-at", t0.Add(time.Hour))
	got, err := s.RotateRefreshToken(ctx, "r1", store.Issued{Access: access, Refresh: newRefreshToken("r2", "fam", exp, idle.Add(time.Minute))}, now)
	must(t, err, "rotate")
	at, err := s.GetAccessToken(ctx, "r2-at")
	must(t, err, "access token stored with the rotation")
	same(t, access, at, "access token")
	want := newRefreshToken("r1", "fam", exp, idle)
	want.RotatedAt = &now
	same(t, want, got, "rotated old token")
	stored, err := s.GetRefreshToken(ctx, "r1")
	must(t, err, "get old")
	same(t, want, stored, "stored old token")
	next, err := s.GetRefreshToken(ctx, "r2")
	must(t, err, "get next")
	same(t, newRefreshToken("r2", "fam", exp, idle.Add(time.Minute)), next, "next token")

	// Replaying the old token: refused, with the stored old token.
	got, err = s.RotateRefreshToken(ctx, "r1", store.Issued{Access: newAccessToken("r3-at", t0.Add(time.Hour)), Refresh: newRefreshToken("r3", "fam", exp, idle)}, now.Add(time.Minute))
	wantErr(t, err, store.ErrAlreadyUsed, "rotate twice")
	same(t, want, got, "old token returned with ErrAlreadyUsed")
	_, err = s.GetRefreshToken(ctx, "r3")
	wantErr(t, err, store.ErrNotFound, "next of a refused rotation")
	_, err = s.GetAccessToken(ctx, "r3-at")
	wantErr(t, err, store.ErrNotFound, "access token of a refused rotation")

	// The chain goes on from the new token.
	_, err = s.RotateRefreshToken(ctx, "r2", store.Issued{Refresh: newRefreshToken("r4", "fam", exp, idle)}, now.Add(2*time.Minute))
	must(t, err, "rotate r2")

	_, err = s.RotateRefreshToken(ctx, "missing", store.Issued{Refresh: newRefreshToken("r5", "fam", exp, idle)}, now)
	wantErr(t, err, store.ErrNotFound, "rotate missing")
	_, err = s.GetRefreshToken(ctx, "r5")
	wantErr(t, err, store.ErrNotFound, "next of a missing token")

	// A next token that exists already: nothing changes.
	_, err = s.RotateRefreshToken(ctx, "r4", store.Issued{Refresh: newRefreshToken("r1", "fam", exp, idle)}, now)
	wantErr(t, err, store.ErrConflict, "rotate onto an existing hash")
	// So does an access token hash that exists.
	_, err = s.RotateRefreshToken(ctx, "r4", store.Issued{Access: newAccessToken("r2-at", t0.Add(time.Hour)), Refresh: newRefreshToken("r6", "fam", exp, idle)}, now)
	wantErr(t, err, store.ErrConflict, "rotate with an existing access token hash")
	_, err = s.GetRefreshToken(ctx, "r6")
	wantErr(t, err, store.ErrNotFound, "next of a conflicting rotation")
	// Without a next refresh token there is no rotation.
	if _, err := s.RotateRefreshToken(ctx, "r4", store.Issued{Access: newAccessToken("r7-at", t0.Add(time.Hour))}, now); err == nil {
		t.Error("rotation without a next refresh token succeeded")
	}
	r4, err := s.GetRefreshToken(ctx, "r4")
	must(t, err, "get r4")
	if r4.RotatedAt != nil {
		t.Errorf("conflicting rotation marked r4 rotated at %v", r4.RotatedAt)
	}
	r1, err := s.GetRefreshToken(ctx, "r1")
	must(t, err, "get r1")
	same(t, want, r1, "r1 after a conflicting rotation")
}

func testRotateConcurrent(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustFamily(t, s, "fam", "user-1", "client-1")
	exp := t0.Add(24 * time.Hour)
	for round := range 3 {
		old := fmt.Sprintf("old-%d", round)
		must(t, s.CreateRefreshToken(ctx, newRefreshToken(old, "fam", exp, exp)), "create")
		got := make([]*store.RefreshToken, racers)
		errs := race(racers, func(i int) error {
			var err error
			got[i], err = s.RotateRefreshToken(ctx, old, store.Issued{Refresh: newRefreshToken(fmt.Sprintf("%s-next%d", old, i), "fam", exp, exp)},
				t0.Add(time.Duration(i+1)*time.Second))
			return err
		})
		winner := soleWinner(t, fmt.Sprintf("round %d: rotate", round), errs)
		winAt := t0.Add(time.Duration(winner+1) * time.Second).Truncate(time.Microsecond)
		for i, rt := range got {
			if rt == nil || rt.Hash != old || rt.RotatedAt == nil || !rt.RotatedAt.Equal(winAt) {
				t.Errorf("round %d: racer %d saw %+v, want the old token rotated at %s", round, i, rt, winAt)
			}
		}
		for i := range racers {
			_, err := s.GetRefreshToken(ctx, fmt.Sprintf("%s-next%d", old, i))
			if i == winner && err != nil {
				t.Errorf("round %d: winner's next token: %v", round, err)
			}
			if i != winner && !errors.Is(err, store.ErrNotFound) {
				t.Errorf("round %d: loser %d's next token exists: %v", round, i, err)
			}
		}
	}
}

func testRevoke(t *testing.T, s store.Store) {
	ctx := context.Background()
	for _, f := range []struct{ id, user, client string }{
		{"u1c1", "u1", "c1"}, {"u1c2", "u1", "c2"}, {"u2c1", "u2", "c1"}, {"u1c1-old", "u1", "c1"},
	} {
		mustFamily(t, s, f.id, f.user, f.client)
	}
	at1, at2, at3 := t0.Add(time.Minute), t0.Add(2*time.Minute), t0.Add(3*time.Minute)

	must(t, s.RevokeTokenFamily(ctx, "u1c1-old", "refresh_reused", at1), "revoke")
	must(t, s.RevokeTokenFamily(ctx, "u1c1-old", "code_reused", at3), "revoke again")
	wantErr(t, s.RevokeTokenFamily(ctx, "missing", "x", at1), store.ErrNotFound, "revoke missing")

	must(t, s.RevokeFamiliesFor(ctx, "u1", "c1", "consent_withdrawn", at2), "revoke for user and client")
	must(t, s.RevokeFamiliesFor(ctx, "u1", "", "user deleted", at3), "revoke for user")
	must(t, s.RevokeFamiliesFor(ctx, "nobody", "", "x", at3), "revoke for a user without families")

	for _, c := range []struct {
		id     string
		at     *time.Time
		reason string
	}{
		{"u1c1-old", &at1, "refresh_reused"}, // the first revocation stays
		{"u1c1", &at2, "consent_withdrawn"},
		{"u1c2", &at3, "user deleted"},
		{"u2c1", nil, ""},
	} {
		f, err := s.GetTokenFamily(ctx, c.id)
		must(t, err, "get "+c.id)
		want := newFamily(c.id, f.UserID, f.ClientID)
		want.RevokedAt, want.RevokeReason = c.at, c.reason
		same(t, want, f, c.id)
	}
	_, err := s.GetTokenFamily(ctx, "missing")
	wantErr(t, err, store.ErrNotFound, "get missing family")
}

// testRevokeDescendants: a family exchanged from another (ParentID) ends
// with it, at any depth; revoked descendants keep their first revocation.
func testRevokeDescendants(t *testing.T, s store.Store) {
	ctx := context.Background()
	family := func(id, user, client, parent string) {
		t.Helper()
		must(t, s.CreateAuthCode(ctx, newAuthCode("code-"+id, t0.Add(time.Hour))), "create code for "+id)
		f := newFamily(id, user, client)
		f.ParentID = parent
		_, err := s.RedeemAuthCode(ctx, "code-"+id, f, store.Issued{}, t0)
		must(t, err, "redeem code for "+id)
	}
	family("p", "u1", "c1", "")
	family("p-child", "u1", "c2", "p")
	family("p-grandchild", "u1", "c3", "p-child")
	family("p-early", "u1", "c4", "p")
	family("q", "u1", "c1", "")
	family("r", "u2", "c1", "")
	family("r-child", "u2", "c9", "r")
	family("s", "u2", "c2", "")
	family("t", "u3", "c1", "")
	family("t-child", "u4", "c2", "t") // another user's grant, made from u3's
	family("t-grandchild", "u4", "c3", "t-child")
	at0, at1, at2 := t0.Add(time.Minute), t0.Add(2*time.Minute), t0.Add(3*time.Minute)

	got, err := s.GetTokenFamily(ctx, "p-grandchild")
	must(t, err, "get grandchild")
	if got.ParentID != "p-child" {
		t.Errorf("ParentID = %q, want p-child", got.ParentID)
	}
	must(t, s.RevokeTokenFamily(ctx, "p-early", "refresh_reused", at0), "revoke a child first")
	must(t, s.RevokeTokenFamily(ctx, "p", "code_reused", at1), "revoke the root")
	must(t, s.RevokeFamiliesFor(ctx, "u2", "c1", "consent_withdrawn", at2), "revoke for u2 and c1")
	must(t, s.RevokeFamiliesFor(ctx, "u3", "", "user deleted", at2), "revoke for u3 and every client")

	for _, c := range []struct {
		id     string
		at     *time.Time
		reason string
	}{
		{"p", &at1, "code_reused"},
		{"p-child", &at1, "code_reused"},
		{"p-grandchild", &at1, "code_reused"},
		{"p-early", &at0, "refresh_reused"},
		{"q", nil, ""},
		{"r", &at2, "consent_withdrawn"},
		{"r-child", &at2, "consent_withdrawn"}, // another client's, but derived from r
		{"s", nil, ""},
		{"t", &at2, "user deleted"},
		{"t-child", &at2, "user deleted"},
		{"t-grandchild", &at2, "user deleted"},
	} {
		f, err := s.GetTokenFamily(ctx, c.id)
		must(t, err, "get "+c.id)
		if (f.RevokedAt == nil) != (c.at == nil) || f.RevokedAt != nil && !f.RevokedAt.Equal(c.at.Truncate(time.Microsecond)) || f.RevokeReason != c.reason {
			t.Errorf("%s: revoked %v %q, want %v %q", c.id, f.RevokedAt, f.RevokeReason, c.at, c.reason)
		}
	}
}

func testConsents(t *testing.T, s store.Store) {
	ctx := context.Background()
	_, err := s.GetConsent(ctx, "u1", "c1")
	wantErr(t, err, store.ErrNotFound, "get missing")

	must(t, s.SaveConsent(ctx, newConsent("u1", "c1", "openid")), "save")
	got, err := s.GetConsent(ctx, "u1", "c1")
	must(t, err, "get")
	same(t, newConsent("u1", "c1", "openid"), got, "consent")

	wider := newConsent("u1", "c1", "openid", "email", "profile")
	wider.GrantedAt = t0.Add(time.Hour)
	must(t, s.SaveConsent(ctx, wider), "save again replaces")
	got, err = s.GetConsent(ctx, "u1", "c1")
	must(t, err, "get replaced")
	same(t, wider, got, "replaced consent")

	must(t, s.SaveConsent(ctx, newConsent("u1", "c0", "openid")), "save u1 c0")
	must(t, s.SaveConsent(ctx, newConsent("u2", "c1")), "save u2 c1 with no scopes")

	l, err := s.ListConsents(ctx, "u1")
	must(t, err, "list")
	same(t, []*store.Consent{newConsent("u1", "c0", "openid"), wider}, l, "u1's consents")
	l, err = s.ListConsents(ctx, "u3")
	must(t, err, "list none")
	if len(l) != 0 {
		t.Errorf("u3 has consents %v", l)
	}

	must(t, s.DeleteConsent(ctx, "u1", "c1"), "delete")
	_, err = s.GetConsent(ctx, "u1", "c1")
	wantErr(t, err, store.ErrNotFound, "get deleted")
	wantErr(t, s.DeleteConsent(ctx, "u1", "c1"), store.ErrNotFound, "delete twice")
	if _, err := s.GetConsent(ctx, "u2", "c1"); err != nil {
		t.Errorf("deleting u1's consent touched u2's: %v", err)
	}
	l, err = s.ListConsents(ctx, "u1")
	must(t, err, "list after delete")
	same(t, []*store.Consent{newConsent("u1", "c0", "openid")}, l, "u1's consents after delete")
}

func testJTI(t *testing.T, s store.Store) {
	ctx := context.Background()
	// UseJTI has no clock argument: expiry is judged against real time.
	future, past := time.Now().Add(time.Hour), time.Now().Add(-time.Hour)
	steps := []struct {
		name, issuer, jti string
		exp               time.Time
		want              error
	}{
		{"first use", "c1", "j1", future, nil},
		{"replay", "c1", "j1", future, store.ErrAlreadyUsed},
		{"replay with a later expiry", "c1", "j1", future.Add(time.Hour), store.ErrAlreadyUsed},
		{"same jti, other issuer", "c2", "j1", future, nil},
		{"record that is already expired", "c1", "old", past, nil},
		{"reuse after expiry", "c1", "old", future, nil},
		{"replay after reuse", "c1", "old", future, store.ErrAlreadyUsed},
	}
	for _, st := range steps {
		err := s.UseJTI(ctx, st.issuer, st.jti, st.exp)
		if st.want == nil && err != nil || st.want != nil && !errors.Is(err, st.want) {
			t.Errorf("%s: %v, want %v", st.name, err, st.want)
		}
	}
}

func testJTIConcurrent(t *testing.T, s store.Store) {
	ctx := context.Background()
	exp := time.Now().Add(time.Hour)
	soleWinner(t, "use jti", race(racers, func(int) error { return s.UseJTI(ctx, "c1", "raced", exp) }))
}

func testDeleteExpired(t *testing.T, s store.Store) {
	ctx := context.Background()
	now := t0.Add(24 * time.Hour)
	keep := 7 * 24 * time.Hour
	old, fresh := now.Add(-time.Minute), now.Add(time.Minute)

	must(t, s.CreateAuthRequest(ctx, newAuthRequest("old", old)), "request")
	must(t, s.CreateAuthRequest(ctx, newAuthRequest("fresh", fresh)), "request")
	must(t, s.CreateAuthCode(ctx, newAuthCode("old", old)), "code")
	must(t, s.CreateAuthCode(ctx, newAuthCode("fresh", fresh)), "code")
	must(t, s.CreateRefreshToken(ctx, newRefreshToken("old-absolute", "f", old, fresh)), "refresh")
	must(t, s.CreateRefreshToken(ctx, newRefreshToken("old-idle", "f", fresh, old)), "refresh")
	must(t, s.CreateRefreshToken(ctx, newRefreshToken("fresh", "f", fresh, fresh)), "refresh")
	must(t, s.CreateSession(ctx, newSession("old", old)), "session")
	must(t, s.CreateSession(ctx, newSession("fresh", fresh)), "session")
	must(t, s.RecordFailure(ctx, newFailure("old", now.Add(-keep-time.Minute))), "failure")
	must(t, s.RecordFailure(ctx, newFailure("fresh", now.Add(-keep+time.Minute))), "failure")
	// t0 is years ahead of the real clock, which UseJTI judges by: without
	// DeleteExpired, "stale" would still count as used.
	must(t, s.UseJTI(ctx, "c1", "stale", old), "jti")
	must(t, s.UseJTI(ctx, "c1", "fresh", fresh), "jti")

	must(t, s.DeleteExpired(ctx, now, keep), "delete expired")

	get := map[string]func(string) error{
		"auth request":  func(k string) error { _, err := s.GetAuthRequest(ctx, k); return err },
		"auth code":     func(k string) error { _, err := s.GetAuthCode(ctx, k); return err },
		"refresh token": func(k string) error { _, err := s.GetRefreshToken(ctx, k); return err },
		"session":       func(k string) error { _, err := s.GetSession(ctx, k); return err },
		"failure":       func(k string) error { _, err := s.GetFailure(ctx, k); return err },
	}
	checks := []struct {
		kind, key string
		gone      bool
	}{
		{"auth request", "old", true}, {"auth request", "fresh", false},
		{"auth code", "old", true}, {"auth code", "fresh", false},
		{"refresh token", "old-absolute", true}, {"refresh token", "old-idle", true}, {"refresh token", "fresh", false},
		{"session", "old", true}, {"session", "fresh", false},
		{"failure", "old", true}, {"failure", "fresh", false},
	}
	for _, c := range checks {
		err := get[c.kind](c.key)
		switch {
		case c.gone && !errors.Is(err, store.ErrNotFound):
			t.Errorf("%s %s: %v, want it deleted", c.kind, c.key, err)
		case !c.gone && err != nil:
			t.Errorf("%s %s: %v, want it kept", c.kind, c.key, err)
		}
	}
	if err := s.UseJTI(ctx, "c1", "stale", fresh); err != nil {
		t.Errorf("expired jti was kept: %v", err)
	}
	wantErr(t, s.UseJTI(ctx, "c1", "fresh", fresh), store.ErrAlreadyUsed, "fresh jti kept")
}

// testConcurrentWrites: many writers at once all succeed (no "database is
// locked" reaching the caller) and read-modify-write loses no update.
func testConcurrentWrites(t *testing.T, s store.Store) {
	ctx := context.Background()
	c := newClient("counter")
	c.RedirectURIs = nil
	must(t, s.CreateClient(ctx, c), "create counter")
	const workers, each = 8, 8
	errs := race(workers, func(w int) error {
		for i := range each {
			if _, err := s.UpdateClient(ctx, "counter", func(c *store.Client) error {
				c.RedirectURIs = append(c.RedirectURIs, fmt.Sprintf("https://w%d.example/%d", w, i))
				return nil
			}); err != nil {
				return fmt.Errorf("update: %w", err)
			}
			if err := s.CreateSession(ctx, newSession(fmt.Sprintf("w%d-%d", w, i), t0)); err != nil {
				return fmt.Errorf("create session: %w", err)
			}
			if _, err := s.GetClient(ctx, "counter"); err != nil {
				return fmt.Errorf("read: %w", err)
			}
		}
		return nil
	})
	for w, err := range errs {
		if err != nil {
			t.Errorf("writer %d: %v", w, err)
		}
	}
	got, err := s.GetClient(ctx, "counter")
	must(t, err, "get counter")
	if len(got.RedirectURIs) != workers*each {
		t.Errorf("%d updates kept, want %d (lost updates)", len(got.RedirectURIs), workers*each)
	}
}

func testContext(t *testing.T, s store.Store) {
	ctx := context.Background()
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	_, err := s.GetClient(canceled, "x")
	wantErr(t, err, context.Canceled, "read with a canceled context")
	wantErr(t, s.CreateClient(canceled, newClient("x")), context.Canceled, "write with a canceled context")
	_, err = s.GetClient(ctx, "x")
	wantErr(t, err, store.ErrNotFound, "write with a canceled context stored")

	// One writer holds its transaction open; a second writer gives up
	// with its deadline and a reader is not held up.
	must(t, s.CreateClient(ctx, newClient("busy")), "create")
	entered, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		_, err := s.UpdateClient(ctx, "busy", func(c *store.Client) error {
			close(entered)
			<-release
			c.Name = "first writer"
			return nil
		})
		done <- err
	}()
	select {
	case <-entered:
	case err := <-done:
		t.Fatalf("first writer ended early: %v", err)
	}

	rctx, rcancel := context.WithTimeout(ctx, 10*time.Second)
	c, err := s.GetClient(rctx, "busy")
	rcancel()
	if err != nil || c.Name != newClient("busy").Name {
		t.Errorf("read during a write: %v, %v; want the committed client", c, err)
	}

	wctx, wcancel := context.WithTimeout(ctx, 100*time.Millisecond)
	_, err = s.UpdateClient(wctx, "busy", func(c *store.Client) error {
		c.Name = "second writer"
		return nil
	})
	wcancel()
	wantErr(t, err, context.DeadlineExceeded, "writer behind a writer")

	close(release)
	must(t, <-done, "first writer")
	c, err = s.GetClient(ctx, "busy")
	must(t, err, "get")
	if c.Name != "first writer" {
		t.Errorf("name %q, want the first writer's", c.Name)
	}
}

func testPing(t *testing.T, s store.Store) {
	must(t, s.Ping(context.Background()), "ping")
}

// testRevokeAccess: revocation of opaque access tokens keeps the first time.
func testRevokeAccess(t *testing.T, s store.Store) {
	ctx := context.Background()
	must(t, s.CreateAccessToken(ctx, newAccessToken("at", t0.Add(time.Hour))), "create")
	must(t, s.CreateAccessToken(ctx, newAccessToken("other", t0.Add(time.Hour))), "create other")
	first := t0.Add(time.Minute)
	must(t, s.RevokeAccessToken(ctx, "at", first), "revoke")
	must(t, s.RevokeAccessToken(ctx, "at", t0.Add(2*time.Minute)), "revoke again")
	got, err := s.GetAccessToken(ctx, "at")
	must(t, err, "get")
	if got.RevokedAt == nil || !got.RevokedAt.Equal(first.Truncate(time.Microsecond)) {
		t.Errorf("RevokedAt = %v, want the first revocation %v", got.RevokedAt, first)
	}
	other, err := s.GetAccessToken(ctx, "other")
	must(t, err, "get other")
	if other.RevokedAt != nil {
		t.Errorf("revoking one token revoked another")
	}
	wantErr(t, s.RevokeAccessToken(ctx, "missing", first), store.ErrNotFound, "revoke missing")

	// Expired tokens go with DeleteExpired.
	must(t, s.DeleteExpired(ctx, t0.Add(2*time.Hour), time.Hour), "delete expired")
	_, err = s.GetAccessToken(ctx, "at")
	wantErr(t, err, store.ErrNotFound, "expired token after DeleteExpired")
}

// testDenyJTI: the JWT denylist is idempotent and expires.
func testDenyJTI(t *testing.T, s store.Store) {
	ctx := context.Background()
	denied, err := s.JTIDenied(ctx, "j1")
	must(t, err, "check unknown")
	if denied {
		t.Fatal("unknown jti reported denied")
	}
	must(t, s.DenyJTI(ctx, "j1", t0.Add(time.Hour)), "deny")
	must(t, s.DenyJTI(ctx, "j1", t0.Add(time.Hour)), "deny again")
	for _, c := range []struct {
		jti  string
		want bool
	}{{"j1", true}, {"j2", false}} {
		got, err := s.JTIDenied(ctx, c.jti)
		must(t, err, "check "+c.jti)
		if got != c.want {
			t.Errorf("JTIDenied(%s) = %v, want %v", c.jti, got, c.want)
		}
	}
	must(t, s.DeleteExpired(ctx, t0.Add(2*time.Hour), time.Hour), "delete expired")
	if got, err := s.JTIDenied(ctx, "j1"); err != nil || got {
		t.Errorf("after expiry: JTIDenied = %v, %v; want false", got, err)
	}
}
