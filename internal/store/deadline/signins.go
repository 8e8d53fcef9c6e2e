package deadline

import (
	"context"

	"github.com/lucid-auth/lucid/internal/store"
)

func (d *Store) RecordSignIn(ctx context.Context, e *store.SignInEvent, keep int) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.RecordSignIn(ctx, e, keep)
}

func (d *Store) ListSignIns(ctx context.Context, userID string, limit int) ([]*store.SignInEvent, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.ListSignIns(ctx, userID, limit)
}

func (d *Store) DeleteSignIns(ctx context.Context, userID string) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.DeleteSignIns(ctx, userID)
}
