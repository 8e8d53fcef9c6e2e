package manage

import (
	"context"
	"fmt"
	"strings"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/store"
)

// Identities lists the upstream identities linked to a user.
func (s *Service) Identities(ctx context.Context, user string) ([]*store.IdentityLink, error) {
	u, err := s.GetUser(ctx, user)
	if err != nil {
		return nil, err
	}
	l, err := s.Store.ListIdentityLinks(ctx, u.ID)
	if err != nil {
		return nil, fmt.Errorf("list identities of user %s: %w", u.ID, err)
	}
	if l == nil {
		l = []*store.IdentityLink{}
	}
	return l, nil
}

// Unlink removes a user's link to an upstream identity; the identity's
// next sign-in is a first one (provisioning, if the upstream allows it).
func (s *Service) Unlink(ctx context.Context, user, upstreamID, subject string) error {
	u, err := s.GetUser(ctx, user)
	if err != nil {
		return err
	}
	if err := s.Store.UnlinkIdentity(ctx, u.ID, upstreamID, subject); err != nil {
		return storeErr(err, "identity of user "+u.Username+" at upstream "+upstreamID+" with subject", subject, "unlink")
	}
	return nil
}

// Block refuses an upstream subject's sign-ins from now on, linked or not.
func (s *Service) Block(ctx context.Context, upstreamID, subject, reason string) (*store.SubjectBlock, error) {
	if strings.TrimSpace(upstreamID) == "" || strings.TrimSpace(subject) == "" {
		return nil, catalog.New(catalog.AdminInvalid, "field", "subject", "reason", "both the upstream and the subject are required")
	}
	b := &store.SubjectBlock{UpstreamID: upstreamID, Subject: subject, Reason: catalog.Clip(reason, 200), CreatedAt: s.now()}
	if err := s.Store.BlockSubject(ctx, b); err != nil {
		return nil, fmt.Errorf("block subject %s at upstream %s: %w", subject, upstreamID, err)
	}
	return b, nil
}

// Unblock lifts a block.
func (s *Service) Unblock(ctx context.Context, upstreamID, subject string) error {
	if err := s.Store.UnblockSubject(ctx, upstreamID, subject); err != nil {
		return storeErr(err, "block at upstream "+upstreamID+" of subject", subject, "unblock")
	}
	return nil
}

// Blocks lists the blocked upstream subjects.
func (s *Service) Blocks(ctx context.Context) ([]*store.SubjectBlock, error) {
	l, err := s.Store.ListSubjectBlocks(ctx)
	if err != nil {
		return nil, fmt.Errorf("list blocked subjects: %w", err)
	}
	if l == nil {
		l = []*store.SubjectBlock{}
	}
	return l, nil
}
