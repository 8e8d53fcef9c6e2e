package manage

import (
	"context"

	"github.com/lucid-auth/lucid/internal/store"
)

// SetAdmin grants or revokes the console's admin role. The role only
// opens /console/ to the user; the admin API keeps its own token.
func (s *Service) SetAdmin(ctx context.Context, idOrName string, admin bool) (*store.User, error) {
	cur, err := s.GetUser(ctx, idOrName)
	if err != nil {
		return nil, err
	}
	now := s.now()
	return s.updateUser(ctx, cur.ID, func(u *store.User) error {
		u.Admin = admin
		u.UpdatedAt = now
		return nil
	})
}
