package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/canonical"
)

// Device authorizations (RFC 8628).

const deviceCols = `data, decided_at, decision, redeemed_at, family_id`

func scanDevice(row pgx.Row) (*store.DeviceCode, error) {
	var data string
	var decided, redeemed *time.Time
	var decision, family *string
	if err := row.Scan(&data, &decided, &decision, &redeemed, &family); err != nil {
		return nil, err
	}
	c, err := canonical.Decode[store.DeviceCode](data)
	if err != nil {
		return nil, err
	}
	c.DecidedAt, c.RedeemedAt, c.FamilyID = canonical.TimePtr(decided), canonical.TimePtr(redeemed), deref(family)
	if decision != nil {
		if c.Decision, err = canonical.Decode[store.DeviceDecision](*decision); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (s *Store) CreateDeviceCode(ctx context.Context, c *store.DeviceCode) error {
	const op = "create device code"
	n := canonical.DeviceCode(c)
	if !storable(n.Hash, n.UserCodeHash, n.ClientID) {
		return s.fail(ctx, op, errBadKey)
	}
	data, err := canonical.Encode(n)
	if err != nil {
		return s.fail(ctx, op, err)
	}
	return s.exec(ctx, op, `INSERT INTO device_codes (hash, user_code_hash, client_id, expires_at, data) VALUES ($1, $2, $3, $4, $5)`,
		n.Hash, n.UserCodeHash, n.ClientID, ts(n.ExpiresAt), data)
}

func (s *Store) GetDeviceCode(ctx context.Context, hash string) (*store.DeviceCode, error) {
	if !storable(hash) {
		return nil, store.ErrNotFound
	}
	c, err := scanDevice(s.pool.QueryRow(ctx, `SELECT `+deviceCols+` FROM device_codes WHERE hash = $1`, hash))
	if err != nil {
		return nil, s.fail(ctx, "get device code", err)
	}
	return c, nil
}

func (s *Store) GetDeviceCodeByUserCode(ctx context.Context, userCodeHash string) (*store.DeviceCode, error) {
	if !storable(userCodeHash) {
		return nil, store.ErrNotFound
	}
	c, err := scanDevice(s.pool.QueryRow(ctx, `SELECT `+deviceCols+` FROM device_codes WHERE user_code_hash = $1`, userCodeHash))
	if err != nil {
		return nil, s.fail(ctx, "get device code by user code", err)
	}
	return c, nil
}

// DecideDeviceCode records the decision with one conditional UPDATE, so
// that of concurrent decisions, from any replica, exactly one wins.
func (s *Store) DecideDeviceCode(ctx context.Context, hash string, d store.DeviceDecision, now time.Time) (*store.DeviceCode, error) {
	const op = "decide device code"
	if now.IsZero() {
		return nil, s.fail(ctx, op, errZeroTime)
	}
	if !storable(hash) {
		return nil, store.ErrNotFound
	}
	n := canonical.DeviceDecision(d)
	if !storable(n.UserID, n.SessionID) {
		return nil, s.fail(ctx, op, errBadKey)
	}
	data, err := canonical.Encode(&n)
	if err != nil {
		return nil, s.fail(ctx, op, err)
	}
	c, err := scanDevice(s.pool.QueryRow(ctx, `UPDATE device_codes SET decided_at = $1, decision = $2
		WHERE hash = $3 AND decided_at IS NULL AND expires_at > $1 RETURNING `+deviceCols, canonical.Time(now), data, hash))
	if err == nil {
		return c, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return nil, s.fail(ctx, op, err)
	}
	// Refused (decided, expired) or missing; both states are final.
	c, err = s.GetDeviceCode(ctx, hash)
	if err != nil {
		return nil, err
	}
	return c, store.ErrAlreadyUsed
}

// redeemDevice marks the authorization and inserts its family and tokens
// in one statement, as redeemCode does for codes.
var redeemDevice = `
WITH device AS (
	UPDATE device_codes SET redeemed_at = $2, family_id = $3
	WHERE hash = $1 AND redeemed_at IS NULL AND decided_at IS NOT NULL
	AND (decision->>'approved')::boolean AND expires_at > $2
	RETURNING hash
), ` + redeemedCTEs("device") + `
SELECT hash FROM device`

func (s *Store) RedeemDeviceCode(ctx context.Context, hash string, family *store.TokenFamily, issued store.Issued, now time.Time) (*store.DeviceCode, error) {
	if spent, err := s.redeem(ctx, "redeem device code", redeemDevice, hash, family, issued, now); spent || err != nil {
		return nil, err
	}
	c, err := s.GetDeviceCode(ctx, hash)
	if err != nil {
		return nil, err
	}
	return c, store.ErrAlreadyUsed
}
