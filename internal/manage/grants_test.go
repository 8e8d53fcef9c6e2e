package manage

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
)

// TestChangesEndGrants: setting a password or disabling a user (by
// SetDisabled or a patch) revokes the user's token families and deletes
// their sessions, unless KeepGrantsOnChange; other users keep theirs, and
// enabling or other patches end nothing.
func TestChangesEndGrants(t *testing.T) {
	ctx := context.Background()
	yes, no, name := true, false, "Ada"
	cases := []struct {
		name   string
		keep   bool
		change func(*Service, string) error
		ends   bool
		reason string
	}{
		{"set password", false, func(s *Service, id string) error { return s.SetPassword(ctx, id, "a new password") }, true, ReasonPasswordChanged},
		{"disable", false, func(s *Service, id string) error { _, err := s.SetDisabled(ctx, id, true); return err }, true, ReasonUserDisabled},
		{"disable by patch", false, func(s *Service, id string) error {
			_, err := s.UpdateUser(ctx, id, UserPatch{Disabled: &yes})
			return err
		}, true, ReasonUserDisabled},
		{"enable", false, func(s *Service, id string) error { _, err := s.SetDisabled(ctx, id, false); return err }, false, ""},
		{"patch enabled and name", false, func(s *Service, id string) error {
			_, err := s.UpdateUser(ctx, id, UserPatch{Disabled: &no, Name: &name})
			return err
		}, false, ""},
		{"unlock", false, func(s *Service, id string) error { _, err := s.Unlock(ctx, id); return err }, false, ""},
		{"set password, kept", true, func(s *Service, id string) error { return s.SetPassword(ctx, id, "a new password") }, false, ""},
		{"disable, kept", true, func(s *Service, id string) error { _, err := s.SetDisabled(ctx, id, true); return err }, false, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			svc, clk := newService(t)
			svc.KeepGrantsOnChange = tc.keep
			var ids []string
			for _, n := range []string{"alice", "bob"} {
				u, err := svc.CreateUser(ctx, UserSpec{Username: n, Password: "violet tulip harbor"})
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, u.ID)
				if err := svc.Store.CreateTokenFamily(ctx, &store.TokenFamily{ID: "fam-" + n, ClientID: "c", UserID: u.ID, CreatedAt: clk.t}, store.Issued{}); err != nil {
					t.Fatal(err)
				}
				if err := svc.Store.CreateSession(ctx, &store.Session{Hash: "sess-" + n, ID: "sid-" + n, UserID: u.ID, CreatedAt: clk.t, ExpiresAt: clk.t.Add(24 * time.Hour)}); err != nil {
					t.Fatal(err)
				}
			}
			if err := tc.change(svc, ids[0]); err != nil {
				t.Fatal(err)
			}
			for i, n := range []string{"alice", "bob"} {
				ends := tc.ends && i == 0
				f, err := svc.Store.GetTokenFamily(ctx, "fam-"+n)
				if err != nil {
					t.Fatal(err)
				}
				if (f.RevokedAt != nil) != ends || (ends && f.RevokeReason != tc.reason) {
					t.Errorf("%s's family: revoked %v (%q), want revoked %v (%q)", n, f.RevokedAt, f.RevokeReason, ends, tc.reason)
				}
				_, err = svc.Store.GetSession(ctx, "sess-"+n)
				if gone := errors.Is(err, store.ErrNotFound); gone != ends || (err != nil && !gone) {
					t.Errorf("%s's session: err %v, want gone %v", n, err, ends)
				}
			}
		})
	}
}
