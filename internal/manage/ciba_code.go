package manage

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lucid-auth/lucid/internal/store"
)

// The CIBA user code (OpenID CIBA Core §7.1 user_code) is a secret the
// person chooses, like a PIN, so that a client that knows who they are
// cannot start requests to them without also knowing the code. It is
// hashed as a password is (argon2id): a short code under a fast keyed
// hash would fall to a guess of every value once the database and the
// master key leaked together; argon2id keeps each guess costly even then.
const (
	MinCIBAUserCode = 4
	maxCIBAUserCode = 64
)

func checkCIBAUserCode(code string) error {
	switch n := utf8.RuneCountInString(code); {
	case !utf8.ValidString(code):
		return invalid("user_code", "is not valid UTF-8")
	case n < MinCIBAUserCode:
		// The length only: never the code.
		return invalid("user_code", "is %d characters; use at least %d", n, MinCIBAUserCode)
	case n > maxCIBAUserCode:
		return invalid("user_code", "is longer than %d characters", maxCIBAUserCode)
	case strings.TrimSpace(code) != code:
		return invalid("user_code", "starts or ends with white space, which a person typing it would not")
	}
	return nil
}

// SetCIBAUserCode sets (or replaces) the person's CIBA user code and lifts
// a lock of wrong codes.
func (s *Service) SetCIBAUserCode(ctx context.Context, idOrName, code string) (*store.User, error) {
	if err := checkCIBAUserCode(code); err != nil {
		return nil, err
	}
	cur, err := s.GetUser(ctx, idOrName)
	if err != nil {
		return nil, err
	}
	h, err := s.hash(code)
	if err != nil {
		return nil, fmt.Errorf("hash CIBA user code: %w", err)
	}
	now := s.now()
	return s.updateUser(ctx, cur.ID, func(u *store.User) error {
		u.CIBAUserCodeHash, u.CIBACodeFailures, u.CIBACodeLockedUntil = h, 0, time.Time{}
		u.UpdatedAt = now
		return nil
	})
}

// ClearCIBAUserCode removes the person's CIBA user code: requests of
// clients that require one are refused for them until they set another.
func (s *Service) ClearCIBAUserCode(ctx context.Context, idOrName string) (*store.User, error) {
	cur, err := s.GetUser(ctx, idOrName)
	if err != nil {
		return nil, err
	}
	now := s.now()
	return s.updateUser(ctx, cur.ID, func(u *store.User) error {
		u.CIBAUserCodeHash, u.CIBACodeFailures, u.CIBACodeLockedUntil = "", 0, time.Time{}
		u.UpdatedAt = now
		return nil
	})
}
