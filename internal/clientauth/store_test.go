package clientauth

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
)

// memStore implements only what clientauth calls. It stands in until the
// SQLite backend exists; the embedded nil Store panics on anything else.
type memStore struct {
	store.Store
	mu      sync.Mutex
	clients map[string]store.Client
	jtis    map[[2]string]time.Time
}

func newTestStore(t *testing.T) store.Store {
	t.Helper()
	return &memStore{clients: map[string]store.Client{}, jtis: map[[2]string]time.Time{}}
}

func (m *memStore) CreateClient(_ context.Context, c *store.Client) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.clients[c.ID]; ok {
		return store.ErrConflict
	}
	m.clients[c.ID] = *c
	return nil
}

func (m *memStore) GetClient(_ context.Context, id string) (*store.Client, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.clients[id]
	if !ok {
		return nil, store.ErrNotFound
	}
	return &c, nil
}

func (m *memStore) UseJTI(_ context.Context, issuer, jti string, expiresAt time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := [2]string{issuer, jti}
	if _, ok := m.jtis[k]; ok {
		return store.ErrAlreadyUsed
	}
	m.jtis[k] = expiresAt
	return nil
}

func (m *memStore) UpdateClient(_ context.Context, id string, fn func(*store.Client) error) (*store.Client, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.clients[id]
	if !ok {
		return nil, store.ErrNotFound
	}
	if err := fn(&c); err != nil {
		return nil, err
	}
	m.clients[id] = c
	return &c, nil
}
