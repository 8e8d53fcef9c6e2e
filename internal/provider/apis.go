package provider

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lucid-auth/lucid/internal/rar"
	"github.com/lucid-auth/lucid/internal/store"
)

// apiTTL bounds how long a change to an API (format, lifetime) takes to
// reach a running server when the change feed is down (Changed); APIs change rarely and are read on every
// client_credentials request, so they are kept in memory.
const apiTTL = 5 * time.Second

// apiCache holds every registered API. Readers take the current snapshot
// without a lock (this is on the token endpoint's path); one reader
// reloads it when it is older than apiTTL.
type apiCache struct {
	store store.Store
	log   *slog.Logger

	snap   atomic.Pointer[apiSnapshot]
	reload sync.Mutex
	// changes counts the changes the feed reported (Changed), so that a
	// load that raced one is not kept as fresh.
	changes atomic.Uint64
	// compiled keeps each authorization details type compiled across
	// reloads (under reload): a schema compiles again only when its
	// registration changed.
	compiled map[string]*rar.Type
}

type apiSnapshot struct {
	byID map[string]*store.API
	// owners are the APIs that define each scope.
	owners map[string][]string
	// types are the authorization details types (RFC 9396) of every API.
	types  *rar.Registry
	loaded time.Time
}

// get returns the API with this identifier, if one is registered. A failed
// reload keeps the previous list: a stale format beats a failed request.
func (a *apiCache) get(ctx context.Context, id string) (*store.API, bool) {
	snap := a.current(ctx)
	if snap == nil {
		return nil, false
	}
	api, ok := snap.byID[id]
	return api, ok
}

// apiMissReload is how old the list may be before an audience it does not
// know makes it reload: an API created a moment ago must not have its own
// scopes refused for up to apiTTL, yet audiences that are no registered
// API must not reload the list on every request.
const apiMissReload = 100 * time.Millisecond

// scopeIndex returns the APIs that define each scope, from a list that
// knows every API in aud if the store does (see apiMissReload).
func (a *apiCache) scopeIndex(ctx context.Context, aud []string) map[string][]string {
	snap := a.current(ctx)
	if snap == nil {
		return nil
	}
	for _, id := range aud {
		if _, ok := snap.byID[id]; !ok {
			if time.Since(snap.loaded) > apiMissReload {
				snap = a.reloadNow(ctx, snap)
			}
			break
		}
	}
	return snap.owners
}

// known says whether an API with this identifier is registered, reloading
// a list that does not know it as scopeIndex does.
func (a *apiCache) known(ctx context.Context, id string) bool {
	snap := a.current(ctx)
	if snap == nil {
		return false
	}
	if _, ok := snap.byID[id]; !ok && time.Since(snap.loaded) > apiMissReload {
		snap = a.reloadNow(ctx, snap)
	}
	if snap == nil {
		return false
	}
	_, ok := snap.byID[id]
	return ok
}

// reloadNow reloads the list unless another caller did since old was read.
func (a *apiCache) reloadNow(ctx context.Context, old *apiSnapshot) *apiSnapshot {
	a.reload.Lock()
	if cur := a.snap.Load(); cur != old {
		a.reload.Unlock()
		return cur
	}
	a.reload.Unlock()
	a.expire(old)
	return a.refresh(ctx)
}

// Changed makes the next read reload the list: the change feed reported
// an API created, changed or deleted by any process.
func (a *apiCache) Changed() {
	a.changes.Add(1)
	if snap := a.snap.Load(); snap != nil {
		a.expire(snap)
	}
}

// expire marks snap stale so that the next refresh reloads.
func (a *apiCache) expire(snap *apiSnapshot) {
	stale := *snap
	stale.loaded = time.Time{}
	a.snap.CompareAndSwap(snap, &stale)
}

func (a *apiCache) current(ctx context.Context) *apiSnapshot {
	snap := a.snap.Load()
	if snap == nil || time.Since(snap.loaded) > apiTTL {
		snap = a.refresh(ctx)
	}
	return snap
}

// refresh reloads the list; concurrent callers wait for one reload.
func (a *apiCache) refresh(ctx context.Context) *apiSnapshot {
	a.reload.Lock()
	defer a.reload.Unlock()
	if snap := a.snap.Load(); snap != nil && time.Since(snap.loaded) <= apiTTL {
		return snap // another caller reloaded it meanwhile
	}
	gen := a.changes.Load()
	list, err := a.store.ListAPIs(ctx)
	if err != nil {
		a.log.WarnContext(ctx, "reloading APIs", "err", err)
		return a.snap.Load()
	}
	m := make(map[string]*store.API, len(list))
	owners := make(map[string][]string)
	for _, api := range list {
		m[api.ID] = api
		for _, sc := range api.Scopes {
			owners[sc] = append(owners[sc], api.ID)
		}
	}
	snap := &apiSnapshot{byID: m, owners: owners, types: a.detailTypes(ctx, list), loaded: time.Now()}
	if a.changes.Load() != gen {
		snap.loaded = time.Time{} // a change raced the read: the next read loads again
	}
	a.snap.Store(snap)
	return snap
}

// detailTypes compiles the APIs' authorization details types, reusing
// those whose registration is unchanged. A type that does not compile
// (stored by another version, or by hand) is left out and logged; a type
// name two APIs register belongs to the one created first.
func (a *apiCache) detailTypes(ctx context.Context, list []*store.API) *rar.Registry {
	prev := a.compiled
	next := make(map[string]*rar.Type)
	var ts []*rar.Type
	for _, api := range list {
		for _, dt := range api.DetailTypes {
			key := api.ID + "\x00" + dt.Type + "\x00" + dt.Description + "\x00" + string(dt.Schema)
			t, ok := prev[key]
			if !ok {
				var err error
				if t, err = rar.Compile(api.ID, dt); err != nil {
					a.log.WarnContext(ctx, "authorization details type left out", "api", api.ID, "type", dt.Type, "err", err)
					continue
				}
			}
			next[key] = t
			ts = append(ts, t)
		}
	}
	a.compiled = next
	return rar.NewRegistry(ts)
}

// detailRegistry returns the registered authorization details types,
// reloading a list that does not know every name in want as scopeIndex
// does (see apiMissReload), so a type registered a moment ago is known.
func (a *apiCache) detailRegistry(ctx context.Context, want []string) *rar.Registry {
	snap := a.current(ctx)
	if snap == nil {
		return nil
	}
	for _, n := range want {
		if _, ok := snap.types.Get(n); !ok {
			if time.Since(snap.loaded) > apiMissReload {
				if snap = a.reloadNow(ctx, snap); snap == nil {
					return nil
				}
			}
			break
		}
	}
	return snap.types
}
