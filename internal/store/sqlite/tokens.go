package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/canonical"
)

// errZeroTime guards the conditional writes: a NULL mark would leave the
// row looking unused.
var errZeroTime = errors.New("zero time")

// errNoRefresh refuses a rotation without the token that replaces the old.
var errNoRefresh = errors.New("rotation without a next refresh token")

// errBadSuccessor refuses a successor that could never be opened or
// would never be dropped.
var errBadSuccessor = errors.New("successor without sealed data or end of grace")

type scanner interface{ Scan(...any) error }

// Column lists whose order the scan functions follow.
const (
	codeCols    = `data, redeemed_at, family_id, invalidated_at, invalid_reason`
	familyCols  = `data, revoked_at, revoke_reason`
	refreshCols = `data, rotated_at, successor, successor_until`
	// rotatedCols is what the hot paths read: a winning rotation, whose
	// successor is the caller's own, and GetRefreshToken, which reads the
	// successor only of a rotated token (getSuccessor).
	rotatedCols  = `data, rotated_at`
	getSuccessor = `SELECT successor, successor_until FROM refresh_tokens WHERE hash = ?`
)

func scanCode(sc scanner) (*store.AuthCode, error) {
	var data string
	var redeemed, invalidated sql.NullInt64
	var family, reason sql.NullString
	if err := sc.Scan(&data, &redeemed, &family, &invalidated, &reason); err != nil {
		return nil, err
	}
	c, err := canonical.Decode[store.AuthCode](data)
	if err != nil {
		return nil, err
	}
	c.RedeemedAt, c.FamilyID = timePtr(redeemed), family.String
	c.InvalidatedAt, c.InvalidReason = timePtr(invalidated), reason.String
	return c, nil
}

func scanFamily(sc scanner) (*store.TokenFamily, error) {
	var data string
	var revoked sql.NullInt64
	var reason sql.NullString
	if err := sc.Scan(&data, &revoked, &reason); err != nil {
		return nil, err
	}
	f, err := canonical.Decode[store.TokenFamily](data)
	if err != nil {
		return nil, err
	}
	f.RevokedAt, f.RevokeReason = timePtr(revoked), reason.String
	return f, nil
}

func scanRefresh(sc scanner) (*store.RefreshToken, error) {
	var data string
	var rotated, until sql.NullInt64
	var sealed []byte
	if err := sc.Scan(&data, &rotated, &sealed, &until); err != nil {
		return nil, err
	}
	t, err := canonical.Decode[store.RefreshToken](data)
	if err != nil {
		return nil, err
	}
	t.RotatedAt = timePtr(rotated)
	if sealed != nil && until.Valid {
		t.Successor = &store.Successor{Sealed: sealed, Until: *timePtr(until)}
	}
	return t, nil
}

// scanRotated reads rotatedCols of the token a rotation just marked,
// which keeps succ.
func scanRotated(sc scanner, succ *store.Successor) (*store.RefreshToken, error) {
	var data string
	var rotated sql.NullInt64
	if err := sc.Scan(&data, &rotated); err != nil {
		return nil, err
	}
	t, err := canonical.Decode[store.RefreshToken](data)
	if err != nil {
		return nil, err
	}
	t.RotatedAt = timePtr(rotated)
	if succ != nil {
		t.Successor = &store.Successor{Sealed: slices.Clone(succ.Sealed), Until: canonical.Time(succ.Until)}
	}
	return t, nil
}

// successorArgs are the successor and successor_until of a rotation:
// NULLs without a successor.
func successorArgs(s *store.Successor) (sealed, until any, err error) {
	if s == nil {
		return nil, nil, nil
	}
	if len(s.Sealed) == 0 || s.Until.IsZero() {
		return nil, nil, errBadSuccessor
	}
	return s.Sealed, s.Until.UnixMicro(), nil
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Authorization codes.

func (s *Store) CreateAuthCode(ctx context.Context, c *store.AuthCode) error {
	n := canonical.AuthCode(c)
	data, err := canonical.Encode(n)
	if err != nil {
		return s.fail(ctx, "create auth code", err)
	}
	reason := nullString(n.InvalidReason)
	if n.InvalidatedAt != nil && reason == nil {
		reason = ""
	}
	return s.exec(ctx, "create auth code", `INSERT INTO auth_codes
		(hash, expires_at, redeemed_at, family_id, invalidated_at, invalid_reason, data) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		n.Hash, micros(n.ExpiresAt), microsPtr(n.RedeemedAt), nullString(n.FamilyID), microsPtr(n.InvalidatedAt), reason, data)
}

func (s *Store) GetAuthCode(ctx context.Context, hash string) (*store.AuthCode, error) {
	c, err := scanCode(s.getCode.QueryRowContext(ctx, hash))
	if err != nil {
		return nil, s.fail(ctx, "get auth code", err)
	}
	return c, nil
}

// RedeemAuthCode marks the code and inserts its family and tokens in one
// transaction. The conditional UPDATE is what makes redemption single-use;
// the writer connection serializes it with every other write.
func (s *Store) RedeemAuthCode(ctx context.Context, hash string, family *store.TokenFamily, issued store.Issued, now time.Time) (*store.AuthCode, error) {
	if now.IsZero() {
		return nil, s.fail(ctx, "redeem auth code", errZeroTime)
	}
	var code *store.AuthCode
	err := s.write(ctx, func(ctx context.Context, tx wtx) error {
		res, err := tx.ExecContext(ctx, `UPDATE auth_codes SET redeemed_at = ?, family_id = ?
			WHERE hash = ? AND redeemed_at IS NULL AND invalidated_at IS NULL`,
			canonical.Time(now).UnixMicro(), family.ID, hash)
		if err != nil {
			return err
		}
		if ok, err := affected(res); err != nil {
			return err
		} else if !ok {
			// Refused: read why inside the transaction that refused it.
			if code, err = scanCode(tx.QueryRowContext(ctx, `SELECT `+codeCols+` FROM auth_codes WHERE hash = ?`, hash)); err != nil {
				return err
			}
			if code.InvalidatedAt != nil {
				return store.ErrInvalidated
			}
			return store.ErrAlreadyUsed
		}
		return insertFamily(ctx, tx, family, issued)
	})
	switch {
	case errors.Is(err, store.ErrAlreadyUsed), errors.Is(err, store.ErrInvalidated):
		return code, err
	case err != nil:
		return nil, s.fail(ctx, "redeem auth code", err)
	}
	return nil, nil
}

// insertFamily stores a family and its first tokens inside a transaction.
func insertFamily(ctx context.Context, tx wtx, family *store.TokenFamily, issued store.Issued) error {
	f := canonical.TokenFamily(family)
	data, err := canonical.Encode(f)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO token_families (id, user_id, client_id, revoked_at, revoke_reason, parent_id, data)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, f.ID, f.UserID, f.ClientID, microsPtr(f.RevokedAt), nullString(f.RevokeReason), nullString(f.ParentID), data); err != nil {
		return err
	}
	return insertIssued(ctx, tx, issued)
}

func (s *Store) CreateTokenFamily(ctx context.Context, family *store.TokenFamily, issued store.Issued) error {
	if err := s.write(ctx, func(ctx context.Context, tx wtx) error { return insertFamily(ctx, tx, family, issued) }); err != nil {
		return s.fail(ctx, "create token family", err)
	}
	return nil
}

// insertIssued stores the tokens of a redemption or rotation inside its
// transaction.
func insertIssued(ctx context.Context, tx wtx, issued store.Issued) error {
	if issued.Access != nil {
		if err := insertAccess(ctx, tx, issued.Access); err != nil {
			return err
		}
	}
	if issued.Refresh != nil {
		return insertRefresh(ctx, tx, issued.Refresh)
	}
	return nil
}

func (s *Store) InvalidateAuthCode(ctx context.Context, hash, reason string, now time.Time) error {
	if now.IsZero() {
		return s.fail(ctx, "invalidate auth code", errZeroTime)
	}
	err := s.write(ctx, func(ctx context.Context, tx wtx) error {
		res, err := tx.ExecContext(ctx, `UPDATE auth_codes SET invalidated_at = ?, invalid_reason = ?
			WHERE hash = ? AND redeemed_at IS NULL AND invalidated_at IS NULL`, canonical.Time(now).UnixMicro(), reason, hash)
		if err != nil {
			return err
		}
		if ok, err := affected(res); ok || err != nil {
			return err
		}
		var redeemed, invalidated sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT redeemed_at, invalidated_at FROM auth_codes WHERE hash = ?`, hash).
			Scan(&redeemed, &invalidated); err != nil {
			return err
		}
		if invalidated.Valid {
			return store.ErrInvalidated
		}
		return store.ErrAlreadyUsed
	})
	if err != nil {
		return s.fail(ctx, "invalidate auth code", err)
	}
	return nil
}

// Token families.

func (s *Store) GetTokenFamily(ctx context.Context, id string) (*store.TokenFamily, error) {
	f, err := scanFamily(s.getFamily.QueryRowContext(ctx, id))
	if err != nil {
		return nil, s.fail(ctx, "get token family", err)
	}
	return f, nil
}

// revokeTree revokes the families the seed query selects and their
// descendants; UNION (not UNION ALL) stops at a family already visited.
// A descendant whose exchange checked its parent before this commits but
// is written after it is missed; the provider, which checks a family's
// ancestors when it reads one, still ends it.
const revokeTree = `WITH RECURSIVE tree(id) AS (%s
	UNION SELECT f.id FROM token_families f JOIN tree ON f.parent_id = tree.id)
UPDATE token_families SET revoked_at = ?, revoke_reason = ? WHERE id IN (SELECT id FROM tree) AND revoked_at IS NULL`

var (
	revokeFamilyTree = fmt.Sprintf(revokeTree, `SELECT id FROM token_families WHERE id = ?`)
	revokeUserTree   = fmt.Sprintf(revokeTree, `SELECT id FROM token_families WHERE user_id = ? AND (? = '' OR client_id = ?)`)
)

func (s *Store) RevokeTokenFamily(ctx context.Context, id, reason string, now time.Time) error {
	if now.IsZero() {
		return s.fail(ctx, "revoke token family", errZeroTime)
	}
	err := s.write(ctx, func(ctx context.Context, tx wtx) error {
		if _, err := tx.ExecContext(ctx, revokeFamilyTree, id, canonical.Time(now).UnixMicro(), reason); err != nil {
			return err
		}
		var one int
		return tx.QueryRowContext(ctx, `SELECT 1 FROM token_families WHERE id = ?`, id).Scan(&one)
	})
	if err != nil {
		return s.fail(ctx, "revoke token family", err)
	}
	return nil
}

func (s *Store) RevokeFamiliesFor(ctx context.Context, userID, clientID, reason string, now time.Time) error {
	if now.IsZero() {
		return s.fail(ctx, "revoke token families", errZeroTime)
	}
	return s.exec(ctx, "revoke token families", revokeUserTree,
		userID, clientID, clientID, canonical.Time(now).UnixMicro(), reason)
}

// Refresh tokens.

func insertRefresh(ctx context.Context, tx wtx, t *store.RefreshToken) error {
	n := canonical.RefreshToken(t)
	data, err := canonical.Encode(n)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO refresh_tokens (hash, family_id, expires_at, rotated_at, data) VALUES (?, ?, ?, ?, ?)`,
		n.Hash, n.FamilyID, micros(canonical.RefreshExpiry(n)), microsPtr(n.RotatedAt), data)
	return err
}

func (s *Store) CreateRefreshToken(ctx context.Context, t *store.RefreshToken) error {
	err := s.write(ctx, func(ctx context.Context, tx wtx) error { return insertRefresh(ctx, tx, t) })
	if err != nil {
		return s.fail(ctx, "create refresh token", err)
	}
	return nil
}

// GetRefreshToken reads a rotated token's successor with a second query,
// which keeps the common read of an unrotated token as cheap as before
// there were successors. The successor was written with the rotation, so
// the second read sees it unless DeleteExpired dropped it in between.
func (s *Store) GetRefreshToken(ctx context.Context, hash string) (*store.RefreshToken, error) {
	t, err := scanRotated(s.getRefresh.QueryRowContext(ctx, hash), nil)
	if err != nil {
		return nil, s.fail(ctx, "get refresh token", err)
	}
	if t.RotatedAt == nil {
		return t, nil
	}
	var sealed []byte
	var until sql.NullInt64
	switch err := s.r.QueryRowContext(ctx, getSuccessor, hash).Scan(&sealed, &until); {
	case errors.Is(err, sql.ErrNoRows):
		return nil, store.ErrNotFound // deleted in between
	case err != nil:
		return nil, s.fail(ctx, "get refresh token", err)
	case sealed != nil && until.Valid:
		t.Successor = &store.Successor{Sealed: sealed, Until: *timePtr(until)}
	}
	return t, nil
}

// RenewRefreshToken replaces the data of an unrotated refresh token (its
// idle expiry moved on) and inserts the access token issued with it, in
// one transaction.
func (s *Store) RenewRefreshToken(ctx context.Context, t *store.RefreshToken, access *store.AccessToken) error {
	n := canonical.RefreshToken(t)
	n.RotatedAt = nil
	data, err := canonical.Encode(n)
	if err != nil {
		return s.fail(ctx, "renew refresh token", err)
	}
	err = s.write(ctx, func(ctx context.Context, tx wtx) error {
		res, err := tx.ExecContext(ctx, `UPDATE refresh_tokens SET data = ?, expires_at = ? WHERE hash = ? AND rotated_at IS NULL`,
			data, micros(canonical.RefreshExpiry(n)), n.Hash)
		if err != nil {
			return err
		}
		if ok, err := affected(res); err != nil || !ok {
			if err != nil {
				return err
			}
			var rotated sql.NullInt64
			if err := tx.QueryRowContext(ctx, `SELECT rotated_at FROM refresh_tokens WHERE hash = ?`, n.Hash).Scan(&rotated); err != nil {
				return err
			}
			return store.ErrAlreadyUsed
		}
		return insertIssued(ctx, tx, store.Issued{Access: access})
	})
	if err != nil {
		return s.fail(ctx, "renew refresh token", err)
	}
	return nil
}

// RotateRefreshToken marks old rotated and inserts next in one transaction;
// it returns the old token as stored after the change.
func (s *Store) RotateRefreshToken(ctx context.Context, oldHash string, next store.Issued, now time.Time) (*store.RefreshToken, error) {
	if now.IsZero() {
		return nil, s.fail(ctx, "rotate refresh token", errZeroTime)
	}
	if next.Refresh == nil {
		return nil, s.fail(ctx, "rotate refresh token", errNoRefresh)
	}
	sealed, until, err := successorArgs(next.Successor)
	if err != nil {
		return nil, s.fail(ctx, "rotate refresh token", err)
	}
	var old *store.RefreshToken
	err = s.write(ctx, func(ctx context.Context, tx wtx) error {
		t, err := scanRotated(tx.QueryRowContext(ctx, `UPDATE refresh_tokens SET rotated_at = ?, successor = ?, successor_until = ?
			WHERE hash = ? AND rotated_at IS NULL RETURNING `+rotatedCols, canonical.Time(now).UnixMicro(), sealed, until, oldHash), next.Successor)
		if errors.Is(err, sql.ErrNoRows) {
			if old, err = scanRefresh(tx.QueryRowContext(ctx, `SELECT `+refreshCols+` FROM refresh_tokens WHERE hash = ?`, oldHash)); err != nil {
				return err
			}
			return store.ErrAlreadyUsed
		}
		if err != nil {
			return err
		}
		if err := insertIssued(ctx, tx, next); err != nil {
			return err
		}
		old = t
		return nil
	})
	switch {
	case errors.Is(err, store.ErrAlreadyUsed):
		return old, err
	case err != nil:
		return nil, s.fail(ctx, "rotate refresh token", err)
	}
	return old, nil
}
