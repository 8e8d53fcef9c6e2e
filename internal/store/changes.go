package store

import (
	"context"
	"time"
)

// ChangeKind says what changed in the database.
type ChangeKind uint8

// The kinds of change a ChangeFeed reports.
const (
	// ChangeFlush: anything may have changed (the feed (re)connected, or
	// another process committed and the backend cannot say what). Every
	// cache is to be treated as stale. ID is empty.
	ChangeFlush ChangeKind = iota + 1
	// ChangeLost: the feed lost its source; changes may be missed until
	// the next ChangeFlush. ID is empty.
	ChangeLost
	ChangeClient    // a client was created, updated or deleted; ID is its id
	ChangeAPI       // an API was created, updated or deleted; ID is its identifier
	ChangeKey       // a signing key was created or updated (rotation); ID is its kid
	ChangeDeniedJTI // a JWT access token was put on the denylist; ID is its jti
	ChangeFamily    // a token family was revoked; ID is the family's id
)

var changeNames = map[ChangeKind]string{
	ChangeFlush: "flush", ChangeLost: "lost", ChangeClient: "client", ChangeAPI: "api",
	ChangeKey: "key", ChangeDeniedJTI: "denied_jti", ChangeFamily: "family",
}

func (k ChangeKind) String() string {
	if n, ok := changeNames[k]; ok {
		return n
	}
	return "unknown"
}

// ParseChangeKind reads a kind's name (as the PostgreSQL triggers send it).
func ParseChangeKind(s string) (ChangeKind, bool) {
	for k, n := range changeNames {
		if n == s {
			return k, true
		}
	}
	return 0, false
}

// Change is one change to the database, by whichever process made it.
type Change struct {
	Kind ChangeKind
	ID   string
	// Err is why the feed lost its source (ChangeLost), for the log.
	Err error
}

// ChangeFeed is the optional part of a backend that tells a process about
// changes other processes (replicas, the CLI) commit, so that caches drop
// them at once instead of when they expire.
//
// Changes starts the feed; the channel is closed once ctx ends. The first
// value is a ChangeFlush, sent once the feed is listening (so nothing
// committed after it is missed); every loss of the source is a ChangeLost
// and every recovery another ChangeFlush. Changes made by this process may
// or may not appear: callers that must see their own writes at once apply
// them themselves.
type ChangeFeed interface {
	Changes(ctx context.Context) (<-chan Change, error)
}

// Revocations are the revocations a replica keeps in memory (the
// revocation view): every denied JWT id still on the denylist, and the
// token families revoked since a time.
type Revocations struct {
	Denied   map[string]time.Time // jti → when its token expires
	Families map[string]RevokedFamily
}

// RevokedFamily is the revocation of one token family.
type RevokedFamily struct {
	At     time.Time
	Reason string
}

// RevocationStore reads revocations in bulk.
type RevocationStore interface {
	// RecentRevocations returns the denied JWT ids that expire after now
	// and the families revoked at or after since. It returns ErrConflict
	// (and nothing else) when there are more than limit of either, so
	// that a caller keeping them in memory stays bounded.
	RecentRevocations(ctx context.Context, now, since time.Time, limit int) (*Revocations, error)
}

// ThrottleStore keeps rate limits and failed sign-in counts in the
// database, so that they hold across replicas (throttle.shared).
type ThrottleStore interface {
	// TakeThrottle spends one event of key's token bucket (GCRA: one event
	// per interval, bursts of up to burst events): 0 when allowed, else how
	// long until the next event would be, with nothing spent. One
	// conditional write: concurrent takes from any replica never spend
	// more than the bucket holds.
	TakeThrottle(ctx context.Context, key string, now time.Time, interval time.Duration, burst int) (time.Duration, error)
	// GiveThrottle gives one event back to key's bucket (an attempt that
	// turned out not to count).
	GiveThrottle(ctx context.Context, key string, interval time.Duration) error
	// FailThrottle counts one more failure of key at now and returns the
	// count; lock, given the count, says until when key is locked (zero:
	// not locked), stored in the same write.
	FailThrottle(ctx context.Context, key string, now time.Time, lock func(failed int) time.Time) (int, error)
	// ThrottleLockedUntil is the end of key's lock, zero when none.
	ThrottleLockedUntil(ctx context.Context, key string) (time.Time, error)
	// ClearThrottleFailures sets key's failure count to zero and ends its
	// lock (a sign-in succeeded); its bucket is kept. No row: nothing.
	ClearThrottleFailures(ctx context.Context, key string) error
}

// ThrottleKeep is how long DeleteExpired keeps a throttle row after its
// last event once its bucket is full again and its lock has ended.
const ThrottleKeep = 24 * time.Hour
