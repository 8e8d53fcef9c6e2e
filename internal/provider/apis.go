package provider

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
)

// apiTTL bounds how long a change to an API (format, lifetime) takes to
// reach a running server; APIs change rarely and are read on every
// client_credentials request, so they are kept in memory.
const apiTTL = 5 * time.Second

// apiCache holds every registered API, reloaded when older than apiTTL.
type apiCache struct {
	store store.Store
	log   *slog.Logger

	mu     sync.Mutex
	byID   map[string]*store.API
	loaded time.Time
}

// get returns the API with this identifier, if one is registered. A failed
// reload keeps the previous list: a stale format beats a failed request.
func (a *apiCache) get(ctx context.Context, id string) (*store.API, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if now := time.Now(); a.byID == nil || now.Sub(a.loaded) > apiTTL {
		list, err := a.store.ListAPIs(ctx)
		if err != nil {
			a.log.WarnContext(ctx, "reloading APIs", "err", err)
		} else {
			m := make(map[string]*store.API, len(list))
			for _, api := range list {
				m[api.ID] = api
			}
			a.byID, a.loaded = m, now
		}
	}
	api, ok := a.byID[id]
	return api, ok
}
