package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/canonical"
)

// Links to upstream identities and blocked upstream subjects.

const linkCols = `upstream_id, issuer, subject, user_id, email, created_at, last_used_at`

func scanLink(row pgx.Row) (*store.IdentityLink, error) {
	var l store.IdentityLink
	var used *time.Time
	if err := row.Scan(&l.UpstreamID, &l.Issuer, &l.Subject, &l.UserID, &l.Email, &l.CreatedAt, &used); err != nil {
		return nil, err
	}
	l.CreatedAt = canonical.Time(l.CreatedAt)
	if used != nil {
		l.LastUsedAt = canonical.Time(*used)
	}
	return &l, nil
}

func linkStorable(l *store.IdentityLink) bool {
	return storable(l.UpstreamID, l.Issuer, l.Subject, l.UserID, l.Email)
}

func insertLink(ctx context.Context, tx pgx.Tx, l *store.IdentityLink) error {
	tag, err := tx.Exec(ctx, `INSERT INTO identity_links (`+linkCols+`)
		SELECT $1, $2, $3, $4, $5, $6, $7 WHERE EXISTS (SELECT 1 FROM users WHERE id = $4)`,
		l.UpstreamID, l.Issuer, l.Subject, l.UserID, l.Email, canonical.Time(l.CreatedAt), ts(l.LastUsedAt))
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return store.ErrNotFound
	}
	return nil
}

func (s *Store) ProvisionUser(ctx context.Context, u *store.User, link *store.IdentityLink) error {
	const op = "provision user"
	n := canonical.User(u)
	if !userStorable(n) || !linkStorable(link) {
		return s.fail(ctx, op, errBadKey)
	}
	data, err := canonical.Encode(n)
	if err != nil {
		return s.fail(ctx, op, err)
	}
	name, email := userKeys(n)
	err = s.write(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO users (id, username_key, email_key, created_at, data) VALUES ($1, $2, $3, $4, $5)`,
			n.ID, name, email, n.CreatedAt, data); err != nil {
			return err
		}
		return insertLink(ctx, tx, link)
	})
	if err != nil {
		return s.fail(ctx, op, err)
	}
	return nil
}

func (s *Store) LinkIdentity(ctx context.Context, link *store.IdentityLink) error {
	if !linkStorable(link) {
		return s.fail(ctx, "link identity", errBadKey)
	}
	err := s.write(ctx, func(tx pgx.Tx) error { return insertLink(ctx, tx, link) })
	if err != nil {
		return s.fail(ctx, "link identity", err)
	}
	return nil
}

func (s *Store) GetIdentityLink(ctx context.Context, upstreamID, issuer, subject string) (*store.IdentityLink, error) {
	if !storable(upstreamID, issuer, subject) {
		return nil, store.ErrNotFound
	}
	l, err := scanLink(s.pool.QueryRow(ctx, `SELECT `+linkCols+` FROM identity_links WHERE upstream_id = $1 AND issuer = $2 AND subject = $3`,
		upstreamID, issuer, subject))
	if err != nil {
		return nil, s.fail(ctx, "get identity link", err)
	}
	return l, nil
}

func (s *Store) ListIdentityLinks(ctx context.Context, userID string) ([]*store.IdentityLink, error) {
	if !storable(userID) {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT `+linkCols+` FROM identity_links WHERE user_id = $1 ORDER BY created_at, upstream_id, subject`, userID)
	if err != nil {
		return nil, s.fail(ctx, "list identity links", err)
	}
	defer rows.Close()
	var out []*store.IdentityLink
	for rows.Next() {
		l, err := scanLink(rows)
		if err != nil {
			return nil, s.fail(ctx, "list identity links", err)
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, "list identity links", err)
	}
	return out, nil
}

func (s *Store) TouchIdentityLink(ctx context.Context, upstreamID, issuer, subject string, now time.Time) error {
	if !storable(upstreamID, issuer, subject) {
		return store.ErrNotFound
	}
	tag, err := s.pool.Exec(ctx, `UPDATE identity_links SET last_used_at = $1 WHERE upstream_id = $2 AND issuer = $3 AND subject = $4`,
		canonical.Time(now), upstreamID, issuer, subject)
	if err != nil {
		return s.fail(ctx, "touch identity link", err)
	}
	if tag.RowsAffected() == 0 {
		return store.ErrNotFound
	}
	return nil
}

func (s *Store) UnlinkIdentity(ctx context.Context, userID, upstreamID, subject string) error {
	return s.deleteRow(ctx, "unlink identity", `DELETE FROM identity_links WHERE user_id = $1 AND upstream_id = $2 AND subject = $3`,
		userID, upstreamID, subject)
}

func (s *Store) BlockSubject(ctx context.Context, b *store.SubjectBlock) error {
	if !storable(b.UpstreamID, b.Subject, b.Reason) {
		return s.fail(ctx, "block subject", errBadKey)
	}
	return s.exec(ctx, "block subject", `INSERT INTO subject_blocks (upstream_id, subject, reason, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (upstream_id, subject) DO UPDATE SET reason = excluded.reason, created_at = excluded.created_at`,
		b.UpstreamID, b.Subject, b.Reason, canonical.Time(b.CreatedAt))
}

func (s *Store) UnblockSubject(ctx context.Context, upstreamID, subject string) error {
	return s.deleteRow(ctx, "unblock subject", `DELETE FROM subject_blocks WHERE upstream_id = $1 AND subject = $2`, upstreamID, subject)
}

func scanBlock(row pgx.Row) (*store.SubjectBlock, error) {
	var b store.SubjectBlock
	if err := row.Scan(&b.UpstreamID, &b.Subject, &b.Reason, &b.CreatedAt); err != nil {
		return nil, err
	}
	b.CreatedAt = canonical.Time(b.CreatedAt)
	return &b, nil
}

func (s *Store) GetSubjectBlock(ctx context.Context, upstreamID, subject string) (*store.SubjectBlock, error) {
	if !storable(upstreamID, subject) {
		return nil, store.ErrNotFound
	}
	b, err := scanBlock(s.pool.QueryRow(ctx, `SELECT upstream_id, subject, reason, created_at FROM subject_blocks WHERE upstream_id = $1 AND subject = $2`,
		upstreamID, subject))
	if err != nil {
		return nil, s.fail(ctx, "get subject block", err)
	}
	return b, nil
}

func (s *Store) ListSubjectBlocks(ctx context.Context) ([]*store.SubjectBlock, error) {
	rows, err := s.pool.Query(ctx, `SELECT upstream_id, subject, reason, created_at FROM subject_blocks ORDER BY created_at DESC, upstream_id, subject`)
	if err != nil {
		return nil, s.fail(ctx, "list subject blocks", err)
	}
	defer rows.Close()
	var out []*store.SubjectBlock
	for rows.Next() {
		b, err := scanBlock(rows)
		if err != nil {
			return nil, s.fail(ctx, "list subject blocks", err)
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, "list subject blocks", err)
	}
	return out, nil
}
