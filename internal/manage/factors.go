package manage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
)

// FactorsView is what second factors and passkeys a user has; never a
// secret, a code or a public key.
type FactorsView struct {
	UserID   string `json:"user_id"`
	Username string `json:"username"`
	// TOTP is when an authenticator app was set up; nil without one.
	TOTP *time.Time `json:"totp_since,omitempty"`
	// RecoveryCodes counts the unused recovery codes.
	RecoveryCodes int           `json:"recovery_codes_left"`
	Passkeys      []PasskeyView `json:"passkeys"`
}

// PasskeyView is one registered passkey.
type PasskeyView struct {
	ID             string     `json:"id"`
	Name           string     `json:"name"`
	CreatedAt      time.Time  `json:"created_at"`
	LastUsedAt     *time.Time `json:"last_used_at,omitempty"`
	Transports     []string   `json:"transports,omitempty"`
	AAGUID         string     `json:"aaguid,omitempty"`
	BackupEligible bool       `json:"backup_eligible"`
	UserVerified   bool       `json:"user_verified"`
}

// Factors lists the user's second factors and passkeys.
func (s *Service) Factors(ctx context.Context, idOrName string) (*FactorsView, error) {
	u, err := s.GetUser(ctx, idOrName)
	if err != nil {
		return nil, err
	}
	v := &FactorsView{UserID: u.ID, Username: u.Username, Passkeys: []PasskeyView{}}
	t, err := s.Store.GetTOTP(ctx, u.ID)
	switch {
	case err == nil:
		at := t.CreatedAt
		v.TOTP = &at
	case !errors.Is(err, store.ErrNotFound):
		return nil, fmt.Errorf("read the authenticator app of user %s: %w", u.ID, err)
	}
	if v.RecoveryCodes, err = s.Store.CountRecoveryCodes(ctx, u.ID); err != nil {
		return nil, fmt.Errorf("count recovery codes of user %s: %w", u.ID, err)
	}
	keys, err := s.Store.ListPasskeys(ctx, u.ID)
	if err != nil {
		return nil, fmt.Errorf("list passkeys of user %s: %w", u.ID, err)
	}
	for _, k := range keys {
		p := PasskeyView{ID: k.ID, Name: k.Name, CreatedAt: k.CreatedAt, Transports: k.Transports,
			BackupEligible: k.BackupEligible, UserVerified: k.UserVerified}
		if !k.LastUsedAt.IsZero() {
			at := k.LastUsedAt
			p.LastUsedAt = &at
		}
		if len(k.AAGUID) == 16 {
			a := k.AAGUID
			p.AAGUID = fmt.Sprintf("%x-%x-%x-%x-%x", a[0:4], a[4:6], a[6:8], a[8:10], a[10:16])
		}
		v.Passkeys = append(v.Passkeys, p)
	}
	return v, nil
}

// ResetFactors removes every second factor, recovery code and passkey of
// the user, for a person who lost them; they set one up again at their
// next sign-in that asks for one. It returns what was removed.
func (s *Service) ResetFactors(ctx context.Context, idOrName string) (*FactorsView, error) {
	before, err := s.Factors(ctx, idOrName)
	if err != nil {
		return nil, err
	}
	if err := s.Store.DeleteFactors(ctx, before.UserID); err != nil {
		return nil, fmt.Errorf("reset factors of user %s: %w", before.UserID, err)
	}
	return before, nil
}
