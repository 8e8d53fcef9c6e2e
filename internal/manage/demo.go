package manage

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/store"
)

// The demo account and client that `lucid demo` sets up.
const (
	DemoUsername = "demo"
	DemoPassword = "demo-password-123"
	DemoClientID = "demo"
)

// DemoInfo says what SeedDemo found or made.
type DemoInfo struct {
	UserID        string
	Username      string
	Password      string
	ClientID      string
	RedirectURI   string
	URL           string // the demo application's start page
	CreatedUser   bool
	CreatedClient bool
	UpdatedClient bool // the client existed with another issuer's URIs
}

// SeedDemo makes sure the demo user and the demo client exist. It is
// idempotent: a second run changes nothing, except that a demo client
// registered for another issuer gets this issuer's URIs, so a reused demo
// database works on a new address.
func (s *Service) SeedDemo(ctx context.Context, issuer string) (DemoInfo, error) {
	issuer = strings.TrimSuffix(issuer, "/")
	info := DemoInfo{
		Username:    DemoUsername,
		Password:    DemoPassword,
		ClientID:    DemoClientID,
		RedirectURI: issuer + "/demo/callback",
		URL:         issuer + "/demo",
	}

	u, err := s.Store.GetUserByUsername(ctx, DemoUsername)
	switch {
	case errors.Is(err, store.ErrNotFound):
		u, err = s.CreateUser(ctx, UserSpec{
			Username: DemoUsername, Password: DemoPassword,
			Name: "Demo User", GivenName: "Demo", FamilyName: "User",
			Email: "demo@example.com", EmailVerified: true,
		})
		if err != nil {
			return info, fmt.Errorf("create demo user: %w", err)
		}
		info.CreatedUser = true
	case err != nil:
		return info, fmt.Errorf("look up demo user: %w", err)
	}
	info.UserID = u.ID

	redirect := []string{info.RedirectURI}
	postLogout := []string{info.URL}
	c, err := s.Store.GetClient(ctx, DemoClientID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		_, _, err = s.CreateClient(ctx, ClientSpec{
			ID:                     DemoClientID,
			Name:                   "Lucid Demo",
			AuthMethod:             store.AuthNone,
			RedirectURIs:           redirect,
			PostLogoutRedirectURIs: postLogout,
			Scopes:                 []string{"openid", "profile", "email", "address", "phone", "offline_access"},
		})
		var ce *catalog.Error
		if errors.As(err, &ce) && ce.Name() == catalog.AdminConflict {
			// Another replica seeded it first.
			return info, nil
		}
		if err != nil {
			return info, fmt.Errorf("create demo client: %w", err)
		}
		info.CreatedClient = true
	case err != nil:
		return info, fmt.Errorf("look up demo client: %w", err)
	case !slices.Equal(c.RedirectURIs, redirect) || !slices.Equal(c.PostLogoutRedirectURIs, postLogout):
		if _, err := s.UpdateClient(ctx, DemoClientID, ClientPatch{RedirectURIs: &redirect, PostLogoutRedirectURIs: &postLogout}); err != nil {
			return info, fmt.Errorf("update demo client for %s: %w", issuer, err)
		}
		info.UpdatedClient = true
	}
	return info, nil
}
