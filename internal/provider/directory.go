package provider

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/ldap"
	"github.com/lucid-auth/lucid/internal/store"
)

// Sign-in with a directory password (internal/ldap) on Lucid's own form.
// A typed username that a directory's `usernames` pattern matches is
// checked at that directory and never against Lucid's own passwords, so
// one name never has two passwords; other names are local accounts.
// checkSignIn applies the network's allowance first, exactly as for a
// local password; checkDirectory adds the name's lockout before the
// directory is asked, then search-then-bind, the directory's rules, and
// the linked account (or a new one just in time) through linkedAccount,
// the path upstream sign-ins take. The verified password is then the
// pipeline's password proof (amr pwd), so second factors apply as to
// local passwords.

// directoryLockKey is the key of a typed name's failure count: per
// directory, in the counter of names without a local password
// (throttle.Names), for every name alike whether the directory holds it
// or not, so that the lockout tells nobody which names exist.
func directoryLockKey(dir *ldap.Directory, username string) string {
	return "directory\x00" + dir.ID() + "\x00" + strings.ToLower(username)
}

// checkDirectory authenticates username and pw at dir and returns the
// account of the entry. The name's lock is checked before the directory
// is contacted, and every failure the person caused (no such entry, a
// wrong or empty password) counts toward it, by the rule of accounts
// (lockFor). The directory's own max_connections bounds its sign-ins at
// once (sign_in_busy beyond it), apart from the hashing pool, so that a
// slow directory does not hold up local passwords.
func (p *Provider) checkDirectory(ctx context.Context, r *http.Request, dir *ldap.Directory, username, pw string) (*store.User, *catalog.Error) {
	now := p.now()
	key := directoryLockKey(dir, username)
	if until := p.unknownNames.LockedUntil(key); now.Before(until) {
		return nil, catalog.New(catalog.AccountLocked, "until", until.UTC().Format("15:04:05 MST")).
			Internal("directory", dir.ID(), "locked_until", until.UTC().Format(time.RFC3339))
	}
	release, err := dir.Acquire(ctx)
	if err != nil {
		return nil, catalog.New(catalog.SignInBusy).WithRetryAfter(busyRetry).Wrap(err).
			Internal("directory", dir.ID(), "max_connections", dir.MaxConnections())
	}
	id, e := dir.Authenticate(ctx, username, pw)
	release()
	if e != nil {
		if e.Name() == catalog.SignInFailed {
			if until := p.unknownNames.Fail(key, now, p.lockFor); !until.IsZero() {
				return nil, catalog.New(catalog.AccountLocked, "until", until.UTC().Format("15:04:05 MST")).
					Internal("directory", dir.ID(), "reason", "directory sign-in failed; lock started")
			}
		}
		return nil, e
	}
	p.unknownNames.Forget(key)
	if e := dir.Check(id); e != nil {
		return nil, e
	}
	user, e := p.linkedAccount(ctx, r, dir, id, "")
	if e != nil {
		return nil, e.Internal("directory", dir.ID())
	}
	return user, nil
}
