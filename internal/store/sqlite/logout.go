package sqlite

import (
	"context"

	"github.com/lucid-auth/lucid/internal/store"
)

// Who took part in a user's sessions, for back- and front-channel logout.

// ListSessionsFor reads the user out of each session's JSON, as
// DeleteSessionsFor does: sessions are few, and this runs at logout.
func (s *Store) ListSessionsFor(ctx context.Context, userID string) ([]*store.Session, error) {
	return list[store.Session](ctx, s, "list sessions of user",
		`SELECT data FROM sessions WHERE json_extract(data, '$.user_id') = ? ORDER BY hash`, userID)
}

// ListFamiliesFor uses the index token_families_user.
func (s *Store) ListFamiliesFor(ctx context.Context, userID string) ([]*store.TokenFamily, error) {
	const op = "list token families of user"
	rows, err := s.r.QueryContext(ctx, `SELECT `+familyCols+` FROM token_families WHERE user_id = ? ORDER BY id`, userID)
	if err != nil {
		return nil, s.fail(ctx, op, err)
	}
	defer rows.Close()
	var out []*store.TokenFamily
	for rows.Next() {
		f, err := scanFamily(rows)
		if err != nil {
			return nil, s.fail(ctx, op, err)
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, op, err)
	}
	return out, nil
}
