package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/canonical"
)

// errZeroTime guards the conditional writes: a NULL mark would leave the
// row looking unused.
var errZeroTime = errors.New("zero time")

// errRaced reports a refused conditional write whose row then looked
// usable, which READ COMMITTED rules out; it is never expected.
var errRaced = errors.New("row changed while being marked")

// errNoRefresh refuses a rotation without the token that replaces the old.
var errNoRefresh = errors.New("rotation without a next refresh token")

// errBadSuccessor refuses a successor that could never be opened or
// would never be dropped.
var errBadSuccessor = errors.New("successor without sealed data or end of grace")

// Column lists whose order the scan functions follow.
const (
	codeCols    = `data, redeemed_at, family_id, invalidated_at, invalid_reason`
	familyCols  = `data, revoked_at, revoke_reason`
	refreshCols = `data, rotated_at, successor, successor_until`
	// rotatedCols is what a winning rotation reads back: the successor it
	// wrote is the caller's, so the hot path does not read it again.
	rotatedCols = `data, rotated_at`
)

func scanCode(row pgx.Row) (*store.AuthCode, error) {
	var data string
	var redeemed, invalidated *time.Time
	var family, reason *string
	if err := row.Scan(&data, &redeemed, &family, &invalidated, &reason); err != nil {
		return nil, err
	}
	c, err := canonical.Decode[store.AuthCode](data)
	if err != nil {
		return nil, err
	}
	c.RedeemedAt, c.FamilyID = canonical.TimePtr(redeemed), deref(family)
	c.InvalidatedAt, c.InvalidReason = canonical.TimePtr(invalidated), deref(reason)
	return c, nil
}

func scanFamily(row pgx.Row) (*store.TokenFamily, error) {
	var data string
	var revoked *time.Time
	var reason *string
	if err := row.Scan(&data, &revoked, &reason); err != nil {
		return nil, err
	}
	f, err := canonical.Decode[store.TokenFamily](data)
	if err != nil {
		return nil, err
	}
	f.RevokedAt, f.RevokeReason = canonical.TimePtr(revoked), deref(reason)
	return f, nil
}

func scanRefresh(row pgx.Row) (*store.RefreshToken, error) {
	var data string
	var rotated, until *time.Time
	var sealed []byte
	if err := row.Scan(&data, &rotated, &sealed, &until); err != nil {
		return nil, err
	}
	t, err := canonical.Decode[store.RefreshToken](data)
	if err != nil {
		return nil, err
	}
	t.RotatedAt = canonical.TimePtr(rotated)
	if sealed != nil && until != nil {
		t.Successor = &store.Successor{Sealed: sealed, Until: *canonical.TimePtr(until)}
	}
	return t, nil
}

// scanRotated reads rotatedCols of the token a rotation just marked,
// which keeps succ.
func scanRotated(row pgx.Row, succ *store.Successor) (*store.RefreshToken, error) {
	var data string
	var rotated *time.Time
	if err := row.Scan(&data, &rotated); err != nil {
		return nil, err
	}
	t, err := canonical.Decode[store.RefreshToken](data)
	if err != nil {
		return nil, err
	}
	t.RotatedAt = canonical.TimePtr(rotated)
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
	return s.Sealed, canonical.Time(s.Until), nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// Authorization codes.

func (s *Store) CreateAuthCode(ctx context.Context, c *store.AuthCode) error {
	n := canonical.AuthCode(c)
	if !storable(n.Hash, n.FamilyID) {
		return s.fail(ctx, "create auth code", errBadKey)
	}
	data, err := canonical.Encode(n)
	if err != nil {
		return s.fail(ctx, "create auth code", err)
	}
	reason := nullString(n.InvalidReason)
	if n.InvalidatedAt != nil && reason == nil {
		reason = ""
	}
	return s.exec(ctx, "create auth code", `INSERT INTO auth_codes
		(hash, expires_at, redeemed_at, family_id, invalidated_at, invalid_reason, data) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		n.Hash, ts(n.ExpiresAt), tsPtr(n.RedeemedAt), nullString(n.FamilyID), tsPtr(n.InvalidatedAt), reason, data)
}

func (s *Store) GetAuthCode(ctx context.Context, hash string) (*store.AuthCode, error) {
	if !storable(hash) {
		return nil, store.ErrNotFound
	}
	var c *store.AuthCode
	err := s.reads.run(ctx, `SELECT `+codeCols+` FROM auth_codes WHERE hash = $1`, []any{hash}, func(r pgx.Row) (err error) {
		c, err = scanCode(r)
		return err
	})
	if err != nil {
		return nil, s.fail(ctx, "get auth code", err)
	}
	return c, nil
}

// redeemCode marks the code and inserts its family and tokens in one
// statement, so all happen or none does (a taken id fails the statement
// and undoes the mark). The mark is conditional: of concurrent
// redemptions, from any replica, the first to lock the row wins and the
// others, once it commits, find redeemed_at set and return no row. The
// token inserts run only when their hash parameter is not NULL.
var redeemCode = `
WITH code AS (
	UPDATE auth_codes SET redeemed_at = $2, family_id = $3
	WHERE hash = $1 AND redeemed_at IS NULL AND invalidated_at IS NULL
	RETURNING hash
), ` + redeemedCTEs("code") + `
SELECT hash FROM code`

// createFamily inserts a family that no code starts, with its tokens, in
// one statement.
var createFamily = `
WITH family AS (
	INSERT INTO token_families (id, user_id, client_id, revoked_at, revoke_reason, data, parent_id)
	VALUES ($1, $2, $3, $4, $5, $6, $7)
	RETURNING id
), ` + issuedCTEs("family", 8) + `
SELECT id FROM family`

func (s *Store) CreateTokenFamily(ctx context.Context, family *store.TokenFamily, issued store.Issued) error {
	const op = "create token family"
	f := canonical.TokenFamily(family)
	if !storable(f.ID, f.UserID, f.ClientID, f.ParentID) {
		return s.fail(ctx, op, errBadKey)
	}
	data, err := canonical.Encode(f)
	if err != nil {
		return s.fail(ctx, op, err)
	}
	tokens, err := issuedArgs(issued)
	if err != nil {
		return s.fail(ctx, op, err)
	}
	args := append([]any{f.ID, f.UserID, f.ClientID, tsPtr(f.RevokedAt), nullString(f.RevokeReason), data, nullString(f.ParentID)}, tokens...)
	var id string
	if err := s.pool.QueryRow(ctx, createFamily, args...).Scan(&id); err != nil {
		return s.fail(ctx, op, err)
	}
	return nil
}

// issuedCTEs insert the optional tokens of a redemption or rotation,
// selecting FROM the CTE that marked the grant, with parameters $first to
// $first+8 (issuedArgs); an insert runs only when its hash is not NULL.
func issuedCTEs(from string, first int) string {
	p := func(i int) string { return "$" + strconv.Itoa(first+i) }
	return `access AS (
	INSERT INTO access_tokens (hash, expires_at, revoked_at, data)
	SELECT ` + p(0) + `::text, ` + p(1) + `::timestamptz, ` + p(2) + `::timestamptz, ` + p(3) + `::json
	FROM ` + from + ` WHERE ` + p(0) + `::text IS NOT NULL
), refresh AS (
	INSERT INTO refresh_tokens (hash, family_id, expires_at, rotated_at, data)
	SELECT ` + p(4) + `::text, ` + p(5) + `::text, ` + p(6) + `::timestamptz, ` + p(7) + `::timestamptz, ` + p(8) + `::json
	FROM ` + from + ` WHERE ` + p(4) + `::text IS NOT NULL
)`
}

// issuedArgs are the nine parameters of issuedCTEs: NULLs for a token
// not issued.
func issuedArgs(issued store.Issued) ([]any, error) {
	args := make([]any, 9)
	if t := issued.Access; t != nil {
		n := canonical.AccessToken(t)
		if !storable(n.Hash) {
			return nil, errBadKey
		}
		data, err := canonical.Encode(n)
		if err != nil {
			return nil, err
		}
		args[0], args[1], args[2], args[3] = n.Hash, ts(n.ExpiresAt), tsPtr(n.RevokedAt), data
	}
	if t := issued.Refresh; t != nil {
		n := canonical.RefreshToken(t)
		if !storable(n.Hash, n.FamilyID) {
			return nil, errBadKey
		}
		data, err := canonical.Encode(n)
		if err != nil {
			return nil, err
		}
		args[4], args[5], args[6], args[7], args[8] = n.Hash, n.FamilyID, ts(canonical.RefreshExpiry(n)), tsPtr(n.RotatedAt), data
	}
	return args, nil
}

// redeemArgs are the parameters of a statement that spends a grant (a code,
// a device code, a backchannel request) and stores its family and tokens:
// $1 the grant's hash, $2 now, $3–$8 the family, then the issued tokens
// (issuedCTEs from $9), and last the family's parent.
func redeemArgs(hash string, now time.Time, family *store.TokenFamily, issued store.Issued) ([]any, error) {
	f := canonical.TokenFamily(family)
	if !storable(f.ID, f.UserID, f.ClientID, f.ParentID) {
		return nil, errBadKey
	}
	fdata, err := canonical.Encode(f)
	if err != nil {
		return nil, err
	}
	tokens, err := issuedArgs(issued)
	if err != nil {
		return nil, err
	}
	args := append([]any{hash, canonical.Time(now), f.ID, f.UserID, f.ClientID,
		tsPtr(f.RevokedAt), nullString(f.RevokeReason), fdata}, tokens...)
	return append(args, nullString(f.ParentID)), nil
}

// redeemedCTEs are the parts of a redeeming statement after the grant's
// conditional UPDATE (the CTE src, which returns a row only when it spent
// the grant): the family ($3–$8, parent $18) and the issued tokens ($9–).
func redeemedCTEs(src string) string {
	return `family AS (
	INSERT INTO token_families (id, user_id, client_id, revoked_at, revoke_reason, data, parent_id)
	SELECT $3::text, $4::text, $5::text, $6::timestamptz, $7::text, $8::json, $18::text FROM ` + src + `
), ` + issuedCTEs(src, 9)
}

// redeem runs stmt, a statement that spends the grant hash and stores
// family and issued in one go (redeemArgs). It reports spent when the
// statement did; otherwise the caller reads the grant to say why not.
func (s *Store) redeem(ctx context.Context, op, stmt, hash string, family *store.TokenFamily, issued store.Issued, now time.Time) (spent bool, err error) {
	if now.IsZero() {
		return false, s.fail(ctx, op, errZeroTime)
	}
	if !storable(hash) {
		return false, store.ErrNotFound
	}
	args, err := redeemArgs(hash, now, family, issued)
	if err != nil {
		return false, s.fail(ctx, op, err)
	}
	var marked string
	err = s.writes.run(ctx, stmt, args, func(r pgx.Row) error { return r.Scan(&marked) })
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, pgx.ErrNoRows):
		return false, nil
	}
	return false, s.fail(ctx, op, err)
}

// RedeemAuthCode marks the code redeemed and creates its family and
// tokens; a refused redemption returns the code as stored, read after the
// refusal so that it shows the redemption that won.
func (s *Store) RedeemAuthCode(ctx context.Context, hash string, family *store.TokenFamily, issued store.Issued, now time.Time) (*store.AuthCode, error) {
	const op = "redeem auth code"
	if spent, err := s.redeem(ctx, op, redeemCode, hash, family, issued, now); spent || err != nil {
		return nil, err
	}
	// Refused: the code is missing, redeemed or invalidated. Those states
	// are final, and this read sees every commit the UPDATE waited for.
	code, err := s.GetAuthCode(ctx, hash)
	switch {
	case err != nil:
		return nil, err
	case code.InvalidatedAt != nil:
		return code, store.ErrInvalidated
	case code.RedeemedAt != nil:
		return code, store.ErrAlreadyUsed
	}
	return nil, s.fail(ctx, op, errRaced)
}

// InvalidateAuthCode marks an unused code invalid with one conditional
// UPDATE; when it refuses, the follow-up read names why.
func (s *Store) InvalidateAuthCode(ctx context.Context, hash, reason string, now time.Time) error {
	const op = "invalidate auth code"
	if now.IsZero() {
		return s.fail(ctx, op, errZeroTime)
	}
	if !storable(hash) {
		return store.ErrNotFound
	}
	tag, err := s.pool.Exec(ctx, `UPDATE auth_codes SET invalidated_at = $1, invalid_reason = $2
		WHERE hash = $3 AND redeemed_at IS NULL AND invalidated_at IS NULL`, canonical.Time(now), reason, hash)
	if err != nil {
		return s.fail(ctx, op, err)
	}
	if tag.RowsAffected() > 0 {
		return nil
	}
	code, err := s.GetAuthCode(ctx, hash)
	switch {
	case err != nil:
		return err
	case code.InvalidatedAt != nil:
		return store.ErrInvalidated
	case code.RedeemedAt != nil:
		return store.ErrAlreadyUsed
	}
	return s.fail(ctx, op, errRaced)
}

// Token families.

func (s *Store) GetTokenFamily(ctx context.Context, id string) (*store.TokenFamily, error) {
	if !storable(id) {
		return nil, store.ErrNotFound
	}
	var f *store.TokenFamily
	err := s.reads.run(ctx, `SELECT `+familyCols+` FROM token_families WHERE id = $1`, []any{id}, func(r pgx.Row) (err error) {
		f, err = scanFamily(r)
		return err
	})
	if err != nil {
		return nil, s.fail(ctx, "get token family", err)
	}
	return f, nil
}

// revokeTree revokes the families the seed query selects and their
// descendants; UNION (not UNION ALL) stops at a family already visited.
// A family revoked already keeps its first time and reason. A descendant
// created while this statement runs may be missed: it can only come from
// an exchange that checked its parent before the revocation committed, and
// the provider, which checks a family's ancestors when it reads one, still
// ends it. The second verb is an extra condition on the rows updated.
const revokeTree = `WITH RECURSIVE tree(id) AS (%s
	UNION SELECT f.id FROM token_families f JOIN tree ON f.parent_id = tree.id)
UPDATE token_families
SET revoked_at = COALESCE(revoked_at, $1),
    revoke_reason = CASE WHEN revoked_at IS NULL THEN $2 ELSE revoke_reason END
WHERE id IN (SELECT id FROM tree)%s`

var (
	// Rows revoked before are updated too (to themselves), so that the row
	// count tells a missing family from a revoked one.
	revokeFamilyTree = fmt.Sprintf(revokeTree, `SELECT id FROM token_families WHERE id = $3`, "")
	revokeUserTree   = fmt.Sprintf(revokeTree, `SELECT id FROM token_families WHERE user_id = $3 AND ($4 = '' OR client_id = $4)`, " AND revoked_at IS NULL")
)

// RevokeTokenFamily sets the revocation only where none is set, in one
// statement that still counts the row when it was revoked before.
func (s *Store) RevokeTokenFamily(ctx context.Context, id, reason string, now time.Time) error {
	const op = "revoke token family"
	if now.IsZero() {
		return s.fail(ctx, op, errZeroTime)
	}
	if !storable(id) {
		return store.ErrNotFound
	}
	tag, err := s.pool.Exec(ctx, revokeFamilyTree, canonical.Time(now), reason, id)
	if err != nil {
		return s.fail(ctx, op, err)
	}
	if tag.RowsAffected() == 0 {
		return store.ErrNotFound
	}
	return nil
}

func (s *Store) RevokeFamiliesFor(ctx context.Context, userID, clientID, reason string, now time.Time) error {
	const op = "revoke token families"
	if now.IsZero() {
		return s.fail(ctx, op, errZeroTime)
	}
	if !storable(userID, clientID) {
		return nil // no family can belong to them
	}
	return s.exec(ctx, op, revokeUserTree, canonical.Time(now), reason, userID, clientID)
}

// Refresh tokens.

func (s *Store) CreateRefreshToken(ctx context.Context, t *store.RefreshToken) error {
	n := canonical.RefreshToken(t)
	if !storable(n.Hash, n.FamilyID) {
		return s.fail(ctx, "create refresh token", errBadKey)
	}
	data, err := canonical.Encode(n)
	if err != nil {
		return s.fail(ctx, "create refresh token", err)
	}
	return s.exec(ctx, "create refresh token", `INSERT INTO refresh_tokens (hash, family_id, expires_at, rotated_at, data)
		VALUES ($1, $2, $3, $4, $5)`, n.Hash, n.FamilyID, ts(canonical.RefreshExpiry(n)), tsPtr(n.RotatedAt), data)
}

func (s *Store) GetRefreshToken(ctx context.Context, hash string) (*store.RefreshToken, error) {
	if !storable(hash) {
		return nil, store.ErrNotFound
	}
	var t *store.RefreshToken
	err := s.reads.run(ctx, `SELECT `+refreshCols+` FROM refresh_tokens WHERE hash = $1`, []any{hash}, func(r pgx.Row) (err error) {
		t, err = scanRefresh(r)
		return err
	})
	if err != nil {
		return nil, s.fail(ctx, "get refresh token", err)
	}
	return t, nil
}

// rotateRefresh marks the old token rotated (keeping the sealed successor
// with it) and inserts the next tokens in one statement: a next hash that
// exists fails the statement and undoes the mark. Of concurrent rotations
// the first to lock the old row wins.
var rotateRefresh = `
WITH old AS (
	UPDATE refresh_tokens SET rotated_at = $2, successor = $12::bytea, successor_until = $13::timestamptz
	WHERE hash = $1 AND rotated_at IS NULL
	RETURNING ` + rotatedCols + `
), ` + issuedCTEs("old", 3) + `
SELECT ` + rotatedCols + ` FROM old`

// renewRefresh replaces an unrotated refresh token's data (its idle expiry
// moved on) and inserts the access token issued with it; it returns the
// number of tokens renewed.
var renewRefresh = `
WITH renewed AS (
	UPDATE refresh_tokens SET data = $2::json, expires_at = $3
	WHERE hash = $1 AND rotated_at IS NULL
	RETURNING hash
), ` + issuedCTEs("renewed", 4) + `
SELECT count(*) FROM renewed`

// RenewRefreshToken keeps a refresh token, renewed, without rotating it.
func (s *Store) RenewRefreshToken(ctx context.Context, t *store.RefreshToken, access *store.AccessToken) error {
	const op = "renew refresh token"
	n := canonical.RefreshToken(t)
	n.RotatedAt = nil
	if !storable(n.Hash) {
		return store.ErrNotFound
	}
	data, err := canonical.Encode(n)
	if err != nil {
		return s.fail(ctx, op, err)
	}
	tokens, err := issuedArgs(store.Issued{Access: access})
	if err != nil {
		return s.fail(ctx, op, err)
	}
	var renewed int
	args := append([]any{n.Hash, data, ts(canonical.RefreshExpiry(n))}, tokens...)
	if err := s.pool.QueryRow(ctx, renewRefresh, args...).Scan(&renewed); err != nil {
		return s.fail(ctx, op, err)
	}
	if renewed == 1 {
		return nil
	}
	if _, err := s.GetRefreshToken(ctx, n.Hash); err != nil {
		return err
	}
	return store.ErrAlreadyUsed
}

// RotateRefreshToken returns the old token as stored after the change, or,
// refused, as stored after the rotation that won.
func (s *Store) RotateRefreshToken(ctx context.Context, oldHash string, next store.Issued, now time.Time) (*store.RefreshToken, error) {
	const op = "rotate refresh token"
	if now.IsZero() {
		return nil, s.fail(ctx, op, errZeroTime)
	}
	if next.Refresh == nil {
		return nil, s.fail(ctx, op, errNoRefresh)
	}
	if !storable(oldHash) {
		return nil, store.ErrNotFound
	}
	tokens, err := issuedArgs(next)
	if err != nil {
		return nil, s.fail(ctx, op, err)
	}
	sealed, until, err := successorArgs(next.Successor)
	if err != nil {
		return nil, s.fail(ctx, op, err)
	}
	args := append([]any{oldHash, canonical.Time(now)}, tokens...)
	args = append(args, sealed, until)
	var old *store.RefreshToken
	err = s.writes.run(ctx, rotateRefresh, args, func(r pgx.Row) (err error) {
		old, err = scanRotated(r, next.Successor)
		return err
	})
	if err == nil {
		return old, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return nil, s.fail(ctx, op, err)
	}
	old, err = s.GetRefreshToken(ctx, oldHash)
	switch {
	case err != nil:
		return nil, err
	case old.RotatedAt != nil:
		return old, store.ErrAlreadyUsed
	}
	return nil, s.fail(ctx, op, errRaced)
}
