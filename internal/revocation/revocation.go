// Package revocation keeps, in memory, the revocations a replica needs to
// check a JWT access token without a database read: every JWT id on the
// denylist and every token family revoked within a horizon. It replaces
// the per-request reads of the introspection (and userinfo) path while it
// is authoritative, and says so; when it is not, callers read the store as
// before.
//
// The view is authoritative ("live") only while the store's change feed is
// connected and a full load has completed since it (re)connected. It
// learns of this process's own revocations synchronously (Watch wraps the
// store the server writes through) and of other processes' through the
// change feed: PostgreSQL's notifications (milliseconds), SQLite's
// data_version poll (store/sqlite.DataVersionPoll). The worst case is a
// feed that died silently: the PostgreSQL listener notices within its idle
// ping (store/postgres.listenIdle + pingBound, 7 s), after which the view
// stops answering until it has reloaded.
//
// Families revoked before the horizon are not kept. That is exact for a
// token issued after the horizon began: a family's tokens are all issued
// before its revocation (a revoked family issues nothing), so a token
// whose iat is inside the horizon cannot belong to a family revoked before
// it. Older tokens are checked against the store.
package revocation

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
)

const (
	// DefaultLimit bounds each map: past it the view is not used (the
	// per-request reads are), rather than growing without bound.
	DefaultLimit = 200_000
	// maxLineage bounds the cache of family parents; past it, it starts over.
	maxLineage = 100_000
	// maxDepth bounds the walk up a chain of exchanged grants, as the
	// provider's own walk is bounded.
	maxDepth = 8
	// skew is how far apart the clocks of the replica that issued a token
	// and the one that revoked its family may be.
	skew = 2 * time.Minute
)

// View is the in-memory revocation view. It is safe for concurrent use.
type View struct {
	st      store.Store
	log     *slog.Logger
	now     func() time.Time
	horizon time.Duration
	limit   int

	live atomic.Bool

	reloading sync.Mutex // one load at a time

	mu       sync.RWMutex
	denied   map[string]struct{}
	families map[string]store.RevokedFamily
	since    time.Time // every family revoked at or after since is in families
	// during collects what was added while a load was reading, so that
	// the load's older answer does not drop it.
	during    []func()
	loading   bool
	connected bool
	lineage   map[string]string // family → parent ("" none); immutable facts
}

// Options configure a View.
type Options struct {
	Store store.Store
	Log   *slog.Logger
	Now   func() time.Time
	// Horizon is how far back revoked families are loaded; tokens issued
	// before it are checked against the store.
	Horizon time.Duration
	// Limit bounds the denylist and the families kept (DefaultLimit).
	Limit int
}

// New returns a view that is not live until the first flush of the feed
// has been applied (Apply).
func New(o Options) *View {
	v := &View{st: o.Store, log: o.Log, now: o.Now, horizon: o.Horizon, limit: o.Limit,
		denied: map[string]struct{}{}, families: map[string]store.RevokedFamily{}, lineage: map[string]string{}}
	if v.log == nil {
		v.log = slog.New(slog.DiscardHandler)
	}
	if v.now == nil {
		v.now = time.Now
	}
	if v.limit <= 0 {
		v.limit = DefaultLimit
	}
	if v.horizon <= 0 {
		v.horizon = time.Hour
	}
	return v
}

// Live says whether the view answers (Denied and Family report known).
func (v *View) Live() bool { return v != nil && v.live.Load() }

// Denied reports whether jti is on the denylist; known is false when the
// view is not live and the caller must read the store.
func (v *View) Denied(jti string) (denied, known bool) {
	if !v.Live() {
		return false, false
	}
	v.mu.RLock()
	_, denied = v.denied[jti]
	v.mu.RUnlock()
	return denied, true
}

// Family reports whether the family id, or one of its ancestors, is
// revoked, for a token issued at iat. known is false when the view cannot
// say (not live, a token older than the horizon, a lineage read failed):
// the caller reads the store. Learning a family's parent costs one read,
// once per family.
func (v *View) Family(ctx context.Context, id string, iat time.Time) (rev *store.RevokedFamily, known bool) {
	if !v.Live() {
		return nil, false
	}
	v.mu.RLock()
	since := v.since
	v.mu.RUnlock()
	if iat.Before(since.Add(skew)) {
		return nil, false
	}
	for depth := 0; id != "" && depth < maxDepth; depth++ {
		v.mu.RLock()
		r, revoked := v.families[id]
		parent, learnt := v.lineage[id]
		v.mu.RUnlock()
		if revoked {
			return &r, true
		}
		if !learnt {
			var err error
			if parent, revoked, r, err = v.learn(ctx, id); err != nil {
				return nil, false
			}
			if revoked {
				return &r, true
			}
		}
		id = parent
	}
	return nil, v.Live()
}

// learn reads a family once: its parent, and whether it is revoked.
func (v *View) learn(ctx context.Context, id string) (parent string, revoked bool, r store.RevokedFamily, err error) {
	f, err := v.st.GetTokenFamily(ctx, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		// A deleted (expired) family revokes nothing, as the store path says.
	case err != nil:
		return "", false, r, err
	default:
		parent = f.ParentID
		if f.RevokedAt != nil {
			revoked, r = true, store.RevokedFamily{At: *f.RevokedAt, Reason: f.RevokeReason}
		}
	}
	v.mu.Lock()
	if len(v.lineage) >= maxLineage {
		v.lineage = map[string]string{}
	}
	v.lineage[id] = parent
	if revoked {
		v.addFamilyLocked(id, r)
	}
	v.mu.Unlock()
	return parent, revoked, r, nil
}

// Apply takes one change from the feed. Called by one goroutine, in the
// feed's order; it may read the store.
func (v *View) Apply(ctx context.Context, c store.Change) {
	switch c.Kind {
	case store.ChangeLost:
		v.mu.Lock()
		v.connected = false
		v.mu.Unlock()
		v.live.Store(false)
	case store.ChangeFlush:
		v.mu.Lock()
		v.connected = true
		v.mu.Unlock()
		v.Reload(ctx)
	case store.ChangeDeniedJTI:
		v.mu.Lock()
		v.addDeniedLocked(c.ID)
		v.mu.Unlock()
	case store.ChangeFamily:
		v.refreshFamily(ctx, c.ID)
	}
}

// refreshFamily reads a family that was revoked; if it cannot, the view
// stops answering until a load succeeds.
func (v *View) refreshFamily(ctx context.Context, id string) {
	f, err := v.st.GetTokenFamily(ctx, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return
	case err != nil:
		v.log.WarnContext(ctx, "revocation view: reading a revoked family; checking the store until it reloads", "family_id", id, "err", err)
		v.live.Store(false)
		go v.Reload(context.WithoutCancel(ctx))
		return
	}
	if f.RevokedAt == nil {
		return
	}
	v.mu.Lock()
	v.addFamilyLocked(id, store.RevokedFamily{At: *f.RevokedAt, Reason: f.RevokeReason})
	v.mu.Unlock()
}

func (v *View) addDeniedLocked(jti string) {
	v.denied[jti] = struct{}{}
	if v.loading {
		v.during = append(v.during, func() { v.denied[jti] = struct{}{} })
	}
	if len(v.denied) > v.limit {
		v.live.Store(false)
	}
}

func (v *View) addFamilyLocked(id string, r store.RevokedFamily) {
	v.families[id] = r
	if v.loading {
		v.during = append(v.during, func() { v.families[id] = r })
	}
	if len(v.families) > v.limit {
		v.live.Store(false)
	}
}

// Reload loads every revocation again; on success the view is live if
// the feed is connected. Also the safety net: the server calls it
// periodically, which drops expired denylist entries.
func (v *View) Reload(ctx context.Context) {
	v.reloading.Lock()
	defer v.reloading.Unlock()
	now := v.now()
	since := now.Add(-v.horizon)
	v.mu.Lock()
	v.loading, v.during = true, nil
	v.mu.Unlock()
	r, err := v.st.RecentRevocations(ctx, now, since, v.limit)
	v.mu.Lock()
	defer v.mu.Unlock()
	v.loading = false
	if err != nil {
		v.during = nil
		v.live.Store(false)
		v.log.WarnContext(ctx, "revocation view: load failed; checking the store on every request until it loads", "err", err)
		return
	}
	v.denied = make(map[string]struct{}, len(r.Denied))
	for jti := range r.Denied {
		v.denied[jti] = struct{}{}
	}
	v.families = r.Families
	for _, add := range v.during {
		add()
	}
	v.during = nil
	v.since = since
	v.live.Store(v.connected && len(v.denied) <= v.limit && len(v.families) <= v.limit)
}

// Watch wraps st so that this process's revocations reach the view
// before the write returns: a token revoked here is refused here by the
// next request, whatever the feed's latency.
func (v *View) Watch(st store.Store) store.Store { return &watched{Store: st, v: v} }

type watched struct {
	store.Store
	v *View
}

func (w *watched) DenyJTI(ctx context.Context, jti string, expiresAt time.Time) error {
	if err := w.Store.DenyJTI(ctx, jti, expiresAt); err != nil {
		return err
	}
	w.v.mu.Lock()
	w.v.addDeniedLocked(jti)
	w.v.mu.Unlock()
	return nil
}

func (w *watched) RevokeTokenFamily(ctx context.Context, id, reason string, now time.Time) error {
	if err := w.Store.RevokeTokenFamily(ctx, id, reason, now); err != nil {
		return err
	}
	// The stored time and reason (a family revoked before keeps its
	// first); descendants are found through their lineage.
	w.v.refreshFamily(ctx, id)
	return nil
}

func (w *watched) RevokeFamiliesFor(ctx context.Context, userID, clientID, reason string, now time.Time) error {
	if err := w.Store.RevokeFamiliesFor(ctx, userID, clientID, reason, now); err != nil {
		return err
	}
	// Which families were revoked is not returned: load them all (an
	// operator's action, or a withdrawn consent; rare).
	w.v.Reload(ctx)
	return nil
}
