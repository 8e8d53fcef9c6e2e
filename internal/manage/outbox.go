package manage

import (
	"context"
	"errors"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/store"
)

// RetryOutbox puts a dead outbox item back to pending, due now, with its
// attempts reset: the operator fixed the receiver and wants the delivery
// tried again. Only a dead item is retried; a pending one is already on
// its way and a delivered one arrived.
func (s *Service) RetryOutbox(ctx context.Context, id string) (*store.OutboxItem, error) {
	it, err := s.Store.RequeueOutbox(ctx, id, s.now())
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, catalog.New(catalog.AdminNotFound, "kind", "outbox item", "id", id)
	case errors.Is(err, store.ErrAlreadyUsed):
		return nil, catalog.New(catalog.OutboxNotDead, "id", id, "state", it.State)
	case err != nil:
		return nil, err
	}
	if s.WakeOutbox != nil {
		s.WakeOutbox()
	}
	return it, nil
}
