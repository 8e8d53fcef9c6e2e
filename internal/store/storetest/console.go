package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
)

// testListFailures: the console's search by client, entry and time range,
// newest first, bounded by the limit.
func testListFailures(t *testing.T, s store.Store) {
	ctx := context.Background()
	var batch []*store.Failure
	for i := range 6 {
		f := newFailure(fmt.Sprintf("list-%d", i), t0.Add(time.Duration(i)*time.Minute))
		if i%2 == 1 {
			f.ClientID, f.Name = "client-2", "client_secret_wrong"
		}
		batch = append(batch, f)
	}
	must(t, s.RecordFailures(ctx, batch), "record failures")
	ids := func(fs []*store.Failure) string {
		out := ""
		for _, f := range fs {
			out += f.TraceID + " "
		}
		return out
	}
	for _, c := range []struct {
		name string
		q    store.FailureQuery
		want string
	}{
		{"all, newest first", store.FailureQuery{}, "list-5 list-4 list-3 list-2 list-1 list-0 "},
		{"by client", store.FailureQuery{ClientID: "client-2"}, "list-5 list-3 list-1 "},
		{"by entry", store.FailureQuery{Name: "code_unknown"}, "list-4 list-2 list-0 "},
		{"client and entry that never meet", store.FailureQuery{ClientID: "client-2", Name: "code_unknown"}, ""},
		{"time range, to exclusive", store.FailureQuery{From: t0.Add(time.Minute), To: t0.Add(3 * time.Minute)}, "list-2 list-1 "},
		{"limit", store.FailureQuery{Limit: 2}, "list-5 list-4 "},
	} {
		got, err := s.ListFailures(ctx, c.q)
		must(t, err, c.name)
		if ids(got) != c.want {
			t.Errorf("%s: got %q, want %q", c.name, ids(got), c.want)
		}
	}
	got, err := s.ListFailures(ctx, store.FailureQuery{ClientID: "client-2", Limit: 1})
	must(t, err, "one story")
	if len(got) == 1 {
		same(t, batch[5], got[0], "listed failure")
	}
}

// testUserAdmin: the console's admin role is kept with the user.
func testUserAdmin(t *testing.T, s store.Store) {
	ctx := context.Background()
	u := newUser("console-admin", "console-admin", "console-admin@example.com")
	must(t, s.CreateUser(ctx, u), "create user")
	if got, err := s.GetUser(ctx, u.ID); err != nil || got.Admin {
		t.Fatalf("a new user is an admin: %+v, %v", got, err)
	}
	_, err := s.UpdateUser(ctx, u.ID, func(u *store.User) error { u.Admin = true; return nil })
	must(t, err, "grant admin")
	if got, err := s.GetUser(ctx, u.ID); err != nil || !got.Admin {
		t.Errorf("the admin role was not kept: %+v, %v", got, err)
	}
}
