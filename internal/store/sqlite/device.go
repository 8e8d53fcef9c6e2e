package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/canonical"
)

// Device authorizations (RFC 8628).

const deviceCols = `data, decided_at, decision, redeemed_at, family_id`

type rowScanner interface{ Scan(dest ...any) error }

func scanDevice(row rowScanner) (*store.DeviceCode, error) {
	var data string
	var decided, redeemed sql.NullInt64
	var decision, family sql.NullString
	if err := row.Scan(&data, &decided, &decision, &redeemed, &family); err != nil {
		return nil, err
	}
	c, err := canonical.Decode[store.DeviceCode](data)
	if err != nil {
		return nil, err
	}
	c.DecidedAt, c.RedeemedAt, c.FamilyID = timePtr(decided), timePtr(redeemed), family.String
	if decision.Valid {
		d, err := canonical.Decode[store.DeviceDecision](decision.String)
		if err != nil {
			return nil, err
		}
		c.Decision = d
	}
	return c, nil
}

func (s *Store) CreateDeviceCode(ctx context.Context, c *store.DeviceCode) error {
	n := canonical.DeviceCode(c)
	data, err := canonical.Encode(n)
	if err != nil {
		return s.fail(ctx, "create device code", err)
	}
	return s.exec(ctx, "create device code", `INSERT INTO device_codes (hash, user_code_hash, client_id, expires_at, data) VALUES (?, ?, ?, ?, ?)`,
		n.Hash, n.UserCodeHash, n.ClientID, micros(n.ExpiresAt), data)
}

// deviceStmt is the prepared read of a device code, prepared once.
func (s *Store) deviceStmt(ctx context.Context) (*sql.Stmt, error) {
	if st := s.getDevice.Load(); st != nil {
		return st, nil
	}
	s.prepareLock.Lock()
	defer s.prepareLock.Unlock()
	if st := s.getDevice.Load(); st != nil {
		return st, nil
	}
	st, err := s.r.PrepareContext(ctx, `SELECT `+deviceCols+` FROM device_codes WHERE hash = ?`)
	if err != nil {
		return nil, err
	}
	s.getDevice.Store(st)
	return st, nil
}

func (s *Store) GetDeviceCode(ctx context.Context, hash string) (*store.DeviceCode, error) {
	st, err := s.deviceStmt(ctx)
	if err != nil {
		return nil, s.fail(ctx, "get device code", err)
	}
	c, err := scanDevice(st.QueryRowContext(ctx, hash))
	if err != nil {
		return nil, s.fail(ctx, "get device code", err)
	}
	return c, nil
}

func (s *Store) GetDeviceCodeByUserCode(ctx context.Context, userCodeHash string) (*store.DeviceCode, error) {
	c, err := scanDevice(s.r.QueryRowContext(ctx, `SELECT `+deviceCols+` FROM device_codes WHERE user_code_hash = ?`, userCodeHash))
	if err != nil {
		return nil, s.fail(ctx, "get device code by user code", err)
	}
	return c, nil
}

// DecideDeviceCode records the decision with one conditional UPDATE; the
// writer connection serializes it with every other write.
func (s *Store) DecideDeviceCode(ctx context.Context, hash string, d store.DeviceDecision, now time.Time) (*store.DeviceCode, error) {
	const op = "decide device code"
	if now.IsZero() {
		return nil, s.fail(ctx, op, errZeroTime)
	}
	n := canonical.DeviceDecision(d)
	data, err := canonical.Encode(&n)
	if err != nil {
		return nil, s.fail(ctx, op, err)
	}
	at := canonical.Time(now).UnixMicro()
	var c *store.DeviceCode
	err = s.write(ctx, func(ctx context.Context, tx wtx) error {
		res, err := tx.ExecContext(ctx, `UPDATE device_codes SET decided_at = ?, decision = ?
			WHERE hash = ? AND decided_at IS NULL AND expires_at > ?`, at, data, hash, at)
		if err != nil {
			return err
		}
		if c, err = scanDevice(tx.QueryRowContext(ctx, `SELECT `+deviceCols+` FROM device_codes WHERE hash = ?`, hash)); err != nil {
			return err
		}
		if ok, err := affected(res); err != nil {
			return err
		} else if !ok {
			return store.ErrAlreadyUsed
		}
		return nil
	})
	switch {
	case errors.Is(err, store.ErrAlreadyUsed):
		return c, err
	case err != nil:
		return nil, s.fail(ctx, op, err)
	}
	return c, nil
}

// RedeemDeviceCode marks the authorization and inserts the family and
// its tokens in one transaction.
func (s *Store) RedeemDeviceCode(ctx context.Context, hash string, family *store.TokenFamily, issued store.Issued, now time.Time) (*store.DeviceCode, error) {
	const op = "redeem device code"
	if now.IsZero() {
		return nil, s.fail(ctx, op, errZeroTime)
	}
	at := canonical.Time(now).UnixMicro()
	var c *store.DeviceCode
	err := s.write(ctx, func(ctx context.Context, tx wtx) error {
		res, err := tx.ExecContext(ctx, `UPDATE device_codes SET redeemed_at = ?, family_id = ?
			WHERE hash = ? AND redeemed_at IS NULL AND decided_at IS NOT NULL
			AND json_extract(decision, '$.approved') = 1 AND expires_at > ?`, at, family.ID, hash, at)
		if err != nil {
			return err
		}
		if ok, err := affected(res); err != nil {
			return err
		} else if !ok {
			// Refused: read why inside the transaction that refused it.
			if c, err = scanDevice(tx.QueryRowContext(ctx, `SELECT `+deviceCols+` FROM device_codes WHERE hash = ?`, hash)); err != nil {
				return err
			}
			return store.ErrAlreadyUsed
		}
		return insertFamily(ctx, tx, family, issued)
	})
	switch {
	case errors.Is(err, store.ErrAlreadyUsed):
		return c, err
	case err != nil:
		return nil, s.fail(ctx, op, err)
	}
	return nil, nil
}
