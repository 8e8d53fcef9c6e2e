package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/canonical"
)

// Backchannel authentication requests (OpenID CIBA Core 1.0): the request
// is data, its decision and redemption are columns.

const backchannelCols = `data, status, decision, redeemed_at, family_id`

func scanBackchannel(sc scanner) (*store.BackchannelRequest, error) {
	var data, status string
	var decision, family sql.NullString
	var redeemed sql.NullInt64
	if err := sc.Scan(&data, &status, &decision, &redeemed, &family); err != nil {
		return nil, err
	}
	r, err := canonical.Decode[store.BackchannelRequest](data)
	if err != nil {
		return nil, err
	}
	r.Status, r.RedeemedAt, r.FamilyID = status, timePtr(redeemed), family.String
	if decision.Valid {
		var d store.BackchannelDecision
		if err := json.Unmarshal([]byte(decision.String), &d); err != nil {
			return nil, err
		}
		r.Decision = &d
	}
	return r, nil
}

func (s *Store) CreateBackchannelRequest(ctx context.Context, r *store.BackchannelRequest, notify ...*store.OutboxItem) error {
	n := canonical.BackchannelRequest(r)
	if n.Status == "" {
		n.Status = store.BackchannelPending
	}
	// The mutable state lives in its columns only.
	status, decision, redeemed, family := n.Status, n.Decision, n.RedeemedAt, n.FamilyID
	n.Status, n.Decision, n.RedeemedAt, n.FamilyID = "", nil, nil, ""
	data, err := canonical.Encode(n)
	if err != nil {
		return s.fail(ctx, "create backchannel request", err)
	}
	dec, err := decisionJSON(decision)
	if err != nil {
		return s.fail(ctx, "create backchannel request", err)
	}
	items, err := outboxRows(notify)
	if err != nil {
		return s.fail(ctx, "create backchannel request", err)
	}
	err = s.write(ctx, func(ctx context.Context, tx wtx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO backchannel_requests
		(hash, id, client_id, user_id, expires_at, status, decision, redeemed_at, family_id, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			n.Hash, n.ID, n.ClientID, n.UserID, micros(n.ExpiresAt), status, dec, microsPtr(redeemed), nullString(family), data); err != nil {
			return err
		}
		return insertOutbox(ctx, tx, items)
	})
	if err != nil {
		return s.fail(ctx, "create backchannel request", err)
	}
	return nil
}

func decisionJSON(d *store.BackchannelDecision) (any, error) {
	if d == nil {
		return nil, nil
	}
	c := *d
	c.At, c.AuthTime = canonical.Time(c.At), canonical.Time(c.AuthTime)
	b, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// GetBackchannelRequest is the poll's one read, prepared.
func (s *Store) GetBackchannelRequest(ctx context.Context, hash string) (*store.BackchannelRequest, error) {
	st := s.getBackchannel.Load()
	if st == nil {
		var err error
		if st, err = s.r.PrepareContext(ctx, `SELECT `+backchannelCols+` FROM backchannel_requests WHERE hash = ?`); err != nil {
			return nil, s.fail(ctx, "get backchannel request", err)
		}
		if !s.getBackchannel.CompareAndSwap(nil, st) {
			_ = st.Close()
			st = s.getBackchannel.Load()
		}
	}
	r, err := scanBackchannel(st.QueryRowContext(ctx, hash))
	if err != nil {
		return nil, s.fail(ctx, "get backchannel request", err)
	}
	return r, nil
}

func (s *Store) GetBackchannelRequestByID(ctx context.Context, id string) (*store.BackchannelRequest, error) {
	r, err := scanBackchannel(s.r.QueryRowContext(ctx, `SELECT `+backchannelCols+` FROM backchannel_requests WHERE id = ?`, id))
	if err != nil {
		return nil, s.fail(ctx, "get backchannel request by id", err)
	}
	return r, nil
}

func (s *Store) ListBackchannelRequests(ctx context.Context, userID string, now time.Time, limit int) ([]*store.BackchannelRequest, error) {
	const op = "list backchannel requests"
	q := `SELECT ` + backchannelCols + ` FROM backchannel_requests WHERE status = ? AND expires_at > ?`
	args := []any{store.BackchannelPending, canonical.Time(now).UnixMicro()}
	if userID != "" {
		q += ` AND user_id = ?`
		args = append(args, userID)
	}
	q += ` ORDER BY expires_at, id LIMIT ?`
	args = append(args, limit)
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, s.fail(ctx, op, err)
	}
	defer rows.Close()
	var out []*store.BackchannelRequest
	for rows.Next() {
		r, err := scanBackchannel(rows)
		if err != nil {
			return nil, s.fail(ctx, op, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, op, err)
	}
	return out, nil
}

// DecideBackchannelRequest is one conditional UPDATE and the inserts of
// its outbox items in one transaction; the writer connection serializes
// it with every other write.
func (s *Store) DecideBackchannelRequest(ctx context.Context, id, userID string, d store.BackchannelDecision, now time.Time, notify ...*store.OutboxItem) (*store.BackchannelRequest, error) {
	const op = "decide backchannel request"
	if now.IsZero() {
		return nil, s.fail(ctx, op, errZeroTime)
	}
	dec, err := decisionJSON(&d)
	if err != nil {
		return nil, s.fail(ctx, op, err)
	}
	items, err := outboxRows(notify)
	if err != nil {
		return nil, s.fail(ctx, op, err)
	}
	var r *store.BackchannelRequest
	err = s.write(ctx, func(ctx context.Context, tx wtx) error {
		var err error
		r, err = scanBackchannel(tx.QueryRowContext(ctx, `UPDATE backchannel_requests SET status = ?, decision = ?
			WHERE id = ? AND status = ? AND (? = '' OR user_id = ?) AND expires_at > ? RETURNING `+backchannelCols,
			d.Status, dec, id, store.BackchannelPending, userID, userID, canonical.Time(now).UnixMicro()))
		if err == nil {
			return insertOutbox(ctx, tx, items)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		// Refused: read why inside the transaction that refused it.
		if r, err = scanBackchannel(tx.QueryRowContext(ctx, `SELECT `+backchannelCols+` FROM backchannel_requests WHERE id = ?`, id)); err != nil {
			return err
		}
		return store.ErrAlreadyUsed
	})
	switch {
	case errors.Is(err, store.ErrAlreadyUsed):
		return r, err
	case err != nil:
		return nil, s.fail(ctx, op, err)
	}
	return r, nil
}

// RedeemBackchannelRequest marks the request and inserts the family and
// its tokens in one transaction; the conditional UPDATE makes it single use.
func (s *Store) RedeemBackchannelRequest(ctx context.Context, hash string, family *store.TokenFamily, issued store.Issued, now time.Time) (*store.BackchannelRequest, error) {
	const op = "redeem backchannel request"
	if now.IsZero() {
		return nil, s.fail(ctx, op, errZeroTime)
	}
	at := canonical.Time(now).UnixMicro()
	var r *store.BackchannelRequest
	err := s.write(ctx, func(ctx context.Context, tx wtx) error {
		res, err := tx.ExecContext(ctx, `UPDATE backchannel_requests SET redeemed_at = ?, family_id = ?
			WHERE hash = ? AND status = ? AND redeemed_at IS NULL AND expires_at > ?`,
			at, family.ID, hash, store.BackchannelApproved, at)
		if err != nil {
			return err
		}
		if ok, err := affected(res); err != nil {
			return err
		} else if !ok {
			if r, err = scanBackchannel(tx.QueryRowContext(ctx, `SELECT `+backchannelCols+` FROM backchannel_requests WHERE hash = ?`, hash)); err != nil {
				return err
			}
			return store.ErrAlreadyUsed
		}
		return insertFamily(ctx, tx, family, issued)
	})
	switch {
	case errors.Is(err, store.ErrAlreadyUsed):
		return r, err
	case err != nil:
		return nil, s.fail(ctx, op, err)
	}
	return nil, nil
}
