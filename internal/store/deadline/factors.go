package deadline

import (
	"context"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
)

// Second factors and passkeys, bounded like every other call.

func (d *Store) CreateTOTP(ctx context.Context, t *store.TOTP) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.CreateTOTP(ctx, t)
}

func (d *Store) GetTOTP(ctx context.Context, userID string) (*store.TOTP, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.GetTOTP(ctx, userID)
}

func (d *Store) UseTOTPStep(ctx context.Context, userID string, step int64, now time.Time) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.UseTOTPStep(ctx, userID, step, now)
}

func (d *Store) DeleteTOTP(ctx context.Context, userID string) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.DeleteTOTP(ctx, userID)
}

func (d *Store) ReplaceRecoveryCodes(ctx context.Context, userID string, hashes []string, now time.Time) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.ReplaceRecoveryCodes(ctx, userID, hashes, now)
}

func (d *Store) UseRecoveryCode(ctx context.Context, userID, hash string, now time.Time) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.UseRecoveryCode(ctx, userID, hash, now)
}

func (d *Store) CountRecoveryCodes(ctx context.Context, userID string) (int, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.CountRecoveryCodes(ctx, userID)
}

func (d *Store) CreatePasskey(ctx context.Context, k *store.Passkey) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.CreatePasskey(ctx, k)
}

func (d *Store) GetPasskey(ctx context.Context, id string) (*store.Passkey, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.GetPasskey(ctx, id)
}

func (d *Store) ListPasskeys(ctx context.Context, userID string) ([]*store.Passkey, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.ListPasskeys(ctx, userID)
}

func (d *Store) UsePasskey(ctx context.Context, id string, signCount uint32, now time.Time) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.UsePasskey(ctx, id, signCount, now)
}

func (d *Store) DeletePasskey(ctx context.Context, userID, id string) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.DeletePasskey(ctx, userID, id)
}

func (d *Store) RenamePasskey(ctx context.Context, userID, id, name string) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.RenamePasskey(ctx, userID, id, name)
}

func (d *Store) DeleteFactors(ctx context.Context, userID string) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return d.inner.DeleteFactors(ctx, userID)
}
