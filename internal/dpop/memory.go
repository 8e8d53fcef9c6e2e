package dpop

import (
	"context"
	"sync"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
)

// Memory is a Replay for one process, for resource servers without a
// shared store: proof ids are remembered until their expiry, at most max
// of them; when full, the one that expires first is forgotten early (a
// proof that old is about to be refused for its age anyway).
type Memory struct {
	mu   sync.Mutex
	max  int
	now  func() time.Time
	seen map[string]time.Time
}

// DefaultMemory bounds a Memory: about 100 bytes a proof id.
const DefaultMemory = 200_000

// NewMemory returns an empty Memory of at most max ids (<= 0 is
// DefaultMemory) on the clock now (nil is time.Now).
func NewMemory(max int, now func() time.Time) *Memory {
	if max <= 0 {
		max = DefaultMemory
	}
	if now == nil {
		now = time.Now
	}
	return &Memory{max: max, now: now, seen: make(map[string]time.Time)}
}

// UseJTI implements Replay.
func (m *Memory) UseJTI(_ context.Context, issuer, jti string, expiresAt time.Time) error {
	key := issuer + "\x00" + jti
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if exp, ok := m.seen[key]; ok && now.Before(exp) {
		return store.ErrAlreadyUsed
	}
	if len(m.seen) >= m.max {
		m.evict(now)
	}
	m.seen[key] = expiresAt
	return nil
}

// evict drops the expired ids, and if none had expired, the one that
// expires first.
func (m *Memory) evict(now time.Time) {
	var first string
	var firstExp time.Time
	for k, exp := range m.seen {
		if !now.Before(exp) {
			delete(m.seen, k)
			continue
		}
		if first == "" || exp.Before(firstExp) {
			first, firstExp = k, exp
		}
	}
	if len(m.seen) >= m.max && first != "" {
		delete(m.seen, first)
	}
}
