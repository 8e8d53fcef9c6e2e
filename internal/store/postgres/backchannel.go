package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/canonical"
)

// Backchannel authentication requests (OpenID CIBA Core 1.0): the request
// is data, its decision and redemption are columns.

const backchannelCols = `data, status, decision, redeemed_at, family_id`

func scanBackchannel(row pgx.Row) (*store.BackchannelRequest, error) {
	var data, status string
	var decision, family *string
	var redeemed *time.Time
	if err := row.Scan(&data, &status, &decision, &redeemed, &family); err != nil {
		return nil, err
	}
	r, err := canonical.Decode[store.BackchannelRequest](data)
	if err != nil {
		return nil, err
	}
	r.Status, r.RedeemedAt = status, canonical.TimePtr(redeemed)
	if family != nil {
		r.FamilyID = *family
	}
	if decision != nil {
		var d store.BackchannelDecision
		if err := json.Unmarshal([]byte(*decision), &d); err != nil {
			return nil, err
		}
		d.At, d.AuthTime = canonical.Time(d.At), canonical.Time(d.AuthTime)
		r.Decision = &d
	}
	return r, nil
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

func (s *Store) CreateBackchannelRequest(ctx context.Context, r *store.BackchannelRequest, notify ...*store.OutboxItem) error {
	const op = "create backchannel request"
	n := canonical.BackchannelRequest(r)
	if !storable(n.Hash, n.ID, n.ClientID, n.UserID, n.FamilyID) {
		return s.fail(ctx, op, errBadKey)
	}
	if n.Status == "" {
		n.Status = store.BackchannelPending
	}
	status, decision, redeemed, family := n.Status, n.Decision, n.RedeemedAt, n.FamilyID
	n.Status, n.Decision, n.RedeemedAt, n.FamilyID = "", nil, nil, ""
	data, err := canonical.Encode(n)
	if err != nil {
		return s.fail(ctx, op, err)
	}
	dec, err := decisionJSON(decision)
	if err != nil {
		return s.fail(ctx, op, err)
	}
	cols, err := outboxColumns(notify)
	if err != nil {
		return s.fail(ctx, op, err)
	}
	// One statement: the request and its outbox items, or nothing.
	return s.exec(ctx, op, `WITH req AS (INSERT INTO backchannel_requests
		(hash, id, client_id, user_id, expires_at, status, decision, redeemed_at, family_id, data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		RETURNING hash
	) `+insertOutboxAfter("req", 11)+` SELECT hash FROM req`,
		append([]any{n.Hash, n.ID, n.ClientID, n.UserID, ts(n.ExpiresAt), status, dec, tsPtr(redeemed), nullString(family), data}, cols...)...)
}

// insertOutboxAfter is a CTE inserting the outbox items given as four
// arrays from parameter $first on (outboxColumns), only when the CTE
// named cte returned a row: the items of a write that succeeded.
func insertOutboxAfter(cte string, first int) string {
	p := func(i int) string { return "$" + strconv.Itoa(first+i) }
	return `, notify AS (INSERT INTO outbox (id, state, next_attempt, attempts, created_at, data)
		SELECT x.id, 'pending', x.next_attempt, 0, x.created_at, x.data::json
		FROM unnest(` + p(0) + `::text[], ` + p(1) + `::timestamptz[], ` + p(2) + `::timestamptz[], ` + p(3) + `::text[]) AS x(id, next_attempt, created_at, data)
		WHERE EXISTS (SELECT 1 FROM ` + cte + `))`
}

func (s *Store) GetBackchannelRequest(ctx context.Context, hash string) (*store.BackchannelRequest, error) {
	return s.getBackchannel(ctx, "get backchannel request", `hash`, hash)
}

func (s *Store) GetBackchannelRequestByID(ctx context.Context, id string) (*store.BackchannelRequest, error) {
	return s.getBackchannel(ctx, "get backchannel request by id", `id`, id)
}

func (s *Store) getBackchannel(ctx context.Context, op, col, key string) (*store.BackchannelRequest, error) {
	if !storable(key) {
		return nil, store.ErrNotFound
	}
	r, err := scanBackchannel(s.pool.QueryRow(ctx, `SELECT `+backchannelCols+` FROM backchannel_requests WHERE `+col+` = $1`, key))
	if err != nil {
		return nil, s.fail(ctx, op, err)
	}
	return r, nil
}

func (s *Store) ListBackchannelRequests(ctx context.Context, userID string, now time.Time, limit int) ([]*store.BackchannelRequest, error) {
	const op = "list backchannel requests"
	if !storable(userID) {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT `+backchannelCols+` FROM backchannel_requests
		WHERE status = $1 AND expires_at > $2 AND ($3 = '' OR user_id = $3) ORDER BY expires_at, id LIMIT $4`,
		store.BackchannelPending, canonical.Time(now), userID, limit)
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

// DecideBackchannelRequest is one statement: a conditional UPDATE (of
// concurrent decisions, from any replica, the first to lock the row wins
// and the others find it no longer pending) and the insert of its outbox
// items when it updated a row.
func (s *Store) DecideBackchannelRequest(ctx context.Context, id, userID string, d store.BackchannelDecision, now time.Time, notify ...*store.OutboxItem) (*store.BackchannelRequest, error) {
	const op = "decide backchannel request"
	if now.IsZero() {
		return nil, s.fail(ctx, op, errZeroTime)
	}
	if !storable(id) {
		return nil, store.ErrNotFound
	}
	if !storable(userID) {
		userID = "\x01" // matches no user; the refusal below reads the stored one
	}
	dec, err := decisionJSON(&d)
	if err != nil {
		return nil, s.fail(ctx, op, err)
	}
	cols, err := outboxColumns(notify)
	if err != nil {
		return nil, s.fail(ctx, op, err)
	}
	r, err := scanBackchannel(s.pool.QueryRow(ctx, `WITH req AS (UPDATE backchannel_requests SET status = $1, decision = $2
		WHERE id = $3 AND status = $4 AND ($5 = '' OR user_id = $5) AND expires_at > $6 RETURNING `+backchannelCols+`
	) `+insertOutboxAfter("req", 7)+` SELECT `+backchannelCols+` FROM req`,
		append([]any{d.Status, dec, id, store.BackchannelPending, userID, canonical.Time(now)}, cols...)...))
	if err == nil {
		return r, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return nil, s.fail(ctx, op, err)
	}
	r, err = s.GetBackchannelRequestByID(ctx, id)
	if err != nil {
		return nil, err
	}
	return r, store.ErrAlreadyUsed
}

// redeemBackchannel marks the request and inserts its family and tokens in
// one statement, as redeemCode does for codes.
var redeemBackchannel = `
WITH req AS (
	UPDATE backchannel_requests SET redeemed_at = $2, family_id = $3
	WHERE hash = $1 AND status = 'approved' AND redeemed_at IS NULL AND expires_at > $2
	RETURNING hash
), ` + redeemedCTEs("req") + `
SELECT hash FROM req`

func (s *Store) RedeemBackchannelRequest(ctx context.Context, hash string, family *store.TokenFamily, issued store.Issued, now time.Time) (*store.BackchannelRequest, error) {
	if spent, err := s.redeem(ctx, "redeem backchannel request", redeemBackchannel, hash, family, issued, now); spent || err != nil {
		return nil, err
	}
	r, err := s.GetBackchannelRequest(ctx, hash)
	if err != nil {
		return nil, err
	}
	return r, store.ErrAlreadyUsed
}
