package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/canonical"
)

func newLink(upstream, subject, userID string) *store.IdentityLink {
	return &store.IdentityLink{UpstreamID: upstream, Issuer: "https://" + upstream + ".example", Subject: subject, UserID: userID,
		Email: subject + "@" + upstream + ".example", CreatedAt: t0}
}

// testIdentityLinks: provisioning creates the user and its link together
// or neither; a link is unique per upstream, issuer and subject whatever
// the user; links are listed per user, touched, unlinked, and go with
// their user.
func testIdentityLinks(t *testing.T, s store.Store) {
	ctx := context.Background()
	alice := newUser("u-alice", "alice", "alice@example.com")
	l1 := newLink("corp", "sub-1", alice.ID)
	must(t, s.ProvisionUser(ctx, alice, l1), "ProvisionUser")
	got, err := s.GetIdentityLink(ctx, "corp", l1.Issuer, "sub-1")
	if err != nil || got.UserID != alice.ID || got.Email != l1.Email || !got.CreatedAt.Equal(canonical.Time(t0)) || !got.LastUsedAt.IsZero() {
		t.Fatalf("GetIdentityLink = %+v, %v", got, err)
	}
	if _, err := s.GetUser(ctx, alice.ID); err != nil {
		t.Fatalf("provisioned user: %v", err)
	}

	// The same identity for another new user: neither is created.
	bob := newUser("u-bob", "bob", "bob@example.com")
	wantErr(t, s.ProvisionUser(ctx, bob, newLink("corp", "sub-1", bob.ID)), store.ErrConflict, "ProvisionUser of a linked identity")
	wantErr(t, func() error { _, err := s.GetUser(ctx, bob.ID); return err }(), store.ErrNotFound, "user of a refused provisioning")
	// A taken e-mail: neither is created.
	carol := newUser("u-carol", "carol", "ALICE@example.com")
	wantErr(t, s.ProvisionUser(ctx, carol, newLink("corp", "sub-2", carol.ID)), store.ErrConflict, "ProvisionUser with a taken e-mail")
	wantErr(t, func() error { _, err := s.GetIdentityLink(ctx, "corp", l1.Issuer, "sub-2"); return err }(), store.ErrNotFound, "link of a refused provisioning")

	// A second upstream linked to alice; the same subject at another
	// upstream or issuer is another identity.
	must(t, s.LinkIdentity(ctx, &store.IdentityLink{UpstreamID: "git", Issuer: "https://git.example", Subject: "sub-1", UserID: alice.ID, CreatedAt: t0.Add(time.Second)}), "LinkIdentity")
	wantErr(t, s.LinkIdentity(ctx, newLink("corp", "sub-1", alice.ID)), store.ErrConflict, "LinkIdentity twice")
	wantErr(t, s.LinkIdentity(ctx, newLink("corp", "sub-9", "u-nobody")), store.ErrNotFound, "LinkIdentity to no user")
	links, err := s.ListIdentityLinks(ctx, alice.ID)
	if err != nil || len(links) != 2 || links[0].UpstreamID != "corp" || links[1].UpstreamID != "git" {
		t.Fatalf("ListIdentityLinks = %+v, %v", links, err)
	}
	if links, err := s.ListIdentityLinks(ctx, "u-nobody"); err != nil || len(links) != 0 {
		t.Errorf("ListIdentityLinks(nobody) = %+v, %v", links, err)
	}

	at := t0.Add(time.Hour)
	must(t, s.TouchIdentityLink(ctx, "corp", l1.Issuer, "sub-1", at), "TouchIdentityLink")
	if got, _ := s.GetIdentityLink(ctx, "corp", l1.Issuer, "sub-1"); got == nil || !got.LastUsedAt.Equal(canonical.Time(at)) {
		t.Errorf("after touch: %+v", got)
	}
	wantErr(t, s.TouchIdentityLink(ctx, "corp", l1.Issuer, "sub-none", at), store.ErrNotFound, "TouchIdentityLink of none")

	wantErr(t, s.UnlinkIdentity(ctx, "u-other", "git", "sub-1"), store.ErrNotFound, "UnlinkIdentity of another user's link")
	must(t, s.UnlinkIdentity(ctx, alice.ID, "git", "sub-1"), "UnlinkIdentity")
	wantErr(t, s.UnlinkIdentity(ctx, alice.ID, "git", "sub-1"), store.ErrNotFound, "UnlinkIdentity twice")

	// Deleting the user deletes its links: the identity is free again.
	must(t, s.DeleteUser(ctx, alice.ID), "DeleteUser")
	wantErr(t, func() error { _, err := s.GetIdentityLink(ctx, "corp", l1.Issuer, "sub-1"); return err }(), store.ErrNotFound, "link of a deleted user")
	must(t, s.ProvisionUser(ctx, bob, newLink("corp", "sub-1", bob.ID)), "ProvisionUser after the owner was deleted")
}

// testIdentityLinksConcurrent: of many first sign-ins of one identity at
// once, exactly one provisions an account.
func testIdentityLinksConcurrent(t *testing.T, s store.Store) {
	ctx := context.Background()
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := "u-" + string(rune('a'+i))
			errs[i] = s.ProvisionUser(ctx, newUser(id, "user-"+id, ""), newLink("corp", "same", id))
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, store.ErrConflict):
			t.Errorf("unexpected error: %v", err)
		}
	}
	users, err := s.ListUsers(ctx)
	if won != 1 || err != nil || len(users) != 1 {
		t.Fatalf("%d provisionings won, %d users (%v); want exactly one", won, len(users), err)
	}
}

// testSubjectBlocks: a block is set, replaced, read, listed and lifted.
func testSubjectBlocks(t *testing.T, s store.Store) {
	ctx := context.Background()
	wantErr(t, func() error { _, err := s.GetSubjectBlock(ctx, "corp", "sub-1"); return err }(), store.ErrNotFound, "GetSubjectBlock of none")
	must(t, s.BlockSubject(ctx, &store.SubjectBlock{UpstreamID: "corp", Subject: "sub-1", Reason: "left", CreatedAt: t0}), "BlockSubject")
	must(t, s.BlockSubject(ctx, &store.SubjectBlock{UpstreamID: "corp", Subject: "sub-1", Reason: "compromised", CreatedAt: t0.Add(time.Minute)}), "BlockSubject again")
	must(t, s.BlockSubject(ctx, &store.SubjectBlock{UpstreamID: "git", Subject: "sub-1", CreatedAt: t0}), "BlockSubject elsewhere")
	b, err := s.GetSubjectBlock(ctx, "corp", "sub-1")
	if err != nil || b.Reason != "compromised" || !b.CreatedAt.Equal(canonical.Time(t0.Add(time.Minute))) {
		t.Fatalf("GetSubjectBlock = %+v, %v", b, err)
	}
	list, err := s.ListSubjectBlocks(ctx)
	if err != nil || len(list) != 2 || list[0].UpstreamID != "corp" {
		t.Fatalf("ListSubjectBlocks = %+v, %v", list, err)
	}
	must(t, s.UnblockSubject(ctx, "corp", "sub-1"), "UnblockSubject")
	wantErr(t, s.UnblockSubject(ctx, "corp", "sub-1"), store.ErrNotFound, "UnblockSubject twice")
	if _, err := s.GetSubjectBlock(ctx, "git", "sub-1"); err != nil {
		t.Errorf("the other block: %v", err)
	}
}
