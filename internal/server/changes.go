package server

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/lucid-auth/lucid/internal/keys"
	"github.com/lucid-auth/lucid/internal/provider"
	"github.com/lucid-auth/lucid/internal/revocation"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/clientcache"
)

// viewReload is the revocation view's safety net: a full load this often
// drops expired denylist entries and repairs anything a lost notification
// left out.
const viewReload = time.Minute

// follower applies the store's change feed to this replica's caches: the
// client cache drops a client, the API list and the signing keys reload,
// the revocation view takes revocations in. The caches' own expiry stays
// as the safety net for when the feed is down.
type follower struct {
	log     *slog.Logger
	clients *clientcache.Store
	prov    *provider.Provider
	keys    *keys.Manager
	view    *revocation.View

	cancel context.CancelFunc
	done   sync.WaitGroup
	once   sync.Once
}

// startFollower starts following backend's change feed, if it has one; a
// store without a feed (or wrapped by a test) leaves the caches on their
// expiry and the revocation view off.
func startFollower(ctx context.Context, backend store.Store, f *follower) *follower {
	feed, ok := backend.(store.ChangeFeed)
	if !ok {
		f.log.InfoContext(ctx, "change feed: the store has none; caches rely on their expiry")
		return f
	}
	ctx, f.cancel = context.WithCancel(context.WithoutCancel(ctx))
	ch, err := feed.Changes(ctx)
	if err != nil {
		f.cancel()
		f.log.WarnContext(ctx, "change feed: not started; caches rely on their expiry", "err", err)
		return f
	}
	kick := make(chan struct{}, 1)
	f.done.Add(2)
	go func() {
		defer f.done.Done()
		f.reloadKeys(ctx, kick)
	}()
	go func() {
		defer f.done.Done()
		defer close(kick)
		f.follow(ctx, ch, kick)
	}()
	return f
}

func (f *follower) follow(ctx context.Context, ch <-chan store.Change, kick chan<- struct{}) {
	tick := time.NewTicker(viewReload)
	defer tick.Stop()
	keysChanged := func() {
		select {
		case kick <- struct{}{}:
		default: // a reload is due already
		}
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			f.view.Reload(ctx)
		case c, ok := <-ch:
			if !ok {
				return
			}
			if len(ch) >= coalesceAt {
				c = coalesce(c, ch)
			}
			switch c.Kind {
			case store.ChangeFlush:
				f.clients.ForgetAll()
				f.prov.APIsChanged()
				keysChanged()
			case store.ChangeLost:
				f.log.WarnContext(ctx, "change feed: lost; caches fall back to their expiry and revocations to the store until it is back", "err", c.Err)
			case store.ChangeClient:
				f.clients.Forget(c.ID)
			case store.ChangeAPI:
				f.prov.APIsChanged()
			case store.ChangeKey:
				keysChanged()
			}
			f.view.Apply(ctx, c)
		}
	}
}

// coalesceAt is the backlog past which the follower stops applying
// changes one by one (a user's thousand families revoked in one statement
// would be a thousand reads) and reloads everything once instead.
const coalesceAt = 64

// coalesce drains the changes already queued after first and stands for
// them all: a loss if the feed was lost last, else a flush (changes only
// arrive while the feed is connected).
func coalesce(first store.Change, ch <-chan store.Change) store.Change {
	out := store.Change{Kind: store.ChangeFlush}
	if first.Kind == store.ChangeLost {
		out = first
	}
	for {
		select {
		case c, ok := <-ch:
			if !ok {
				return out
			}
			switch c.Kind {
			case store.ChangeLost:
				out = c
			case store.ChangeFlush:
				out = c
			default:
				if out.Kind != store.ChangeLost {
					out = store.Change{Kind: store.ChangeFlush}
				}
			}
		default:
			return out
		}
	}
}

// reloadKeys reloads the signing keys once per burst of key changes (a
// rotation changes every algorithm's keys).
func (f *follower) reloadKeys(ctx context.Context, kick <-chan struct{}) {
	for range kick {
		if err := f.keys.Reload(ctx); err != nil && ctx.Err() == nil {
			f.log.WarnContext(ctx, "change feed: reloading signing keys", "err", err)
		}
	}
}

// stop ends the feed and waits for the follower.
func (f *follower) stop() {
	f.once.Do(func() {
		if f.cancel != nil {
			f.cancel()
		}
		f.done.Wait()
	})
}
