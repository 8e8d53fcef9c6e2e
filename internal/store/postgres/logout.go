package postgres

import (
	"context"

	"github.com/lucid-auth/lucid/internal/store"
)

// Who took part in a user's sessions, for back- and front-channel logout.

// ListSessionsFor uses the index sessions_user. An id PostgreSQL cannot
// store has no sessions.
func (s *Store) ListSessionsFor(ctx context.Context, userID string) ([]*store.Session, error) {
	if !storable(userID) {
		return nil, nil
	}
	return list[store.Session](ctx, s, "list sessions of user",
		`SELECT data FROM sessions WHERE user_id = $1 ORDER BY hash`, userID)
}

// ListFamiliesFor uses the index token_families_user.
func (s *Store) ListFamiliesFor(ctx context.Context, userID string) ([]*store.TokenFamily, error) {
	const op = "list token families of user"
	if !storable(userID) {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT `+familyCols+` FROM token_families WHERE user_id = $1 ORDER BY id`, userID)
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
