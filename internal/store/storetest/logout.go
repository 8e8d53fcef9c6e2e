package storetest

// Conformance of the reads behind back- and front-channel logout: a
// user's sessions and token families, and no one else's.

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
)

func testLogoutReads(t *testing.T, s store.Store) {
	ctx := context.Background()
	later := t0.Add(time.Hour)
	for _, x := range []struct{ hash, user string }{{"a1", "user-a"}, {"a2", "user-a"}, {"b1", "user-b"}, {"p1", "user-a2"}} {
		sess := newSession(x.hash, later)
		sess.UserID = x.user
		must(t, s.CreateSession(ctx, sess), "create session "+x.hash)
	}
	got, err := s.ListSessionsFor(ctx, "user-a")
	must(t, err, "list sessions")
	hashes := ids(got, func(s *store.Session) string { return s.Hash })
	slices.Sort(hashes)
	if !slices.Equal(hashes, []string{"a1", "a2"}) {
		t.Fatalf("sessions of user-a: %v, want a1 a2", hashes)
	}
	want := newSession("a1", later)
	want.UserID = "user-a"
	for _, g := range got {
		if g.Hash == "a1" {
			same(t, want, g, "listed session")
		}
	}
	if got, err := s.ListSessionsFor(ctx, odd); err != nil || len(got) != 0 {
		t.Errorf("sessions of a user without any: %v, %v", got, err)
	}

	fa := newFamily("fam-a", "user-a", "client-1")
	fb := newFamily("fam-b", "user-a", "client-2")
	fb.SessionID = "sid-a2"
	must(t, s.CreateTokenFamily(ctx, fa, store.Issued{}), "create family a")
	must(t, s.CreateTokenFamily(ctx, fb, store.Issued{}), "create family b")
	must(t, s.CreateTokenFamily(ctx, newFamily("fam-c", "user-b", "client-1"), store.Issued{}), "create family c")
	must(t, s.RevokeTokenFamily(ctx, "fam-b", "user disabled", t0), "revoke family b")
	fams, err := s.ListFamiliesFor(ctx, "user-a")
	must(t, err, "list families")
	slices.SortFunc(fams, func(a, b *store.TokenFamily) int { return cmpString(a.ID, b.ID) })
	if len(fams) != 2 || fams[0].ID != "fam-a" || fams[1].ID != "fam-b" {
		t.Fatalf("families of user-a: %v", ids(fams, func(f *store.TokenFamily) string { return f.ID }))
	}
	same(t, fa, fams[0], "listed family")
	if fams[1].SessionID != "sid-a2" || fams[1].RevokedAt == nil || fams[1].RevokeReason != "user disabled" {
		t.Errorf("revoked family listed as %+v", fams[1])
	}
	if got, err := s.ListFamiliesFor(ctx, odd); err != nil || len(got) != 0 {
		t.Errorf("families of a user without any: %v, %v", got, err)
	}
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
