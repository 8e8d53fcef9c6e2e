package manage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lucid-auth/lucid/internal/rar"
	"github.com/lucid-auth/lucid/internal/store"
)

// APISpec describes a resource server to register.
type APISpec struct {
	ID          string // identifier: the audience, an absolute URI
	Name        string
	Scopes      []string
	TokenFormat string        // jwt (default) or opaque
	TokenTTL    time.Duration // 0: the server's access token lifetime
	// DetailTypes are the authorization details types (RFC 9396) the API
	// serves, each with its JSON Schema; a type name belongs to one API.
	DetailTypes []store.DetailType
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
	if a.DetailTypes, err = s.checkDetailTypes(ctx, a.ID, spec.DetailTypes); err != nil {
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

// maxDetailTypes bounds the types one API registers.
const maxDetailTypes = 32

// checkDetailTypes validates an API's authorization details types: each
// name once and not another API's, a description whose placeholders are
// well formed, a schema that compiles (kept compact).
func (s *Service) checkDetailTypes(ctx context.Context, apiID string, dts []store.DetailType) ([]store.DetailType, error) {
	if len(dts) == 0 {
		return nil, nil
	}
	if len(dts) > maxDetailTypes {
		return nil, invalid("authorization_details_types", "%d types; an API registers at most %d", len(dts), maxDetailTypes)
	}
	others, err := s.Store.ListAPIs(ctx)
	if err != nil {
		return nil, fmt.Errorf("list apis: %w", err)
	}
	owner := map[string]string{}
	for _, o := range others {
		for _, dt := range o.DetailTypes {
			owner[dt.Type] = o.ID
		}
	}
	out := make([]store.DetailType, 0, len(dts))
	for _, dt := range dts {
		if _, err := rar.Compile(apiID, dt); err != nil {
			return nil, invalid("authorization_details_types", "type %q: %v", dt.Type, err)
		}
		if o, taken := owner[dt.Type]; taken {
			if o == apiID {
				return nil, invalid("authorization_details_types", "type %q is listed twice", dt.Type)
			}
			return nil, invalid("authorization_details_types", "type %q is registered by the API %s already", dt.Type, o)
		}
		owner[dt.Type] = apiID
		schema, err := rar.SchemaJSON(dt.Schema)
		if err != nil {
			return nil, invalid("authorization_details_types", "type %q: the schema is not JSON", dt.Type)
		}
		dt.Schema = schema
		out = append(out, dt)
	}
	return out, nil
}

// checkDetailTypeNames validates the types a client may ask for; they
// need not be registered yet (a client may be set up before its API).
func checkDetailTypeNames(names []string) ([]string, error) {
	if len(names) == 0 {
		return nil, nil
	}
	seen := map[string]bool{}
	out := make([]string, 0, len(names))
	for _, n := range names {
		if err := rar.CheckName(n); err != nil {
			return nil, invalid("authorization_details_types", "%v", err)
		}
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out, nil
}
