package manage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/logout"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
)

// UserSpec describes a user to create.
type UserSpec struct {
	Username      string
	Email         string
	EmailVerified bool
	Name          string
	GivenName     string
	FamilyName    string
	Phone         string
	PhoneVerified bool
	Address       *store.Address
	Password      string
	Disabled      bool
}

// UserPatch changes the fields that are not nil. Passwords change only
// through SetPassword.
type UserPatch struct {
	Username      *string
	Email         *string
	EmailVerified *bool
	Name          *string
	GivenName     *string
	FamilyName    *string
	Phone         *string
	PhoneVerified *bool
	Address       **store.Address
	Disabled      *bool
}

// CreateUser adds a user with an argon2id password hash.
func (s *Service) CreateUser(ctx context.Context, spec UserSpec) (*store.User, error) {
	now := s.now()
	u := &store.User{
		ID:            secret.ID(16),
		Username:      spec.Username,
		Email:         spec.Email,
		EmailVerified: spec.EmailVerified,
		Name:          spec.Name,
		GivenName:     spec.GivenName,
		FamilyName:    spec.FamilyName,
		Phone:         spec.Phone,
		PhoneVerified: spec.PhoneVerified,
		Address:       spec.Address,
		Disabled:      spec.Disabled,
		CreatedAt:     now,
		UpdatedAt:     now,
	}
	if err := checkUser(u); err != nil {
		return nil, err
	}
	if err := s.checkPassword(spec.Password, spec.Username, spec.Email); err != nil {
		return nil, err
	}
	if err := s.checkUnique(ctx, u); err != nil {
		return nil, err
	}
	h, err := s.hash(spec.Password)
	if err != nil {
		return nil, fmt.Errorf("hash password: %w", err)
	}
	u.PasswordHash = h
	if err := s.Store.CreateUser(ctx, u); err != nil {
		if errors.Is(err, store.ErrConflict) {
			// Lost a race with another create: say which value, as best known.
			if err := s.checkUnique(ctx, u); err != nil {
				return nil, err
			}
			return nil, conflict("user", "username", u.Username)
		}
		return nil, fmt.Errorf("create user %s: %w", u.Username, err)
	}
	if u.Email != "" && !u.EmailVerified {
		return u, s.emailChanged(ctx, u)
	}
	return u, nil
}

// emailChanged sends a verification link to the user's new, unverified
// address (EmailChanged); without mail the address stays unverified
// until an operator says otherwise.
func (s *Service) emailChanged(ctx context.Context, u *store.User) error {
	if s.EmailChanged == nil {
		return nil
	}
	if err := s.EmailChanged(ctx, u); err != nil {
		return fmt.Errorf("user %s is saved, but the verification mail to its address could not be queued: %w", u.Username, err)
	}
	return nil
}

func checkUser(u *store.User) error {
	if err := checkUsername(u.Username); err != nil {
		return err
	}
	if u.Email != "" {
		if err := checkEmail(u.Email); err != nil {
			return err
		}
	} else if u.EmailVerified {
		return invalid("email_verified", "cannot be true without an email address")
	}
	if u.Phone == "" && u.PhoneVerified {
		return invalid("phone_number_verified", "cannot be true without a phone number")
	}
	for _, f := range []struct{ field, v string }{
		{"name", u.Name}, {"given_name", u.GivenName}, {"family_name", u.FamilyName}, {"phone_number", u.Phone},
	} {
		if err := checkText(f.field, f.v, 200); err != nil {
			return err
		}
	}
	return nil
}

// checkUnique refuses a username or email that another user has. Sign-in
// matches either, case-insensitively, so the check does too.
func (s *Service) checkUnique(ctx context.Context, u *store.User) error {
	for _, f := range []struct{ field, v string }{{"username", u.Username}, {"email", u.Email}} {
		if f.v == "" {
			continue
		}
		other, err := s.Store.GetUserByUsername(ctx, f.v)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return fmt.Errorf("look up user %s: %w", f.v, err)
		case other.ID != u.ID:
			return conflict("user", f.field, f.v)
		}
	}
	return nil
}

// GetUser finds a user by id, or else by username or email.
func (s *Service) GetUser(ctx context.Context, idOrName string) (*store.User, error) {
	u, err := s.Store.GetUser(ctx, idOrName)
	if errors.Is(err, store.ErrNotFound) && idOrName != "" {
		u, err = s.Store.GetUserByUsername(ctx, idOrName)
	}
	if err != nil {
		return nil, storeErr(err, "user", idOrName, "get")
	}
	return u, nil
}

// ListUsers returns every user.
func (s *Service) ListUsers(ctx context.Context) ([]*store.User, error) {
	us, err := s.Store.ListUsers(ctx)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return us, nil
}

// UpdateUser applies a partial update to the user found by id or name.
func (s *Service) UpdateUser(ctx context.Context, idOrName string, p UserPatch) (*store.User, error) {
	cur, err := s.GetUser(ctx, idOrName)
	if err != nil {
		return nil, err
	}
	if p.Username != nil || p.Email != nil {
		probe := *cur
		set(&probe.Username, p.Username)
		set(&probe.Email, p.Email)
		if err := s.checkUnique(ctx, &probe); err != nil {
			return nil, err
		}
	}
	now := s.now()
	disabling, newAddress := false, false
	u, err := s.updateUser(ctx, cur.ID, func(u *store.User) error {
		disabling = !u.Disabled && p.Disabled != nil && *p.Disabled
		if p.Email != nil && !strings.EqualFold(*p.Email, u.Email) && p.EmailVerified == nil {
			u.EmailVerified = false // a new address is unverified until said otherwise
		}
		if p.Phone != nil && *p.Phone != u.Phone && p.PhoneVerified == nil {
			u.PhoneVerified = false
		}
		set(&u.Username, p.Username)
		set(&u.Email, p.Email)
		set(&u.EmailVerified, p.EmailVerified)
		set(&u.Name, p.Name)
		set(&u.GivenName, p.GivenName)
		set(&u.FamilyName, p.FamilyName)
		set(&u.Phone, p.Phone)
		set(&u.PhoneVerified, p.PhoneVerified)
		set(&u.Address, p.Address)
		set(&u.Disabled, p.Disabled)
		if err := checkUser(u); err != nil {
			return err
		}
		// Setting an address, new or the same again, that stays unverified
		// sends a link: the way to send a fresh one.
		newAddress = p.Email != nil && u.Email != "" && !u.EmailVerified
		u.UpdatedAt = now
		return nil
	})
	if err == nil && newAddress {
		err = s.emailChanged(ctx, u)
	}
	if err != nil || !disabling {
		return u, err
	}
	// Disabling through a patch (the admin API's PATCH) ends grants as
	// SetDisabled does.
	return u, s.endGrants(ctx, cur.ID, ReasonUserDisabled, now)
}

func (s *Service) updateUser(ctx context.Context, id string, fn func(*store.User) error) (*store.User, error) {
	u, err := s.Store.UpdateUser(ctx, id, fn)
	if err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil, conflict("user", "this", "username or email")
		}
		return nil, storeErr(err, "user", id, "update")
	}
	return u, nil
}

// Revoke reasons of the families ended by a change to their user; the
// refresh grant names them in refresh_token_revoked.
const (
	ReasonPasswordReset   = "password reset"
	ReasonPasswordChanged = "password changed"
	ReasonUserDisabled    = "user disabled"
)

// SetPassword replaces a user's password and lifts a lockout: the operator
// has just vouched for the account. Unless KeepGrantsOnChange, it also ends
// every refresh-token family and browser session of the user: whoever knew
// the old password may hold them.
func (s *Service) SetPassword(ctx context.Context, idOrName, pw string) error {
	cur, err := s.GetUser(ctx, idOrName)
	if err != nil {
		return err
	}
	if err := s.checkPassword(pw, cur.Username, cur.Email); err != nil {
		return err
	}
	h, err := s.hash(pw)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	now := s.now()
	if _, err = s.updateUser(ctx, cur.ID, func(u *store.User) error {
		u.PasswordHash, u.PasswordUnset = h, false
		u.FailedLogins = 0
		u.LockedUntil = time.Time{}
		u.UpdatedAt = now
		return nil
	}); err != nil {
		return err
	}
	return s.endGrants(ctx, cur.ID, ReasonPasswordChanged, now)
}

// SetDisabled disables or enables a user. A disabled user keeps everything
// but cannot sign in, and the protocol refuses their tokens and grants;
// unless KeepGrantsOnChange, disabling also ends the user's refresh-token
// families and sessions for good, so that enabling the account again does
// not bring them back.
func (s *Service) SetDisabled(ctx context.Context, idOrName string, disabled bool) (*store.User, error) {
	cur, err := s.GetUser(ctx, idOrName)
	if err != nil {
		return nil, err
	}
	now := s.now()
	u, err := s.updateUser(ctx, cur.ID, func(u *store.User) error {
		u.Disabled = disabled
		u.UpdatedAt = now
		return nil
	})
	if err != nil || !disabled {
		return u, err
	}
	return u, s.endGrants(ctx, cur.ID, ReasonUserDisabled, now)
}

// endGrants revokes every token family of the user (and, through them,
// their access tokens) and deletes the user's browser sessions, after the
// change itself is stored: a failure here leaves the change made and is
// reported, and repeating the command finishes the job.
func (s *Service) endGrants(ctx context.Context, userID, reason string, now time.Time) error {
	if s.KeepGrantsOnChange {
		return nil
	}
	return s.endAll(ctx, userID, reason, now)
}

// endAll is endGrants whatever KeepGrantsOnChange says.
func (s *Service) endAll(ctx context.Context, userID, reason string, now time.Time) error {
	// Told first: the families name the sessions' clients.
	if err := s.notifyLogout(ctx, userID, now); err != nil {
		return err
	}
	if err := s.Store.RevokeFamiliesFor(ctx, userID, "", reason, now); err != nil {
		return fmt.Errorf("revoke tokens of user %s: %w", userID, err)
	}
	if err := s.Store.DeleteSessionsFor(ctx, userID); err != nil {
		return fmt.Errorf("end sessions of user %s: %w", userID, err)
	}
	return nil
}

// EndSessions signs the user out of every browser: each client that took
// part in one of the sessions gets a back-channel logout, then the
// sessions are deleted. Their refresh tokens stay, as with a logout the
// person asked for; SetDisabled or SetPassword end those too.
func (s *Service) EndSessions(ctx context.Context, idOrName string) (*store.User, error) {
	u, err := s.GetUser(ctx, idOrName)
	if err != nil {
		return nil, err
	}
	if err := s.notifyLogout(ctx, u.ID, s.now()); err != nil {
		return nil, err
	}
	if err := s.Store.DeleteSessionsFor(ctx, u.ID); err != nil {
		return nil, fmt.Errorf("end sessions of user %s: %w", u.ID, err)
	}
	return u, nil
}

// notifyLogout enqueues a back-channel logout for every client of the
// user's sessions, before they end, so that a crash in between costs a
// notification too many rather than one too few. The server's outbox
// worker delivers them, also when the CLI made the change.
func (s *Service) notifyLogout(ctx context.Context, userID string, now time.Time) error {
	parts, err := logout.SessionsOf(ctx, s.Store, userID)
	if err == nil {
		err = logout.Notify(ctx, s.Store, now, parts)
	}
	if err != nil {
		return fmt.Errorf("back-channel logout of user %s: %w", userID, err)
	}
	if s.WakeOutbox != nil && len(parts) > 0 {
		s.WakeOutbox()
	}
	return nil
}

// Unlock clears the failed sign-in count and any lockout.
func (s *Service) Unlock(ctx context.Context, idOrName string) (*store.User, error) {
	cur, err := s.GetUser(ctx, idOrName)
	if err != nil {
		return nil, err
	}
	now := s.now()
	return s.updateUser(ctx, cur.ID, func(u *store.User) error {
		u.FailedLogins = 0
		u.LockedUntil = time.Time{}
		u.CIBACodeFailures, u.CIBACodeLockedUntil = 0, time.Time{}
		u.UpdatedAt = now
		return nil
	})
}

// DeleteUser revokes every token family of the user, then deletes the user
// and their consents.
func (s *Service) DeleteUser(ctx context.Context, idOrName string) error {
	u, err := s.GetUser(ctx, idOrName)
	if err != nil {
		return err
	}
	if err := s.notifyLogout(ctx, u.ID, s.now()); err != nil {
		return err
	}
	if err := s.Store.RevokeFamiliesFor(ctx, u.ID, "", "user deleted", s.now()); err != nil {
		return fmt.Errorf("revoke tokens of user %s: %w", u.ID, err)
	}
	consents, err := s.Store.ListConsents(ctx, u.ID)
	if err != nil {
		return fmt.Errorf("list consents of user %s: %w", u.ID, err)
	}
	for _, c := range consents {
		if err := s.Store.DeleteConsent(ctx, u.ID, c.ClientID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("delete consent of user %s: %w", u.ID, err)
		}
	}
	if err := s.Store.DeleteFactors(ctx, u.ID); err != nil {
		return fmt.Errorf("delete factors of user %s: %w", u.ID, err)
	}
	if err := s.Store.DeleteSignIns(ctx, u.ID); err != nil {
		return fmt.Errorf("delete recorded sign-ins of user %s: %w", u.ID, err)
	}
	if err := s.Store.DeleteUser(ctx, u.ID); err != nil {
		return storeErr(err, "user", idOrName, "delete")
	}
	return nil
}

// ResetPassword stores hash, a password the person chose with a reset
// link sent to proven (the address the link went to), lifts a lockout,
// marks the address verified if it is still the account's, and ends every
// session and refresh-token family of the user, with back-channel logout,
// whatever KeepGrantsOnChange says: whoever had the old password must not
// keep what it opened.
func (s *Service) ResetPassword(ctx context.Context, userID, hash, proven string) error {
	now := s.now()
	if _, err := s.updateUser(ctx, userID, func(u *store.User) error {
		u.PasswordHash, u.PasswordUnset = hash, false
		u.FailedLogins = 0
		u.LockedUntil = time.Time{}
		if proven != "" && strings.EqualFold(u.Email, proven) {
			u.EmailVerified = true
		}
		u.UpdatedAt = now
		return nil
	}); err != nil {
		return err
	}
	return s.endAll(ctx, userID, ReasonPasswordReset, now)
}

// VerifyEmail marks the user's address verified, only if it is still
// proven, the address the link was sent to. ok is false when the address
// has changed since.
func (s *Service) VerifyEmail(ctx context.Context, userID, proven string) (u *store.User, ok bool, err error) {
	now := s.now()
	u, err = s.updateUser(ctx, userID, func(u *store.User) error {
		if ok = proven != "" && strings.EqualFold(u.Email, proven); ok {
			u.EmailVerified = true
			u.UpdatedAt = now
		}
		return nil
	})
	return u, ok, err
}

// CheckNewPassword applies the password policy to a password a person
// chose for the account named by username and email (reset, sign-up).
func (s *Service) CheckNewPassword(pw, username, email string) *catalog.Error {
	return s.PasswordPolicy.Check(pw, username, email)
}

// Hash hashes a password as the service stores them (HashPassword).
func (s *Service) Hash(pw string) (string, error) { return s.hash(pw) }

// CheckNewUser judges a user a person is about to create (sign-up) as
// CreateUser would, without storing it: the field and rule on a refusal.
func CheckNewUser(username, email, name string) error {
	return checkUser(&store.User{Username: username, Email: email, Name: name})
}
