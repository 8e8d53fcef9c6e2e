package revocation_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/revocation"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/sqlite"
)

func TestView(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "lucid.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now()
	family := func(id, parent string) {
		t.Helper()
		f := &store.TokenFamily{ID: id, ClientID: "c", UserID: "u", ParentID: parent, CreatedAt: now, AuthTime: now}
		if err := st.CreateTokenFamily(ctx, f, store.Issued{}); err != nil {
			t.Fatal(err)
		}
	}
	family("root", "")
	family("child", "root")
	family("other", "")
	family("theirs", "")

	v := revocation.New(revocation.Options{Store: st, Horizon: time.Hour})
	// This process writes through the watched store; "another process"
	// writes to st directly, and the feed tells the view (Apply).
	mine := v.Watch(st)

	type check func(t *testing.T)
	denied := func(jti string, want, wantKnown bool) check {
		return func(t *testing.T) {
			got, known := v.Denied(jti)
			if got != want || known != wantKnown {
				t.Errorf("Denied(%s) = %v, known %v; want %v, %v", jti, got, known, want, wantKnown)
			}
		}
	}
	revoked := func(id string, iat time.Time, want, wantKnown bool) check {
		return func(t *testing.T) {
			r, known := v.Family(ctx, id, iat)
			if (r != nil) != want || known != wantKnown {
				t.Errorf("Family(%s) = %v, known %v; want revoked %v, known %v", id, r, known, want, wantKnown)
			}
		}
	}
	steps := []struct {
		name   string
		do     func() error
		checks []check
	}{
		{"not live before the feed flushes", nil, []check{denied("j1", false, false), revoked("other", now, false, false)}},
		{"live after the first flush", func() error { v.Apply(ctx, store.Change{Kind: store.ChangeFlush}); return nil },
			[]check{denied("j1", false, true), revoked("child", now, false, true)}},
		{"own denial seen at once", func() error { return mine.DenyJTI(ctx, "j1", now.Add(time.Hour)) },
			[]check{denied("j1", true, true)}},
		{"another's denial unseen until the feed tells", func() error { return st.DenyJTI(ctx, "j2", now.Add(time.Hour)) },
			[]check{denied("j2", false, true)}},
		{"the feed tells", func() error { v.Apply(ctx, store.Change{Kind: store.ChangeDeniedJTI, ID: "j2"}); return nil },
			[]check{denied("j2", true, true)}},
		{"own revocation reaches descendants", func() error { return mine.RevokeTokenFamily(ctx, "root", "test", now) },
			[]check{revoked("root", now, true, true), revoked("child", now, true, true), revoked("other", now, false, true)}},
		{"another's revocation, then the feed", func() error {
			if err := st.RevokeTokenFamily(ctx, "other", "test", now); err != nil {
				return err
			}
			v.Apply(ctx, store.Change{Kind: store.ChangeFamily, ID: "other"})
			return nil
		}, []check{revoked("other", now, true, true)}},
		{"own revocation of a user's families", func() error { return mine.RevokeFamiliesFor(ctx, "u", "", "test", now) },
			[]check{revoked("theirs", now, true, true)}},
		{"a token older than the horizon is the store's to check", nil,
			[]check{revoked("theirs", now.Add(-2*time.Hour), false, false)}},
		{"not live once the feed is lost", func() error { v.Apply(ctx, store.Change{Kind: store.ChangeLost}); return nil },
			[]check{denied("j1", false, false), revoked("root", now, false, false)}},
		{"a reload while lost does not make it live", func() error { v.Reload(ctx); return nil },
			[]check{denied("j1", false, false)}},
		{"live again after the reconnection's flush", func() error { v.Apply(ctx, store.Change{Kind: store.ChangeFlush}); return nil },
			[]check{denied("j1", true, true), denied("j2", true, true), revoked("root", now, true, true)}},
	}
	for _, s := range steps {
		if s.do != nil {
			if err := s.do(); err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
		}
		t.Run(s.name, func(t *testing.T) {
			for _, c := range s.checks {
				c(t)
			}
		})
	}
}
