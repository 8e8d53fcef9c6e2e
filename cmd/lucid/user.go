package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/store"
)

func runUser(ctx context.Context, e *env, args []string) error {
	return subcommand(ctx, e, "user", args, []command{
		{"create", "add a user", userCreate},
		{"list", "list users", userList},
		{"show", "show one user (by id, username or email)", userShow},
		{"set-password", "set a user's password, lift a lockout and end their sessions and refresh tokens", userSetPassword},
		{"disable", "stop a user from signing in and end their sessions and refresh tokens", userSetDisabled(true)},
		{"enable", "let a disabled user sign in again", userSetDisabled(false)},
		{"grant-admin", "let a user sign in to the web console (/console/)", userSetAdmin(true)},
		{"revoke-admin", "take the web console away from a user", userSetAdmin(false)},
		{"unlock", "lift a lockout after failed sign-ins or wrong CIBA user codes", userUnlock},
		{"set-ciba-code", "set the person's CIBA user code (the user_code of CIBA requests of clients that require one)", userSetCIBACode},
		{"clear-ciba-code", "remove the person's CIBA user code", userClearCIBACode},
		{"factors", "list a user's authenticator app, recovery codes and passkeys", userFactors},
		{"reset-factors", "remove a user's second factors and passkeys (lost device)", userResetFactors},
		{"delete", "delete a user and revoke their tokens", userDelete},
		{"consents", "list the clients a user has consented to", userConsents},
		{"withdraw-consent", "withdraw a user's consent for a client and revoke its tokens", userWithdrawConsent},
		{"identities", "list the upstream identities linked to a user", userIdentities},
		{"unlink", "remove a user's link to an upstream identity", userUnlink},
	})
}

// passwordFlags are --password and --password-stdin.
type passwordFlags struct {
	value string
	stdin bool
}

func (p *passwordFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&p.value, "password", "", "the password (visible in the process list and shell history; prefer --password-stdin)")
	fs.BoolVar(&p.stdin, "password-stdin", false, "read the password from the first line of stdin")
}

func (p *passwordFlags) read(r io.Reader) (string, error) {
	switch {
	case p.value != "" && p.stdin:
		return "", usagef("give --password or --password-stdin, not both")
	case p.stdin:
		pw, err := readLine(r)
		if err != nil {
			return "", fmt.Errorf("read password from stdin: %w", err)
		}
		if pw == "" {
			return "", usagef("--password-stdin read an empty line")
		}
		return pw, nil
	case p.value != "":
		return p.value, nil
	default:
		return "", usagef("a password is required: --password-stdin (or --password)")
	}
}

func userCreate(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "user create", "")
	var cf commonFlags
	cf.register(fs)
	var spec manage.UserSpec
	var pf passwordFlags
	fs.StringVar(&spec.Username, "username", "", "username (required)")
	fs.StringVar(&spec.Email, "email", "", "email address")
	fs.BoolVar(&spec.EmailVerified, "email-verified", false, "the email address is verified")
	fs.StringVar(&spec.Name, "name", "", "full name")
	fs.StringVar(&spec.GivenName, "given-name", "", "given name")
	fs.StringVar(&spec.FamilyName, "family-name", "", "family name")
	fs.StringVar(&spec.Phone, "phone", "", "phone number")
	fs.BoolVar(&spec.PhoneVerified, "phone-verified", false, "the phone number is verified")
	fs.BoolVar(&spec.Disabled, "disabled", false, "create the user disabled")
	pf.register(fs)
	if _, err := parseFlags(fs, args, 0, 0); err != nil {
		return err
	}
	if spec.Username == "" {
		return usagef("--username is required")
	}
	pw, err := pf.read(e.stdin)
	if err != nil {
		return err
	}
	spec.Password = pw
	s, err := e.open(ctx, &cf)
	if err != nil {
		return err
	}
	defer s.Close()
	u, err := s.svc.CreateUser(ctx, spec)
	if err != nil {
		return err
	}
	return s.showUser(u)
}

func (s *session) showUser(u *store.User) error {
	v := manage.ViewUser(u)
	if s.json {
		return s.printJSON(v)
	}
	email := orDash(v.Email)
	if v.Email != "" && v.EmailVerified {
		email += " (verified)"
	}
	kv := [][2]string{
		{"User ID", v.ID},
		{"Username", v.Username},
		{"Name", orDash(v.Name)},
		{"Given name", orDash(v.GivenName)},
		{"Family name", orDash(v.FamilyName)},
		{"Email", email},
		{"Phone", orDash(v.Phone)},
		{"Disabled", yesNo(v.Disabled)},
		{"Console admin", yesNo(v.Admin)},
		{"Failed sign-ins", fmt.Sprint(v.FailedLogins)},
		{"Locked until", timePtrText(v.LockedUntil)},
		{"CIBA user code", yesNo(v.CIBAUserCode)},
		{"Created", timeText(v.CreatedAt)},
		{"Updated", timeText(v.UpdatedAt)},
	}
	return fields(s.out, kv)
}

func userList(ctx context.Context, e *env, args []string) error {
	s, _, err := e.command(ctx, "user list", "", args, 0, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	us, err := s.svc.ListUsers(ctx)
	if err != nil {
		return err
	}
	views := make([]manage.UserView, len(us))
	for i, u := range us {
		views[i] = manage.ViewUser(u)
	}
	if s.json {
		return s.printJSON(map[string]any{"users": views})
	}
	rows := make([][]string, len(views))
	for i, u := range views {
		rows[i] = []string{u.ID, u.Username, orDash(u.Email), orDash(u.Name), yesNo(u.Disabled)}
	}
	return table(s.out, []string{"USER ID", "USERNAME", "EMAIL", "NAME", "DISABLED"}, rows)
}

// oneUser parses flags and the USER argument (id, username or email) and
// opens the database.
func oneUser(ctx context.Context, e *env, name string, args []string, extra func(fs *flag.FlagSet)) (*session, string, error) {
	s, pos, err := e.command(ctx, "user "+name, "USER", args, 1, extra)
	if err != nil {
		return nil, "", err
	}
	return s, pos[0], nil
}

func userShow(ctx context.Context, e *env, args []string) error {
	s, id, err := oneUser(ctx, e, "show", args, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	u, err := s.svc.GetUser(ctx, id)
	if err != nil {
		return err
	}
	return s.showUser(u)
}

func userSetPassword(ctx context.Context, e *env, args []string) error {
	var pf passwordFlags
	fs := newFlags(e, "user set-password", "USER")
	var cf commonFlags
	cf.register(fs)
	pf.register(fs)
	pos, err := parseFlags(fs, args, 1, 1)
	if err != nil {
		return err
	}
	pw, err := pf.read(e.stdin)
	if err != nil {
		return err
	}
	s, err := e.open(ctx, &cf)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.svc.SetPassword(ctx, pos[0], pw); err != nil {
		return err
	}
	if s.json {
		return s.printJSON(map[string]any{"user": pos[0], "password_set": true})
	}
	fmt.Fprintf(s.out, "Password of %s set.\n", term(pos[0]))
	s.saidGrantsEnded()
	return nil
}

func userSetDisabled(disabled bool) func(context.Context, *env, []string) error {
	name := "enable"
	if disabled {
		name = "disable"
	}
	return func(ctx context.Context, e *env, args []string) error {
		s, id, err := oneUser(ctx, e, name, args, nil)
		if err != nil {
			return err
		}
		defer s.Close()
		u, err := s.svc.SetDisabled(ctx, id, disabled)
		if err != nil {
			return err
		}
		if s.json {
			return s.printJSON(manage.ViewUser(u))
		}
		fmt.Fprintf(s.out, "User %s %sd.\n", term(u.Username), name)
		if disabled {
			s.saidGrantsEnded()
		}
		return nil
	}
}

// saidGrantsEnded tells the operator what a password change or a disable
// did to the user's sessions (users.keep_grants_on_change).
func (s *session) saidGrantsEnded() {
	if s.svc.KeepGrantsOnChange {
		fmt.Fprintln(s.out, "Their sessions and refresh tokens were kept (users.keep_grants_on_change).")
		return
	}
	fmt.Fprintln(s.out, "Their browser sessions and refresh tokens have ended; their applications must sign them in again.")
}

// userSetAdmin grants or revokes the console's admin role.
func userSetAdmin(admin bool) func(context.Context, *env, []string) error {
	name := map[bool]string{true: "grant-admin", false: "revoke-admin"}[admin]
	return func(ctx context.Context, e *env, args []string) error {
		s, id, err := oneUser(ctx, e, name, args, nil)
		if err != nil {
			return err
		}
		defer s.Close()
		u, err := s.svc.SetAdmin(ctx, id, admin)
		if err != nil {
			return err
		}
		if s.json {
			return s.printJSON(manage.ViewUser(u))
		}
		if admin {
			fmt.Fprintf(s.out, "User %s may now sign in to the console.\n", term(u.Username))
		} else {
			fmt.Fprintf(s.out, "User %s may no longer sign in to the console.\n", term(u.Username))
		}
		return nil
	}
}

func userUnlock(ctx context.Context, e *env, args []string) error {
	s, id, err := oneUser(ctx, e, "unlock", args, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	u, err := s.svc.Unlock(ctx, id)
	if err != nil {
		return err
	}
	if s.json {
		return s.printJSON(manage.ViewUser(u))
	}
	fmt.Fprintf(s.out, "User %s unlocked.\n", term(u.Username))
	return nil
}

func userDelete(ctx context.Context, e *env, args []string) error {
	s, id, err := oneUser(ctx, e, "delete", args, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.svc.DeleteUser(ctx, id); err != nil {
		return err
	}
	if s.json {
		return s.printJSON(map[string]any{"user": id, "deleted": true})
	}
	fmt.Fprintf(s.out, "User %s deleted; their tokens are revoked.\n", term(id))
	return nil
}

func userSetCIBACode(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "user set-ciba-code", "USER")
	var cf commonFlags
	cf.register(fs)
	var value string
	var stdin bool
	fs.StringVar(&value, "code", "", "the code (visible in the process list and shell history; prefer --code-stdin)")
	fs.BoolVar(&stdin, "code-stdin", false, "read the code from the first line of stdin")
	pos, err := parseFlags(fs, args, 1, 1)
	if err != nil {
		return err
	}
	switch {
	case value != "" && stdin:
		return usagef("give --code or --code-stdin, not both")
	case stdin:
		if value, err = readLine(e.stdin); err != nil {
			return fmt.Errorf("read the code from stdin: %w", err)
		}
		if value == "" {
			return usagef("--code-stdin read an empty line")
		}
	case value == "":
		return usagef("a code is required: --code-stdin (or --code)")
	}
	s, err := e.open(ctx, &cf)
	if err != nil {
		return err
	}
	defer s.Close()
	u, err := s.svc.SetCIBAUserCode(ctx, pos[0], value)
	if err != nil {
		return err
	}
	if s.json {
		return s.printJSON(manage.ViewUser(u))
	}
	fmt.Fprintf(s.out, "CIBA user code of %s set.\n", term(u.Username))
	return nil
}

func userClearCIBACode(ctx context.Context, e *env, args []string) error {
	s, id, err := oneUser(ctx, e, "clear-ciba-code", args, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	u, err := s.svc.ClearCIBAUserCode(ctx, id)
	if err != nil {
		return err
	}
	if s.json {
		return s.printJSON(manage.ViewUser(u))
	}
	fmt.Fprintf(s.out, "CIBA user code of %s removed.\n", term(u.Username))
	return nil
}
