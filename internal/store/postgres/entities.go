package postgres

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/canonical"
)

// getOne reads one JSON row by its key.
func getOne[T any](ctx context.Context, s *Store, op, query, key string) (*T, error) {
	if !storable(key) {
		return nil, store.ErrNotFound
	}
	var data string
	if err := s.reads.run(ctx, query, []any{key}, func(r pgx.Row) error { return r.Scan(&data) }); err != nil {
		return nil, s.fail(ctx, op, err)
	}
	v, err := canonical.Decode[T](data)
	if err != nil {
		return nil, s.fail(ctx, op, err)
	}
	return v, nil
}

// list reads JSON rows.
func list[T any](ctx context.Context, s *Store, op, query string, args ...any) ([]*T, error) {
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, s.fail(ctx, op, err)
	}
	defer rows.Close()
	var out []*T
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, s.fail(ctx, op, err)
		}
		v, err := canonical.Decode[T](data)
		if err != nil {
			return nil, s.fail(ctx, op, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, op, err)
	}
	return out, nil
}

// modify is the read-modify-write behind every Update method: it locks the
// row (SELECT … FOR UPDATE) so that concurrent updates, from this process
// or another replica, take turns and none is lost; runs fn; and saves what
// fn left. An error from fn is returned exactly as fn returned it.
func modify[T any](ctx context.Context, s *Store, op, query, id string, fn func(*T) error, save func(pgx.Tx, *T) (*T, error)) (*T, error) {
	if !storable(id) {
		return nil, store.ErrNotFound
	}
	var out *T
	var fnErr error
	err := s.write(ctx, func(tx pgx.Tx) error {
		var data string
		if err := tx.QueryRow(ctx, query, id).Scan(&data); err != nil {
			return err
		}
		v, err := canonical.Decode[T](data)
		if err != nil {
			return err
		}
		if fnErr = fn(v); fnErr != nil {
			return fnErr
		}
		out, err = save(tx, v)
		return err
	})
	if fnErr != nil {
		return nil, fnErr
	}
	if err != nil {
		return nil, s.fail(ctx, op, err)
	}
	return out, nil
}

// deleteRow deletes by key; ErrNotFound when nothing was there.
func (s *Store) deleteRow(ctx context.Context, op, query string, keys ...string) error {
	if !storable(keys...) {
		return store.ErrNotFound
	}
	args := make([]any, len(keys))
	for i, k := range keys {
		args[i] = k
	}
	tag, err := s.pool.Exec(ctx, query, args...)
	if err != nil {
		return s.fail(ctx, op, err)
	}
	if tag.RowsAffected() == 0 {
		return store.ErrNotFound
	}
	return nil
}

// Clients.

func (s *Store) CreateClient(ctx context.Context, c *store.Client) error {
	n := canonical.Client(c)
	if !storable(n.ID) {
		return s.fail(ctx, "create client", errBadKey)
	}
	data, err := canonical.Encode(n)
	if err != nil {
		return s.fail(ctx, "create client", err)
	}
	return s.exec(ctx, "create client", `INSERT INTO clients (id, created_at, data) VALUES ($1, $2, $3)`,
		n.ID, n.CreatedAt, data)
}

func (s *Store) GetClient(ctx context.Context, id string) (*store.Client, error) {
	return getOne[store.Client](ctx, s, "get client", `SELECT data FROM clients WHERE id = $1`, id)
}

func (s *Store) ListClients(ctx context.Context) ([]*store.Client, error) {
	return list[store.Client](ctx, s, "list clients", `SELECT data FROM clients ORDER BY created_at, id`)
}

func (s *Store) UpdateClient(ctx context.Context, id string, fn func(*store.Client) error) (*store.Client, error) {
	return modify(ctx, s, "update client", `SELECT data FROM clients WHERE id = $1 FOR UPDATE`, id, fn,
		func(tx pgx.Tx, c *store.Client) (*store.Client, error) {
			c.ID = id // the key does not change
			n := canonical.Client(c)
			data, err := canonical.Encode(n)
			if err != nil {
				return nil, err
			}
			_, err = tx.Exec(ctx, `UPDATE clients SET created_at = $1, data = $2 WHERE id = $3`, n.CreatedAt, data, id)
			return n, err
		})
}

func (s *Store) DeleteClient(ctx context.Context, id string) error {
	return s.deleteRow(ctx, "delete client", `DELETE FROM clients WHERE id = $1`, id)
}

// Users.

// userKeys are the lookup columns of a user: the lower-cased username and
// email (NULL when empty, so that many users may have none). Lower-casing
// happens in Go, not with SQL lower(), so that it does not depend on the
// database's locale and matches the SQLite backend.
func userKeys(u *store.User) (username string, email any) {
	username = strings.ToLower(u.Username)
	if u.Email != "" {
		email = strings.ToLower(u.Email)
	}
	return username, email
}

// userStorable reports whether the user's key columns can be stored.
func userStorable(u *store.User) bool {
	return storable(u.ID, strings.ToLower(u.Username), strings.ToLower(u.Email))
}

func (s *Store) CreateUser(ctx context.Context, u *store.User) error {
	n := canonical.User(u)
	if !userStorable(n) {
		return s.fail(ctx, "create user", errBadKey)
	}
	data, err := canonical.Encode(n)
	if err != nil {
		return s.fail(ctx, "create user", err)
	}
	name, email := userKeys(n)
	return s.exec(ctx, "create user", `INSERT INTO users (id, username_key, email_key, created_at, data) VALUES ($1, $2, $3, $4, $5)`,
		n.ID, name, email, n.CreatedAt, data)
}

func (s *Store) GetUser(ctx context.Context, id string) (*store.User, error) {
	return getOne[store.User](ctx, s, "get user", `SELECT data FROM users WHERE id = $1`, id)
}

// GetUserByUsername matches the username or the email, case-insensitively;
// a username match wins over another user's email.
func (s *Store) GetUserByUsername(ctx context.Context, username string) (*store.User, error) {
	if username == "" {
		return nil, store.ErrNotFound
	}
	return getOne[store.User](ctx, s, "get user by username", `SELECT data FROM users
		WHERE username_key = $1 OR email_key = $1 ORDER BY username_key = $1 DESC LIMIT 1`, strings.ToLower(username))
}

func (s *Store) ListUsers(ctx context.Context) ([]*store.User, error) {
	return list[store.User](ctx, s, "list users", `SELECT data FROM users ORDER BY created_at, id`)
}

func (s *Store) UpdateUser(ctx context.Context, id string, fn func(*store.User) error) (*store.User, error) {
	return modify(ctx, s, "update user", `SELECT data FROM users WHERE id = $1 FOR UPDATE`, id, fn,
		func(tx pgx.Tx, u *store.User) (*store.User, error) {
			u.ID = id
			n := canonical.User(u)
			if !userStorable(n) {
				return nil, errBadKey
			}
			data, err := canonical.Encode(n)
			if err != nil {
				return nil, err
			}
			name, email := userKeys(n)
			_, err = tx.Exec(ctx, `UPDATE users SET username_key = $1, email_key = $2, created_at = $3, data = $4 WHERE id = $5`,
				name, email, n.CreatedAt, data, id)
			return n, err
		})
}

// DeleteUser deletes the user and its links to upstream identities, so
// that an identity once linked can be provisioned or linked again.
func (s *Store) DeleteUser(ctx context.Context, id string) error {
	if !storable(id) {
		return store.ErrNotFound
	}
	err := s.write(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM users WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return store.ErrNotFound
		}
		_, err = tx.Exec(ctx, `DELETE FROM identity_links WHERE user_id = $1`, id)
		return err
	})
	if err != nil {
		return s.fail(ctx, "delete user", err)
	}
	return nil
}

// Signing keys.

func (s *Store) CreateSigningKey(ctx context.Context, k *store.SigningKey) error {
	n := canonical.SigningKey(k)
	if !storable(n.ID) {
		return s.fail(ctx, "create signing key", errBadKey)
	}
	data, err := canonical.Encode(n)
	if err != nil {
		return s.fail(ctx, "create signing key", err)
	}
	return s.exec(ctx, "create signing key", `INSERT INTO signing_keys (id, created_at, data) VALUES ($1, $2, $3)`,
		n.ID, n.CreatedAt, data)
}

func (s *Store) ListSigningKeys(ctx context.Context) ([]*store.SigningKey, error) {
	return list[store.SigningKey](ctx, s, "list signing keys", `SELECT data FROM signing_keys ORDER BY created_at, id`)
}

func (s *Store) UpdateSigningKey(ctx context.Context, id string, fn func(*store.SigningKey) error) (*store.SigningKey, error) {
	return modify(ctx, s, "update signing key", `SELECT data FROM signing_keys WHERE id = $1 FOR UPDATE`, id, fn,
		func(tx pgx.Tx, k *store.SigningKey) (*store.SigningKey, error) {
			k.ID = id
			n := canonical.SigningKey(k)
			data, err := canonical.Encode(n)
			if err != nil {
				return nil, err
			}
			_, err = tx.Exec(ctx, `UPDATE signing_keys SET created_at = $1, data = $2 WHERE id = $3`, n.CreatedAt, data, id)
			return n, err
		})
}

// Authorization requests.

func (s *Store) CreateAuthRequest(ctx context.Context, r *store.AuthRequest) error {
	n := canonical.AuthRequest(r)
	if !storable(n.ID) {
		return s.fail(ctx, "create auth request", errBadKey)
	}
	data, err := canonical.Encode(n)
	if err != nil {
		return s.fail(ctx, "create auth request", err)
	}
	return s.exec(ctx, "create auth request", `INSERT INTO auth_requests (id, expires_at, data) VALUES ($1, $2, $3)`,
		n.ID, ts(n.ExpiresAt), data)
}

func (s *Store) GetAuthRequest(ctx context.Context, id string) (*store.AuthRequest, error) {
	return getOne[store.AuthRequest](ctx, s, "get auth request", `SELECT data FROM auth_requests WHERE id = $1`, id)
}

func (s *Store) UpdateAuthRequest(ctx context.Context, id string, fn func(*store.AuthRequest) error) (*store.AuthRequest, error) {
	return modify(ctx, s, "update auth request", `SELECT data FROM auth_requests WHERE id = $1 FOR UPDATE`, id, fn,
		func(tx pgx.Tx, r *store.AuthRequest) (*store.AuthRequest, error) {
			r.ID = id
			n := canonical.AuthRequest(r)
			data, err := canonical.Encode(n)
			if err != nil {
				return nil, err
			}
			_, err = tx.Exec(ctx, `UPDATE auth_requests SET expires_at = $1, data = $2 WHERE id = $3`, ts(n.ExpiresAt), data, id)
			return n, err
		})
}

func (s *Store) DeleteAuthRequest(ctx context.Context, id string) error {
	return s.deleteRow(ctx, "delete auth request", `DELETE FROM auth_requests WHERE id = $1`, id)
}
