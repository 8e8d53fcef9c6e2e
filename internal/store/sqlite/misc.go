package sqlite

import (
	"context"
	"math"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/canonical"
)

// Consents.

func (s *Store) GetConsent(ctx context.Context, userID, clientID string) (*store.Consent, error) {
	var data string
	err := s.r.QueryRowContext(ctx, `SELECT data FROM consents WHERE user_id = ? AND client_id = ?`, userID, clientID).Scan(&data)
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
	data, err := canonical.Encode(n)
	if err != nil {
		return s.fail(ctx, "save consent", err)
	}
	return s.exec(ctx, "save consent", `INSERT INTO consents (user_id, client_id, data) VALUES (?, ?, ?)
		ON CONFLICT (user_id, client_id) DO UPDATE SET data = excluded.data`, n.UserID, n.ClientID, data)
}

func (s *Store) ListConsents(ctx context.Context, userID string) ([]*store.Consent, error) {
	return list[store.Consent](ctx, s, "list consents", `SELECT data FROM consents WHERE user_id = ? ORDER BY client_id`, userID)
}

func (s *Store) DeleteConsent(ctx context.Context, userID, clientID string) error {
	return s.deleteRow(ctx, "delete consent", `DELETE FROM consents WHERE user_id = ? AND client_id = ?`, userID, clientID)
}

// Sessions.

func (s *Store) CreateSession(ctx context.Context, sess *store.Session) error {
	n := canonical.Session(sess)
	data, err := canonical.Encode(n)
	if err != nil {
		return s.fail(ctx, "create session", err)
	}
	return s.exec(ctx, "create session", `INSERT INTO sessions (hash, expires_at, data) VALUES (?, ?, ?)`,
		n.Hash, micros(n.ExpiresAt), data)
}

func (s *Store) GetSession(ctx context.Context, hash string) (*store.Session, error) {
	return getOne[store.Session](ctx, s, "get session", s.getSession, hash)
}

func (s *Store) DeleteSession(ctx context.Context, hash string) error {
	return s.deleteRow(ctx, "delete session", `DELETE FROM sessions WHERE hash = ?`, hash)
}

// DeleteSessionsFor reads the user out of each session's JSON: sessions
// are few (they expire within lifetimes.session) and this runs only on an
// operator's change, so a scan is cheaper than a column and a migration.
func (s *Store) DeleteSessionsFor(ctx context.Context, userID string) error {
	return s.exec(ctx, "delete sessions of user", `DELETE FROM sessions WHERE json_extract(data, '$.user_id') = ?`, userID)
}

// GetSessionByID uses the expression index sessions_id.
func (s *Store) GetSessionByID(ctx context.Context, id string) (*store.Session, error) {
	return getOne[store.Session](ctx, s, "get session by id", s.getSessionByID, id)
}

// UseJTI inserts the pair, or takes over a record that has expired; an
// unexpired record leaves the statement without effect.
func (s *Store) UseJTI(ctx context.Context, issuer, jti string, expiresAt time.Time) error {
	var used bool
	err := s.write(ctx, func(ctx context.Context, tx wtx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO jtis (issuer, jti, expires_at) VALUES (?, ?, ?)
			ON CONFLICT (issuer, jti) DO UPDATE SET expires_at = excluded.expires_at WHERE jtis.expires_at <= ?`,
			issuer, jti, canonical.Time(expiresAt).UnixMicro(), canonical.Time(time.Now()).UnixMicro())
		if err != nil {
			return err
		}
		ok, err := affected(res)
		used = !ok
		return err
	})
	if err != nil {
		return s.fail(ctx, "use jti", err)
	}
	if used {
		return store.ErrAlreadyUsed
	}
	return nil
}

// Failures.

func (s *Store) RecordFailure(ctx context.Context, f *store.Failure) error {
	n := canonical.Failure(f)
	data, err := canonical.Encode(n)
	if err != nil {
		return s.fail(ctx, "record failure", err)
	}
	return s.exec(ctx, "record failure", `INSERT INTO failures (trace_id, created_at, unattributed, data) VALUES (?, ?, ?, ?)`,
		n.TraceID, canonical.FailureAt(n).UnixMicro(), n.Unattributed, data)
}

// RecordFailures inserts the stories in one transaction (one commit).
func (s *Store) RecordFailures(ctx context.Context, fs []*store.Failure) error {
	type row struct {
		n    *store.Failure
		data string
	}
	rows := make([]row, 0, len(fs))
	for _, f := range fs {
		n := canonical.Failure(f)
		data, err := canonical.Encode(n)
		if err != nil {
			return s.fail(ctx, "record failures", err)
		}
		rows = append(rows, row{n, data})
	}
	if len(rows) == 0 {
		return nil
	}
	err := s.write(ctx, func(ctx context.Context, tx wtx) error {
		for _, r := range rows {
			if _, err := tx.ExecContext(ctx, `INSERT INTO failures (trace_id, created_at, unattributed, data) VALUES (?, ?, ?, ?) ON CONFLICT (trace_id) DO NOTHING`,
				r.n.TraceID, canonical.FailureAt(r.n).UnixMicro(), r.n.Unattributed, r.data); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return s.fail(ctx, "record failures", err)
	}
	return nil
}

// TrimFailures deletes the stories of one class beyond the newest keep.
func (s *Store) TrimFailures(ctx context.Context, unattributed bool, keep int) (int64, error) {
	var n int64
	err := s.write(ctx, func(ctx context.Context, tx wtx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM failures WHERE trace_id IN (
	SELECT trace_id FROM failures WHERE unattributed = ? ORDER BY created_at DESC, trace_id DESC LIMIT -1 OFFSET ?)`,
			unattributed, max(keep, 0))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, s.fail(ctx, "trim failures", err)
	}
	return n, nil
}

func (s *Store) GetFailure(ctx context.Context, traceID string) (*store.Failure, error) {
	var data string
	if err := s.r.QueryRowContext(ctx, `SELECT data FROM failures WHERE trace_id = ?`, traceID).Scan(&data); err != nil {
		return nil, s.fail(ctx, "get failure", err)
	}
	f, err := canonical.Decode[store.Failure](data)
	if err != nil {
		return nil, s.fail(ctx, "get failure", err)
	}
	return f, nil
}

// ListFailures filters on the time column and the story's JSON; the
// table is bounded (failure_max_stories), so the scan is too.
func (s *Store) ListFailures(ctx context.Context, q store.FailureQuery) ([]*store.Failure, error) {
	from, to := int64(math.MinInt64), int64(math.MaxInt64)
	if !q.From.IsZero() {
		from = canonical.Time(q.From).UnixMicro()
	}
	if !q.To.IsZero() {
		to = canonical.Time(q.To).UnixMicro()
	}
	return list[store.Failure](ctx, s, "list failures", `SELECT data FROM failures
		WHERE created_at >= ? AND created_at < ?
		AND (? = '' OR json_extract(data, '$.client_id') = ?)
		AND (? = '' OR json_extract(data, '$.name') = ?)
		ORDER BY created_at DESC, trace_id LIMIT ?`,
		from, to, q.ClientID, q.ClientID, q.Name, q.Name, failureLimit(q.Limit))
}

func failureLimit(n int) int {
	if n <= 0 || n > store.FailureListMax {
		return store.FailureListMax
	}
	return n
}

// DeleteExpired removes expired rows in one transaction. A row whose
// expiry is unset (NULL) never expires.
func (s *Store) DeleteExpired(ctx context.Context, now time.Time, keepFailures time.Duration) error {
	at := canonical.Time(now).UnixMicro()
	err := s.write(ctx, func(ctx context.Context, tx wtx) error {
		for _, q := range []struct {
			sql string
			arg int64
		}{
			{`DELETE FROM auth_requests WHERE expires_at <= ?`, at},
			{`DELETE FROM auth_codes WHERE expires_at <= ?`, at},
			{`DELETE FROM refresh_tokens WHERE expires_at <= ?`, at},
			{`UPDATE refresh_tokens SET successor = NULL, successor_until = NULL WHERE successor_until <= ?`, at},
			{`DELETE FROM sessions WHERE expires_at <= ?`, at},
			{`DELETE FROM jtis WHERE expires_at <= ?`, at},
			{`DELETE FROM access_tokens WHERE expires_at <= ?`, at},
			{`DELETE FROM denied_jtis WHERE expires_at <= ?`, at},
			{`DELETE FROM pushed_requests WHERE expires_at <= ?`, canonical.Time(now.Add(-store.PushedKeep)).UnixMicro()},
			{`DELETE FROM device_codes WHERE expires_at <= ?`, canonical.Time(now.Add(-store.DeviceKeep)).UnixMicro()},
			{`DELETE FROM backchannel_requests WHERE expires_at <= ?`, canonical.Time(now.Add(-store.BackchannelKeep)).UnixMicro()},
			{`DELETE FROM user_tokens WHERE expires_at <= ?`, canonical.Time(now.Add(-store.UserTokenKeep)).UnixMicro()},
			{`DELETE FROM failures WHERE created_at < ?`, canonical.Time(now.Add(-keepFailures)).UnixMicro()},
			{`DELETE FROM outbox WHERE state = 'delivered' AND finished_at <= ?`, canonical.Time(now.Add(-store.OutboxDeliveredKeep)).UnixMicro()},
			{`DELETE FROM outbox WHERE state = 'dead' AND finished_at < ?`, canonical.Time(now.Add(-keepFailures)).UnixMicro()},
		} {
			if _, err := tx.ExecContext(ctx, q.sql, q.arg); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM throttles WHERE touched_at < ? AND tat <= ? AND locked_until <= ?`,
			now.Add(-store.ThrottleKeep).UnixMicro(), now.UnixMicro(), now.UnixMicro())
		return err
	})
	if err != nil {
		return s.fail(ctx, "delete expired", err)
	}
	return nil
}
