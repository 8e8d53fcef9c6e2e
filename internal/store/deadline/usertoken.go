package deadline

import (
	"context"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
)

func (d *Store) CreateUserToken(ctx context.Context, t *store.UserToken) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.CreateUserToken(ctx, t)
}

func (d *Store) GetUserToken(ctx context.Context, hash string) (*store.UserToken, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.GetUserToken(ctx, hash)
}

func (d *Store) UseUserToken(ctx context.Context, hash, purpose string, now time.Time) (*store.UserToken, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.UseUserToken(ctx, hash, purpose, now)
}
