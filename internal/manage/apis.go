package manage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
)

// APISpec describes a resource server to register.
type APISpec struct {
	ID          string // identifier: the audience, an absolute URI
	Name        string
	Scopes      []string
	TokenFormat string        // jwt (default) or opaque
	TokenTTL    time.Duration // 0: the server's access token lifetime
}

// maxAPITTL bounds access token lifetimes: a token that lives a day cannot
// be taken back from a resource server that only checks signatures.
const maxAPITTL = 24 * time.Hour

// CreateAPI registers an API.
func (s *Service) CreateAPI(ctx context.Context, spec APISpec) (*store.API, error) {
	now := s.now()
	a := &store.API{ID: spec.ID, Name: spec.Name, Scopes: spec.Scopes, TokenFormat: spec.TokenFormat, TokenTTL: spec.TokenTTL, CreatedAt: now, UpdatedAt: now}
	if a.TokenFormat == "" {
		a.TokenFormat = store.FormatJWT
	}
	if a.Name == "" {
		a.Name = a.ID
	}
	if err := CheckAPIID(a.ID); err != nil {
		return nil, invalid("id", "%q: %v", a.ID, err)
	}
	if err := checkText("name", a.Name, 200); err != nil {
		return nil, err
	}
	if err := checkOneOf("token_format", a.TokenFormat, knownFormats); err != nil {
		return nil, err
	}
	if a.TokenTTL < 0 || a.TokenTTL > maxAPITTL {
		return nil, invalid("token_ttl", "%s is outside 0 to %s", a.TokenTTL, maxAPITTL)
	}
	var err error
	if a.Scopes, err = checkScopes(a.Scopes); err != nil {
		return nil, err
	}
	if err := s.Store.CreateAPI(ctx, a); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil, conflict("api", "id", a.ID)
		}
		return nil, fmt.Errorf("create api %s: %w", a.ID, err)
	}
	return a, nil
}

// ListAPIs returns every API in creation order.
func (s *Service) ListAPIs(ctx context.Context) ([]*store.API, error) {
	l, err := s.Store.ListAPIs(ctx)
	if err != nil {
		return nil, fmt.Errorf("list apis: %w", err)
	}
	return l, nil
}

// DeleteAPI removes an API. Clients keep it in their audiences until
// updated; tokens for it then carry an audience no API describes.
func (s *Service) DeleteAPI(ctx context.Context, id string) error {
	if err := s.Store.DeleteAPI(ctx, id); err != nil {
		return storeErr(err, "api", id, "delete")
	}
	return nil
}
