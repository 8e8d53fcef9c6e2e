package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/canonical"
)

// Links to upstream identities and blocked upstream subjects.

const linkCols = `upstream_id, issuer, subject, user_id, email, created_at, last_used_at`

func scanLink(sc scanner) (*store.IdentityLink, error) {
	var l store.IdentityLink
	var created int64
	var used sql.NullInt64
	if err := sc.Scan(&l.UpstreamID, &l.Issuer, &l.Subject, &l.UserID, &l.Email, &created, &used); err != nil {
		return nil, err
	}
	l.CreatedAt = time.UnixMicro(created).UTC()
	if t := timePtr(used); t != nil {
		l.LastUsedAt = *t
	}
	return &l, nil
}

func insertLink(ctx context.Context, tx wtx, l *store.IdentityLink) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO identity_links (`+linkCols+`)
		SELECT ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM users WHERE id = ?)`,
		l.UpstreamID, l.Issuer, l.Subject, l.UserID, l.Email, canonical.Time(l.CreatedAt).UnixMicro(), micros(canonical.Time(l.LastUsedAt)), l.UserID)
	if err != nil {
		return err
	}
	if ok, err := affected(res); err != nil {
		return err
	} else if !ok {
		return store.ErrNotFound
	}
	return nil
}

func (s *Store) ProvisionUser(ctx context.Context, u *store.User, link *store.IdentityLink) error {
	n := canonical.User(u)
	data, err := canonical.Encode(n)
	if err != nil {
		return s.fail(ctx, "provision user", err)
	}
	name, email := userKeys(n)
	err = s.write(ctx, func(ctx context.Context, tx wtx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO users (id, username_key, email_key, created_at, data) VALUES (?, ?, ?, ?, ?)`,
			n.ID, name, email, n.CreatedAt.UnixMicro(), data); err != nil {
			return err
		}
		return insertLink(ctx, tx, link)
	})
	if err != nil {
		return s.fail(ctx, "provision user", err)
	}
	return nil
}

func (s *Store) LinkIdentity(ctx context.Context, link *store.IdentityLink) error {
	err := s.write(ctx, func(ctx context.Context, tx wtx) error { return insertLink(ctx, tx, link) })
	if err != nil {
		return s.fail(ctx, "link identity", err)
	}
	return nil
}

func (s *Store) GetIdentityLink(ctx context.Context, upstreamID, issuer, subject string) (*store.IdentityLink, error) {
	l, err := scanLink(s.r.QueryRowContext(ctx, `SELECT `+linkCols+` FROM identity_links WHERE upstream_id = ? AND issuer = ? AND subject = ?`,
		upstreamID, issuer, subject))
	if err != nil {
		return nil, s.fail(ctx, "get identity link", err)
	}
	return l, nil
}

func (s *Store) ListIdentityLinks(ctx context.Context, userID string) ([]*store.IdentityLink, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+linkCols+` FROM identity_links WHERE user_id = ? ORDER BY created_at, upstream_id, subject`, userID)
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
	return s.deleteRow(ctx, "touch identity link", `UPDATE identity_links SET last_used_at = ? WHERE upstream_id = ? AND issuer = ? AND subject = ?`,
		canonical.Time(now).UnixMicro(), upstreamID, issuer, subject)
}

func (s *Store) UnlinkIdentity(ctx context.Context, userID, upstreamID, subject string) error {
	return s.deleteRow(ctx, "unlink identity", `DELETE FROM identity_links WHERE user_id = ? AND upstream_id = ? AND subject = ?`,
		userID, upstreamID, subject)
}

func (s *Store) BlockSubject(ctx context.Context, b *store.SubjectBlock) error {
	return s.exec(ctx, "block subject", `INSERT INTO subject_blocks (upstream_id, subject, reason, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (upstream_id, subject) DO UPDATE SET reason = excluded.reason, created_at = excluded.created_at`,
		b.UpstreamID, b.Subject, b.Reason, canonical.Time(b.CreatedAt).UnixMicro())
}

func (s *Store) UnblockSubject(ctx context.Context, upstreamID, subject string) error {
	return s.deleteRow(ctx, "unblock subject", `DELETE FROM subject_blocks WHERE upstream_id = ? AND subject = ?`, upstreamID, subject)
}

func scanBlock(sc scanner) (*store.SubjectBlock, error) {
	var b store.SubjectBlock
	var created int64
	if err := sc.Scan(&b.UpstreamID, &b.Subject, &b.Reason, &created); err != nil {
		return nil, err
	}
	b.CreatedAt = time.UnixMicro(created).UTC()
	return &b, nil
}

func (s *Store) GetSubjectBlock(ctx context.Context, upstreamID, subject string) (*store.SubjectBlock, error) {
	b, err := scanBlock(s.r.QueryRowContext(ctx, `SELECT upstream_id, subject, reason, created_at FROM subject_blocks WHERE upstream_id = ? AND subject = ?`,
		upstreamID, subject))
	if err != nil {
		return nil, s.fail(ctx, "get subject block", err)
	}
	return b, nil
}

func (s *Store) ListSubjectBlocks(ctx context.Context) ([]*store.SubjectBlock, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT upstream_id, subject, reason, created_at FROM subject_blocks ORDER BY created_at DESC, upstream_id, subject`)
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
