package manage

import (
	"context"
	"fmt"

	"github.com/lucid-auth/lucid/internal/store"
)

// Consents lists what a user has granted, by client.
func (s *Service) Consents(ctx context.Context, user string) ([]*store.Consent, error) {
	u, err := s.GetUser(ctx, user)
	if err != nil {
		return nil, err
	}
	l, err := s.Store.ListConsents(ctx, u.ID)
	if err != nil {
		return nil, fmt.Errorf("list consents of user %s: %w", u.ID, err)
	}
	return l, nil
}

// WithdrawConsent forgets what the user granted the client and revokes
// every token the client holds for the user: the next sign-in asks again.
// The tokens go first, so a failure halfway never leaves live tokens
// without a consent behind them.
func (s *Service) WithdrawConsent(ctx context.Context, user, clientID string) error {
	u, err := s.GetUser(ctx, user)
	if err != nil {
		return err
	}
	if _, err := s.Store.GetConsent(ctx, u.ID, clientID); err != nil {
		return storeErr(err, "consent of user "+u.Username+" for client", clientID, "withdraw")
	}
	if err := s.Store.RevokeFamiliesFor(ctx, u.ID, clientID, store.ReasonConsentWithdrawn, s.now()); err != nil {
		return fmt.Errorf("revoke tokens of user %s for client %s: %w", u.ID, clientID, err)
	}
	if err := s.Store.DeleteConsent(ctx, u.ID, clientID); err != nil {
		return storeErr(err, "consent of user "+u.Username+" for client", clientID, "withdraw")
	}
	return nil
}
