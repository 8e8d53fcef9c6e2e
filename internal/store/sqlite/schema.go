package sqlite

import (
	"context"
	"fmt"
)

// migrations are applied in order; migrations[i] brings the schema from
// version i to i+1. Never edit one that has shipped: append a new one.
// Times are INTEGER Unix microseconds (UTC); data is the model as JSON.
var migrations = []string{
	`
CREATE TABLE clients (
	id         TEXT PRIMARY KEY,
	created_at INTEGER,
	data       TEXT NOT NULL
) STRICT;

CREATE TABLE users (
	id           TEXT PRIMARY KEY,
	username_key TEXT NOT NULL UNIQUE, -- lower-cased username
	email_key    TEXT UNIQUE,          -- lower-cased email, NULL when empty
	created_at   INTEGER,
	data         TEXT NOT NULL
) STRICT;

CREATE TABLE signing_keys (
	id         TEXT PRIMARY KEY,
	created_at INTEGER,
	data       TEXT NOT NULL
) STRICT;

CREATE TABLE auth_requests (
	id         TEXT PRIMARY KEY,
	expires_at INTEGER,
	data       TEXT NOT NULL
) STRICT;
CREATE INDEX auth_requests_expires ON auth_requests (expires_at);

CREATE TABLE auth_codes (
	hash           TEXT PRIMARY KEY,
	expires_at     INTEGER,
	redeemed_at    INTEGER,
	family_id      TEXT,
	invalidated_at INTEGER,
	invalid_reason TEXT,
	data           TEXT NOT NULL
) STRICT;
CREATE INDEX auth_codes_expires ON auth_codes (expires_at);

CREATE TABLE token_families (
	id            TEXT PRIMARY KEY,
	user_id       TEXT NOT NULL,
	client_id     TEXT NOT NULL,
	revoked_at    INTEGER,
	revoke_reason TEXT,
	data          TEXT NOT NULL
) STRICT;
CREATE INDEX token_families_user ON token_families (user_id, client_id);

CREATE TABLE refresh_tokens (
	hash       TEXT PRIMARY KEY,
	family_id  TEXT NOT NULL,
	expires_at INTEGER, -- the earlier of absolute and idle expiry
	rotated_at INTEGER,
	data       TEXT NOT NULL
) STRICT;
CREATE INDEX refresh_tokens_expires ON refresh_tokens (expires_at);

CREATE TABLE consents (
	user_id   TEXT NOT NULL,
	client_id TEXT NOT NULL,
	data      TEXT NOT NULL,
	PRIMARY KEY (user_id, client_id)
) STRICT;

CREATE TABLE sessions (
	hash       TEXT PRIMARY KEY,
	expires_at INTEGER,
	data       TEXT NOT NULL
) STRICT;
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE jtis (
	issuer     TEXT NOT NULL,
	jti        TEXT NOT NULL,
	expires_at INTEGER NOT NULL,
	PRIMARY KEY (issuer, jti)
) STRICT;
CREATE INDEX jtis_expires ON jtis (expires_at);

CREATE TABLE failures (
	trace_id   TEXT PRIMARY KEY,
	created_at INTEGER,
	data       TEXT NOT NULL
) STRICT;
CREATE INDEX failures_created ON failures (created_at);
`,
	`
CREATE TABLE access_tokens (
	hash       TEXT PRIMARY KEY,
	expires_at INTEGER,
	revoked_at INTEGER,
	data       TEXT NOT NULL
) STRICT;
CREATE INDEX access_tokens_expires ON access_tokens (expires_at);

CREATE TABLE denied_jtis (
	jti        TEXT PRIMARY KEY,
	expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX denied_jtis_expires ON denied_jtis (expires_at);

CREATE TABLE apis (
	id         TEXT PRIMARY KEY,
	created_at INTEGER,
	data       TEXT NOT NULL
) STRICT;
`,
	`
ALTER TABLE token_families ADD COLUMN parent_id TEXT;
CREATE INDEX token_families_parent ON token_families (parent_id) WHERE parent_id IS NOT NULL;
`,
	`
ALTER TABLE refresh_tokens ADD COLUMN successor BLOB;
ALTER TABLE refresh_tokens ADD COLUMN successor_until INTEGER;
CREATE INDEX refresh_tokens_successor ON refresh_tokens (successor_until) WHERE successor_until IS NOT NULL;
`,
	`
CREATE TABLE key_check (
	id         INTEGER PRIMARY KEY CHECK (id = 1), -- one row
	sealed     BLOB NOT NULL,
	created_at INTEGER
) STRICT;
`,
	// Failure stories get a class, so that each class is bounded on its own;
	// stories recorded before name no client when they have none.
	`
ALTER TABLE failures ADD COLUMN unattributed INTEGER NOT NULL DEFAULT 0;
UPDATE failures SET unattributed = 1 WHERE COALESCE(json_extract(data, '$.client_id'), '') = '';
CREATE INDEX failures_class ON failures (unattributed, created_at);
`,
	// Sessions by their public id (GetSessionByID).
	`
CREATE INDEX sessions_id ON sessions (json_extract(data, '$.id'));
`,
	// Pushed authorization requests (RFC 9126).
	`
CREATE TABLE pushed_requests (
	hash       TEXT PRIMARY KEY,
	client_id  TEXT NOT NULL,
	expires_at INTEGER NOT NULL,
	used_at    INTEGER,
	data       TEXT NOT NULL
) STRICT;
CREATE INDEX pushed_requests_expires ON pushed_requests (expires_at);
`,
	// The outbox: durable deliveries, claimed with a lease.
	`
CREATE TABLE outbox (
	id           TEXT PRIMARY KEY,
	state        TEXT NOT NULL,    -- pending, delivered, dead
	next_attempt INTEGER NOT NULL,
	attempts     INTEGER NOT NULL DEFAULT 0,
	lease        TEXT,
	lease_until  INTEGER,
	last_error   TEXT,
	last_trace   TEXT,
	finished_at  INTEGER,
	created_at   INTEGER NOT NULL,
	data         TEXT NOT NULL
) STRICT;
CREATE INDEX outbox_due ON outbox (next_attempt) WHERE state = 'pending';
CREATE INDEX outbox_finished ON outbox (state, finished_at) WHERE state <> 'pending';
`,
	// Device authorizations (RFC 8628): data holds what the client asked
	// for, the columns what changes (the decision, the redemption).
	`
CREATE TABLE device_codes (
	hash           TEXT PRIMARY KEY,
	user_code_hash TEXT NOT NULL UNIQUE,
	client_id      TEXT NOT NULL,
	expires_at     INTEGER NOT NULL,
	decided_at     INTEGER,
	decision       TEXT,
	redeemed_at    INTEGER,
	family_id      TEXT,
	data           TEXT NOT NULL
) STRICT;
CREATE INDEX device_codes_expires ON device_codes (expires_at);
`,
	// Backchannel authentication requests (OpenID CIBA Core 1.0). The
	// request is data; what changes (the decision, the redemption) are
	// columns, so that each change is one conditional UPDATE. WITHOUT
	// ROWID: a poll's read is one B-tree lookup by hash, not two.
	`
CREATE TABLE backchannel_requests (
	hash        TEXT PRIMARY KEY,
	id          TEXT NOT NULL UNIQUE,
	client_id   TEXT NOT NULL,
	user_id     TEXT NOT NULL,
	expires_at  INTEGER NOT NULL,
	status      TEXT NOT NULL,
	decision    TEXT,
	redeemed_at INTEGER,
	family_id   TEXT,
	data        TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX backchannel_requests_user ON backchannel_requests (user_id, status, expires_at);
CREATE INDEX backchannel_requests_expires ON backchannel_requests (expires_at);
`,
	// The revocation view reads the families revoked since a time; shared
	// throttles (throttle.shared: several processes on one file) are GCRA
	// buckets and failure counts in Unix microseconds.
	`
CREATE INDEX token_families_revoked_at ON token_families (revoked_at) WHERE revoked_at IS NOT NULL;
CREATE TABLE throttles (
	key          TEXT PRIMARY KEY,
	tat          INTEGER NOT NULL DEFAULT 0,
	failed       INTEGER NOT NULL DEFAULT 0,
	locked_until INTEGER NOT NULL DEFAULT 0,
	touched_at   INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX throttles_touched ON throttles (touched_at);
`,
	// Single-use links sent by e-mail (password reset, verification),
	// keyed by the SHA-256 of their secret.
	`
CREATE TABLE user_tokens (
	hash       TEXT PRIMARY KEY,
	purpose    TEXT NOT NULL,
	user_id    TEXT NOT NULL,
	email      TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	used_at    INTEGER
) STRICT, WITHOUT ROWID;
CREATE INDEX user_tokens_user ON user_tokens (user_id, purpose) WHERE used_at IS NULL;
CREATE INDEX user_tokens_expires ON user_tokens (expires_at);
`,
	// Links between accounts and their upstream identities (keyed by the
	// upstream, its issuer and the subject; never by e-mail), and the
	// upstream subjects an operator blocked.
	`
CREATE TABLE identity_links (
	upstream_id  TEXT NOT NULL,
	issuer       TEXT NOT NULL,
	subject      TEXT NOT NULL,
	user_id      TEXT NOT NULL,
	email        TEXT NOT NULL DEFAULT '',
	created_at   INTEGER NOT NULL,
	last_used_at INTEGER,
	PRIMARY KEY (upstream_id, issuer, subject)
) STRICT, WITHOUT ROWID;
CREATE INDEX identity_links_user ON identity_links (user_id);

CREATE TABLE subject_blocks (
	upstream_id TEXT NOT NULL,
	subject     TEXT NOT NULL,
	reason      TEXT NOT NULL DEFAULT '',
	created_at  INTEGER NOT NULL,
	PRIMARY KEY (upstream_id, subject)
) STRICT, WITHOUT ROWID;
`,
	// Second factors and passkeys: what changes on use (the last TOTP
	// step, a recovery code's use, a passkey's counter) is a column, so
	// that each use is one conditional UPDATE.
	`
CREATE TABLE totp_factors (
	user_id   TEXT PRIMARY KEY,
	last_step INTEGER NOT NULL DEFAULT 0,
	data      TEXT NOT NULL
) STRICT;
CREATE TABLE recovery_codes (
	user_id    TEXT NOT NULL,
	hash       TEXT NOT NULL,
	used_at    INTEGER,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (user_id, hash)
) STRICT;
CREATE TABLE passkeys (
	id           TEXT PRIMARY KEY,
	user_id      TEXT NOT NULL,
	sign_count   INTEGER NOT NULL DEFAULT 0,
	last_used_at INTEGER,
	created_at   INTEGER NOT NULL,
	data         TEXT NOT NULL
) STRICT;
CREATE INDEX passkeys_user ON passkeys (user_id, created_at);
`,
	// Each person's latest sign-ins, for the account page.
	`
CREATE TABLE sign_ins (
	id      INTEGER PRIMARY KEY AUTOINCREMENT,
	user_id TEXT NOT NULL,
	at      INTEGER NOT NULL,
	data    TEXT NOT NULL
) STRICT;
CREATE INDEX sign_ins_user ON sign_ins (user_id, at);
`,
}

// migrate brings the schema to the latest version in one immediate
// transaction, so concurrent Opens of one file apply each step once.
func (s *Store) migrate(ctx context.Context) error {
	err := s.write(ctx, func(ctx context.Context, tx wtx) error {
		if _, err := tx.Tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
			return err
		}
		var v int
		if err := tx.Tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&v); err != nil {
			return err
		}
		if v > len(migrations) {
			return fmt.Errorf("database schema version %d is newer than this binary knows (%d): upgrade Lucid", v, len(migrations))
		}
		for i := v; i < len(migrations); i++ {
			if _, err := tx.Tx.ExecContext(ctx, migrations[i]); err != nil {
				return fmt.Errorf("migration %d: %w", i+1, err)
			}
		}
		if v == len(migrations) {
			return nil
		}
		if _, err := tx.Tx.ExecContext(ctx, `DELETE FROM schema_version`); err != nil {
			return err
		}
		_, err := tx.Tx.ExecContext(ctx, `INSERT INTO schema_version (version) VALUES (?)`, len(migrations))
		return err
	})
	if err != nil {
		return s.fail(ctx, "migrate schema", err)
	}
	return nil
}
