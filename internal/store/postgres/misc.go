package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/canonical"
)

// Consents.

func (s *Store) GetConsent(ctx context.Context, userID, clientID string) (*store.Consent, error) {
	if !storable(userID, clientID) {
		return nil, store.ErrNotFound
	}
	var data string
	err := s.pool.QueryRow(ctx, `SELECT data FROM consents WHERE user_id = $1 AND client_id = $2`, userID, clientID).Scan(&data)
	if err != nil {
		return nil, s.fail(ctx, "get consent", err)
	}
	c, err := canonical.Decode[store.Consent](data)
	if err != nil {
		return nil, s.fail(ctx, "get consent", err)
	}
	return c, nil
}

func (s *Store) SaveConsent(ctx context.Context, c *store.Consent) error {
	n := canonical.Consent(c)
	if !storable(n.UserID, n.ClientID) {
		return s.fail(ctx, "save consent", errBadKey)
	}
	data, err := canonical.Encode(n)
	if err != nil {
		return s.fail(ctx, "save consent", err)
	}
	return s.exec(ctx, "save consent", `INSERT INTO consents (user_id, client_id, data) VALUES ($1, $2, $3)
		ON CONFLICT (user_id, client_id) DO UPDATE SET data = excluded.data`, n.UserID, n.ClientID, data)
}

func (s *Store) ListConsents(ctx context.Context, userID string) ([]*store.Consent, error) {
	if !storable(userID) {
		return nil, nil
	}
	return list[store.Consent](ctx, s, "list consents", `SELECT data FROM consents WHERE user_id = $1 ORDER BY client_id`, userID)
}

func (s *Store) DeleteConsent(ctx context.Context, userID, clientID string) error {
	return s.deleteRow(ctx, "delete consent", `DELETE FROM consents WHERE user_id = $1 AND client_id = $2`, userID, clientID)
}

// Sessions.

func (s *Store) CreateSession(ctx context.Context, sess *store.Session) error {
	n := canonical.Session(sess)
	if !storable(n.Hash) {
		return s.fail(ctx, "create session", errBadKey)
	}
	data, err := canonical.Encode(n)
	if err != nil {
		return s.fail(ctx, "create session", err)
	}
	return s.exec(ctx, "create session", `INSERT INTO sessions (hash, expires_at, data, id, user_id) VALUES ($1, $2, $3, $4, $5)`,
		n.Hash, ts(n.ExpiresAt), data, storableOrNull(n.ID), storableOrNull(n.UserID))
}

// storableOrNull is s as a lookup column, or NULL where PostgreSQL cannot
// store it: such a value is never looked up (the lookups check storable).
func storableOrNull(s string) any {
	if !storable(s) {
		return nil
	}
	return s
}

func (s *Store) GetSession(ctx context.Context, hash string) (*store.Session, error) {
	return getOne[store.Session](ctx, s, "get session", `SELECT data FROM sessions WHERE hash = $1`, hash)
}

// GetSessionByID uses the index sessions_id.
func (s *Store) GetSessionByID(ctx context.Context, id string) (*store.Session, error) {
	if !storable(id) {
		return nil, store.ErrNotFound
	}
	return getOne[store.Session](ctx, s, "get session by id", `SELECT data FROM sessions WHERE id = $1`, id)
}

func (s *Store) DeleteSession(ctx context.Context, hash string) error {
	return s.deleteRow(ctx, "delete session", `DELETE FROM sessions WHERE hash = $1`, hash)
}

// DeleteSessionsFor uses the index sessions_user. An id PostgreSQL cannot
// store has no sessions.
func (s *Store) DeleteSessionsFor(ctx context.Context, userID string) error {
	if !storable(userID) {
		return nil
	}
	return s.exec(ctx, "delete sessions of user", `DELETE FROM sessions WHERE user_id = $1`, userID)
}

// UseJTI inserts the pair, or takes over a record that has expired; an
// unexpired record leaves the statement without effect. ON CONFLICT makes
// insert-or-check one atomic step: of concurrent first uses one inserts,
// and the others wait for it and then find an unexpired record.
//
// Expiry is judged by this process's clock, the clock that also judged the
// token's exp, so a replica never accepts a token it considers live while
// reading its record as expired.
func (s *Store) UseJTI(ctx context.Context, issuer, jti string, expiresAt time.Time) error {
	const op = "use jti"
	if !storable(issuer, jti) {
		return s.fail(ctx, op, errBadKey)
	}
	var one int
	err := s.writes.run(ctx, `INSERT INTO jtis (issuer, jti, expires_at) VALUES ($1, $2, $3)
		ON CONFLICT (issuer, jti) DO UPDATE SET expires_at = excluded.expires_at WHERE jtis.expires_at <= $4
		RETURNING 1`, []any{issuer, jti, canonical.Time(expiresAt), canonical.Time(time.Now())},
		func(r pgx.Row) error { return r.Scan(&one) })
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return store.ErrAlreadyUsed
	case err != nil:
		return s.fail(ctx, op, err)
	}
	return nil
}

// Failures.

func (s *Store) RecordFailure(ctx context.Context, f *store.Failure) error {
	n := canonical.Failure(f)
	if !storable(n.TraceID) {
		return s.fail(ctx, "record failure", errBadKey)
	}
	data, err := canonical.Encode(n)
	if err != nil {
		return s.fail(ctx, "record failure", err)
	}
	return s.exec(ctx, "record failure", `INSERT INTO failures (trace_id, created_at, unattributed, data) VALUES ($1, $2, $3, $4)`,
		n.TraceID, canonical.FailureAt(n), n.Unattributed, data)
}

// RecordFailures inserts the stories with one statement: one round trip
// and one commit however many there are.
func (s *Store) RecordFailures(ctx context.Context, fs []*store.Failure) error {
	var (
		ids, data []string
		at        []time.Time
		class     []bool
	)
	for _, f := range fs {
		n := canonical.Failure(f)
		if !storable(n.TraceID) {
			return s.fail(ctx, "record failures", errBadKey)
		}
		d, err := canonical.Encode(n)
		if err != nil {
			return s.fail(ctx, "record failures", err)
		}
		ids, at, class, data = append(ids, n.TraceID), append(at, canonical.FailureAt(n)), append(class, n.Unattributed), append(data, d)
	}
	if len(ids) == 0 {
		return nil
	}
	return s.exec(ctx, "record failures", `INSERT INTO failures (trace_id, created_at, unattributed, data)
SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::boolean[], $4::json[])
ON CONFLICT (trace_id) DO NOTHING`, ids, at, class, data)
}

// TrimFailures deletes the stories of one class beyond the newest keep.
func (s *Store) TrimFailures(ctx context.Context, unattributed bool, keep int) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM failures WHERE trace_id IN (
	SELECT trace_id FROM failures WHERE unattributed = $1 ORDER BY created_at DESC, trace_id DESC OFFSET $2)`,
		unattributed, max(keep, 0))
	if err != nil {
		return 0, s.fail(ctx, "trim failures", err)
	}
	return tag.RowsAffected(), nil
}

func (s *Store) GetFailure(ctx context.Context, traceID string) (*store.Failure, error) {
	return getOne[store.Failure](ctx, s, "get failure", `SELECT data FROM failures WHERE trace_id = $1`, traceID)
}

// ListFailures filters on the time column, then on the stored JSON's text:
// the column is json, not jsonb, and a story may hold \u0000 (an
// attacker's value), which ->> cannot extract. strpos finds the encoded
// member; the decoded story is then checked exactly, so a look-alike in
// another member (an internal detail) is dropped, and the query asks for
// a few more rows than the limit to make up for it.
func (s *Store) ListFailures(ctx context.Context, q store.FailureQuery) ([]*store.Failure, error) {
	var from, to *time.Time
	if !q.From.IsZero() {
		t := canonical.Time(q.From)
		from = &t
	}
	if !q.To.IsZero() {
		t := canonical.Time(q.To)
		to = &t
	}
	limit := q.Limit
	if limit <= 0 || limit > store.FailureListMax {
		limit = store.FailureListMax
	}
	member := func(key, v string) string {
		if v == "" {
			return ""
		}
		b, _ := json.Marshal(v)
		return `"` + key + `":` + string(b)
	}
	fs, err := list[store.Failure](ctx, s, "list failures", `SELECT data FROM failures
		WHERE ($1::timestamptz IS NULL OR created_at >= $1) AND ($2::timestamptz IS NULL OR created_at < $2)
		AND ($3 = '' OR strpos(data::text, $3) > 0)
		AND ($4 = '' OR strpos(data::text, $4) > 0)
		ORDER BY created_at DESC, trace_id LIMIT $5`,
		from, to, member("client_id", q.ClientID), member("name", q.Name), 2*limit)
	if err != nil {
		return nil, err
	}
	out := fs[:0]
	for _, f := range fs {
		if (q.ClientID == "" || f.ClientID == q.ClientID) && (q.Name == "" || f.Name == q.Name) && len(out) < limit {
			out = append(out, f)
		}
	}
	return out, nil
}

// DeleteExpired removes expired rows in one transaction. A row whose
// expiry is unset (NULL) never expires.
func (s *Store) DeleteExpired(ctx context.Context, now time.Time, keepFailures time.Duration) error {
	at := canonical.Time(now)
	err := s.write(ctx, func(tx pgx.Tx) error {
		for _, q := range []struct {
			sql string
			arg time.Time
		}{
			{`DELETE FROM auth_requests WHERE expires_at <= $1`, at},
			{`DELETE FROM auth_codes WHERE expires_at <= $1`, at},
			{`DELETE FROM refresh_tokens WHERE expires_at <= $1`, at},
			{`UPDATE refresh_tokens SET successor = NULL, successor_until = NULL WHERE successor_until <= $1`, at},
			{`DELETE FROM sessions WHERE expires_at <= $1`, at},
			{`DELETE FROM jtis WHERE expires_at <= $1`, at},
			{`DELETE FROM access_tokens WHERE expires_at <= $1`, at},
			{`DELETE FROM denied_jtis WHERE expires_at <= $1`, at},
			{`DELETE FROM pushed_requests WHERE expires_at <= $1`, canonical.Time(now.Add(-store.PushedKeep))},
			{`DELETE FROM device_codes WHERE expires_at <= $1`, canonical.Time(now.Add(-store.DeviceKeep))},
			{`DELETE FROM backchannel_requests WHERE expires_at <= $1`, canonical.Time(now.Add(-store.BackchannelKeep))},
			{`DELETE FROM user_tokens WHERE expires_at <= $1`, canonical.Time(now.Add(-store.UserTokenKeep))},
			{`DELETE FROM failures WHERE created_at < $1`, canonical.Time(now.Add(-keepFailures))},
			{`DELETE FROM outbox WHERE state = 'delivered' AND finished_at <= $1`, canonical.Time(now.Add(-store.OutboxDeliveredKeep))},
			{`DELETE FROM outbox WHERE state = 'dead' AND finished_at < $1`, canonical.Time(now.Add(-keepFailures))},
		} {
			if _, err := tx.Exec(ctx, q.sql, q.arg); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, `DELETE FROM throttles WHERE touched_at < $1 AND tat <= $2 AND locked_until <= $2`,
			now.Add(-store.ThrottleKeep).UnixMicro(), now.UnixMicro())
		return err
	})
	if err != nil {
		return s.fail(ctx, "delete expired", err)
	}
	return nil
}
