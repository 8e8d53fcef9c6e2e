package manage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lucid-auth/lucid/internal/logout"
	"github.com/lucid-auth/lucid/internal/store"
)

// Operations a person does on their own account (the account page): the
// same steps as the operator's, scoped to one session where the person
// keeps the one they are using.

// ChangeOwnPassword stores hash, a password the person chose (already
// checked against the policy), clears a lockout, and ends every other
// browser session of the user with back-channel logout, keeping
// keepSession (the id of the session the change was made in). Unless
// KeepGrantsOnChange, the refresh-token families of the other sessions,
// and those bound to no session, are revoked too: whoever knew the old
// password may hold them.
func (s *Service) ChangeOwnPassword(ctx context.Context, userID, hash, keepSession string) error {
	now := s.now()
	if _, err := s.updateUser(ctx, userID, func(u *store.User) error {
		u.PasswordHash, u.PasswordUnset = hash, false
		u.FailedLogins, u.LockedUntil = 0, time.Time{}
		u.UpdatedAt = now
		return nil
	}); err != nil {
		return err
	}
	sessions, err := s.Store.ListSessionsFor(ctx, userID)
	if err != nil {
		return fmt.Errorf("sessions of user %s: %w", userID, err)
	}
	for _, sess := range sessions {
		if sess.ID == keepSession {
			continue
		}
		if err := s.EndSession(ctx, userID, sess.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	if s.KeepGrantsOnChange {
		return nil
	}
	fams, err := s.Store.ListFamiliesFor(ctx, userID)
	if err != nil {
		return fmt.Errorf("token families of user %s: %w", userID, err)
	}
	for _, f := range fams {
		if f.SessionID == keepSession && keepSession != "" || f.RevokedAt != nil {
			continue
		}
		if err := s.Store.RevokeTokenFamily(ctx, f.ID, ReasonPasswordChanged, now); err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("revoke token family %s: %w", f.ID, err)
		}
	}
	return nil
}

// EndSession signs the user out of one browser session, by its public id
// (sid): the clients that took part in it get a back-channel logout
// (enqueued first, as EndSessions does for all of them), then the session
// is deleted. ErrNotFound when the user has no live session with this id.
func (s *Service) EndSession(ctx context.Context, userID, sessionID string) error {
	sess, err := s.Store.GetSessionByID(ctx, sessionID)
	if err != nil {
		return err
	}
	if sess.UserID != userID {
		return store.ErrNotFound
	}
	now := s.now()
	parts, err := logout.Participants(ctx, s.Store, userID, []string{sessionID})
	if err == nil {
		err = logout.Notify(ctx, s.Store, now, parts)
	}
	if err != nil {
		return fmt.Errorf("back-channel logout of session %s: %w", sessionID, err)
	}
	if s.WakeOutbox != nil && len(parts) > 0 {
		s.WakeOutbox()
	}
	if err := s.Store.DeleteSession(ctx, sess.Hash); err != nil {
		return err
	}
	return nil
}
