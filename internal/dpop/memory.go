package dpop

import (
	"context"
	"sync"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
)

// Memory is a Replay for one process, for resource servers without a
// shared store: proof ids are remembered until their expiry, at most max
// of them. When full, expired ids go first; under a flood of fresh proofs
// some unexpired ids are forgotten too, so size max to the proofs one
// process accepts in a proof lifetime.
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

// evict drops the expired ids and, if that leaves it nine tenths full,
// arbitrary ones down to that: one sweep per tenth of max inserts, so the
// cost stays constant per proof however proofs arrive.
func (m *Memory) evict(now time.Time) {
	for k, exp := range m.seen {
		if !now.Before(exp) {
			delete(m.seen, k)
		}
	}
	keep := m.max - m.max/10 - 1
	for k := range m.seen {
		if len(m.seen) <= keep {
			break
		}
		delete(m.seen, k)
	}
}
