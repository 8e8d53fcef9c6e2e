// Package clientcache keeps recently read clients in memory in front of a
// store.Store. Every token, introspection and revocation request reads its
// client; with the cache that read costs a map lookup instead of a query
// and a JSON decode.
//
// Invalidation: a write through this Store (create, update, delete) drops
// the entry at once, so every change made by this process (admin API,
// registration) applies to the next request. A change made by another
// process on the same database (the lucid CLI, another replica) is dropped
// when the store's change feed reports it (Forget, ForgetAll), and in any
// case once the entry is older than the TTL, the safety net when the feed
// is down. Lookups that fail are not cached, so a newly created client
// works at once everywhere.
package clientcache

import (
	"context"
	"sync"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
)

// maxEntries bounds the map; past it the cache starts over.
const maxEntries = 10000

// Store is a store.Store whose GetClient is cached.
type Store struct {
	store.Store
	ttl time.Duration

	mu  sync.RWMutex
	m   map[string]entry
	gen uint64 // bumped by every write, so a read that raced one is not kept
}

type entry struct {
	c  *store.Client
	at time.Time
}

// New wraps st; entries live for ttl.
func New(st store.Store, ttl time.Duration) *Store {
	return &Store{Store: st, ttl: ttl, m: map[string]entry{}}
}

// GetClient returns a copy of the cached client, or reads it. Callers get
// their own struct; its slices are shared and must not be modified.
func (s *Store) GetClient(ctx context.Context, id string) (*store.Client, error) {
	s.mu.RLock()
	e, ok := s.m[id]
	gen := s.gen
	s.mu.RUnlock()
	if ok && time.Since(e.at) < s.ttl {
		c := *e.c
		return &c, nil
	}
	c, err := s.Store.GetClient(ctx, id)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.gen == gen {
		if len(s.m) >= maxEntries {
			s.m = map[string]entry{}
		}
		s.m[id] = entry{c: c, at: time.Now()}
	}
	s.mu.Unlock()
	cp := *c
	return &cp, nil
}

// Forget drops one client (the change feed reported a change to it).
func (s *Store) Forget(id string) { s.forget(id) }

// ForgetAll drops every client (the change feed cannot say what changed).
func (s *Store) ForgetAll() {
	s.mu.Lock()
	s.m = map[string]entry{}
	s.gen++
	s.mu.Unlock()
}

func (s *Store) forget(id string) {
	s.mu.Lock()
	delete(s.m, id)
	s.gen++
	s.mu.Unlock()
}

func (s *Store) CreateClient(ctx context.Context, c *store.Client) error {
	defer s.forget(c.ID)
	return s.Store.CreateClient(ctx, c)
}

func (s *Store) UpdateClient(ctx context.Context, id string, fn func(*store.Client) error) (*store.Client, error) {
	defer s.forget(id)
	return s.Store.UpdateClient(ctx, id, fn)
}

func (s *Store) DeleteClient(ctx context.Context, id string) error {
	defer s.forget(id)
	return s.Store.DeleteClient(ctx, id)
}
